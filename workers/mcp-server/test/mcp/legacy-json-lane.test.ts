// The 2025 JSON lane's server lifetime: the answer is complete before the server is closed, and it is always closed.
import { McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it, vi } from 'vitest';
import { afterResponseWorkSettled } from '../../src/http/after-response.js';
import { answerLegacyRequestAsJson } from '../../src/mcp/legacy-json-lane.js';

const callWhoami = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'whoami', arguments: {} } };

function post(body: unknown): Request {
  return new Request('https://mcp.example.test/mcp', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify(body),
  });
}

function serverWithWhoami(): McpServer {
  const server = new McpServer({ name: 'lane-test', version: '1.0.0' }, { capabilities: { tools: { listChanged: false } } });
  server.registerTool('whoami', { description: 'Answers at once.' }, () => ({ content: [{ type: 'text', text: 'alice' }] }));
  return server;
}

describe('2025 JSON lane', () => {
  it('should answer in full before closing the server, and close it once afterwards', async () => {
    const server = serverWithWhoami();
    const close = vi.spyOn(server, 'close');

    const response = await answerLegacyRequestAsJson(server, post(callWhoami), { parsedBody: callWhoami });

    expect(close).not.toHaveBeenCalled();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'alice' }] } });
    await afterResponseWorkSettled();
    expect(close).toHaveBeenCalledTimes(1);
    expect(server.isConnected()).toBe(false);
  });

  it('should answer a failure as a JSON-RPC internal error, naming no cause, and still close the server', async () => {
    const server = serverWithWhoami();
    const close = vi.spyOn(server, 'close');
    vi.spyOn(server, 'connect').mockRejectedValueOnce(new Error('secret detail'));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});

    const response = await answerLegacyRequestAsJson(server, post(callWhoami), { parsedBody: callWhoami });

    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' } });
    expect(text).not.toContain('secret detail');
    expect(JSON.stringify(logged.mock.calls)).not.toContain('secret detail');
    await afterResponseWorkSettled();
    expect(close).toHaveBeenCalledTimes(1);
    logged.mockRestore();
  });
});
