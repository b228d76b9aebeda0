// Who may call /mcp and /sse: only this server's own tokens, for this resource; everyone else gets an RFC 6750/9728 challenge.
import { beforeEach, describe, expect, it } from 'vitest';
import { mintAccessToken, resetIdp } from './support/fake-idp-token-endpoint.js';
import { fetchWorker, signIn } from './support/oauth-flow.js';

beforeEach(resetIdp);

const initialize = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'auth-test', version: '1.0.0' } },
};

function postMcp(token?: string, base?: string, body: unknown = initialize): Promise<Response> {
  return fetchWorker('/mcp', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
    ...(base ? { base } : {}),
  });
}

describe('/mcp and /sse authentication', () => {
  it('should answer 401 with a Bearer challenge naming the resource metadata when no token is sent', async () => {
    const response = await postMcp();
    expect(response.status).toBe(401);
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain('resource_metadata="https://mcp.example.test/.well-known/oauth-protected-resource"');
  });

  it('should challenge /sse the same way', async () => {
    const response = await fetchWorker('/sse', { headers: { Accept: 'text/event-stream' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toContain('resource_metadata=');
  });

  it('should refuse an IdP access token sent straight to /mcp', async () => {
    const response = await postMcp(await mintAccessToken('auth0|alice'));
    expect(response.status).toBe(401);
    expect(response.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
  });

  it('should accept its own token and serve the signed-in user on /mcp', async () => {
    const { tokens } = await signIn();
    const init = await postMcp(tokens.access_token);
    expect(init.status).toBe(200);
    const whoami = await postMcp(tokens.access_token, undefined, {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'whoami', arguments: {} },
    });
    expect(whoami.status).toBe(200);
    const body = await whoami.text();
    expect(body).toContain('auth0|alice');
    expect(body).not.toContain('rt-'); // no upstream refresh token in any answer
  });

  it('should refuse a token issued for another resource (another origin of this Worker)', async () => {
    const { tokens } = await signIn('auth0|alice', 'https://other.example.test');
    expect((await postMcp(tokens.access_token, 'https://other.example.test')).status).toBe(200);
    const response = await postMcp(tokens.access_token);
    expect(response.status).toBe(401);
  });

  it('should refuse a malformed Authorization header', async () => {
    const response = await fetchWorker('/mcp', { method: 'POST', headers: { Authorization: 'Basic abc' }, body: '{}' });
    expect(response.status).toBe(401);
  });

  // Repeat calls reuse the provider's verification for a few seconds (src/auth/verified-token-cache.ts): these
  // check that nothing the provider would refuse or add is lost that way.
  describe('a token used moments ago', () => {
    const whoami = { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

    it('should be refused right after it is revoked (RFC 7009)', async () => {
      const { client, tokens } = await signIn();
      expect((await postMcp(tokens.access_token, undefined, whoami)).status).toBe(200);
      const revoked = await fetchWorker('/oauth/token', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: tokens.access_token, token_type_hint: 'access_token', client_id: client.client_id }),
      });
      expect(revoked.status).toBe(200);
      const after = await postMcp(tokens.access_token, undefined, whoami);
      expect(after.status).toBe(401);
      expect(after.headers.get('WWW-Authenticate')).toContain('error="invalid_token"');
    });

    it('should still get the CORS headers when an allowed browser origin sends it', async () => {
      const { tokens } = await signIn();
      expect((await postMcp(tokens.access_token, undefined, whoami)).status).toBe(200);
      const fromBrowser = await fetchWorker('/mcp', {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          Authorization: `Bearer ${tokens.access_token}`,
          Origin: 'https://mcp.example.test',
        },
        body: JSON.stringify(whoami),
      });
      expect(fromBrowser.status).toBe(200);
      expect(fromBrowser.headers.get('Access-Control-Allow-Origin')).toBe('https://mcp.example.test');
      expect(fromBrowser.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    });
  });
});
