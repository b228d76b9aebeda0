// Drives the account page like a browser: its own IdP login, the page's forms and their CSRF token; reads the audit log.
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { loginAt } from '../../support/fake-idp-token-endpoint.js';
import { CookieJar, fetchWorker } from '../../support/oauth-flow.js';

/** Signs `sub` in at /account (login → IdP → /callback) and returns the browser's cookie jar. */
export async function accountSignIn(sub = 'auth0|alice', jar = new CookieJar()): Promise<CookieJar> {
  const start = await fetchWorker('/account/login', { jar });
  expect(start.status).toBe(302);
  const idpAuthorize = new URL(start.headers.get('Location')!);
  const code = loginAt(idpAuthorize, sub);
  const callback = await fetchWorker(`/callback?${new URLSearchParams({ code, state: idpAuthorize.searchParams.get('state')! })}`, { jar });
  expect(callback.status).toBe(303);
  expect(callback.headers.get('Location')).toBe('/account');
  return jar;
}

/** The account page's HTML (fails unless it is served). */
export async function accountHtml(jar: CookieJar, query = ''): Promise<string> {
  const page = await fetchWorker(`/account${query}`, { jar });
  expect(page.status).toBe(200);
  return page.text();
}

/** The CSRF token in the page's forms, read as a browser would submit it. */
export function csrfFrom(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** Grant ids of the "Connected apps" rows. */
export function grantIdsFrom(html: string): string[] {
  return [...html.matchAll(/<tr data-grant="([^"]+)"/g)].map((match) => match[1]!);
}

export function postForm(path: string, jar: CookieJar | undefined, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetchWorker(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
    ...(jar ? { jar } : {}),
  });
}

export interface AuditRow {
  at: number;
  user_id: string;
  client_id: string;
  grant_key: string | null;
  kind: string;
  tool: string | null;
  outcome: string | null;
  duration_ms: number | null;
}

export async function auditRows(): Promise<AuditRow[]> {
  const { results } = await env.AUDIT_DB.prepare('SELECT * FROM audit_events ORDER BY id').all<AuditRow>();
  return results;
}

/** Audit writes run after the response (waitUntil): wait until `count` rows match. */
export async function waitForAuditRows(match: (row: AuditRow) => boolean, count = 1): Promise<AuditRow[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = (await auditRows()).filter(match);
    if (rows.length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`audit log: expected ${count} matching rows, found ${(await auditRows()).filter(match).length}`);
}

export async function clearAuditLog(): Promise<void> {
  await env.AUDIT_DB.prepare('DELETE FROM audit_events').run();
}

/** A tools/call POST to /mcp with the MCP access token. */
export function callTool(accessToken: string, name: string): Promise<Response> {
  return fetchWorker('/mcp', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } }),
  });
}
