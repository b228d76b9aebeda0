// /account and its sub-paths: sign-in, the page, Revoke and Sign out. Every state change is a POST with a CSRF token.
import { accountSignedOutUrl } from '../../../../system/system.js';
import { pseudonymousUserId } from '../audit/pseudonymous-user-id.js';
import { grantUserId } from '../auth/grant-user-id.js';
import { errorPage, htmlResponse } from '../auth/html-page.js';
import { oauthHelpers } from '../auth/oauth-helpers.js';
import { idpLogoutUrl } from '../upstream/idp-client.js';
import { idpConfig } from '../upstream/idp-config.js';
import { endLoginCookie, finishAccountLogin, startAccountLogin } from './account-login.js';
import { accountPage, signedOutPage } from './account-page.js';
import { accountPaths } from './account-paths.js';
import { type AccountSession, endSessionCookie, readSession, rotateCsrf, sessionCookie } from './account-session.js';
import { activity, ClientDirectory, connectedApps } from './connected-apps.js';
import { revokeConnection } from './revoke-connection.js';
import { sameSecret } from './sealed-value.js';

/** Largest form the account page reads, in bytes: a CSRF token and a grant id. */
const MAX_FORM_BYTES = 4 * 1024;

/** Fixed notices, chosen by a code in the query: no request text is ever echoed. */
const notices: Record<string, string> = {
  revoked: 'The app was disconnected. Its access ended, and its sign-in at the identity provider was revoked.',
  'revoked-upstream-pending':
    'The app was disconnected and can no longer use your account. The identity provider could not be reached to revoke its sign-in there; it expires on its own.',
};

export async function handleAccount(request: Request, env: Env, origin: string): Promise<Response> {
  const { pathname } = new URL(request.url);
  const get = request.method === 'GET' || request.method === 'HEAD';
  switch (pathname) {
    case accountPaths.page:
      return get ? showAccount(request, env) : methodNotAllowed('GET');
    case accountPaths.login:
      return get ? startLogin(request, env, origin) : methodNotAllowed('GET');
    case accountPaths.signedOut:
      return get ? htmlResponse(signedOutPage()) : methodNotAllowed('GET');
    case accountPaths.revoke:
      return request.method === 'POST' ? withVerifiedForm(request, env, origin, revoke) : methodNotAllowed('POST');
    case accountPaths.signOut:
      return request.method === 'POST' ? withVerifiedForm(request, env, origin, signOut) : methodNotAllowed('POST');
    default:
      return errorPage(404, 'Not found', 'There is nothing here.');
  }
}

/**
 * The IdP callback of an account login (the callback URL is shared with the MCP flow; the state record decides).
 * Undefined when the state is not an account login's.
 */
export async function handleAccountCallback(request: Request, env: Env, origin: string): Promise<Response | undefined> {
  const result = await finishAccountLogin(request, env, origin);
  if (!result) return undefined;
  const headers = new Headers({ 'Cache-Control': 'no-store' });
  headers.append('Set-Cookie', endLoginCookie());
  switch (result.kind) {
    case 'invalid_state':
      return errorPage(
        400,
        'This sign-in link is no longer valid',
        'It was already used, it expired, or it was opened in a different browser. Open your account page again.',
        headers,
      );
    case 'not_completed':
      return errorPage(
        400,
        'Sign-in not completed',
        'The sign-in at the identity provider was not completed. Open your account page again.',
        headers,
      );
    case 'signed_in':
      headers.append('Set-Cookie', await sessionCookie(result.session, env.COOKIE_ENCRYPTION_KEY));
      return redirect(accountPaths.page, headers);
  }
}

async function startLogin(request: Request, env: Env, origin: string): Promise<Response> {
  if (await readSession(request, env.COOKIE_ENCRYPTION_KEY)) return redirect(accountPaths.page);
  return startAccountLogin(env, origin);
}

