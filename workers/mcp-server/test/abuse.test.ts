// Abuse resistance as an attacker meets it: rate limits that store nothing past the limit, bounded registration,
// refresh-token reuse ending the grant, pseudonymous user ids, HSTS, and log lines without secrets.
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mcpRateLimits, registrationPolicy } from '../../../system/system.js';
import { refuseMcpOverLimit } from '../src/abuse/rate-limit.js';
import { REFRESH_RETRY_GRACE_SECONDS } from '../src/auth/refresh-token-reuse.js';
import { afterResponseWorkSettled } from '../src/http/after-response.js';
import type { McpHandlerContext } from '../src/mcp/mcp-request-auth.js';
import { sseHandler } from '../src/mcp/sse/sse-handler.js';
import { mcpHandler } from '../src/mcp/streamable-http-handler.js';
import { aliceProps, handlerContext } from './mcp/support/mcp-test-context.js';
import { resetIdp } from './support/fake-idp-token-endpoint.js';
import {
  authorizePath,
  clientRedirect,
  fetchWorker,
  pkce,
  randomTestIp,
  refreshMcp,
  registerClient,
  signIn,
} from './support/oauth-flow.js';

beforeEach(resetIdp);
afterEach(() => vi.useRealTimers());

/** A fresh address each time, so tests never share a bucket with each other or the rest of the suite. */
const attacker = randomTestIp;

function register(ip: string, metadata: Record<string, unknown> = {}) {
  return fetchWorker('/oauth/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
    body: JSON.stringify({ client_name: 'Flood client', redirect_uris: [clientRedirect], token_endpoint_auth_method: 'none', ...metadata }),
  });
}

/**
 * The binding's windows are aligned to the wall clock (so is Miniflare's), and every counter restarts at a window's
 * edge: a burst that straddles one would see its count reset. Start each burst (about a second here, `burstSeconds`
 * leaves room for a busy machine) inside a window: waiting out a whole margin of 15-20 s cost a run up to a minute.
 */
async function awayFromWindowEdge(periodSeconds: number, burstSeconds = 5): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < burstSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

async function kvKeys(prefix: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await env.OAUTH_KV.list({ prefix, ...(cursor ? { cursor } : {}) });
    count += page.keys.length;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return count;
}

describe('rate limits', () => {
  it('should answer registrations past the per-IP limit with 429, Retry-After and an OAuth error, and store none of them', async () => {
    const ip = attacker();
    const { limit, period } = mcpRateLimits.registration;
    await awayFromWindowEdge(period);
    for (let i = 0; i < limit; i++) expect((await register(ip)).status).toBe(201);
    const stored = await kvKeys('client:');
    const refused = await register(ip);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe(String(period));
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(await kvKeys('client:')).toBe(stored);
    // Another address is not affected.
    expect((await register(attacker())).status).toBe(201);
  });

  it('should answer GET /authorize past the per-IP limit with an HTML 429 page and store no consent transaction', async () => {
    const ip = attacker();
    const client = await registerClient();
    const { challenge } = await pkce();
    const path = authorizePath(client.client_id, challenge);
    await awayFromWindowEdge(mcpRateLimits.authorize.period);
    for (let i = 0; i < mcpRateLimits.authorize.limit; i++) {
      expect((await fetchWorker(path, { headers: { 'CF-Connecting-IP': ip } })).status).toBe(200);
    }
    const before = await kvKeys('');
    const refused = await fetchWorker(path, { headers: { 'CF-Connecting-IP': ip } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Content-Type')).toContain('text/html');
    expect(refused.headers.get('Retry-After')).toBe(String(mcpRateLimits.authorize.period));
    expect(refused.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect(await kvKeys('')).toBe(before);
  });

  it('should limit the token endpoint per client_id, whatever the address', async () => {
    const client = await registerClient();
    const badCode = () =>
      fetchWorker('/oauth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'guess',
          client_id: client.client_id,
          code_verifier: 'x'.repeat(43),
        }),
      });
    await awayFromWindowEdge(mcpRateLimits.token.period);
    for (let i = 0; i < mcpRateLimits.token.limit; i++) expect((await badCode()).status).toBe(400);
    const refused = await badCode();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe(String(mcpRateLimits.token.period));
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    // Another client keeps working.
    const other = await signIn();
    expect(other.tokens.access_token).toBeTruthy();
  });
});

