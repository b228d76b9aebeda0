// A browserless login driver for e2e tests: follows OAuth redirects and submits login/consent forms with plain fetch.
import { createHash, randomBytes } from 'node:crypto';

/** Cookies per host, as a browser would keep them for these tests (no expiry or path handling: runs are short). */
export class CookieJar {
  readonly #byHost = new Map<string, Map<string, string>>();

  /** Remember the `Set-Cookie` headers of a response to a request for `url`. */
  store(url: URL, response: Response): void {
    const cookies = this.#byHost.get(url.host) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // Max-Age=0 / an expiry in the past deletes the cookie.
      if (/;\s*max-age=0/i.test(header) || /;\s*expires=Thu, 01 Jan 1970/i.test(header)) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.#byHost.set(url.host, cookies);
  }

  /** The `Cookie` header for a request to `url`, if any. */
  header(url: URL): string | undefined {
    const cookies = this.#byHost.get(url.host);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

export interface FollowLoginOptions {
  /** Where the flow starts, e.g. the IdP's /authorize URL or the MCP server's /authorize URL. */
  startUrl: string | URL;
  username: string;
  password: string;
  /** The flow ends at the first redirect to a URL for which this returns true (it is not requested). */
  stopAt: (url: URL) => boolean;
  jar?: CookieJar;
  /** Safety net against redirect loops. Default 20. */
  maxSteps?: number;
}

interface HtmlForm {
  action: string;
  method: string;
  fields: Array<{ name: string; value: string; type: string; checked: boolean }>;
}

/**
 * Follow redirects from `startUrl`; on an HTML page with a form, fill the login form (the one with a password
 * field) or submit the approve button of a consent form. Returns the URL the flow was redirected to when
 * `stopAt` matched (e.g. the client's redirect URI with `code` and `state`). Throws with the page's text when
 * the flow gets stuck, so a failing test says why (wrong password, error page, …).
 */
export async function followLoginFlow(options: FollowLoginOptions): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  let request: { url: URL; method: string; body?: URLSearchParams } = { url: new URL(options.startUrl), method: 'GET' };
  for (let step = 0; step < (options.maxSteps ?? 20); step++) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(request.url, { method: request.method, headers, body: request.body, redirect: 'manual' });
    jar.store(request.url, response);

    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, request.url);
      if (options.stopAt(next)) return next;
      request = { url: next, method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = response.ok ? pickForm(parseForms(html)) : undefined;
    if (!form) {
      throw new Error(`Login flow stuck at ${request.method} ${request.url.href} (HTTP ${response.status}): ${pageText(html)}`);
    }
    const body = new URLSearchParams();
    const hasPassword = form.fields.some((f) => f.type === 'password');
    let submitted = false;
    for (const field of form.fields) {
      if (field.type === 'password') body.set(field.name, options.password);
      else if (hasPassword && isLoginField(field)) body.set(field.name, options.username);
      else if (field.type === 'submit' || field.type === 'button') {
        // Only the approving button is "clicked"; a deny/cancel button is never sent.
        if (!submitted && !isDeny(field)) {
          if (field.name) body.set(field.name, field.value);
          submitted = true;
        }
      } else if (field.type === 'checkbox') {
        // As a browser submits: only ticked boxes, each as its own value (several may share a name).
        if (field.checked) body.append(field.name, field.value || 'on');
      } else body.set(field.name, field.value);
    }
    if (hasPassword && !form.fields.some(isLoginField)) throw new Error(`Login form at ${request.url.href} has no username/e-mail field`);
    request = { url: new URL(form.action || request.url.href, request.url), method: form.method.toUpperCase(), body };
  }
  throw new Error(`Login flow did not reach the redirect target within ${options.maxSteps ?? 20} steps`);
}

function isLoginField(field: { name: string; type: string }): boolean {
  return /^(login|email|username|user|identifier)$/i.test(field.name) && field.type !== 'hidden';
}

function isDeny(field: { name: string; value: string }): boolean {
  return /deny|cancel|reject|abort|no$/i.test(`${field.name} ${field.value}`);
}

function pickForm(forms: HtmlForm[]): HtmlForm | undefined {
  return forms.find((f) => f.fields.some((x) => x.type === 'password')) ?? forms[0];
}

function parseForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attrs = match[1] ?? '';
    const inner = match[2] ?? '';
    const fields: HtmlForm['fields'] = [];
    for (const tag of inner.matchAll(/<(input|button)\b([^>]*)>/gi)) {
      const kind = (tag[1] ?? '').toLowerCase();
      const a = tag[2] ?? '';
      const type = (attr(a, 'type') ?? (kind === 'button' ? 'submit' : 'text')).toLowerCase();
      const name = attr(a, 'name') ?? '';
      if (!name && type !== 'submit') continue;
      fields.push({ name, value: decodeEntities(attr(a, 'value') ?? ''), type, checked: /\schecked\b/i.test(a) });
    }
    forms.push({ action: decodeEntities(attr(attrs, 'action') ?? ''), method: attr(attrs, 'method') ?? 'get', fields });
  }
  return forms;
}

function attr(attrs: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/** A PKCE verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
