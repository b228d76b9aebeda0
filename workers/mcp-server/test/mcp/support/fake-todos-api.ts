// In-memory Todos API for MCP tests: same routes, shapes, scope checks and refusals (RFC 6750
// challenges, problem+json bodies with `errors: [{field, message}]`) as workers/todos-api.

export interface FakeTodo {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

export interface FakeTodosApi {
  /** Use as `env.TODOS_API`. */
  fetcher: Fetcher;
  todos: FakeTodo[];
  calls: RecordedCall[];
  /** 'up' (default), 'unreachable' (fetch throws) or 'failing' (503). */
  mode: 'up' | 'unreachable' | 'failing';
}

interface FieldError {
  field: string;
  message: string;
}

const TITLE_MAX = 200;

/** @param tokens access token → scopes it carries; any other bearer token is refused with 401. */
export function createFakeTodosApi(tokens: Record<string, string[]>): FakeTodosApi {
  const api: FakeTodosApi = {
    todos: [],
    calls: [],
    mode: 'up',
    fetcher: {
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => handle(new Request(input as RequestInfo, init)),
      connect: () => {
        throw new Error('connect() is not supported by the fake Todos API');
      },
    } as unknown as Fetcher,
  };

  function problem(status: number, error: string, detail: string, extra: { errors?: FieldError[]; challenge?: string } = {}): Response {
    const headers = new Headers({ 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' });
    if (extra.challenge) headers.set('WWW-Authenticate', extra.challenge);
    const body = { title: String(status), status, detail, error, ...(extra.errors ? { errors: extra.errors } : {}) };
    return new Response(JSON.stringify(body), { status, headers });
  }

  function invalid(errors: FieldError[]): Response {
    return problem(400, 'invalid_request', 'The request body has invalid fields.', { errors });
  }

  function checkFields(body: unknown, allowed: string[]): { fields: Record<string, unknown>; errors: FieldError[] } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { fields: {}, errors: [{ field: 'body', message: 'must be a JSON object' }] };
    }
    const fields = body as Record<string, unknown>;
    const errors = Object.keys(fields)
      .filter((key) => !allowed.includes(key))
      .map((key) => ({ field: key, message: 'is not a known field' }));
    if ('title' in fields) {
      const title = typeof fields.title === 'string' ? fields.title.trim() : undefined;
      if (title === undefined) errors.push({ field: 'title', message: 'must be a string' });
      else if ([...title].length < 1 || [...title].length > TITLE_MAX) {
        errors.push({ field: 'title', message: `must be 1 to ${TITLE_MAX} characters after trimming` });
      }
    }
    if ('completed' in fields && typeof fields.completed !== 'boolean') errors.push({ field: 'completed', message: 'must be a boolean' });
    return { fields, errors };
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const text = await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    api.calls.push({ method: request.method, path: url.pathname, authorization: request.headers.get('Authorization'), body });
    if (api.mode === 'unreachable') throw new TypeError('Network connection lost.');
    if (api.mode === 'failing') return problem(503, 'temporarily_unavailable', 'The database is unavailable.');

    const token = /^Bearer (.+)$/.exec(request.headers.get('Authorization') ?? '')?.[1];
    const scopes = token === undefined ? undefined : tokens[token];
    if (!scopes) {
      return problem(401, 'invalid_token', 'The access token is invalid or expired.', {
        challenge: 'Bearer realm="todos-api", error="invalid_token"',
      });
    }
    const need = (scope: string): Response | undefined =>
      scopes.includes(scope)
        ? undefined
        : problem(403, 'insufficient_scope', `This request needs the ${scope} scope.`, {
            challenge: `Bearer realm="todos-api", error="insufficient_scope", scope="${scope}"`,
          });

    const idMatch = /^\/api\/todos\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/api/todos' && request.method === 'GET') {
      return need('read:todos') ?? Response.json({ todos: api.todos });
    }
    if (url.pathname === '/api/todos' && request.method === 'POST') {
      const refused = need('write:todos');
      if (refused) return refused;
      const { fields, errors } = checkFields(body, ['title']);
      if (!('title' in fields) && errors.length === 0) errors.push({ field: 'title', message: 'is required' });
      if (errors.length > 0) return invalid(errors);
      const now = new Date().toISOString();
      const todo = { id: crypto.randomUUID(), title: String(fields.title).trim(), completed: false, createdAt: now, updatedAt: now };
      api.todos.unshift(todo);
      return Response.json(todo, { status: 201, headers: { Location: `/api/todos/${todo.id}` } });
    }
    if (idMatch && (request.method === 'PATCH' || request.method === 'DELETE')) {
      const refused = need('write:todos');
      if (refused) return refused;
      if (request.method === 'PATCH') {
        const { fields, errors } = checkFields(body, ['title', 'completed']);
        if (errors.length > 0) return invalid(errors);
        const todo = api.todos.find((candidate) => candidate.id === decodeURIComponent(idMatch[1] ?? ''));
        if (!todo) return problem(404, 'not_found', 'No such todo.');
        if (typeof fields.completed === 'boolean') todo.completed = fields.completed;
        if (typeof fields.title === 'string') todo.title = fields.title.trim();
        todo.updatedAt = new Date().toISOString();
        return Response.json(todo);
      }
      const index = api.todos.findIndex((candidate) => candidate.id === decodeURIComponent(idMatch[1] ?? ''));
      if (index < 0) return problem(404, 'not_found', 'No such todo.');
      api.todos.splice(index, 1);
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/api/billing' && request.method === 'GET') {
      return (
        need('read:billing') ??
        Response.json({ plan: 'starter', status: 'active', currency: 'USD', monthlyPriceCents: 900, createdAt: new Date().toISOString() })
      );
    }
    return problem(404, 'not_found', 'No such route.');
  }

  return api;
}
