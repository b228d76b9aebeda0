// Health check, unknown routes and wrong methods: JSON answers without any token.
import { describe, expect, it } from 'vitest';
import { callWorker, problemOf } from './support/call-worker.js';

describe('routing', () => {
  it('should answer the health check without a token', async () => {
    const response = await callWorker('/api/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('should answer an unknown route with a 404 problem', async () => {
    const response = await callWorker('/api/nothing-here');
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toEqual({ title: 'Not Found', status: 404, detail: 'No such route.', error: 'not_found' });
  });

  it('should answer a wrong method with a 405 problem and the allowed methods', async () => {
    const response = await callWorker('/api/todos', { method: 'PUT' });
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('GET, HEAD, POST');
    expect(await problemOf(response)).toEqual({
      title: 'Method Not Allowed',
      status: 405,
      detail: 'This method is not allowed on this resource.',
      error: 'method_not_allowed',
    });
  });

  it('should answer GET on a single todo with 405, since only PATCH and DELETE exist there', async () => {
    const response = await callWorker('/api/todos/some-id');
    expect(response.status).toBe(405);
    expect(response.headers.get('Allow')).toBe('PATCH, DELETE');
  });
});
