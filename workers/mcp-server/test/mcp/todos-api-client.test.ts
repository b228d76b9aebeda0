// The Todos API client: how it reaches the API and how every refusal is classified.
import { describe, expect, it, vi } from 'vitest';
import { callTodosApi, type TodosApiTarget } from '../../src/mcp/todos-api-client.js';

function binding(respond: (request: Request) => Response | Promise<Response>): { target: TodosApiTarget; requests: Request[] } {
  const requests: Request[] = [];
  const fetcher = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input as RequestInfo, init);
      requests.push(request);
      return respond(request);
    },
  } as unknown as Fetcher;
  return { target: { TODOS_API: fetcher }, requests };
}

const list = { method: 'GET', path: '/api/todos', requiredScope: 'read:todos' } as const;

describe('callTodosApi', () => {
  it('should send the bearer token and JSON body over the service binding', async () => {
    const { target, requests } = binding(() => Response.json({ id: '1' }, { status: 201 }));
    const result = await callTodosApi(target, 'tok', {
      method: 'POST',
      path: '/api/todos',
      body: { title: 't' },
      requiredScope: 'write:todos',
    });
    expect(result).toEqual({ ok: true, status: 201, data: { id: '1' } });
    expect(requests[0]?.url).toBe('https://todos-api.internal/api/todos');
    expect(requests[0]?.headers.get('Authorization')).toBe('Bearer tok');
    expect(requests[0]?.headers.get('Content-Type')).toBe('application/json');
    expect(await requests[0]?.json()).toEqual({ title: 't' });
  });

  it('should address the binding with API_BASE_URL when it is set', async () => {
    const { target, requests } = binding(() => Response.json([]));
    await callTodosApi({ ...target, API_BASE_URL: 'https://todos.example.test/' }, 'tok', list);
    expect(requests[0]?.url).toBe('https://todos.example.test/api/todos');
  });

  it('should treat 204 as success without a body', async () => {
    const { target } = binding(() => new Response(null, { status: 204 }));
    expect(await callTodosApi(target, 'tok', { method: 'DELETE', path: '/api/todos/1', requiredScope: 'write:todos' })).toEqual({
      ok: true,
      status: 204,
      data: null,
    });
  });

  it('should take the missing scope from the RFC 6750 challenge', async () => {
    const { target } = binding(
      () =>
        new Response(null, {
          status: 403,
          headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", scope="read:billing"' },
        }),
    );
    expect(await callTodosApi(target, 'tok', list)).toEqual({ ok: false, failure: { kind: 'insufficient_scope', scope: 'read:billing' } });
  });

  it("should fall back to the endpoint's required scope when the 403 does not name one", async () => {
    const { target } = binding(() => Response.json({ error: 'insufficient_scope' }, { status: 403 }));
    expect(await callTodosApi(target, 'tok', list)).toEqual({ ok: false, failure: { kind: 'insufficient_scope', scope: 'read:todos' } });
  });

  it('should list field errors from a 400', async () => {
    const { target } = binding(() =>
      Response.json(
        {
          error: 'invalid_request',
          issues: [
            { path: ['title'], message: 'Too long' },
            { field: 'due', message: 'Invalid date' },
          ],
        },
        { status: 400 },
      ),
    );
    expect(await callTodosApi(target, 'tok', list)).toEqual({
      ok: false,
      failure: { kind: 'invalid_request', details: ['title: Too long', 'due: Invalid date'] },
    });
  });

  it('should fall back to error_description for a 400 without field errors', async () => {
    const { target } = binding(() => Response.json({ error: 'invalid_request', error_description: 'title is required' }, { status: 400 }));
    expect(await callTodosApi(target, 'tok', list)).toEqual({
      ok: false,
      failure: { kind: 'invalid_request', details: ['title is required'] },
    });
  });

  it.each([
    [401, { kind: 'unauthorized' }],
    [404, { kind: 'not_found' }],
    [500, { kind: 'unavailable', status: 500 }],
    [502, { kind: 'unavailable', status: 502 }],
  ])('should classify %i', async (status, failure) => {
    const { target } = binding(() => new Response('nope', { status }));
    expect(await callTodosApi(target, 'tok', list)).toEqual({ ok: false, failure });
  });

  it('should call it unavailable when a 200 is not JSON', async () => {
    const { target } = binding(() => new Response('<html>', { status: 200 }));
    expect(await callTodosApi(target, 'tok', list)).toEqual({ ok: false, failure: { kind: 'unavailable', status: 200 } });
  });

  it('should call it unavailable when the request fails', async () => {
    const { target } = binding(() => {
      throw new TypeError('Network connection lost.');
    });
    expect(await callTodosApi(target, 'tok', list)).toEqual({ ok: false, failure: { kind: 'unavailable' } });
  });

  it('should call it unavailable, without fetching, when nothing is configured', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      expect(await callTodosApi({ API_BASE_URL: '' }, 'tok', list)).toEqual({ ok: false, failure: { kind: 'unavailable' } });
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
