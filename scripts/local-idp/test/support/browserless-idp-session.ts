// Drives the IdP's authorize → login form → redirect chain with plain fetch, as a browser without JavaScript would.
import { CookieJar } from '../../../../test/support/browserless-mcp-login.js';

export interface AuthorizeParams {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scope: string;
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly audience?: string;
  readonly state?: string;
  readonly nonce?: string;
}

export function authorizeUrl(issuer: string, params: AuthorizeParams): URL {
  const url = new URL('authorize', issuer);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', params.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  url.searchParams.set('scope', params.scope);
  if (params.codeChallenge) url.searchParams.set('code_challenge', params.codeChallenge);
  if (params.codeChallengeMethod) url.searchParams.set('code_challenge_method', params.codeChallengeMethod);
  if (params.audience) url.searchParams.set('audience', params.audience);
  if (params.state) url.searchParams.set('state', params.state);
  if (params.nonce) url.searchParams.set('nonce', params.nonce);
  return url;
}

/** One browser session against the IdP: cookies kept between calls, redirects followed by hand. */
export class BrowserlessSession {
  readonly jar = new CookieJar();

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(target);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    this.jar.store(target, response);
    return response;
  }

  /** Follow redirects on the IdP until one leaves it (the client's redirect_uri) or a page is shown. */
  async follow(start: string | URL, issuer: string): Promise<{ response: Response; url: URL }> {
    let url = new URL(start);
    for (let hop = 0; hop < 10; hop += 1) {
      const response = await this.request(url);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url };
      url = new URL(location, url);
      if (url.origin !== new URL(issuer).origin) return { response, url };
    }
    throw new Error('too many redirects');
  }

  /**
   * Full login: open the authorize URL, post the login form, follow to the redirect.
   * Returns the final redirect URL (with `code` or `error`).
   */
  async login(authorize: URL, issuer: string, email: string, password: string): Promise<URL> {
    const page = await this.follow(authorize, issuer);
    if (page.response.status !== 200) {
      throw new Error(`expected the login page, got ${page.response.status} at ${page.url.pathname}: ${await page.response.text()}`);
    }
    const html = await page.response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error('no login form on the page');
    const posted = await this.request(new URL(action.replace(/&#38;/g, '&'), page.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password }),
    });
    const location = posted.headers.get('location');
    if (posted.status !== 303 && posted.status !== 302) throw new Error(`login failed with ${posted.status}`);
    if (!location) throw new Error('login did not redirect');
    const next = new URL(location, page.url);
    if (next.origin !== new URL(issuer).origin) return next;
    const done = await this.follow(next, issuer);
    return done.url;
  }
}
