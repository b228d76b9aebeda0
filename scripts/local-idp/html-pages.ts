// The local IdP's HTML: login form, error page, logout pages. Self-contained (no external assets), escaped output.
import { createHash } from 'node:crypto';
import type { LocalUser } from './local-users.js';

const STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f3f4f6;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827}
main{width:100%;max-width:380px;margin:24px;padding:32px;background:#fff;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.08)}
h1{font-size:22px;margin:0 0 4px}
p.sub{margin:0 0 24px;color:#6b7280}
label{display:block;font-weight:600;margin:16px 0 6px}
input{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
input:focus{outline:2px solid #6366f1;border-color:#6366f1}
button{width:100%;margin-top:24px;padding:11px;border:0;border-radius:8px;background:#4f46e5;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#4338ca}
.error{margin:0 0 8px;padding:10px 12px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.hint{margin-top:24px;padding-top:16px;border-top:1px solid #e5e7eb;font-size:13px;color:#6b7280}
.hint code{background:#f3f4f6;padding:1px 4px;border-radius:4px;white-space:nowrap}
`;
const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE).digest('base64')}`;

/** Headers for every page: no framing (clickjacking), no caching of login pages, no outside resources. */
export const pageHeaders: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // Only our own stylesheet (by hash) may apply. No form-action: after the login POST the browser follows
  // redirects to the client's callback on another origin, which form-action would block.
  'content-security-policy': `default-src 'none'; style-src '${STYLE_HASH}'; frame-ancestors 'none'; base-uri 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body><main>
${body}
</main></body>
</html>`;
}

export interface LoginPageOptions {
  /** Where the form posts to. */
  readonly action: string;
  /** The application asking the user to log in (e.g. "Remote MCP Server"). */
  readonly clientName: string;
  /** Pre-filled email (after a failed attempt, or from `login_hint`). */
  readonly email?: string;
  readonly error?: string;
  /** Shown as a hint: this IdP is a local stand-in whose accounts are public by design. */
  readonly users: readonly LocalUser[];
}

export function renderLoginPage(options: LoginPageOptions): string {
  const error = options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : '';
  const users = options.users.map((u) => `<li><code>${escapeHtml(u.email)}</code> / <code>${escapeHtml(u.password)}</code></li>`).join('');
  return page(
    'Log in | Local IdP',
    `<h1>Log in</h1>
<p class="sub">to continue to <strong>${escapeHtml(options.clientName)}</strong></p>
${error}
<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
<label for="email">Email address</label>
<input id="email" name="email" type="email" required autofocus value="${escapeHtml(options.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Continue</button>
</form>
<div class="hint">Local development IdP (stands in for Auth0). Accounts:<ul>${users}</ul></div>`,
  );
}

export interface ErrorPageOptions {
  readonly error: string;
  readonly description?: string;
}

/** An OAuth error shown to the user instead of a redirect (e.g. unknown client or unregistered redirect_uri). */
export function renderErrorPage(options: ErrorPageOptions): string {
  const description = options.description ? `<p>${escapeHtml(options.description)}</p>` : '';
  return page(
    'Error | Local IdP',
    `<h1>Something went wrong</h1>
<p class="sub">The request could not be completed.</p>
<p class="error"><strong>${escapeHtml(options.error)}</strong></p>
${description}`,
  );
}

/** A plain message page (logout confirmation, logout done). `extra` must already be safe HTML. */
export function renderMessagePage(title: string, message: string, extra = ''): string {
  return page(`${title} | Local IdP`, `<h1>${escapeHtml(title)}</h1>\n<p class="sub">${escapeHtml(message)}</p>\n${extra}`);
}
