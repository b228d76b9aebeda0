// The consent page an MCP client's user sees before we send them to the IdP: who asks, where tokens go, what it can do.
import type { ConsentDescription } from '@cloudflare/workers-oauth-provider';
import { mcpServer } from '../../../../system/system.js';
import { escapeHtml, htmlDocument } from './html-page.js';
import { describeScope } from './scopes.js';

export interface ConsentPageOptions {
  details: ConsentDescription;
  /** The library's browser-bound handle; posted back with the decision. */
  handle: string;
  /** Scopes this server asks the IdP for (AUTH0_SCOPE): a requested scope outside it cannot actually be used. */
  upstreamScope: string;
  /** Display name of the IdP, e.g. its host. */
  idpName: string;
}

/** Renders the page. Every client-supplied string (name, URIs, scopes) is escaped. */
export function consentPage({ details, handle, upstreamScope, idpName }: ConsentPageOptions): string {
  const name = escapeHtml(details.clientName);
  const upstream = new Set(upstreamScope.split(' ').filter(Boolean));
  const scopes = details.scope.length ? details.scope : [];
  const scopeItems = scopes
    .map((scope) => {
      const description = describeScope(scope);
      const unavailable = scope !== 'offline_access' && !upstream.has(scope);
      return `<li><code>${escapeHtml(scope)}</code>${description ? ` — ${escapeHtml(description)}` : ''}${
        unavailable ? ' <span class="muted">(not requested from the identity provider, so the app will be refused)</span>' : ''
      }</li>`;
    })
    .join('\n');
  const origin = details.clientDomain
    ? `<p>Published by <strong>${escapeHtml(details.clientDomain)}</strong>.</p>`
    : '<p class="muted">This app registered itself; its name is not verified.</p>';
  const loopback = details.redirectIsLoopback
    ? '<p class="warning"><strong>This sends access to an app on your computer.</strong> Continue only if you just started signing in from it.</p>'
    : '';
  const body = `
<h1>Allow <strong>${name}</strong> to use your Todos account?</h1>
${origin}
<p>Access will be sent to <strong>${escapeHtml(details.redirectHost)}</strong>
<span class="muted">(${escapeHtml(details.redirectUri)})</span>.</p>
${loopback}
<p>It will be able to:</p>
<ul class="scopes">
<li>See your name and email address</li>
${scopeItems}
</ul>
<p class="muted">After you allow it, you sign in at ${escapeHtml(idpName)}.
You can disconnect this app at any time on <a href="${escapeHtml(mcpServer.accountPath)}">your account page</a>.</p>
<form method="post" action="">
  <input type="hidden" name="handle" value="${escapeHtml(handle)}">
  <label><input type="checkbox" name="remember" value="1" checked> Remember this decision for this app</label>
  <div class="actions">
    <button type="submit" name="decision" value="approve" class="primary">Allow</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>`;
  return htmlDocument(`Authorize ${details.clientName}`, body);
}
