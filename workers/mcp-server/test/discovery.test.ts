// Discovery and registration: what an MCP client reads before it sends anyone to sign in.
import { beforeEach, describe, expect, it } from 'vitest';
import { idp, resetIdp } from './support/fake-idp-token-endpoint.js';
import { clientRedirect, fetchWorker, origin, registerClient } from './support/oauth-flow.js';

beforeEach(resetIdp);

describe('OAuth discovery', () => {
  it('should publish protected-resource metadata for the origin, naming this server as its authorization server', async () => {
    const response = await fetchWorker('/.well-known/oauth-protected-resource');
    expect(response.status).toBe(200);
    const metadata = await response.json<Record<string, unknown>>();
    expect(metadata).toMatchObject({
      resource: origin,
      authorization_servers: [origin],
      scopes_supported: ['read:todos', 'write:todos', 'read:billing'],
    });
  });

  it('should publish authorization-server metadata with S256 only, DCR, revocation and the system scopes', async () => {
    const response = await fetchWorker('/.well-known/oauth-authorization-server');
    expect(response.status).toBe(200);
    const metadata = await response.json<Record<string, unknown>>();
    expect(metadata).toMatchObject({
      issuer: origin,
      authorization_endpoint: `${origin}/authorize`,
      token_endpoint: `${origin}/oauth/token`,
      registration_endpoint: `${origin}/oauth/register`,
      code_challenge_methods_supported: ['S256'],
      scopes_supported: ['read:todos', 'write:todos', 'read:billing', 'offline_access'],
    });
    expect(metadata.revocation_endpoint).toBe(`${origin}/oauth/token`);
  });

  it('should never contact the IdP for discovery of this server', async () => {
    await fetchWorker('/.well-known/oauth-authorization-server');
    expect(idp.codeExchanges + idp.refreshCalls).toBe(0);
  });
});

describe('dynamic client registration', () => {
  it('should register a public client with its redirect URI', async () => {
    const client = await registerClient({ client_name: 'Inspector' });
    expect(client.client_id).toBeTruthy();
    expect(client).toMatchObject({ client_name: 'Inspector', redirect_uris: [clientRedirect] });
  });

  it('should refuse a registration without redirect URIs with invalid_client_metadata', async () => {
    const response = await fetchWorker('/oauth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ client_name: 'x', redirect_uris: [] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });
});
