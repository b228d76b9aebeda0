// Small, self-contained HTML pages (consent, errors): escaping, one stylesheet, strict security headers.

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * Our own CSP, sent alongside any the library adds (browsers enforce every CSP header). No scripts
 * at all; inline styles only; never framed. `form-action` is left out on purpose: Chromium applies
 * it to the redirects after a POST, which here go to the IdP or the client's redirect URI.
 */
const contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const styles = `
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
  body { margin: 0; display: grid; place-items: center; min-height: 100vh; background: Canvas; color: CanvasText; }
  main { max-width: 32rem; padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
  h1 { font-size: 1.35rem; margin-top: 0; }
  .muted { opacity: .75; font-size: .92rem; }
  .warning { border-left: 4px solid #d97706; padding: .5rem .75rem; background: color-mix(in srgb, #d97706 12%, transparent); }
  fieldset.scopes { border: 0; padding: 0; margin: 0; } legend { padding: 0; margin-bottom: .25rem; }
  ul.scopes { padding-left: 0; list-style: none; } ul.scopes li { margin: .35rem 0; } code { font-size: .85em; opacity: .75; }
  .fixed { display: inline-block; width: 1.1rem; text-align: center; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { font: inherit; padding: .55rem 1.2rem; border-radius: 8px; border: 1px solid #888; cursor: pointer; }
  button.primary { background: #2563eb; border-color: #2563eb; color: white; }
`;

/** A complete HTML document; `bodyHtml` must already be escaped. */
export function htmlDocument(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
</head>
<body><main>
${bodyHtml}
</main></body>
</html>`;
}

/** An HTML response with our security headers merged into `headers` (e.g. the library's cookie + framing headers). */
export function htmlResponse(html: string, status = 200, headers: Headers = new Headers()): Response {
  headers.set('Content-Type', 'text/html; charset=utf-8');
  headers.append('Content-Security-Policy', contentSecurityPolicy);
  headers.set('X-Frame-Options', 'DENY');
  headers.set('X-Content-Type-Options', 'nosniff');
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('Cache-Control', 'no-store');
  return new Response(html, { status, headers });
}

/** A clear error page: never a redirect, never a stack trace. `message` is plain text (escaped here). */
export function errorPage(status: number, title: string, message: string, headers?: Headers): Response {
  return htmlResponse(
    htmlDocument(
      title,
      `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p class="muted">You can close this window and start again from your MCP client.</p>`,
    ),
    status,
    headers,
  );
}
