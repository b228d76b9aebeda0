// The verified-token cache: which /mcp requests may skip the provider, for how long, and what forgets a token at once.
import { beforeEach, describe, expect, it } from 'vitest';
import { withTokenRecordCache } from '../src/auth/token-record-cache.js';
import {
  cachedVerification,
  clearVerifiedTokenCache,
  noteVerificationStart,
  rememberingVerifiedTokens,
  VERIFIED_TOKEN_CACHE_MAX,
  VERIFIED_TOKEN_TTL_MS,
} from '../src/auth/verified-token-cache.js';
import type { McpHandlerContext } from '../src/mcp/mcp-request-auth.js';
import { aliceProps } from './mcp/support/mcp-test-context.js';

const ORIGIN = 'https://mcp.example.test';
const TOKEN = 'user-1:grant-1:secret-1';
/** Seconds since the epoch, an hour from now: the token's own expiry. */
const expiresAt = () => Math.floor(Date.now() / 1000) + 3600;

class MemoryKv {
  readonly values = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.values.get(key) ?? null;
  }
  async put(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

const kv = withTokenRecordCache(new MemoryKv() as unknown as KVNamespace);

function mcpRequest(token = TOKEN, init: { method?: string; path?: string; headers?: Record<string, string> } = {}): Request {
  return new Request(`${ORIGIN}${init.path ?? '/mcp'}`, {
    method: init.method ?? 'POST',
    headers: { Authorization: `Bearer ${token}`, ...init.headers },
    ...((init.method ?? 'POST') === 'POST' ? { body: '{}' } : {}),
  });
}

/** What the provider does for a valid token: note the start, verify, then call the /mcp handler with props and auth. */
async function verifyThroughProvider(
  request: Request,
  options: { origin?: string; expiresAt?: number; between?: () => Promise<void> } = {},
) {
  noteVerificationStart(request);
  await options.between?.();
  const handler = rememberingVerifiedTokens(options.origin ?? ORIGIN, { fetch: async () => new Response('handled') });
  const ctx = { props: aliceProps(), auth: { clientId: 'client-1', scope: ['read:todos'], expiresAt: options.expiresAt ?? expiresAt() } };
  await handler.fetch(request, {} as Env, ctx as unknown as McpHandlerContext);
  return ctx;
}

beforeEach(() => {
  clearVerifiedTokenCache();
});

describe('verified-token cache', () => {
  it('should hand a token the provider verified to the next /mcp POST, with the same props and auth', async () => {
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeUndefined();
    const ctx = await verifyThroughProvider(mcpRequest());
    expect(cachedVerification(mcpRequest(), ORIGIN)).toEqual({ props: ctx.props, auth: ctx.auth });
  });

  it.each([
    ['another origin (the token is bound to its resource)', () => cachedVerification(mcpRequest(), 'https://other.example.test')],
    ['another token of the same grant', () => cachedVerification(mcpRequest('user-1:grant-1:secret-2'), ORIGIN)],
    ['a GET', () => cachedVerification(mcpRequest(TOKEN, { method: 'GET' }), ORIGIN)],
    ['another path', () => cachedVerification(mcpRequest(TOKEN, { path: '/sse/message' }), ORIGIN)],
    [
      'a browser request (CORS answers stay with the provider)',
      () => cachedVerification(mcpRequest(TOKEN, { headers: { Origin: 'https://app.example' } }), ORIGIN),
    ],
    ['two credentials in one header', () => cachedVerification(mcpRequest(`${TOKEN}, x`), ORIGIN)],
  ])('should send %s through the provider', async (_case, lookup) => {
    await verifyThroughProvider(mcpRequest());
    expect(lookup()).toBeUndefined();
  });

  it('should forget a verification after the TTL', async () => {
    await verifyThroughProvider(mcpRequest());
    expect(cachedVerification(mcpRequest(), ORIGIN, Date.now() + VERIFIED_TOKEN_TTL_MS - 1_000)).toBeDefined();
    expect(cachedVerification(mcpRequest(), ORIGIN, Date.now() + VERIFIED_TOKEN_TTL_MS + 1)).toBeUndefined();
  });

  it('should forget a token when it expires, even within the TTL', async () => {
    await verifyThroughProvider(mcpRequest(), { expiresAt: Math.floor(Date.now() / 1000) + 2 });
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeDefined();
    expect(cachedVerification(mcpRequest(), ORIGIN, Date.now() + 3_000)).toBeUndefined();
  });

  it.each([
    ['a token record of the grant is deleted (RFC 7009 revocation)', () => kv.delete('token:user-1:grant-1:hash-of-another-token')],
    ['the grant record is deleted (grant revoked)', () => kv.delete('grant:user-1:grant-1')],
    ['the grant record is rewritten (refresh)', () => kv.put('grant:user-1:grant-1', '{}')],
  ])('should forget every token of the grant at once when %s', async (_case, write) => {
    await verifyThroughProvider(mcpRequest());
    await write();
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeUndefined();
  });

  it("should keep a token when another grant's records are written", async () => {
    await verifyThroughProvider(mcpRequest());
    await kv.delete('token:user-1:grant-2:hash');
    await kv.delete('grant:user-2:grant-1');
    await kv.put('client:client-1', '{}');
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeDefined();
  });

  it('should not remember a verification that overlapped a KV write, so a revoked token cannot come back', async () => {
    await verifyThroughProvider(mcpRequest(), { between: () => kv.delete('token:user-1:grant-1:hash') });
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeUndefined();
  });

  it('should not remember a request the provider did not start verifying here', async () => {
    const handler = rememberingVerifiedTokens(ORIGIN, { fetch: async () => new Response('handled') });
    const ctx = { props: aliceProps(), auth: { expiresAt: expiresAt() } };
    await handler.fetch(mcpRequest(), {} as Env, ctx as unknown as McpHandlerContext);
    expect(cachedVerification(mcpRequest(), ORIGIN)).toBeUndefined();
  });

  it(`should keep at most ${VERIFIED_TOKEN_CACHE_MAX} tokens, dropping the oldest`, async () => {
    for (let i = 0; i <= VERIFIED_TOKEN_CACHE_MAX; i++) await verifyThroughProvider(mcpRequest(`user-${i}:grant:secret`));
    expect(cachedVerification(mcpRequest('user-0:grant:secret'), ORIGIN)).toBeUndefined();
    expect(cachedVerification(mcpRequest('user-1:grant:secret'), ORIGIN)).toBeDefined();
    expect(cachedVerification(mcpRequest(`user-${VERIFIED_TOKEN_CACHE_MAX}:grant:secret`), ORIGIN)).toBeDefined();
  });
});