describe('MCP traffic limits (per user + client)', () => {
  const ping = { jsonrpc: '2.0', id: 1, method: 'ping' };
  function mcpPing(ctx: McpHandlerContext): Promise<Response> {
    const request = new Request('https://mcp.example.test/mcp', {
      method: 'POST',
      headers: {
        Host: 'mcp.example.test',
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-11-25',
      },
      body: JSON.stringify(ping),
    });
    return mcpHandler.fetch(request, env, ctx);
  }

  it("should answer /mcp and /sse past the limit with a 429 JSON-RPC error, and leave the user's other apps alone", async () => {
    const ctx = handlerContext(aliceProps());
    ctx.auth = { ...ctx.auth, userId: `user-${randomTestIp()}`, clientId: 'flooding-client' };
    await awayFromWindowEdge(mcpRateLimits.mcp.period, 8);
    // Use the bucket up through the check itself (cheaper than 600 full requests), then meet the handlers.
    const ceiling = mcpRateLimits.mcp.limit * mcpRateLimits.mcp.sampleEvery;
    for (let i = 0; i < ceiling; i++) expect(await refuseMcpOverLimit(env, ctx)).toBeUndefined();
    const refused = await mcpPing(ctx);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe(String(mcpRateLimits.mcp.period));
    expect(await refused.json()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    const sse = await sseHandler.fetch(new Request('https://mcp.example.test/sse', { headers: { Accept: 'text/event-stream' } }), env, ctx);
    expect(sse.status).toBe(429);
    const otherApp = handlerContext(aliceProps());
    otherApp.auth = { ...ctx.auth, clientId: 'another-client' };
    expect((await mcpPing(otherApp)).status).toBe(200);
  });
});

describe('registration policy', () => {
  it(`should refuse a client_name over ${registrationPolicy.maxClientNameLength} characters`, async () => {
    const response = await register(attacker(), { client_name: 'x'.repeat(registrationPolicy.maxClientNameLength + 1) });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('client_name'),
    });
  });

  it(`should refuse more than ${registrationPolicy.maxRedirectUris} redirect URIs and over-long URIs`, async () => {
    const many = Array.from({ length: registrationPolicy.maxRedirectUris + 1 }, (_, i) => `https://client.example.test/cb/${i}`);
    const tooMany = await register(attacker(), { redirect_uris: many });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({
      error: 'invalid_client_metadata',
      error_description: expect.stringContaining('redirect_uris'),
    });
    const long = await register(attacker(), { client_uri: `https://client.example.test/${'a'.repeat(registrationPolicy.maxUriLength)}` });
    expect(long.status).toBe(400);
  });

  it('should refuse a registration body over the size limit with 413', async () => {
    const response = await register(attacker(), { software_statement_note: 'x'.repeat(registrationPolicy.maxBodyBytes) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });

  it('should refuse grant types and auth methods this server does not support', async () => {
    const grant = await register(attacker(), { grant_types: ['client_credentials'] });
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'invalid_client_metadata' });
    const method = await register(attacker(), { token_endpoint_auth_method: 'private_key_jwt' });
    expect(method.status).toBe(400);
  });

  it('should store nothing for a refused registration', async () => {
    const before = await kvKeys('client:');
    await register(attacker(), { client_name: 'x'.repeat(500) });
    expect(await kvKeys('client:')).toBe(before);
  });
});

async function refreshOk(clientId: string, refreshToken: string): Promise<{ access_token: string; refresh_token: string }> {
  const response = await refreshMcp(clientId, refreshToken);
  expect(response.status).toBe(200);
  return response.json();
}

const mcpPing = (accessToken: string) =>
  fetchWorker('/mcp', {
    method: 'POST',
    headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });

