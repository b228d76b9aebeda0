// UpstreamTokenStore: one refresh for many concurrent callers, rotation, and the two failure codes.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import type { McpProps, UpstreamTokens } from '../src/props.js';
import { getUpstreamAccessToken } from '../src/upstream/get-upstream-access-token.js';
import { clearDiscoveryCache } from '../src/upstream/idp-client.js';
import { UpstreamAuthError } from '../src/upstream/upstream-auth-error.js';
import { STORE_RETENTION_MS } from '../src/upstream/upstream-token-store.js';
import { idp, mintAccessToken, resetIdp } from './support/fake-idp-token-endpoint.js';

beforeEach(() => {
  resetIdp();
  clearDiscoveryCache();
});

async function props(expiresIn: number, refreshToken = `seed-rt-${crypto.randomUUID()}`): Promise<McpProps> {
  const upstream: UpstreamTokens = {
    accessToken: await mintAccessToken('auth0|alice', Math.max(expiresIn, 1)),
    refreshToken,
    expiresAt: Math.floor(Date.now() / 1000) + expiresIn,
    scope: 'openid read:todos',
  };
  return { claims: { sub: 'auth0|alice' }, upstream, grantKey: crypto.randomUUID() };
}

describe('getUpstreamAccessToken', () => {
  it('should hand out the stored token without calling the IdP while it is valid', async () => {
    const grant = await props(3600);
    expect(await getUpstreamAccessToken(env, grant)).toBe(grant.upstream.accessToken);
    expect(idp.refreshCalls).toBe(0);
  });

  it('should not involve the store while the props hold a token far from expiry (hot path)', async () => {
    const grant = await props(3600);
    expect(await getUpstreamAccessToken(env, grant)).toBe(grant.upstream.accessToken);
    const stub = env.UPSTREAM_TOKENS.get(env.UPSTREAM_TOKENS.idFromName(grant.grantKey));
    expect(await runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()].length)).toBe(0);
  });

  it('should refresh exactly once when 16 calls arrive at expiry, and give all of them the new token', async () => {
    const grant = await props(30); // inside the 60 s margin
    idp.refreshDelayMs = 50;
    const tokens = await Promise.all(Array.from({ length: 16 }, () => getUpstreamAccessToken(env, grant)));
    expect(idp.refreshCalls).toBe(1);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(grant.upstream.accessToken);
    // The store now holds the new token: stale props no longer trigger a refresh.
    expect(await getUpstreamAccessToken(env, grant)).toBe(tokens[0]);
    expect(idp.refreshCalls).toBe(1);
  });

  it('should use the rotated refresh token for the next refresh, never the old one again', async () => {
    const grant = await props(30, 'seed-rt-rotation');
    idp.accessTokenTtl = 30; // every new token is again within the margin
    await getUpstreamAccessToken(env, grant);
    await getUpstreamAccessToken(env, grant);
    expect(idp.refreshTokensSeen).toHaveLength(2);
    expect(idp.refreshTokensSeen[0]).toBe('seed-rt-rotation');
    expect(idp.refreshTokensSeen[1]).not.toBe('seed-rt-rotation');
  });

  it('should fail with reauth_required on invalid_grant, and not ask the IdP again afterwards', async () => {
    const grant = await props(0);
    idp.mode = 'invalid_grant';
    await expect(getUpstreamAccessToken(env, grant)).rejects.toMatchObject({ name: 'UpstreamAuthError', code: 'reauth_required' });
    idp.mode = 'ok';
    await expect(getUpstreamAccessToken(env, grant)).rejects.toBeInstanceOf(UpstreamAuthError);
    expect(idp.refreshCalls).toBe(1);
  });

  it('should fail with idp_unavailable when the IdP is down, and recover once it is back', async () => {
    const grant = await props(0);
    idp.mode = 'unreachable';
    await expect(getUpstreamAccessToken(env, grant)).rejects.toMatchObject({ code: 'idp_unavailable' });
    idp.mode = 'server_error';
    await expect(getUpstreamAccessToken(env, grant)).rejects.toMatchObject({ code: 'idp_unavailable' });
    idp.mode = 'ok';
    expect(await getUpstreamAccessToken(env, grant)).toBeTruthy();
  });

  it('should ask for a new sign-in when there is no upstream refresh token', async () => {
    const grant = await props(0);
    delete grant.upstream.refreshToken;
    await expect(getUpstreamAccessToken(env, grant)).rejects.toMatchObject({ code: 'reauth_required' });
    expect(idp.refreshCalls).toBe(0);
  });

  it('should schedule the deletion of stored tokens after the retention period, and delete them when it fires', async () => {
    const grant = await props(0);
    await getUpstreamAccessToken(env, grant);
    const stub = env.UPSTREAM_TOKENS.get(env.UPSTREAM_TOKENS.idFromName(grant.grantKey));
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).toBeGreaterThan(Date.now() + STORE_RETENTION_MS - 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await runInDurableObject(stub, (_instance, state) => [...state.storage.kv.list()].length)).toBe(0);
  });
});
