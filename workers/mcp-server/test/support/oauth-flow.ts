// Drives the MCP OAuth flow against the Worker (SELF) like a browser + MCP client would: cookie jar, PKCE, redirects.
import { SELF } from 'cloudflare:test';
import { loginAt } from './fake-idp-token-endpoint.js';

export const origin = 'https://mcp.example.test';
export const clientRedirect = 'https://client.example.test/callback';

/** A minimal cookie jar: enough for the library's __Host- cookies on one origin. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
  clear(): void {
    this.#cookies.clear();
  }
}

export function fetchWorker(path: string, init: RequestInit & { jar?: CookieJar; base?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  // Cloudflare sets CF-Connecting-IP on every request; per-IP rate limits key on it. Tests that are not about those
  // limits come from a fresh address each time, so the suite's many sign-ins never share one bucket.
  if (!headers.has('CF-Connecting-IP')) headers.set('CF-Connecting-IP', randomTestIp());
  const cookie = init.jar?.header();
  if (cookie) headers.set('Cookie', cookie);
  const { jar, base, ...rest } = init;
  const url = new URL(path, base ?? origin);
  // What every request from the network carries (SELF.fetch adds none): the MCP handler checks it.
  if (!headers.has('Host')) headers.set('Host', url.host);
  return SELF.fetch(url.href, { ...rest, headers, redirect: 'manual' }).then((response) => {
    jar?.store(response);
    return response;
  });
}

/** An address in 2001:db8::/32 (documentation range): never a real caller. */
export function randomTestIp(): string {
  const [a, b] = crypto.getRandomValues(new Uint16Array(2));
  return `2001:db8::${a!.toString(16)}:${b!.toString(16)}`;
}

export interface RegisteredClient {
  client_id: string;
  client_name?: string;
}

export async function registerClient(metadata: Record<string, unknown> = {}, base = origin): Promise<RegisteredClient> {
  const response = await fetchWorker('/oauth/register', {
    base,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Test MCP client',
      redirect_uris: [clientRedirect],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...metadata,
    }),
  });
  if (response.status !== 201) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return response.json();
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  return { verifier, challenge };
}

export function authorizePath(clientId: string, challenge: string, extra: Record<string, string> = {}, base = origin): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: clientRedirect,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'client-state-123',
    scope: 'read:todos write:todos',
    resource: base,
    ...extra,
  });
  return `/authorize?${params}`;
}

/** The consent form's handle, read from the page the way a browser would submit it. */
export function handleFrom(html: string): string {
  const match = /name="handle" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no consent handle on the page');
  return match[1]!;
}

/** What a browser posts from the consent page: its hidden fields and the permission boxes left ticked. */
export interface ConsentForm {
  handle: string;
  requested: string;
  scope: string[];
}

/** The form as the page renders it (no script runs there, so this is what the user's browser sends). */
export function consentFormFrom(html: string): ConsentForm {
  const requested = /name="requested" value="([^"]*)"/.exec(html)?.[1] ?? '';
  const scope = [...html.matchAll(/<input type="checkbox" name="scope" value="([^"]+)"( checked)?>/g)]
    .filter((match) => match[2])
    .map((match) => match[1]!);
  return { handle: handleFrom(html), requested, scope };
}

/** The permission checkboxes on the page: value → ticked. */
export function scopeBoxesFrom(html: string): Record<string, boolean> {
  return Object.fromEntries(
    [...html.matchAll(/<input type="checkbox" name="scope" value="([^"]+)"( checked)?>/g)].map((match) => [match[1]!, !!match[2]]),
  );
}

export function postConsent(
  jar: CookieJar | undefined,
  form: string | ConsentForm,
  decision: 'approve' | 'deny',
  remember = false,
  base = origin,
): Promise<Response> {
  const { handle, requested, scope } = typeof form === 'string' ? { handle: form, requested: undefined, scope: [] } : form;
  const body = new URLSearchParams({ handle, decision });
  if (requested !== undefined) body.set('requested', requested);
  for (const value of scope) body.append('scope', value);
  if (remember) body.set('remember', '1');
  return fetchWorker('/authorize', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
    base,
    ...(jar ? { jar } : {}),
  });
}

/** Up to the IdP: GET /authorize, approve consent, and return the IdP authorize URL the Worker redirected to. */
export async function approveToIdp(jar: CookieJar, clientId: string, challenge: string, base = origin): Promise<URL> {
  const page = await fetchWorker(authorizePath(clientId, challenge, {}, base), { jar, base });
  if (page.status !== 200) throw new Error(`consent page: ${page.status} ${page.headers.get('Location') ?? ''} ${await page.text()}`);
  const approved = await postConsent(jar, consentFormFrom(await page.text()), 'approve', false, base);
  if (approved.status !== 302) throw new Error(`approve: ${approved.status} ${await approved.text()}`);
  return new URL(approved.headers.get('Location')!);
}

export interface McpTokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** The whole flow: registration → consent → IdP login → /callback → code → MCP tokens. */
export async function signIn(sub = 'auth0|alice', base = origin): Promise<{ client: RegisteredClient; tokens: McpTokens; jar: CookieJar }> {
  const client = await registerClient({}, base);
  const jar = new CookieJar();
  const { verifier, challenge } = await pkce();
  const idpAuthorize = await approveToIdp(jar, client.client_id, challenge, base);
  const code = loginAt(idpAuthorize, sub);
  const callback = await fetchWorker(`/callback?${new URLSearchParams({ code, state: idpAuthorize.searchParams.get('state')! })}`, {
    jar,
    base,
  });
  if (callback.status !== 302) throw new Error(`callback: ${callback.status} ${await callback.text()}`);
  const back = new URL(callback.headers.get('Location')!);
  const token = await fetchWorker('/oauth/token', {
    base,
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: back.searchParams.get('code')!,
      redirect_uri: clientRedirect,
      client_id: client.client_id,
      code_verifier: verifier,
      resource: base,
    }),
  });
  if (token.status !== 200) throw new Error(`token: ${token.status} ${await token.text()}`);
  return { client, tokens: await token.json(), jar };
}

export function refreshMcp(clientId: string, refreshToken: string): Promise<Response> {
  return fetchWorker('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
}