describe('refresh-token reuse detection', () => {
  it('should still accept the prompt retry of a refresh whose answer was lost', async () => {
    const { client, tokens } = await signIn();
    await refreshOk(client.client_id, tokens.refresh_token); // the answer is "lost"
    const retried = await refreshOk(client.client_id, tokens.refresh_token);
    const next = await refreshOk(client.client_id, retried.refresh_token);
    expect((await mcpPing(next.access_token)).status).toBe(200);
  });

  it('should revoke the grant when a superseded token is replayed after its successor was used', async () => {
    const { client, tokens } = await signIn();
    const victim1 = await refreshOk(client.client_id, tokens.refresh_token);
    const victim2 = await refreshOk(client.client_id, victim1.refresh_token);
    // The thief replays the first refresh token.
    const replay = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    // Everything of the grant is dead: the victim signs in again.
    expect((await mcpPing(victim2.access_token)).status).toBe(401);
    const victimRefresh = await refreshMcp(client.client_id, victim2.refresh_token);
    expect(victimRefresh.status).toBe(400);
    expect(await victimRefresh.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('should revoke the grant when a refresh token is replayed after the retry window', async () => {
    const { client, tokens } = await signIn();
    await refreshOk(client.client_id, tokens.refresh_token);
    vi.useFakeTimers({ now: Date.now() + (REFRESH_RETRY_GRACE_SECONDS + 5) * 1000, toFake: ['Date'] });
    const replay = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('should end the thief’s tokens too when the thief refreshed first and the victim comes back', async () => {
    const { client, tokens } = await signIn();
    const victim = await refreshOk(client.client_id, tokens.refresh_token);
    // Within the window, the thief's replay of the old token looks like a retry and works …
    const thief = await refreshOk(client.client_id, tokens.refresh_token);
    expect((await mcpPing(thief.access_token)).status).toBe(200);
    // … until the victim uses the token it was given: that proves two parties hold the grant.
    const victimRefresh = await refreshMcp(client.client_id, victim.refresh_token);
    expect(victimRefresh.status).toBe(400);
    expect((await mcpPing(thief.access_token)).status).toBe(401);
    expect((await refreshMcp(client.client_id, thief.refresh_token)).status).toBe(400);
  });
});

describe('opaque tokens', () => {
  it('should embed a pseudonymous user id, not the IdP subject, in codes, tokens and KV keys', async () => {
    const { tokens } = await signIn('auth0|alice');
    const [userId, grantId] = tokens.access_token.split(':');
    expect(userId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokens.access_token).not.toContain('alice');
    expect(tokens.refresh_token).not.toContain('alice');
    const grant = await env.OAUTH_KV.get(`grant:${userId}:${grantId}`);
    expect(grant).toBeTruthy();
    expect(grant).not.toContain('alice');
    // The same user always gets the same id, so their grants can be listed together.
    expect((await signIn('auth0|alice')).tokens.access_token.split(':')[0]).toBe(userId);
    expect((await signIn('auth0|bob')).tokens.access_token.split(':')[0]).not.toBe(userId);
  });
});

describe('headers and logs', () => {
  it('should send HSTS on every response of an HTTPS origin', async () => {
    for (const response of [
      await fetchWorker('/'),
      await fetchWorker('/.well-known/oauth-authorization-server'),
      await fetchWorker('/mcp', { method: 'POST', body: '{}' }),
      await fetchWorker('/nope'),
    ]) {
      expect(response.headers.get('Strict-Transport-Security')).toBe('max-age=63072000; includeSubDomains');
    }
  });

  it('should write one JSON line per request, without tokens, secrets or e-mail addresses', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      const { client, tokens } = await signIn();
      await refreshMcp(client.client_id, tokens.refresh_token);
      // Each line is written just after its response has been handed over.
      await afterResponseWorkSettled();
      const entries = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
      const routes = entries.map((entry) => entry.route);
      expect(routes).toEqual(expect.arrayContaining(['/oauth/register', '/authorize', '/callback', '/oauth/token']));
      for (const entry of entries) {
        expect(entry).toMatchObject({
          event: 'request',
          requestId: expect.any(String),
          status: expect.any(Number),
          durationMs: expect.any(Number),
        });
      }
      expect(entries.find((entry) => entry.route === '/oauth/token')).toMatchObject({ clientId: client.client_id });
      const all = lines.join('\n');
      for (const secret of [tokens.access_token, tokens.refresh_token, env.COOKIE_ENCRYPTION_KEY, 'alice@example.com', 'code=']) {
        expect(all).not.toContain(secret);
      }
    } finally {
      spy.mockRestore();
    }
  });
});
