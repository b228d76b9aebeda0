// The MCP client's refresh: upstream refreshed through the grant's store; invalid_grant revokes the grant; a down IdP does not.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearDiscoveryCache } from '../src/upstream/idp-client.js';
import { idp, resetIdp } from './support/fake-idp-token-endpoint.js';
import { fetchWorker, refreshMcp, signIn } from './support/oauth-flow.js';

beforeEach(() => {
  resetIdp();
  clearDiscoveryCache();
});

function mcpStatus(token: string): Promise<number> {
  return fetchWorker('/mcp', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
  }).then((response) => response.status);
}

describe('MCP refresh_token grant', () => {
  it('should rotate the MCP refresh token and refresh upstream once', async () => {
    const { client, tokens } = await signIn();
    const response = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(response.status).toBe(200);
    const next = await response.json<{ access_token: string; refresh_token: string }>();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(idp.refreshCalls).toBe(1);
    expect(await mcpStatus(next.access_token)).toBe(200);
  });

  it('should answer invalid_grant and revoke the grant when the IdP says invalid_grant', async () => {
    const { client, tokens } = await signIn();
    expect(await mcpStatus(tokens.access_token)).toBe(200); // used moments before: the revocation must still apply at once
    idp.mode = 'invalid_grant';
    const response = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
    // The grant is gone: its access token no longer works, and refreshing again fails too (without asking the IdP).
    expect(await mcpStatus(tokens.access_token)).toBe(401);
    idp.mode = 'ok';
    const again = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(again.status).toBe(400);
  });

  it('should answer 503 temporarily_unavailable and keep the grant when the IdP is unreachable', async () => {
    const { client, tokens } = await signIn();
    idp.mode = 'unreachable';
    const response = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: 'temporarily_unavailable' });
    idp.mode = 'ok';
    const retry = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(retry.status).toBe(200);
  });

  it('should end the grant as soon as a tool call finds the IdP refused the upstream refresh token', async () => {
    idp.accessTokenTtl = 30; // upstream token already within the refresh margin: the next tool call refreshes
    const { client, tokens } = await signIn();
    idp.mode = 'invalid_grant';
    const call = await fetchWorker('/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${tokens.access_token}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list-todos', arguments: {} } }),
    });
    expect(call.status).toBe(200);
    // A 2025-era request: the answer is one JSON body.
    expect(await call.json()).toMatchObject({
      result: { isError: true, content: [{ text: expect.stringContaining('sign in again') }] },
    });
    // The very next request is refused, so the client signs in again instead of failing tool by tool.
    expect(await mcpStatus(tokens.access_token)).toBe(401);
    idp.mode = 'ok';
    expect((await refreshMcp(client.client_id, tokens.refresh_token)).status).toBe(400);
  });
});
