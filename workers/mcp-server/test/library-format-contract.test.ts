// Contract with workers-oauth-provider's formats (src/auth/access-token-format.ts): fails if the library changes how it
// issues tokens, names its KV records, reads them, or shapes ctx.auth — the caches and end-grant.ts rely on all four.
import { createExecutionContext, env } from 'cloudflare:test';
import { getOAuthApi, OAuthProvider } from '@cloudflare/workers-oauth-provider';
import { describe, expect, it } from 'vitest';
import {
  type GrantRef,
  grantOfAccessToken,
  grantOfKvKey,
  isAccessTokenKey,
  isJsonRead,
  sameGrant,
} from '../src/auth/access-token-format.js';
import { oauthProviderOptions } from '../src/auth/create-oauth-provider.js';
import { grantUserId } from '../src/auth/grant-user-id.js';
import { isCompleteResourceAuth } from '../src/mcp/mcp-request-auth.js';
import { origin, signIn } from './support/oauth-flow.js';
import { testBindings } from './support/test-bindings.js';

/** OAUTH_KV, recording every call made through it. */
function recordingKv(): { kv: KVNamespace; calls: Array<{ method: string; key: unknown; options: unknown }> } {
  const calls: Array<{ method: string; key: unknown; options: unknown }> = [];
  const kv = new Proxy(env.OAUTH_KV, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (key: unknown, options?: unknown, ...rest: unknown[]) => {
        calls.push({ method: String(property), key, options });
        return (value as (...args: unknown[]) => unknown).call(target, key, options, ...rest);
      };
    },
  });
  return { kv, calls };
}

function grantOf(token: string): GrantRef {
  const grant = grantOfAccessToken(token);
  if (!grant) throw new Error(`the library issued an access token of an unknown shape: ${token.split(':').length} parts`);
  return grant;
}

describe('workers-oauth-provider formats', () => {
  it('should issue access tokens as <userId>:<grantId>:<secret>, with token: and grant: records for that grant', async () => {
    const { tokens } = await signIn('auth0|contract');
    const grant = grantOf(tokens.access_token);
    // The user id this server hands the library: the subject's pseudonym (src/auth/grant-user-id.ts).
    expect(grant.userId).toBe(await grantUserId('auth0|contract', testBindings.COOKIE_ENCRYPTION_KEY));
    const keys = (await env.OAUTH_KV.list({ prefix: '' })).keys.map((key) => key.name);
    const ofGrant = keys.filter((key) => {
      const named = grantOfKvKey(key);
      return named !== undefined && sameGrant(named, grant);
    });
    expect(ofGrant).toContain(`grant:${grant.userId}:${grant.grantId}`);
    expect(ofGrant.filter(isAccessTokenKey).length).toBeGreaterThanOrEqual(1);
  });

  it("should read the token's record as JSON under a token: key of its grant, and hand the API handler the full ctx.auth", async () => {
    const { tokens } = await signIn('auth0|contract');
    const grant = grantOf(tokens.access_token);
    const { kv, calls } = recordingKv();
    let seen: { auth?: unknown; props?: unknown } | undefined;
    const options = oauthProviderOptions(origin);
    const provider = new OAuthProvider<Env>({
      ...options,
      apiHandlers: {
        '/mcp': {
          fetch: (_request: Request, _env: Env, ctx: ExecutionContext & { auth?: unknown; props?: unknown }) => {
            seen = { auth: ctx.auth, props: ctx.props };
            return new Response('ok');
          },
        },
      } as never,
    });
    const request = new Request(`${origin}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.access_token}` },
      body: '{}',
    });
    const response = await provider.fetch(request, { ...env, OAUTH_KV: kv }, createExecutionContext());
    expect(response.status).toBe(200);
    const tokenReads = calls.filter((call) => call.method === 'get' && typeof call.key === 'string' && isAccessTokenKey(call.key));
    expect(tokenReads).toHaveLength(1);
    expect(isJsonRead(tokenReads[0]?.options)).toBe(true);
    const named = grantOfKvKey(tokenReads[0]?.key as string);
    expect(named && sameGrant(named, grant)).toBe(true);
    expect(isCompleteResourceAuth(seen?.auth)).toBe(true);
    expect(seen?.auth).toMatchObject({ token: tokens.access_token, audience: origin, userId: grant.userId });
  });

  it('should revoke a grant by deleting records whose keys name that grant', async () => {
    const { tokens } = await signIn('auth0|contract');
    const grant = grantOf(tokens.access_token);
    const { kv, calls } = recordingKv();
    await getOAuthApi(oauthProviderOptions(origin), { ...env, OAUTH_KV: kv }).revokeGrant(grant.grantId, grant.userId);
    const deleted = calls.filter((call) => call.method === 'delete').map((call) => String(call.key));
    expect(deleted).toContain(`grant:${grant.userId}:${grant.grantId}`);
    for (const key of deleted) expect(grantOfKvKey(key)).toEqual(grant);
  });
});
