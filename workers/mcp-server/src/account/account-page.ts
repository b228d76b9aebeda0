// The account page's HTML: connected apps (with Revoke), recent activity, sign-out. No scripts; every value escaped.
import { escapeHtml, htmlDocument } from '../auth/html-page.js';
import { accountPaths } from './account-paths.js';
import type { ActivityEntry, ConnectedApp } from './connected-apps.js';

export interface AccountPageOptions {
  displayName: string;
  csrf: string;
  apps: ConnectedApp[];
  activity: { entries: ActivityEntry[]; nextBeforeId?: number };
  /** A fixed message about the last action (never text from the request). */
  notice?: string | undefined;
  idpName: string;
}

/** Wider than the consent page's card: two tables. Inline styles are what our CSP allows. */
const accountStyles = `<style>
  main { max-width: 56rem; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }
  th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid color-mix(in srgb, CanvasText 12%, transparent); vertical-align: top; }
  td ul { margin: 0; padding-left: 1rem; }
  td form { margin: 0; }
  .notice { border-left: 4px solid #16a34a; padding: .5rem .75rem; background: color-mix(in srgb, #16a34a 12%, transparent); }
  .outcome-ok { color: #15803d; } .outcome-error { color: #b91c1c; } .outcome-denied { color: #b45309; }
  button.danger { border-color: #b91c1c; color: #b91c1c; background: transparent; }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
</style>`;

/** UTC, minute precision: the page has no script to localise times. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function time(ms: number): string {
  return `<time datetime="${new Date(ms).toISOString()}">${escapeHtml(formatTime(ms))}</time>`;
}

function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
}

function appRows(apps: ConnectedApp[], csrf: string): string {
  if (apps.length === 0) return '<p class="muted">No apps are connected to your account.</p>';
  const rows = apps
    .map(
      (app) => `<tr data-grant="${escapeHtml(app.grantId)}">
  <td><strong>${escapeHtml(app.clientName)}</strong><br><span class="muted">${escapeHtml(app.redirectHost)}</span></td>
  <td><ul>${app.permissions.map((p) => `<li><code>${escapeHtml(p.value)}</code> — ${escapeHtml(p.description)}</li>`).join('')}</ul></td>
  <td>${time(app.connectedAt)}</td>
  <td>${app.lastUsedAt === undefined ? '<span class="muted">Never</span>' : time(app.lastUsedAt)}</td>
  <td><form method="post" action="${accountPaths.revoke}">${csrfField(csrf)}<input type="hidden" name="grant" value="${escapeHtml(app.grantId)}"><button type="submit" class="danger">Revoke</button></form></td>
</tr>`,
    )
    .join('\n');
  return `<table class="apps"><thead><tr><th>App</th><th>Permissions</th><th>Connected</th><th>Last used</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function activityRows(activity: AccountPageOptions['activity']): string {
  if (activity.entries.length === 0) return '<p class="muted">No tool calls yet.</p>';
  const rows = activity.entries
    .map(
      (entry) => `<tr><td>${time(entry.at)}</td><td>${escapeHtml(entry.appName)}</td><td><code>${escapeHtml(entry.tool)}</code></td>
  <td class="outcome-${entry.outcome}">${escapeHtml(entry.outcome)}</td></tr>`,
    )
    .join('\n');
  const older =
    activity.nextBeforeId === undefined
      ? ''
      : `<p><a href="${accountPaths.page}?before=${activity.nextBeforeId}#activity">Older calls</a></p>`;
  return `<table class="activity"><thead><tr><th>Time</th><th>App</th><th>Tool</th><th>Outcome</th></tr></thead>
<tbody>${rows}</tbody></table>${older}`;
}

export function accountPage(options: AccountPageOptions): string {
  const body = `${accountStyles}
<header><h1>Your account</h1><span class="muted">Signed in as <strong>${escapeHtml(options.displayName)}</strong></span></header>
${options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : ''}
<h2>Connected apps</h2>
<p class="muted">Apps you allowed to use your Todos account. Revoking one ends its access at once; it has to ask you again.</p>
${appRows(options.apps, options.csrf)}
<h2 id="activity">Activity</h2>
<p class="muted">Recent tool calls made by your apps, newest first (kept 90 days).</p>
${activityRows(options.activity)}
<h2>Sign out</h2>
<form method="post" action="${accountPaths.signOut}">${csrfField(options.csrf)}
  <div class="actions">
    <button type="submit" name="scope" value="account">Sign out</button>
    <button type="submit" name="scope" value="idp">Sign out here and at ${escapeHtml(options.idpName)}</button>
  </div>
</form>`;
  return htmlDocument('Your account', body);
}

export function signedOutPage(): string {
  return htmlDocument(
    'Signed out',
    `<h1>You are signed out</h1>
<p>Your connected apps keep working until you revoke them.</p>
<p><a href="${accountPaths.page}">Sign in to your account again</a></p>`,
  );
}
