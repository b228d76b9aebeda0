// The consent page an MCP client's user sees before we send them to the IdP: who asks, where tokens go, what it can do.
import type { ConsentDescription } from '@cloudflare/workers-oauth-provider';
import { mcpServer } from '../../../../system/system.js';
import { escapeHtml, htmlDocument } from './html-page.js';
import { scopeChoice } from './scopes.js';

export interface ConsentPageOptions {
  details: ConsentDescription;
  /** The library's browser-bound handle; posted back with the decision. */
  handle: string;
  /** Display name of the IdP, e.g. its host. */
  idpName: string;
  /** Permissions the client asked for that users may not grant on this server: shown, never granted. */
  unavailable?: readonly string[];
}

/** Renders the page. Every client-supplied string (name, URIs, scopes) is escaped. */
export function consentPage({ details, handle, idpName, unavailable = [] }: ConsentPageOptions): string {
  const name = escapeHtml(details.clientName);
  // `details.scope` has been through the scope policy: known scopes only, the baseline always among them.
  const scopeItems = [...details.scope.map((scope) => scopeItem(scope)), ...unavailable.map((scope) => unavailableItem(scope))].join('\n');
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
<form method="post" action="">
  <input type="hidden" name="handle" value="${escapeHtml(handle)}">
  <input type="hidden" name="requested" value="${escapeHtml(details.scope.join(' '))}">
  <fieldset class="scopes">
    <legend>It asks to:</legend>
    <ul class="scopes">
      <li><span class="fixed">✓</span> See your name and email address</li>
${scopeItems}
    </ul>
    <p class="muted">Untick what you do not want to allow. The app can ask again when it needs more.</p>
  </fieldset>
  <p class="muted">After you allow it, you sign in at ${escapeHtml(idpName)}.
  You can disconnect this app at any time on <a href="${escapeHtml(mcpServer.accountPath)}">your account page</a>.</p>
  <label><input type="checkbox" name="remember" value="1" checked> Remember this decision for this app</label>
  <div class="actions">
    <button type="submit" name="decision" value="approve" class="primary">Allow</button>
    <button type="submit" name="decision" value="deny">Deny</button>
  </div>
</form>`;
  return htmlDocument(`Authorize ${details.clientName}`, body);
}

/**
 * One requested scope: a fixed line for what every grant holds (the baseline, offline_access), a checkbox for
 * the rest, ticked unless the permission is opt-in. Only ticked boxes are posted, as `scope` values.
 */
function scopeItem(scope: string): string {
  const choice = scopeChoice(scope);
  const label = `${escapeHtml(choice.description)} <code>${escapeHtml(scope)}</code>`;
  if (choice.fixed) return `      <li><span class="fixed" data-scope="${escapeHtml(scope)}">✓</span> ${label}</li>`;
  const checked = choice.preselected ? ' checked' : '';
  return `      <li><label><input type="checkbox" name="scope" value="${escapeHtml(scope)}"${checked}> ${label}</label></li>`;
}

/** A permission the client asked for that this deployment does not let users grant: said, not offered. */
function unavailableItem(scope: string): string {
  const { description } = scopeChoice(scope);
  return `      <li class="muted"><span class="fixed">✗</span> ${escapeHtml(description)} <code>${escapeHtml(scope)}</code>: not available on this server</li>`;
}
