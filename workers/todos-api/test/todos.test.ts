// /api/todos against real D1: CRUD for the caller, ownership isolation, field validation and body limits.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { callWorker, problemOf } from './support/call-worker.js';
import { mintToken } from './support/fake-idp-jwks.js';

const readWrite = ['read:todos', 'write:todos'];
let userCount = 0;
/** A fresh user per test, so tests never see each other's rows. */
async function newUser(scopes: readonly string[] = readWrite): Promise<{ sub: string; token: string }> {
  const sub = `auth0|user-${++userCount}-${crypto.randomUUID()}`;
  return { sub, token: await mintToken(sub, scopes) };
}

async function createTodo(token: string, title: string): Promise<{ id: string; title: string; completed: boolean }> {
  const response = await callWorker('/api/todos', { method: 'POST', token, json: { title } });
  expect(response.status).toBe(201);
  return response.json();
}

const isoTimestamp = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe('POST /api/todos', () => {
  it('should create a todo with a trimmed title and answer 201 with it', async () => {
    const { sub, token } = await newUser();
    const response = await callWorker('/api/todos', { method: 'POST', token, json: { title: '  Buy milk  ' } });
    expect(response.status).toBe(201);
    const todo = (await response.json()) as { id: string };
    expect(todo).toEqual({ id: expect.any(String), title: 'Buy milk', completed: false, createdAt: isoTimestamp, updatedAt: isoTimestamp });
    expect(response.headers.get('Location')).toBe(`/api/todos/${todo.id}`);
    const row = await env.DB.prepare('SELECT owner, title, completed FROM todos WHERE id = ?').bind(todo.id).first();
    expect(row).toEqual({ owner: sub, title: 'Buy milk', completed: 0 });
  });

  it('should require write:todos', async () => {
    const { token } = await newUser(['read:todos']);
    const response = await callWorker('/api/todos', { method: 'POST', token, json: { title: 'x' } });
    expect(response.status).toBe(403);
    expect(response.headers.get('WWW-Authenticate')).toBe('Bearer realm="todos-api", error="insufficient_scope", scope="write:todos"');
  });

  it.each([
    [{}, [{ field: 'title', message: 'is required' }]],
    [{ title: '   ' }, [{ field: 'title', message: 'must be 1 to 200 characters after trimming' }]],
    [{ title: 'x'.repeat(201) }, [{ field: 'title', message: 'must be 1 to 200 characters after trimming' }]],
    [{ title: 42 }, [{ field: 'title', message: 'must be a string' }]],
    [{ title: 'ok', owner: 'auth0|someone-else' }, [{ field: 'owner', message: 'is not a known field' }]],
    [['title'], [{ field: 'body', message: 'must be a JSON object' }]],
  ])('should reject the body %j with 400 and field errors', async (json, errors) => {
    const { token } = await newUser();
    const response = await callWorker('/api/todos', { method: 'POST', token, json });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toEqual({
      title: 'Bad Request',
      status: 400,
      detail: 'The request body has invalid fields.',
      error: 'invalid_request',
      errors,
    });
  });

  it('should accept a title of exactly 200 characters, counting emoji as one', async () => {
    const { token } = await newUser();
    expect((await createTodo(token, '🙂'.repeat(200))).title).toBe('🙂'.repeat(200));
  });

  it('should reject a body that is not JSON with 400', async () => {
    const { token } = await newUser();
    const response = await callWorker('/api/todos', {
      method: 'POST',
      token,
      body: '{"title":',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toEqual({
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is not valid UTF-8 JSON.',
      error: 'invalid_request',
    });
  });

  it('should reject a body that is not declared as JSON with 415', async () => {
    const { token } = await newUser();
    const response = await callWorker('/api/todos', {
      method: 'POST',
      token,
      body: '{"title":"x"}',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(response.status).toBe(415);
    expect((await problemOf(response)).error).toBe('invalid_request');
  });

  it('should reject a body over 16 KiB with 413 by its Content-Length', async () => {
    const { token } = await newUser();
    const response = await callWorker('/api/todos', { method: 'POST', token, json: { title: 'x'.repeat(17 * 1024) } });
    expect(response.status).toBe(413);
    expect(await problemOf(response)).toEqual({
      title: 'Content Too Large',
      status: 413,
      detail: 'The request body exceeds 16384 bytes.',
      error: 'invalid_request',
    });
  });

  it('should reject a streamed body over 16 KiB with 413 even without a Content-Length', async () => {
    const { token } = await newUser();
    const chunk = new TextEncoder().encode('x'.repeat(1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await callWorker('/api/todos', { method: 'POST', token, body, headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(413);
    expect((await problemOf(response)).detail).toBe('The request body exceeds 16384 bytes.');
    expect(sent).toBeLessThan(20);
  });
});

describe('GET /api/todos', () => {
  it("should list only the caller's todos, newest first", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await createTodo(alice.token, 'first');
    await createTodo(bob.token, 'not yours');
    await createTodo(alice.token, 'second');
    await createTodo(alice.token, 'third');
    const response = await callWorker('/api/todos', { token: alice.token });
    expect(response.status).toBe(200);
    const { todos } = (await response.json()) as { todos: { title: string }[] };
    expect(todos.map((todo) => todo.title)).toEqual(['third', 'second', 'first']);
  });

  it('should return an empty list to a new user', async () => {
    const { token } = await newUser();
    expect(await (await callWorker('/api/todos', { token })).json()).toEqual({ todos: [] });
  });
});

describe('PATCH /api/todos/:id', () => {
  it("should update the title and completion of the caller's todo", async () => {
    const { token } = await newUser();
    const created = await createTodo(token, 'draft');
    const response = await callWorker(`/api/todos/${created.id}`, { method: 'PATCH', token, json: { title: 'final', completed: true } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ...created, title: 'final', completed: true, updatedAt: isoTimestamp });
  });

  it('should change only the fields sent', async () => {
    const { token } = await newUser();
    const created = await createTodo(token, 'keep me');
    const response = await callWorker(`/api/todos/${created.id}`, { method: 'PATCH', token, json: { completed: true } });
    expect(await response.json()).toMatchObject({ title: 'keep me', completed: true });
  });

  it.each([
    [{}, [{ field: 'body', message: 'must contain "title" or "completed"' }]],
    [{ completed: 'yes' }, [{ field: 'completed', message: 'must be a boolean' }]],
    [{ complete: true }, [{ field: 'complete', message: 'is not a known field' }]],
    [
      { title: '', completed: 1 },
      [
        { field: 'title', message: 'must be 1 to 200 characters after trimming' },
        { field: 'completed', message: 'must be a boolean' },
      ],
    ],
  ])('should reject the body %j with 400 and field errors', async (json, errors) => {
    const { token } = await newUser();
    const created = await createTodo(token, 'x');
    const response = await callWorker(`/api/todos/${created.id}`, { method: 'PATCH', token, json });
    expect(response.status).toBe(400);
    expect(await problemOf(response)).toMatchObject({ status: 400, error: 'invalid_request', errors });
  });

  it('should answer 404 for a todo that does not exist', async () => {
    const { token } = await newUser();
    const response = await callWorker(`/api/todos/${crypto.randomUUID()}`, { method: 'PATCH', token, json: { completed: true } });
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toEqual({ title: 'Not Found', status: 404, detail: 'No such todo.', error: 'not_found' });
  });
});

describe('DELETE /api/todos/:id', () => {
  it("should delete the caller's todo and answer 204", async () => {
    const { token } = await newUser();
    const created = await createTodo(token, 'temporary');
    const response = await callWorker(`/api/todos/${created.id}`, { method: 'DELETE', token });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect(await env.DB.prepare('SELECT id FROM todos WHERE id = ?').bind(created.id).first()).toBeNull();
  });

  it('should answer 404 when the todo is already gone', async () => {
    const { token } = await newUser();
    const created = await createTodo(token, 'once');
    await callWorker(`/api/todos/${created.id}`, { method: 'DELETE', token });
    expect((await callWorker(`/api/todos/${created.id}`, { method: 'DELETE', token })).status).toBe(404);
  });
});

describe("another user's todo", () => {
  it('should look exactly like a missing one to PATCH, and stay unchanged', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const todo = await createTodo(alice.token, "alice's secret");
    const missing = await callWorker(`/api/todos/${crypto.randomUUID()}`, { method: 'PATCH', token: bob.token, json: { title: 'pwned' } });
    const foreign = await callWorker(`/api/todos/${todo.id}`, { method: 'PATCH', token: bob.token, json: { title: 'pwned' } });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(await missing.json());
    const row = await env.DB.prepare('SELECT owner, title, completed FROM todos WHERE id = ?').bind(todo.id).first();
    expect(row).toEqual({ owner: alice.sub, title: "alice's secret", completed: 0 });
  });

  it('should look exactly like a missing one to DELETE, and stay in the database', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const todo = await createTodo(alice.token, 'keep');
    const response = await callWorker(`/api/todos/${todo.id}`, { method: 'DELETE', token: bob.token });
    expect(response.status).toBe(404);
    expect(await problemOf(response)).toEqual({ title: 'Not Found', status: 404, detail: 'No such todo.', error: 'not_found' });
    expect(await env.DB.prepare('SELECT id FROM todos WHERE id = ?').bind(todo.id).first()).toEqual({ id: todo.id });
  });
});
