// The canonical origin (the request's, or MCP_SERVER_URL; https except on loopback), other hosts, and the Origin policy.
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { canonicalOrigin, OriginError } from '../src/auth/canonical-origin.js';
import worker from '../src/index.js';
import { isAllowedOrigin, originPolicy } from '../src/mcp/origin-policy.js';

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

describe('a request for another host than the canonical one (before any login)', () => {
  const canonicalEnv = { ...env, MCP_SERVER_URL: 'http://localhost:8788' } as Env;

  function fetchAt(url: string, init?: RequestInit): Promise<Response> {
    return worker.fetch(
      new Request(url, { ...init, redirect: 'manual' }) as Parameters<typeof worker.fetch>[0],
      canonicalEnv,
      createExecutionContext(),
    );
  }

  it('should spell a loopback request origin localhost when MCP_SERVER_URL is unset', () => {
    expect(canonicalOrigin(new Request('http://127.0.0.1:8788/mcp'), env)).toBe('http://localhost:8788');
    expect(canonicalOrigin(new Request('http://[::1]:8788/mcp'), env)).toBe('http://localhost:8788');
  });

  it.each([
    '/.well-known/oauth-authorization-server',
    '/.well-known/oauth-protected-resource',
    '/.well-known/oauth-protected-resource/mcp',
    '/authorize?client_id=x&response_type=code',
    '/',
  ])('should redirect GET %s on 127.0.0.1 to the same path on localhost', async (path) => {
    const response = await fetchAt(`http://127.0.0.1:8788${path}`);
    expect(response.status).toBe(308);
    expect(response.headers.get('Location')).toBe(`http://localhost:8788${path}`);
  });

  it.each(['/mcp', '/sse', '/sse/message?sessionId=x'])('should refuse %s on 127.0.0.1 with 421 naming the canonical URL', async (path) => {
    const response = await fetchAt(`http://127.0.0.1:8788${path}`, {
      method: path === '/sse' ? 'GET' : 'POST',
      body: path === '/sse' ? null : '{}',
    });
    expect(response.status).toBe(421);
    const body = (await response.json()) as { error: { message: string } };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(body.error.message).toContain(`http://localhost:8788${path.split('?')[0]}`);
  });

  it('should refuse a POST elsewhere (token, registration) with 421, and never echo the foreign host', async () => {
    const response = await fetchAt('http://evil.localhost:8788/oauth/token', { method: 'POST', body: 'grant_type=x' });
    expect(response.status).toBe(421);
    const text = await response.text();
    expect(text).toContain('http://localhost:8788');
    expect(text).not.toContain('evil');
  });

  it('should serve authorization-server metadata naming only the canonical origin', async () => {
    const response = await fetchAt('http://localhost:8788/.well-known/oauth-authorization-server', {
      headers: { 'X-Forwarded-Host': 'evil.example' },
    });
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe('http://localhost:8788');
    expect(JSON.stringify(metadata)).not.toContain('evil');
  });
});

describe('Origin on /mcp and /sse', () => {
  function fetchWith(origin: string | undefined, init: RequestInit & { path?: string; env?: Env } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (origin) headers.set('Origin', origin);
    const request = new Request(`https://mcp.example.test${init.path ?? '/mcp'}`, { ...init, headers });
    return worker.fetch(request as Parameters<typeof worker.fetch>[0], init.env ?? env, createExecutionContext());
  }

  it.each(['/mcp', '/sse', '/sse/message?sessionId=0'])('should answer 403 to a foreign Origin on %s, preflight included', async (path) => {
    for (const method of ['POST', 'OPTIONS']) {
      const response = await fetchWith('https://evil.example', { method, path });
      expect(response.status).toBe(403);
      expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull();
      expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    }
  });

  it('should let a request without Origin (native clients) through to the OAuth challenge', async () => {
    const response = await fetchWith(undefined, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
  });

  it('should let an origin listed in MCP_ALLOWED_ORIGINS through, with CORS naming it (never *)', async () => {
    const allowed = { ...env, MCP_ALLOWED_ORIGINS: 'https://playground.example, https://app.example' } as Env;
    const response = await fetchWith('https://app.example', {
      method: 'OPTIONS',
      env: allowed,
      headers: { 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example');
    expect(response.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    expect((await fetchWith('https://other.example', { method: 'POST', env: allowed })).status).toBe(403);
  });

  it('should allow loopback origins only when the server itself is on loopback', () => {
    const local = originPolicy('http://localhost:8788', env);
    expect(isAllowedOrigin('http://localhost:6274', local)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:6274', local)).toBe(true);
    expect(isAllowedOrigin('http://evil.example', local)).toBe(false);
    const cloud = originPolicy('https://mcp.example.com', env);
    expect(isAllowedOrigin('https://mcp.example.com', cloud)).toBe(true);
    expect(isAllowedOrigin('http://localhost:6274', cloud)).toBe(false);
    expect(isAllowedOrigin('null', cloud)).toBe(false);
  });

  it('should refuse a malformed MCP_ALLOWED_ORIGINS entry loudly', () => {
    expect(() => originPolicy('https://mcp.example.com', { ...env, MCP_ALLOWED_ORIGINS: 'app.example.com' } as Env)).toThrow(OriginError);
    expect(() => originPolicy('https://mcp.example.com', { ...env, MCP_ALLOWED_ORIGINS: 'https://app.example/path' } as Env)).toThrow(
      OriginError,
    );
  });
});
