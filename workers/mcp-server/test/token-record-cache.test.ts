// The token-record cache in front of OAUTH_KV: what it reuses, for how long, and what always goes to KV.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clearTokenRecordCache,
  TOKEN_RECORD_CACHE_MAX,
  TOKEN_RECORD_TTL_MS,
  withTokenRecordCache,
} from '../src/auth/token-record-cache.js';

/** An in-memory KV that counts reads and can hold one read open (the boundary under test is KV itself). */
class CountingKv {
  readonly values = new Map<string, string>();
  reads = 0;
  /** When set, the next read waits for this promise before reading. */
  gate: Promise<void> | undefined;

  async get(key: string, options?: unknown): Promise<unknown> {
    this.reads++;
    const gate = this.gate;
    this.gate = undefined;
    const text = this.values.get(key) ?? null;
    await gate;
    if (text === null) return null;
    const type = typeof options === 'string' ? options : (options as { type?: string } | undefined)?.type;
    return type === 'json' ? (JSON.parse(text) as unknown) : text;
  }
  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
  async list(): Promise<{ keys: Array<{ name: string }> }> {
    return { keys: [...this.values.keys()].map((name) => ({ name })) };
  }
}

const tokenKey = 'token:user-1:grant-1:hash-1';
const record = { id: 'hash-1', expiresAt: 2_000_000_000, grant: { scope: ['read:todos'] } };

let raw: CountingKv;
let kv: KVNamespace;

beforeEach(() => {
  clearTokenRecordCache();
  raw = new CountingKv();
  raw.values.set(tokenKey, JSON.stringify(record));
  kv = withTokenRecordCache(raw as unknown as KVNamespace);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('token-record cache', () => {
  it('should read a token record from KV once and reuse it within the TTL', async () => {
    expect(await kv.get(tokenKey, { type: 'json' })).toEqual(record);
    expect(await kv.get(tokenKey, { type: 'json' })).toEqual(record);
    expect(await kv.get(tokenKey, 'json')).toEqual(record);
    expect(raw.reads).toBe(1);
  });

  it('should give every reader its own copy, so one caller cannot change what the next one sees', async () => {
    const first = (await kv.get(tokenKey, { type: 'json' })) as { grant: { scope: string[] } };
    first.grant.scope.push('write:todos');
    expect(await kv.get(tokenKey, { type: 'json' })).toEqual(record);
  });

  it('should read KV again once the TTL has passed', async () => {
    vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    await kv.get(tokenKey, { type: 'json' });
    raw.values.delete(tokenKey); // revoked by another isolate
    vi.advanceTimersByTime(TOKEN_RECORD_TTL_MS - 1);
    expect(await kv.get(tokenKey, { type: 'json' })).toEqual(record); // the documented window
    vi.advanceTimersByTime(2);
    expect(await kv.get(tokenKey, { type: 'json' })).toBeNull();
  });

  it('should forget a record at once when it is deleted or overwritten through the cache (revocation, rotation)', async () => {
    await kv.get(tokenKey, { type: 'json' });
    await kv.delete(tokenKey);
    expect(await kv.get(tokenKey, { type: 'json' })).toBeNull();

    await kv.put(tokenKey, JSON.stringify({ ...record, expiresAt: 1 }));
    expect(await kv.get(tokenKey, { type: 'json' })).toMatchObject({ expiresAt: 1 });
  });

  it('should not cache a read that overlapped a delete, so a revoked record cannot come back', async () => {
    let open!: () => void;
    raw.gate = new Promise((resolve) => (open = resolve));
    const inFlight = kv.get(tokenKey, { type: 'json' }); // reads the record, then waits
    await kv.delete(tokenKey);
    open();
    expect(await inFlight).toEqual(record); // what KV answered at the time
    expect(await kv.get(tokenKey, { type: 'json' })).toBeNull();
  });

  it('should never cache a missing token, nor anything but JSON reads of token records', async () => {
    const missing = 'token:user-1:grant-1:unknown';
    expect(await kv.get(missing, { type: 'json' })).toBeNull();
    raw.values.set(missing, JSON.stringify(record));
    expect(await kv.get(missing, { type: 'json' })).toEqual(record);

    raw.values.set('grant:user-1:grant-1', '{"id":"grant-1"}');
    await kv.get('grant:user-1:grant-1', { type: 'json' });
    raw.values.delete('grant:user-1:grant-1');
    expect(await kv.get('grant:user-1:grant-1', { type: 'json' })).toBeNull();

    const before = raw.reads;
    await kv.get(tokenKey, 'text');
    await kv.get(tokenKey, 'text');
    expect(raw.reads - before).toBe(2);
  });

  it(`should hold at most ${TOKEN_RECORD_CACHE_MAX} records, dropping the oldest first`, async () => {
    for (let i = 0; i <= TOKEN_RECORD_CACHE_MAX; i++) {
      raw.values.set(`token:u:g:${i}`, JSON.stringify({ i }));
      await kv.get(`token:u:g:${i}`, { type: 'json' });
    }
    const before = raw.reads;
    await kv.get(`token:u:g:${TOKEN_RECORD_CACHE_MAX}`, { type: 'json' }); // newest: cached
    await kv.get('token:u:g:0', { type: 'json' }); // oldest: evicted, read again
    expect(raw.reads - before).toBe(1);
  });

  it('should pass every other method straight to KV', async () => {
    expect((await kv.list()).keys.map((k) => k.name)).toEqual([tokenKey]);
  });
});
