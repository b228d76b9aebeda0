// The consent page and its decisions: escaped client text, no framing, CSRF binding, deny, and validation failures.
import { beforeEach, describe, expect, it } from 'vitest';
import { issuer, resetIdp } from './support/fake-idp-token-endpoint.js';
import {
  authorizePath,
  CookieJar,
  clientRedirect,
  consentFormFrom,
  fetchWorker,
  handleFrom,
  pkce,
  postConsent,
  registerClient,
} from './support/oauth-flow.js';

beforeEach(resetIdp);

async function consentPage(clientName = 'Test MCP client') {
  const client = await registerClient({ client_name: clientName });
  const jar = new CookieJar();
  const { challenge } = await pkce();
  const response = await fetchWorker(authorizePath(client.client_id, challenge), { jar });
  return { client, jar, challenge, response, html: await response.text() };
}

describe('consent page', () => {
  it('should show the client name escaped, the redirect host and the scopes with their descriptions', async () => {
    const { response, html } = await consentPage('<script>alert(1)</script>"evil"');
    expect(response.status).toBe(200);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;&#34;evil&#34;');
    expect(html).toContain('client.example.test');
    expect(html).toContain('Read your todos');
    expect(html).toContain('Create, update and delete your todos');
  });

  it("should forbid framing with frame-ancestors 'none' and send no-store", async () => {
    const { response } = await consentPage();
    const csp = response.headers.get('Content-Security-Policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('X-Frame-Options')).toBe('DENY');
    expect(response.headers.get('Cache-Control')).toContain('no-store');
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
  });

  it('should refuse an approval posted without the binding cookie (cross-site form)', async () => {
    const { html } = await consentPage();
    const response = await postConsent(undefined, handleFrom(html), 'approve');
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
    expect(response.headers.get('Content-Type')).toContain('text/html');
  });

  it('should refuse a consent post without a handle', async () => {
    const { jar } = await consentPage();
    const response = await fetchWorker('/authorize', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve' }),
      jar,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should refuse an approval with a forged handle even with the cookie', async () => {
    const { jar } = await consentPage();
    const response = await postConsent(jar, 'forged-handle', 'approve');
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should refuse a second use of the same handle', async () => {
    const { jar, html } = await consentPage();
    const handle = handleFrom(html);
    expect((await postConsent(jar, handle, 'approve')).status).toBe(302);
    const again = await postConsent(jar, handle, 'approve');
    expect(again.status).toBe(400);
  });

  it('should send the user back to the client with access_denied and the client state on Deny', async () => {
    const { jar, html } = await consentPage();
    const response = await postConsent(jar, handleFrom(html), 'deny');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(clientRedirect);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('client-state-123');
  });

  it('should redirect to the IdP with code flow, PKCE S256, nonce, audience, scope and our callback on Allow', async () => {
    const { jar, html } = await consentPage();
    const response = await postConsent(jar, consentFormFrom(html), 'approve');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${issuer}authorize`);
    const params = Object.fromEntries(location.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'mcp-test-client',
      redirect_uri: 'https://mcp.example.test/callback',
      audience: 'urn:todos-api',
      scope: 'openid email profile offline_access read:todos write:todos',
      code_challenge_method: 'S256',
    });
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(params.nonce).toBeTruthy();
    expect(params.state).toBeTruthy();
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith('__Host-') && /secure/i.test(cookie))).toBe(true);
  });

  it('should skip the page when this browser remembered its approval for the client', async () => {
    const { client, jar, challenge, html } = await consentPage();
    expect((await postConsent(jar, consentFormFrom(html), 'approve', true)).status).toBe(302);
    const again = await fetchWorker(authorizePath(client.client_id, challenge), { jar });
    expect(again.status).toBe(302);
    expect(again.headers.get('Location')).toContain(`${issuer}authorize`);
  });
});

describe('authorization request validation', () => {
  it('should render an error page, never redirect, for an unregistered redirect_uri', async () => {
    const client = await registerClient();
    const { challenge } = await pkce();
    const response = await fetchWorker(authorizePath(client.client_id, challenge, { redirect_uri: 'https://attacker.example/cb' }));
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
    expect(response.headers.get('Content-Type')).toContain('text/html');
  });

  it('should render an error page for an unknown client', async () => {
    const { challenge } = await pkce();
    const response = await fetchWorker(authorizePath('no-such-client', challenge));
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should redirect a plain PKCE request back to the client with invalid_request (client and redirect URI are valid)', async () => {
    const client = await registerClient();
    const response = await fetchWorker(authorizePath(client.client_id, 'x'.repeat(43), { code_challenge_method: 'plain' }));
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('Location')!).searchParams.get('error')).toBe('invalid_request');
  });
});
