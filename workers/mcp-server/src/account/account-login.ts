// The account page's own OIDC login at the IdP: PKCE, nonce, and a single-use state bound to the browser by a cookie.
import { mcpCallbackUrl } from '../../../../system/system.js';
import { discover, finishUpstreamLogin, newLoginSecrets, startUpstreamLogin, type UpstreamLoginSecrets } from '../upstream/idp-client.js';
import { type IdpConfig, idpConfig } from '../upstream/idp-config.js';
import { clearCookie, LOGIN_COOKIE, readCookie, setCookie } from './account-cookies.js';
import { type AccountSession, newSession } from './account-session.js';
import { randomToken, sameSecret, seal, unseal } from './sealed-value.js';

/** The login must finish within this long (seconds), as the MCP flow's state. */
const LOGIN_TTL_SECONDS = 600;
/** Identity only: the account page needs to know who the user is, not to call the Todos API. */
const ACCOUNT_LOGIN_SCOPE = 'openid profile email';
const KV_PREFIX = 'account-login:';
const PURPOSE = 'account-login';

/**
 * One pending account login, stored (sealed) in KV under the hash of its `state`. The IdP callback URL is shared
 * with the MCP flow, and this record is how /callback tells the two apart: a state with a record is an account login.
 */
interface PendingLogin extends UpstreamLoginSecrets {
  /** The value of the browser's login cookie: only the browser that started the login can finish it. */
  binding: string;
}

/** The IdP settings for the account login: this server's IdP app, identity scopes, no API audience. */
function accountLoginConfig(env: Env): IdpConfig {
  return { ...idpConfig(env), scope: ACCOUNT_LOGIN_SCOPE, audience: '' };
}

/** 302 to the IdP's authorize endpoint, with the login cookie set. */
export async function startAccountLogin(env: Env, origin: string): Promise<Response> {
  const config = accountLoginConfig(env);
  await discover(config); // an unreachable IdP fails before anything is stored
  const state = randomToken();
  const binding = randomToken();
  const secrets = newLoginSecrets();
  const record = await seal(env.COOKIE_ENCRYPTION_KEY, PURPOSE, { ...secrets, binding } satisfies PendingLogin);
  await env.OAUTH_KV.put(await recordKey(state), record, { expirationTtl: LOGIN_TTL_SECONDS });
  const location = await startUpstreamLogin(config, mcpCallbackUrl(origin), state, secrets);
  const headers = new Headers({ Location: location.href, 'Cache-Control': 'no-store' });
  headers.append('Set-Cookie', setCookie(LOGIN_COOKIE, binding, LOGIN_TTL_SECONDS));
  return new Response(null, { status: 302, headers });
}

/** The outcome of an IdP callback that belongs to an account login. */
export type AccountLoginResult =
  | { kind: 'signed_in'; session: AccountSession }
  /** Wrong browser, replayed, or expired: the user starts again. */
  | { kind: 'invalid_state' }
  /** The user declined at the IdP, or it failed there. */
  | { kind: 'not_completed' };

/**
 * If this callback's `state` is an account login's, finish it (the record is consumed either way) and return the
 * result; undefined means the state is not an account login's (the MCP flow handles it).
 */
export async function finishAccountLogin(request: Request, env: Env, origin: string): Promise<AccountLoginResult | undefined> {
  const params = new URL(request.url).searchParams;
  const state = params.get('state');
  if (!state) return undefined;
  const key = await recordKey(state);
  const sealed = await env.OAUTH_KV.get(key);
  if (sealed === null) return undefined;
  await env.OAUTH_KV.delete(key); // single use, whatever happens next

  const pending = await unseal(env.COOKIE_ENCRYPTION_KEY, PURPOSE, sealed);
  const cookie = readCookie(request, LOGIN_COOKIE);
  if (!isPendingLogin(pending) || !cookie || !sameSecret(cookie, pending.binding)) return { kind: 'invalid_state' };
  if (params.has('error') || !params.get('code')) return { kind: 'not_completed' };

  const login = await finishUpstreamLogin(accountLoginConfig(env), mcpCallbackUrl(origin), params, pending);
  const { claims } = login;
  return { kind: 'signed_in', session: newSession(claims.sub, claims.email ?? claims.name ?? claims.sub) };
}

/** Clears the login cookie (sent with every answer to an account login's callback). */
export function endLoginCookie(): string {
  return clearCookie(LOGIN_COOKIE);
}

async function recordKey(state: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(state)));
  return KV_PREFIX + [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function isPendingLogin(value: unknown): value is PendingLogin {
  if (typeof value !== 'object' || value === null) return false;
  const { codeVerifier, nonce, binding } = value as Partial<PendingLogin>;
  return typeof codeVerifier === 'string' && typeof nonce === 'string' && typeof binding === 'string';
}
