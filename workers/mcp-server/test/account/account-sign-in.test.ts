// /account sign-in and session: its own OIDC login (PKCE, nonce, browser-bound state), the session cookie, expiry, sign-out.
import { beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_SESSION_SECONDS, newSession, readSession, sessionCookie } from '../../src/account/account-session.js';
import { clearDiscoveryCache } from '../../src/upstream/idp-client.js';
import { clientId, issuer, loginAt, resetIdp } from '../support/fake-idp-token-endpoint.js';
import { CookieJar, fetchWorker, origin } from '../support/oauth-flow.js';
import { testBindings } from '../support/test-bindings.js';
import { accountHtml, accountSignIn, csrfFrom, postForm } from './support/account-flow.js';

beforeEach(() => {
  resetIdp();
  clearDiscoveryCache();
});

const SESSION = '__Host-account-session';

describe('account sign-in', () => {
  it('should send a visitor without a session to sign in, and start an OIDC login with PKCE, nonce and a bound state', async () => {
    const page = await fetchWorker('/account');
    expect(page.status).toBe(303);
    expect(page.headers.get('Location')).toBe('/account/login');

    const start = await fetchWorker('/account/login');
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('Location')!);
    expect(location.href.startsWith(`${issuer}authorize?`)).toBe(true);
    const params = location.searchParams;
    expect(params.get('client_id')).toBe(clientId);
    expect(params.get('redirect_uri')).toBe(`${origin}/callback`);
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('state')).toMatch(/^[\w-]{43}$/);
    // Identity only: no API audience, no offline access.
    expect(params.get('scope')).toBe('openid profile email');
    expect(params.has('audience')).toBe(false);
    const cookie = start.headers.getSetCookie().find((line) => line.startsWith('__Host-account-login='));
    expect(cookie).toMatch(/; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$/);
  });

  it('should open a short-lived __Host- session cookie after the IdP callback and show the page', async () => {
    const jar = new CookieJar();
    const start = await fetchWorker('/account/login', { jar });
    const idpAuthorize = new URL(start.headers.get('Location')!);
    const code = loginAt(idpAuthorize, 'auth0|alice');
    const callback = await fetchWorker(`/callback?${new URLSearchParams({ code, state: idpAuthorize.searchParams.get('state')! })}`, {
      jar,
    });
    expect(callback.status).toBe(303);
    expect(callback.headers.get('Location')).toBe('/account');
    const session = callback.headers.getSetCookie().find((line) => line.startsWith(`${SESSION}=`));
    expect(session).toMatch(new RegExp(`; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${ACCOUNT_SESSION_SECONDS}$`));
    // The login cookie is spent.
    expect(callback.headers.getSetCookie().some((line) => /^__Host-account-login=; .*Max-Age=0$/.test(line))).toBe(true);

    const page = await fetchWorker('/account', { jar });
    expect(page.status).toBe(200);
    expect(page.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('X-Frame-Options')).toBe('DENY');
    expect(page.headers.get('Cache-Control')).toBe('no-store');
    const html = await page.text();
    expect(html).toContain('alice@example.com');
    expect(html).not.toContain('<script');
  });

  it('should refuse a replayed callback and a callback in a browser that did not start the login', async () => {
    const jar = new CookieJar();
    const start = await fetchWorker('/account/login', { jar });
    const idpAuthorize = new URL(start.headers.get('Location')!);
    const state = idpAuthorize.searchParams.get('state')!;
    // Another browser (no login cookie) presents the state first: refused, and the state is spent.
    const elsewhere = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.getSetCookie().some((line) => line.startsWith(`${SESSION}=`))).toBe(false);
    const replay = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`, { jar });
    // Not an account state any more: the MCP flow refuses it as an unknown state.
    expect(replay.status).toBe(400);
    expect(replay.headers.getSetCookie().some((line) => line.startsWith(`${SESSION}=`))).toBe(false);
  });

  it('should tell the user when they did not complete the login at the IdP', async () => {
    const jar = new CookieJar();
    const start = await fetchWorker('/account/login', { jar });
    const state = new URL(start.headers.get('Location')!).searchParams.get('state')!;
    const declined = await fetchWorker(`/callback?${new URLSearchParams({ error: 'access_denied', state })}`, { jar });
    expect(declined.status).toBe(400);
    expect(await declined.text()).toContain('Sign-in not completed');
  });

  it('should send an expired or tampered session to sign in again', async () => {
    const past = Date.now() - (ACCOUNT_SESSION_SECONDS + 60) * 1000;
    const expired = (await sessionCookie(newSession('auth0|alice', 'alice', past), testBindings.COOKIE_ENCRYPTION_KEY, past)).split(
      ';',
    )[0]!;
    const page = await fetchWorker('/account', { headers: { Cookie: expired } });
    expect(page.status).toBe(303);
    expect(page.headers.get('Location')).toBe('/account/login');

    const jar = await accountSignIn();
    const [name, value] = jar
      .header()
      .split('; ')
      .find((pair) => pair.startsWith(`${SESSION}=`))!
      .split('=') as [string, string];
    const tampered = `${name}=${value.slice(0, -2)}${value.endsWith('AA') ? 'BB' : 'AA'}`;
    const forged = await fetchWorker('/account', { headers: { Cookie: tampered } });
    expect(forged.status).toBe(303);
    expect(await readSession(new Request(origin, { headers: { Cookie: tampered } }), testBindings.COOKIE_ENCRYPTION_KEY)).toBeUndefined();
  });

  it('should expire a session after its lifetime even though the cookie is intact', async () => {
    const session = newSession('auth0|alice', 'alice');
    const cookie = (await sessionCookie(session, testBindings.COOKIE_ENCRYPTION_KEY)).split(';')[0]!;
    const request = new Request(origin, { headers: { Cookie: cookie } });
    expect(await readSession(request, testBindings.COOKIE_ENCRYPTION_KEY)).toMatchObject({ sub: 'auth0|alice' });
    const later = Date.now() + (ACCOUNT_SESSION_SECONDS + 1) * 1000;
    expect(await readSession(request, testBindings.COOKIE_ENCRYPTION_KEY, later)).toBeUndefined();
  });
});

describe('account sign-out', () => {
  it('should end the session (POST with the CSRF token) and show the signed-out page', async () => {
    const jar = await accountSignIn();
    const csrf = csrfFrom(await accountHtml(jar));
    const out = await postForm('/account/sign-out', jar, { csrf, scope: 'account' });
    expect(out.status).toBe(303);
    expect(out.headers.get('Location')).toBe('/account/signed-out');
    expect(out.headers.getSetCookie().some((line) => /^__Host-account-session=; .*Max-Age=0$/.test(line))).toBe(true);
    const page = await fetchWorker('/account', { jar });
    expect(page.status).toBe(303);
    expect((await fetchWorker('/account/signed-out')).status).toBe(200);
  });

  it("should also end the IdP session through discovery's end_session_endpoint when asked", async () => {
    const jar = await accountSignIn();
    const csrf = csrfFrom(await accountHtml(jar));
    const out = await postForm('/account/sign-out', jar, { csrf, scope: 'idp' });
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${issuer}oidc/logout`);
    expect(location.searchParams.get('client_id')).toBe(clientId);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${origin}/account/signed-out`);
  });

  it('should refuse a sign-out without the CSRF token (403), and GET on a form path (405)', async () => {
    const jar = await accountSignIn();
    expect((await postForm('/account/sign-out', jar, { scope: 'account' })).status).toBe(403);
    expect((await fetchWorker('/account/sign-out', { jar })).status).toBe(405);
    expect((await fetchWorker('/account', { jar })).status).toBe(200);
  });
});