async function showAccount(request: Request, env: Env): Promise<Response> {
  const session = await readSession(request, env.COOKIE_ENCRYPTION_KEY);
  // No session, or it expired: straight to sign-in.
  if (!session) return redirect(accountPaths.login);
  const url = new URL(request.url);
  const before = Number(url.searchParams.get('before'));
  const beforeId = Number.isSafeInteger(before) && before > 0 ? before : undefined;
  const oauth = oauthHelpers(env);
  const clients = new ClientDirectory(oauth);
  const auditUserId = await pseudonymousUserId(session.sub, env.COOKIE_ENCRYPTION_KEY);
  const [apps, recent] = await Promise.all([
    connectedApps(oauth, clients, env.AUDIT_DB, await grantUserId(session.sub, env.COOKIE_ENCRYPTION_KEY), auditUserId),
    activity(clients, env.AUDIT_DB, auditUserId, beforeId),
  ]);
  const html = accountPage({
    displayName: session.displayName,
    csrf: session.csrf,
    apps,
    activity: recent,
    notice: notices[url.searchParams.get('done') ?? ''],
    idpName: idpConfig(env).issuer.host,
  });
  return htmlResponse(html);
}

type FormAction = (session: AccountSession, form: FormData, env: Env, origin: string) => Promise<Response>;

/**
 * The checks every POST passes before it changes anything: same-origin, a live session (else: sign in again),
 * and the session's current CSRF token (else 403). The session's CSRF token is then replaced (sent with the
 * answer), so the same form cannot be replayed.
 */
async function withVerifiedForm(request: Request, env: Env, origin: string, action: FormAction): Promise<Response> {
  // Defence in depth on top of SameSite=Lax and the token. Our pages send `Referrer-Policy: no-referrer`, under
  // which Chromium posts forms with `Origin: null`, so only a different real origin is refused; Sec-Fetch-Site is
  // what a browser says about where the form came from.
  const requestOrigin = request.headers.get('Origin');
  const fetchSite = request.headers.get('Sec-Fetch-Site');
  if (
    (requestOrigin !== null && requestOrigin !== 'null' && requestOrigin !== origin) ||
    (fetchSite !== null && fetchSite !== 'same-origin')
  ) {
    return errorPage(403, 'Forbidden', 'This form was not sent from your account page.');
  }
  const session = await readSession(request, env.COOKIE_ENCRYPTION_KEY);
  if (!session) return redirect(accountPaths.login);
  const form = await readForm(request);
  if (!form) return errorPage(400, 'Invalid request', 'The form could not be read. Open your account page again.');
  const csrf = form.get('csrf');
  if (typeof csrf !== 'string' || !sameSecret(csrf, session.csrf)) {
    return errorPage(403, 'This form has expired', 'Open your account page again and retry.');
  }
  return action(session, form, env, origin);
}

const revoke: FormAction = async (session, form, env) => {
  const grantId = form.get('grant');
  const result =
    typeof grantId === 'string' && /^[\w-]{1,128}$/.test(grantId)
      ? await revokeConnection(
          oauthHelpers(env),
          env,
          { userId: await grantUserId(session.sub, env.COOKIE_ENCRYPTION_KEY), subject: session.sub },
          grantId,
        )
      : ({ kind: 'not_found' } as const);
  const headers = new Headers();
  // The CSRF token was spent either way.
  headers.append('Set-Cookie', await sessionCookie(rotateCsrf(session), env.COOKIE_ENCRYPTION_KEY));
  if (result.kind === 'not_found') {
    return errorPage(404, 'No such connection', 'This app is not connected to your account (it may already be disconnected).', headers);
  }
  const done = result.upstream === 'idp_unavailable' ? 'revoked-upstream-pending' : 'revoked';
  return redirect(`${accountPaths.page}?done=${done}`, headers);
};

const signOut: FormAction = async (_session, form, env, origin) => {
  const headers = new Headers();
  headers.append('Set-Cookie', endSessionCookie());
  if (form.get('scope') !== 'idp') return redirect(accountPaths.signedOut, headers);
  const location = await idpLogoutUrl(idpConfig(env), accountSignedOutUrl(origin));
  return redirect(location.href, headers);
};

function redirect(location: string, headers = new Headers()): Response {
  headers.set('Location', location);
  headers.set('Cache-Control', 'no-store');
  // 303: after a POST the browser follows with GET.
  return new Response(null, { status: 303, headers });
}

function methodNotAllowed(allow: string): Response {
  return errorPage(405, 'Method not allowed', `Use ${allow} here.`, new Headers({ Allow: allow }));
}

async function readForm(request: Request): Promise<FormData | undefined> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  if (Number(request.headers.get('Content-Length') ?? '0') > MAX_FORM_BYTES) return undefined;
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}
