// The cron trigger's housekeeping: never-used client registrations and expired grants go, live ones stay.
import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mcpServer, registrationPolicy } from '../../../system/system.js';
import { MCP_REFRESH_TOKEN_TTL_SECONDS } from '../src/auth/create-oauth-provider.js';
import worker from '../src/index.js';
import { resetIdp } from './support/fake-idp-token-endpoint.js';
import { registerClient, signIn } from './support/oauth-flow.js';

beforeEach(resetIdp);
afterEach(() => vi.useRealTimers());

const DAY_MS = 24 * 60 * 60 * 1000;

function at(time: number): void {
  vi.useFakeTimers({ now: time, toFake: ['Date'] });
}

async function runCron(time: number): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: time, cron: mcpServer.oauthHousekeepingCron }), env, ctx);
  await waitOnExecutionContext(ctx);
}

const clientExists = async (clientId: string) => (await env.OAUTH_KV.get(`client:${clientId}`)) !== null;
const grantExists = async (accessToken: string) => {
  const [userId, grantId] = accessToken.split(':');
  return (await env.OAUTH_KV.get(`grant:${userId}:${grantId}`)) !== null;
};

describe('scheduled housekeeping', () => {
  it('should delete clients registered long ago that never signed anyone in, and keep the others', async () => {
    const now = Date.now();
    at(now - (registrationPolicy.unusedClientDays + 1) * DAY_MS);
    const unusedOld = await registerClient({ client_name: 'never used' });
    const usedOld = await signIn();
    vi.useRealTimers();
    const unusedNew = await registerClient({ client_name: 'just registered' });

    await runCron(now);

    expect(await clientExists(unusedOld.client_id)).toBe(false);
    expect(await clientExists(usedOld.client.client_id)).toBe(true);
    expect(await clientExists(unusedNew.client_id)).toBe(true);
    expect(await grantExists(usedOld.tokens.access_token)).toBe(true);
  });

  it('should purge grants past their lifetime and keep live ones', async () => {
    const now = Date.now();
    const lifetime = MCP_REFRESH_TOKEN_TTL_SECONDS * 1000;
    const expired = await signIn();
    // KV refuses expirations in its past, so the clock only moves forward: a later sign-in is still live then.
    at(now + lifetime - DAY_MS);
    const live = await signIn();
    const later = now + lifetime + DAY_MS;
    at(later);

    // The library's sweep is resumable; a few runs cover this test's keys.
    for (let run = 0; run < 3; run++) await runCron(later);

    expect(await grantExists(expired.tokens.access_token)).toBe(false);
    expect(await grantExists(live.tokens.access_token)).toBe(true);
  });
});
