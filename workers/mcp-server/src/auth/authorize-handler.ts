// GET/POST /authorize: validate the MCP client's request, ask for consent (unless remembered), then hand over to the IdP.
import { AuthorizationError, type AuthRequest, authorizationErrorRedirect, CimdFetchError } from '@cloudflare/workers-oauth-provider';
import { idpConfig } from '../upstream/idp-config.js';
import { consentPage } from './consent-page.js';
import { errorPage, htmlResponse } from './html-page.js';
import { oauthHelpers } from './oauth-helpers.js';
import { approvedScopes, grantablePermissions, resolveRequestedScopes } from './scopes.js';
import { redirectToIdp } from './upstream-redirect.js';

/** The approvals cookie is remembered this long (seconds): 30 days, the library's default, stated explicitly. */
const REMEMBER_CONSENT_SECONDS = 30 * 24 * 60 * 60;

/** Largest consent form we read, in bytes: it holds a handle and two short fields. */
const MAX_FORM_BYTES = 8 * 1024;

export async function handleAuthorize(request: Request, env: Env, origin: string): Promise<Response> {
  try {
    if (request.method === 'GET') return await showConsent(request, env, origin);
    if (request.method === 'POST') return await decideConsent(request, env, origin);
    return errorPage(405, 'Method not allowed', 'Use GET to start an authorization.', new Headers({ Allow: 'GET, POST' }));
  } catch (error) {
    return authorizeFailure(error);
  }
}

async function showConsent(request: Request, env: Env, origin: string): Promise<Response> {
  const oauth = oauthHelpers(env);
  const config = idpConfig(env);
  const parsed = await oauth.parseAuthRequest(request);
  const resolved = resolveRequestedScopes(parsed.scope, grantablePermissions(config.scope));
  if (!resolved.ok) return invalidScope(parsed, resolved.unknown);
  // From here on the request asks for the policy's scopes: the consent page, the remembered approval, the IdP
  // login and the grant all see the same list.
  const authRequest: AuthRequest = { ...parsed, scope: resolved.scopes };
  // The proxy learns the user only at the IdP, so approvals are per browser (no `subject`).
  if (await oauth.isConsentRemembered(request, authRequest, { secret: env.COOKIE_ENCRYPTION_KEY })) {
    return redirectToIdp(oauth, authRequest, config, origin);
  }
  const details = await oauth.describeConsent(authRequest); // before beginConsent: a failed lookup stores nothing
  const consent = await oauth.beginConsent(authRequest);
  const html = consentPage({ details, handle: consent.handle, idpName: config.issuer.host, unavailable: resolved.unavailable });
  return htmlResponse(html, 200, consent.headers);
}

async function decideConsent(request: Request, env: Env, origin: string): Promise<Response> {
  const oauth = oauthHelpers(env);
  const form = await readForm(request);
  if (!form) return errorPage(400, 'Invalid request', 'The consent form could not be read. Start the sign-in again.');
  const handle = form.get('handle');
  if (typeof handle !== 'string' || !handle) {
    return errorPage(400, 'Invalid request', 'The consent form is missing its handle. Start the sign-in again.');
  }
  const decision = form.get('decision');
  if (decision === 'deny') {
    const denied = await oauth.denyConsent(request, handle);
    denied.headers.set('Location', denied.redirectTo);
    return new Response(null, { status: 302, headers: denied.headers });
  }
  if (decision !== 'approve') return errorPage(400, 'Invalid request', 'Choose Allow or Deny.');
  const remember =
    form.get('remember') === '1' ? { secret: env.COOKIE_ENCRYPTION_KEY, maxAgeSeconds: REMEMBER_CONSENT_SECONDS } : undefined;
  // The page posts what it offered (`requested`) and what stayed ticked (`scope`). Both come from the user's own
  // browser (the handle is bound to it), and approveConsent accepts only scopesSupported: a user who edits the
  // form can at most grant their own client what any client could have asked for.
  const requested = resolveRequestedScopes(
    String(form.get('requested') ?? '')
      .split(' ')
      .filter(Boolean),
    grantablePermissions(idpConfig(env).scope),
  );
  if (!requested.ok) return errorPage(400, 'Invalid request', 'The consent form names a permission this server does not have.');
  const approved = await oauth.approveConsent(request, handle, {
    scope: approvedScopes(requested.scopes, form.getAll('scope').map(String)),
    ...(remember ? { remember } : {}),
  });
  return redirectToIdp(oauth, approved.request, idpConfig(env), origin, approved.headers);
}

async function readForm(request: Request): Promise<FormData | undefined> {
  const type = request.headers.get('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  const length = Number(request.headers.get('Content-Length') ?? '0');
  if (length > MAX_FORM_BYTES) return undefined;
  try {
    return await request.formData();
  } catch {
    return undefined;
  }
}

/** The library's rules: redirect only when it validated the client's redirect URI; otherwise render here. */
function authorizeFailure(error: unknown): Response {
  if (error instanceof AuthorizationError) {
    if (error.redirectTo) return new Response(null, { status: 302, headers: { Location: error.redirectTo, 'Cache-Control': 'no-store' } });
    return errorPage(400, 'This sign-in request is not valid', error.description);
  }
  if (error instanceof CimdFetchError) {
    return errorPage(400, 'This app could not be verified', "The app's client metadata document could not be fetched or is invalid.");
  }
  throw error;
}

/**
 * RFC 6749 §4.1.2.1: a scope this server does not grant refuses the request, back to the client (its redirect
 * URI was validated by parseAuthRequest), before any consent page or state is stored.
 */
function invalidScope(authRequest: AuthRequest, unknown: string[]): Response {
  const location = authorizationErrorRedirect(authRequest, 'invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  return new Response(null, { status: 302, headers: { Location: location, 'Cache-Control': 'no-store' } });
}
