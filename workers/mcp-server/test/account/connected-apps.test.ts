// /account's connected apps: listing (client, permissions, connected, last used), Revoke, CSRF, and other users' grants.

import { env } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { grantUserId } from '../../src/auth/grant-user-id.js';
import { clearDiscoveryCache } from '../../src/upstream/idp-client.js';
import { idp, resetIdp } from '../support/fake-idp-token-endpoint.js';
import { fetchWorker, refreshMcp, signIn } from '../support/oauth-flow.js';
import {
  accountHtml,
  accountSignIn,
  callTool,
  clearAuditLog,
  csrfFrom,
  grantIdsFrom,
  postForm,
  waitForAuditRows,
} from './support/account-flow.js';

beforeEach(async () => {
  resetIdp();
  clearDiscoveryCache();
  await clearAuditLog();
});

describe('connected apps', () => {
  it("should list the user's MCP grant with its client, redirect host, permissions, connection time and last use", async () => {
    const { tokens } = await signIn('auth0|carol');
    const jar = await accountSignIn('auth0|carol');
    let html = await accountHtml(jar);
    expect(grantIdsFrom(html)).toHaveLength(1);
    expect(html).toContain('Test MCP client');
    expect(html).toContain('client.example.test');
    expect(html).toContain('Read your todos');
    expect(html).toContain('Create, update and delete your todos');
    expect(html).toMatch(/<td><time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time><\/td>\s*<td><span class="muted">Never<\/span>/);

    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);
    await waitForAuditRows((row) => row.kind === 'tool_call');
    html = await accountHtml(jar);
    expect(html).not.toContain('Never');
    // Activity: the call, with the app's name and its outcome.
    expect(html).toMatch(/<td>Test MCP client<\/td><td><code>whoami<\/code><\/td>\s*<td class="outcome-ok">ok<\/td>/);
  });

  it('should end the grant at once on Revoke: the next MCP request gets 401, a refresh invalid_grant, and the IdP token is revoked', async () => {
    const { client, tokens } = await signIn('auth0|dave');
    // Used moments before: the verified-token cache holds it, and must forget it in the revoking request.
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);
    const jar = await accountSignIn('auth0|dave');
    const html = await accountHtml(jar);
    const [grantId] = grantIdsFrom(html);

    const revoked = await postForm('/account/revoke', jar, { csrf: csrfFrom(html), grant: grantId! });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('Location')).toBe('/account?done=revoked');
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(401);
    const refresh = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toMatchObject({ error: 'invalid_grant' });
    // RFC 7009 at the IdP, with the grant's upstream refresh token (the fake issues `rt-<n>`).
    expect(idp.revokedTokens).toHaveLength(1);
    expect(idp.revokedTokens[0]).toMatch(/^rt-\d+$/);

    const after = await accountHtml(jar, '?done=revoked');
    expect(grantIdsFrom(after)).toEqual([]);
    expect(after).toContain('The app was disconnected');
    await waitForAuditRows((row) => row.kind === 'grant_revoked_by_user');
  });

  it("should clear the grant's upstream token store, so nothing can refresh it again", async () => {
    const { tokens } = await signIn('auth0|erin');
    const jar = await accountSignIn('auth0|erin');
    const html = await accountHtml(jar);
    const grantKeys = await env.OAUTH_KV.list({ prefix: `grant:${await grantUserId('auth0|erin', env.COOKIE_ENCRYPTION_KEY)}:` });
    const record = await env.OAUTH_KV.get<{ metadata: { grantKey: string } }>(grantKeys.keys[0]!.name, 'json');
    const store = env.UPSTREAM_TOKENS.get(env.UPSTREAM_TOKENS.idFromName(record!.metadata.grantKey));
    expect((await postForm('/account/revoke', jar, { csrf: csrfFrom(html), grant: grantIdsFrom(html)[0]! })).status).toBe(303);
    const result = await store.currentTokens({ accessToken: 'x', refreshToken: 'stale-refresh-token', expiresAt: 0, scope: '' });
    expect(result).toEqual({ ok: false, code: 'reauth_required' });
    expect(idp.refreshCalls).toBe(0);
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(401);
  });

  it('should still end the grant, and say so, when the IdP cannot be reached to revoke its token', async () => {
    const { tokens } = await signIn('auth0|frank');
    const jar = await accountSignIn('auth0|frank');
    const html = await accountHtml(jar);
    idp.revocationDown = true;
    const revoked = await postForm('/account/revoke', jar, { csrf: csrfFrom(html), grant: grantIdsFrom(html)[0]! });
    expect(revoked.headers.get('Location')).toBe('/account?done=revoked-upstream-pending');
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(401);
  });
});

describe('revoking: bad input', () => {
  it("should answer 404 for another user's grant and leave it working", async () => {
    const bob = await signIn('auth0|bob');
    const bobJar = await accountSignIn('auth0|bob');
    const [bobGrant] = grantIdsFrom(await accountHtml(bobJar));
    const aliceJar = await accountSignIn('auth0|alice');
    const response = await postForm('/account/revoke', aliceJar, { csrf: csrfFrom(await accountHtml(aliceJar)), grant: bobGrant! });
    expect(response.status).toBe(404);
    expect((await callTool(bob.tokens.access_token, 'whoami')).status).toBe(200);
    expect(grantIdsFrom(await accountHtml(bobJar))).toEqual([bobGrant]);
  });

  it('should answer 404, not 500, for a grant id that does not exist or is malformed', async () => {
    const jar = await accountSignIn('auth0|grace');
    for (const grant of ['no-such-grant', '../../etc', '']) {
      const response = await postForm('/account/revoke', jar, { csrf: csrfFrom(await accountHtml(jar)), grant });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('No such connection');
    }
  });

  it('should answer 403 to a missing, forged or replayed CSRF token, and to a cross-site form', async () => {
    const { tokens } = await signIn('auth0|heidi');
    const jar = await accountSignIn('auth0|heidi');
    const html = await accountHtml(jar);
    const grant = grantIdsFrom(html)[0]!;
    const csrf = csrfFrom(html);
    expect((await postForm('/account/revoke', jar, { grant })).status).toBe(403);
    expect((await postForm('/account/revoke', jar, { grant, csrf: `${csrf.slice(0, -1)}x` })).status).toBe(403);
    expect((await postForm('/account/revoke', jar, { grant, csrf }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await postForm('/account/revoke', jar, { grant, csrf }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await postForm('/account/revoke', jar, { grant, csrf }, { 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);

    // A token is good for one change: the 404 below spends it, and replaying it is refused.
    // What Chromium sends for our pages (Referrer-Policy: no-referrer): Origin null, same-origin.
    const browserHeaders = { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' };
    expect((await postForm('/account/revoke', jar, { grant: 'no-such-grant', csrf }, browserHeaders)).status).toBe(404);
    expect((await postForm('/account/revoke', jar, { grant, csrf })).status).toBe(403);
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);
  });

  it('should send a POST with an expired or missing session to sign in, changing nothing', async () => {
    const { tokens } = await signIn('auth0|ivan');
    const response = await postForm('/account/revoke', undefined, { grant: 'x', csrf: 'y' });
    expect(response.status).toBe(303);
    expect(response.headers.get('Location')).toBe('/account/login');
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);
    expect((await fetchWorker('/account/revoke')).status).toBe(405);
  });
});
