// A short-lived, per-isolate read-through cache of the OAuth provider's access-token records in KV.
import { isAccessTokenKey, isJsonRead } from './access-token-format.js';

/**
 * How long a token record read from KV is reused by this isolate. Every MCP request makes the
 * OAuth provider look its bearer token up in KV; a client calling tools in a row would otherwise
 * pay that read on each call. The cost: a token revoked by ANOTHER isolate can keep working here
 * for up to this long. Revocations in this isolate are seen at once (writes invalidate), and KV
 * itself may serve reads up to 60 s stale across locations, so 10 s adds no new class of delay.
 */
export const TOKEN_RECORD_TTL_MS = 10_000;
/** Bound on cached records per isolate (about 1.5 KB each); the oldest entry goes first. */
export const TOKEN_RECORD_CACHE_MAX = 1_000;

interface CachedRecord {
  /** The record as stored (JSON text): each reader gets its own parsed copy. */
  text: string;
  freshUntil: number;
}

const records = new Map<string, CachedRecord>();
/**
 * Counts writes through any wrapper: a read that overlapped a write is not cached, so a record
 * deleted while its read was in flight cannot come back from the cache.
 */
let writes = 0;
const wrapped = new WeakMap<KVNamespace, KVNamespace>();
const writeListeners: Array<(key: string) => void> = [];

/**
 * How many writes went through any wrapper so far. A reader that noted this before a KV read can
 * tell whether a write (say, a revocation) happened since, and then must not cache what it read.
 */
export function kvWriteCount(): number {
  return writes;
}

/** Calls `listener` with the key of every put or delete made through a wrapper, before the write. */
export function onKvWrite(listener: (key: string) => void): void {
  writeListeners.push(listener);
}

/**
 * `kv` with token-record reads cached for TOKEN_RECORD_TTL_MS. Only positive JSON reads of
 * `token:` keys are cached (a missing token is always re-read); every `put` or `delete` through
 * the wrapper drops the key first, so revocation and rotation in this isolate take effect at once.
 * Everything else goes straight to KV.
 */
export function withTokenRecordCache(kv: KVNamespace): KVNamespace {
  let cached = wrapped.get(kv);
  if (!cached) {
    // Built once per binding: the provider touches OAUTH_KV on every request.
    const overrides: Record<PropertyKey, unknown> = {
      get: cachedGet(kv),
      put: invalidatingWrite(kv, 'put'),
      delete: invalidatingWrite(kv, 'delete'),
    };
    cached = new Proxy(kv, {
      get(target, property) {
        if (Object.hasOwn(overrides, property)) return overrides[property];
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    wrapped.set(kv, cached);
  }
  return cached;
}

/** For tests: forget every cached record. */
export function clearTokenRecordCache(): void {
  records.clear();
}

function cachedGet(kv: KVNamespace) {
  const get = kv.get.bind(kv) as (key: unknown, options?: unknown) => Promise<unknown>;
  return async (key: unknown, options?: unknown): Promise<unknown> => {
    if (typeof key !== 'string' || !isAccessTokenKey(key) || !isJsonRead(options)) return get(key, options);

    const now = Date.now();
    const hit = records.get(key);
    if (hit && hit.freshUntil > now) return JSON.parse(hit.text) as unknown;
    if (hit) records.delete(key);

    const writesBefore = writes;
    const text = await kv.get(key, 'text');
    if (text === null) return null;
    if (writes === writesBefore) records.set(key, { text, freshUntil: now + TOKEN_RECORD_TTL_MS });
    if (records.size > TOKEN_RECORD_CACHE_MAX) {
      const oldest = records.keys().next().value;
      if (oldest !== undefined) records.delete(oldest);
    }
    return JSON.parse(text) as unknown;
  };
}

function invalidatingWrite(kv: KVNamespace, method: 'put' | 'delete') {
  const write = (kv[method] as (...args: unknown[]) => Promise<void>).bind(kv);
  return async (key: unknown, ...rest: unknown[]): Promise<void> => {
    writes++;
    if (typeof key === 'string') {
      records.delete(key);
      for (const listener of writeListeners) listener(key);
    }
    await write(key, ...rest);
  };
}
