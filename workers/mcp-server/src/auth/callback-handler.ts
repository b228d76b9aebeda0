// GET /callback: the IdP sends the user back; check the state, exchange the code, validate the ID token, issue the MCP grant.
import { AuthorizationError, authorizationErrorRedirect } from '@cloudflare/workers-oauth-provider';
import { mcpCallbackUrl } from '../../../../system/system.js';
import { handleAccountCallback } from '../account/account-handler.js';
import { recordAuditEvent } from '../audit/record-audit-event.js';
import { markClientUsed } from '../maintenance/purge-oauth-records.js';
import type { McpProps } from '../props.js';
import { seedUpstreamTokens } from '../upstream/get-upstream-access-token.js';
import { finishUpstreamLogin } from '../upstream/idp-client.js';
import { idpConfig } from '../upstream/idp-config.js';
import { grantUserId } from './grant-user-id.js';
import { errorPage } from './html-page.js';
import { oauthHelpers } from './oauth-helpers.js';
import { grantedScopes } from './scopes.js';
import type { UpstreamStateData } from './upstream-redirect.js';

export async function handleCallback(request: Request, env: Env, origin: string): Promise<Response> {
  if (request.method !== 'GET')
    return errorPage(405, 'Method not allowed', 'The sign-in callback accepts GET only.', new Headers({ Allow: 'GET' }));
  // One callback URL for both logins: a state recorded by the account page's login is that login's (src/account).
  const account = await handleAccountCallback(request, env, origin);
  if (account) return account;
  const oauth = oauthHelpers(env);
  let resumed;
  try {
    // Single use, ten minutes, and only in the browser that holds the state's __Host- cookie.
    resumed = await oauth.finishUpstream<UpstreamStateData>(request);
  } catch (error) {
    if (error instanceof AuthorizationError) {
      return errorPage(
        400,
        'This sign-in link is no longer valid',
        'It was already used, it expired, or it was opened in a different browser from the one that started the sign-in.',
      );
    }
    throw error;
  }
  const { request: authRequest, data, headers } = resumed;
  headers.set('Cache-Control', 'no-store');
  const params = new URL(request.url).searchParams;

  // The user declined at the IdP (or it failed there): tell the MCP client, with its state and our iss.
  if (params.has('error') || !params.get('code')) {
    headers.set(
      'Location',
      authorizationErrorRedirect(authRequest, 'access_denied', 'The sign-in at the identity provider was not completed.'),
    );
    return new Response(null, { status: 302, headers });
  }

  const login = await finishUpstreamLogin(idpConfig(env), mcpCallbackUrl(origin), params, data);
  const props: McpProps = {
    claims: login.claims,
    upstream: login.tokens,
    grantKey: crypto.randomUUID(),
  };
  // The store holds the refresh token from the start, so the account page can revoke it at the IdP later.
  await seedUpstreamTokens(env, props.grantKey, props.upstream);
  const { redirectTo } = await oauth.completeAuthorization({
    request: authRequest,
    // Pseudonymous: the library embeds userId in every code and token and keeps grant metadata unencrypted, so
    // neither carries the subject or an e-mail address; both stay in the encrypted props. grantKey (not a secret)
    // lets the account page find the grant's store and its last use in the audit log.
    userId: await grantUserId(login.claims.sub, env.COOKIE_ENCRYPTION_KEY),
    metadata: { grantKey: props.grantKey },
    // What the user approved, less what the IdP's own policy withheld (e.g. Auth0 RBAC): the token says what works.
    scope: grantedScopes(authRequest.scope, login.tokens.scope),
    props,
  });
  recordAuditEvent(env, { kind: 'grant_connected', subject: login.claims.sub, clientId: authRequest.clientId, grantKey: props.grantKey });
  // The client completed an authorization: the cron's purge of never-used registrations keeps it.
  await markClientUsed(env, authRequest.clientId);
  headers.set('Location', redirectTo);
  return new Response(null, { status: 302, headers });
}
