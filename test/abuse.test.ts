// Abuse resistance through the real local stack (Miniflare runs the Rate Limiting bindings): bursts of registrations
// and token requests meet 429 after the limit, a replayed refresh token ends the grant for both sides, and the
// housekeeping cron keeps live grants working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { mcpRateLimits, mcpServer } from '../system/system.js';
import { localUser } from './support/fault-tools.js';
import { clientRedirectUri, connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files; below the ephemeral range.
const ports = { mcp: 31088, api: 31089, idp: 31090 };

let testStack: TestStack;
let stack: LocalStack;

beforeAll(async () => {
  testStack = await startTestStack({ ports });
  stack = testStack.stack;
});

afterAll(async () => {
  await testStack?.dispose();
});

/** Counters restart at the wall clock's window edges: start a burst well inside a window. */
async function awayFromWindowEdge(periodSeconds: number, burstSeconds = 20): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < burstSeconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

const alice = () => localUser(stack, 'alice');

/** More than the client registrations the tests before the bursts make from this address (one per sign-in). */
const EARLIER_REGISTRATIONS_AT_MOST = 10;

function register(): Promise<Response> {
  return fetch(new URL('/oauth/register', stack.urls.mcp), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ client_name: 'burst', redirect_uris: [clientRedirectUri], token_endpoint_auth_method: 'none' }),
  });
}

function token(form: Record<string, string>): Promise<Response> {
  return fetch(new URL('/oauth/token', stack.urls.mcp), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
}

function ping(accessToken: string): Promise<Response> {
  return fetch(new URL(mcpServer.paths.mcp, stack.urls.mcp), {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
  });
}

describe('refresh-token reuse', () => {
  it('should end the grant for thief and user alike when a used refresh token is replayed', async () => {
    const provider = new DriverOAuthProvider(alice());
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    await client.close();
    const clientId = String((provider.clientInformation() as { client_id: string }).client_id);
    const stolen = String(provider.tokens()?.refresh_token);
    const refresh = async (refreshToken: string) =>
      token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });

    const first = (await (await refresh(stolen)).json()) as { refresh_token: string };
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const victim = (await second.json()) as { access_token: string; refresh_token: string };
    expect((await ping(victim.access_token)).status).toBe(200);

    const replay = await refresh(stolen);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await ping(victim.access_token)).status).toBe(401);
    const victimRefresh = await refresh(victim.refresh_token);
    expect(victimRefresh.status).toBe(400);
    expect(await victimRefresh.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('housekeeping cron', () => {
  it('should run in the local stack and keep live grants working', async () => {
    const provider = new DriverOAuthProvider(alice());
    const client = await connectMcp('streamable-http', stack.urls.mcp, provider);
    try {
      await stack.runScheduled(mcpServer.workerName, mcpServer.oauthHousekeepingCron);
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(whoami.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  });
});

// Last: the bursts use up this stack's per-IP buckets (every local request comes from the same address).
describe('bursts', () => {
  it('should answer registrations past the limit with 429 and Retry-After, registering none of them', async () => {
    await awayFromWindowEdge(mcpRateLimits.registration.period);
    const statuses: number[] = [];
    const { limit } = mcpRateLimits.registration;
    for (let i = 0; i < limit + 5; i++) statuses.push((await register()).status);
    // The sign-ins of the tests above registered clients from this address too, maybe in this same window: so the
    // burst is refused from somewhere in its last few requests on, and from then on every time.
    const firstRefused = statuses.indexOf(429);
    expect(firstRefused).toBeGreaterThanOrEqual(limit - EARLIER_REGISTRATIONS_AT_MOST);
    expect(firstRefused).toBeLessThanOrEqual(limit);
    expect(statuses.slice(0, firstRefused).every((status) => status === 201)).toBe(true);
    expect(statuses.slice(firstRefused).every((status) => status === 429)).toBe(true);
    const refused = await register();
    expect(refused.headers.get('Retry-After')).toBe(String(mcpRateLimits.registration.period));
    const body = (await refused.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ error: 'temporarily_unavailable' });
    expect(body.client_id).toBeUndefined();
  });

  it('should answer token requests of one client past the limit with 429', async () => {
    await awayFromWindowEdge(mcpRateLimits.token.period);
    const statuses: number[] = [];
    for (let i = 0; i < mcpRateLimits.token.limit + 3; i++) {
      statuses.push(
        (await token({ grant_type: 'authorization_code', code: `guess-${i}`, client_id: 'burst-client', code_verifier: 'x'.repeat(43) }))
          .status,
      );
    }
    expect(statuses.slice(0, mcpRateLimits.token.limit).every((status) => status === 400 || status === 401)).toBe(true);
    expect(statuses.slice(mcpRateLimits.token.limit)).toEqual([429, 429, 429]);
  });
});
