// The canonical origin: the request's (or MCP_SERVER_URL), https except on loopback hosts.
import { env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { canonicalOrigin, OriginError } from '../src/auth/canonical-origin.js';

describe('canonicalOrigin', () => {
  it("should use the request's origin by default", () => {
    expect(canonicalOrigin(new Request('https://mcp.example.com/mcp?x=1'), env)).toBe('https://mcp.example.com');
    expect(canonicalOrigin(new Request('http://localhost:8788/sse'), env)).toBe('http://localhost:8788');
  });

  it('should prefer MCP_SERVER_URL when it is set', () => {
    expect(canonicalOrigin(new Request('https://x.workers.dev/mcp'), { ...env, MCP_SERVER_URL: 'https://mcp.example.com' })).toBe(
      'https://mcp.example.com',
    );
  });

  it('should refuse plain http on a non-loopback host', () => {
    expect(() => canonicalOrigin(new Request('http://mcp.example.com/mcp'), env)).toThrow(OriginError);
  });

  it('should answer such a request with a 400 page, not a 500', async () => {
    const response = await SELF.fetch('http://mcp.example.com/.well-known/oauth-authorization-server');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('https');
  });
});
