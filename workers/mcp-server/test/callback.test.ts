// /callback: state binding and single use, IdP errors, ID token checks, and the MCP grant it creates.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearDiscoveryCache } from '../src/upstream/idp-client.js';
import { idp, loginAt, resetIdp } from './support/fake-idp-token-endpoint.js';
import { approveToIdp, CookieJar, clientRedirect, fetchWorker, pkce, registerClient, signIn } from './support/oauth-flow.js';

beforeEach(() => {
  resetIdp();
  clearDiscoveryCache();
});

async function atIdp() {
  const client = await registerClient();
  const jar = new CookieJar();
  const { challenge } = await pkce();
  const idpAuthorize = await approveToIdp(jar, client.client_id, challenge);
  return { jar, idpAuthorize, state: idpAuthorize.searchParams.get('state')! };
}

describe('/callback', () => {
  it('should complete the authorization and redirect to the client with a code, its state and our iss', async () => {
    const { jar, idpAuthorize, state } = await atIdp();
    const response = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`, { jar });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(clientRedirect);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect(location.searchParams.get('state')).toBe('client-state-123');
    expect(location.searchParams.get('iss')).toBe('https://mcp.example.test');
  });

  it('should refuse a replayed state with a clear 400 page', async () => {
    const { jar, idpAuthorize, state } = await atIdp();
    const query = new URLSearchParams({ code: loginAt(idpAuthorize), state });
    expect((await fetchWorker(`/callback?${query}`, { jar })).status).toBe(302);
    const replay = await fetchWorker(`/callback?${query}`, { jar });
    expect(replay.status).toBe(400);
    expect(replay.headers.get('Location')).toBeNull();
    expect(await replay.text()).toContain('no longer valid');
  });

  it('should refuse a state presented without its browser cookie (another browser)', async () => {
    const { idpAuthorize, state } = await atIdp();
    const response = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`);
    expect(response.status).toBe(400);
    expect(idp.codeExchanges).toBe(0);
  });

  it('should send access_denied to the client when the IdP returns an error', async () => {
    const { jar, state } = await atIdp();
    const response = await fetchWorker(`/callback?${new URLSearchParams({ error: 'access_denied', state })}`, { jar });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('client-state-123');
  });

  it('should show a clear 502 page when the IdP token endpoint fails', async () => {
    const { jar, idpAuthorize, state } = await atIdp();
    idp.mode = 'server_error';
    const response = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`, { jar });
    expect(response.status).toBe(502);
    const html = await response.text();
    expect(html).toContain('identity provider');
    expect(html).not.toMatch(/at \w+ \(|Error:/);
  });

  it('should show a clear 503 page when the IdP is unreachable', async () => {
    const { jar, idpAuthorize, state } = await atIdp();
    idp.mode = 'unreachable';
    const response = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state })}`, { jar });
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('unreachable');
  });

  it('should refuse an ID token whose nonce does not match the one we sent', async () => {
    const { jar, idpAuthorize, state } = await atIdp();
    const tampered = new URL(idpAuthorize);
    tampered.searchParams.set('nonce', 'attacker-nonce');
    const response = await fetchWorker(`/callback?${new URLSearchParams({ code: loginAt(tampered), state })}`, { jar });
    expect(response.status).toBe(502);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should show a 503 page at /authorize when IdP discovery is unreachable', async () => {
    idp.discoveryDown = true;
    const client = await registerClient();
    const jar = new CookieJar();
    const { challenge } = await pkce();
    await expect(approveToIdp(jar, client.client_id, challenge)).rejects.toThrow(/approve: 503/);
  });

  it('should issue MCP tokens that are not the IdP tokens', async () => {
    const { tokens } = await signIn();
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.expires_in).toBeLessThanOrEqual(3600);
    expect(tokens.access_token.split('.')).not.toHaveLength(3); // not a JWT: opaque MCP token
  });
});
