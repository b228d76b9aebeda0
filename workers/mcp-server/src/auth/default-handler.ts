// The provider's default handler: /authorize, /callback and a small landing page; failures become clear HTML pages.
import { mcpServer } from '../../../../system/system.js';
import { handleAccount } from '../account/account-handler.js';
import { isAccountPath } from '../account/account-paths.js';
import { describeIdpFailure, isIdpUnreachable } from '../upstream/idp-client.js';
import { IdpConfigError } from '../upstream/idp-config.js';
import { UpstreamAuthError } from '../upstream/upstream-auth-error.js';
import { handleAuthorize } from './authorize-handler.js';
import { handleCallback } from './callback-handler.js';
import { canonicalOrigin } from './canonical-origin.js';
import { errorPage, escapeHtml, htmlDocument, htmlResponse } from './html-page.js';

export const AUTHORIZE_PATH = '/authorize';

export const defaultHandler = {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    try {
      const origin = canonicalOrigin(request, env);
      if (pathname === AUTHORIZE_PATH) return await handleAuthorize(request, env, origin);
      if (pathname === mcpServer.callbackPath) return await handleCallback(request, env, origin);
      if (isAccountPath(pathname)) return await handleAccount(request, env, origin);
      if (pathname === '/' && request.method === 'GET') return landingPage(origin);
      return errorPage(404, 'Not found', 'There is nothing here.');
    } catch (error) {
      return failurePage(error);
    }
  },
} satisfies ExportedHandler<Env>;

function landingPage(origin: string): Response {
  const body = `<h1>Todos MCP server</h1>
<p>Connect an MCP client to <code>${escapeHtml(origin + mcpServer.paths.mcp)}</code> (Streamable HTTP)
or <code>${escapeHtml(origin + mcpServer.paths.sse)}</code> (SSE). It signs you in with OAuth.</p>
<p>See and disconnect your connected apps on <a href="${escapeHtml(mcpServer.accountPath)}">your account page</a>.</p>`;
  return htmlResponse(htmlDocument('Todos MCP server', body));
}

/** Unexpected failures: a clear page with the right status; details only in the log, never tokens. */
export function failurePage(error: unknown): Response {
  if (error instanceof UpstreamAuthError) {
    console.warn(`idp failure during sign-in: ${describeIdpFailure(error)}`);
    if (error.code === 'idp_unavailable' && isIdpUnreachable(error)) {
      return errorPage(503, 'The identity provider is unreachable', 'We could not reach the sign-in service. Try again in a moment.');
    }
    return errorPage(502, 'The identity provider refused the sign-in', 'The sign-in service returned an error. Start the sign-in again.');
  }
  if (error instanceof IdpConfigError) {
    console.error(`mcp-server misconfigured: ${error.message}`);
    return errorPage(500, 'Server misconfigured', 'This server is not configured correctly. Contact its operator.');
  }
  console.error('unexpected failure', error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown');
  return errorPage(500, 'Something went wrong', 'An unexpected error occurred. Try again.');
}
