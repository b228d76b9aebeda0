// Client for the Todos API Worker: one typed call per endpoint, every refusal mapped to a typed failure.
import type { TodosPermission } from '../../../../system/system.js';

/**
 * Where the Todos API is reached. The service binding is preferred (no public hop, works in local
 * mode and in the cloud); `API_BASE_URL` is the fallback when the binding is absent.
 */
export interface TodosApiTarget {
  TODOS_API?: Fetcher;
  API_BASE_URL?: string;
}

/** Why a Todos API call did not succeed; callers branch on `kind`, never on message text. */
export type TodosApiFailure =
  /** 403 `insufficient_scope`: the upstream token lacks `scope`. */
  | { kind: 'insufficient_scope'; scope: string }
  /** 404: the todo does not exist (or is not the caller's). */
  | { kind: 'not_found' }
  /** 400: the API rejected the input; `details` lists what was wrong, one entry per problem. */
  | { kind: 'invalid_request'; details: string[] }
  /** 401: the upstream token was refused (expired or revoked at the IdP). */
  | { kind: 'unauthorized' }
  /** Network error, timeout, 5xx or an unreadable answer. */
  | { kind: 'unavailable'; status?: number };

export type TodosApiResult<T = unknown> = { ok: true; status: number; data: T } | { ok: false; failure: TodosApiFailure };

export interface TodosApiCallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the API origin, starting with `/api/`. */
  path: string;
  body?: unknown;
  /**
   * The scope this endpoint requires: used to name the missing scope when the API's 403 does
   * not say (RFC 6750 lets a server omit `scope` from the challenge).
   */
  requiredScope: TodosPermission;
}

/** Origin used for service-binding requests when no `API_BASE_URL` is configured. */
const SERVICE_BINDING_ORIGIN = 'https://todos-api.internal';
/** Upper bound on one API call, in milliseconds: past this the user is told to retry. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Calls the Todos API with the user's upstream access token. Never throws; never returns the token. */
export async function callTodosApi<T = unknown>(
  target: TodosApiTarget,
  accessToken: string,
  options: TodosApiCallOptions,
): Promise<TodosApiResult<T>> {
  const url = apiUrl(target, options.path);
  if (url === undefined) {
    // Misconfiguration (neither binding nor base URL): the user can only wait for an operator.
    console.error('todos-api-client: neither TODOS_API nor a valid API_BASE_URL is configured');
    return { ok: false, failure: { kind: 'unavailable' } };
  }
  const headers = new Headers({ Authorization: `Bearer ${accessToken}`, Accept: 'application/json' });
  if (options.body !== undefined) headers.set('Content-Type', 'application/json');
  const init: RequestInit = {
    method: options.method,
    headers,
    body: options.body === undefined ? null : JSON.stringify(options.body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  };

  let response: Response;
  try {
    response = target.TODOS_API ? await target.TODOS_API.fetch(url, init) : await fetch(url, init);
  } catch (error) {
    console.error('todos-api-client: request failed', options.method, options.path, errorName(error));
    return { ok: false, failure: { kind: 'unavailable' } };
  }

  if (response.ok) {
    if (response.status === 204) return { ok: true, status: 204, data: null as T };
    try {
      return { ok: true, status: response.status, data: (await response.json()) as T };
    } catch {
      return { ok: false, failure: { kind: 'unavailable', status: response.status } };
    }
  }
  return { ok: false, failure: await failureOf(response, options.requiredScope) };
}

function apiUrl(target: TodosApiTarget, path: string): string | undefined {
  const base = target.API_BASE_URL?.trim();
  if (base) {
    try {
      return new URL(path, base).toString();
    } catch {
      if (!target.TODOS_API) return undefined;
    }
  }
  return target.TODOS_API ? new URL(path, SERVICE_BINDING_ORIGIN).toString() : undefined;
}

async function failureOf(response: Response, requiredScope: TodosPermission): Promise<TodosApiFailure> {
  const body = await readJsonObject(response);
  const challenge = response.headers.get('WWW-Authenticate') ?? '';
  const errorCode = stringField(body, 'error') ?? challengeParam(challenge, 'error');

  switch (response.status) {
    case 400:
      return { kind: 'invalid_request', details: validationDetails(body) };
    case 401:
      return { kind: 'unauthorized' };
    case 403: {
      // The API refuses only for scope (ownership is a 404), so any 403 is insufficient_scope; the
      // scope it names wins, else the one this endpoint is documented to need.
      const named = errorCode === 'insufficient_scope' ? (challengeParam(challenge, 'scope') ?? stringField(body, 'scope')) : undefined;
      return { kind: 'insufficient_scope', scope: named ?? requiredScope };
    }
    case 404:
      return { kind: 'not_found' };
    case 422:
      return { kind: 'invalid_request', details: validationDetails(body) };
    default:
      return { kind: 'unavailable', status: response.status };
  }
}

async function readJsonObject(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = await response.json();
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringField(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body?.[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A parameter of an RFC 6750 `Bearer` challenge, e.g. `scope="read:billing"`. */
function challengeParam(challenge: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|[\\s,])${name}="([^"]*)"`, 'i').exec(challenge);
  return match?.[1];
}

/**
 * The API's field errors as short lines. Accepts the shapes validation libraries commonly emit
 * (the Todos API's problem+json `errors: [{field, message}]`, `issues: [{path, message}]`,
 * `fields: {field: message | [messages]}`) and falls back to `detail` / `error_description` / `message`.
 */
function validationDetails(body: Record<string, unknown> | undefined): string[] {
  if (!body) return [];
  const details: string[] = [];
  for (const key of ['issues', 'errors', 'fields', 'fieldErrors', 'details']) {
    const value = body[key];
    if (Array.isArray(value)) {
      for (const item of value) details.push(describeIssue(item));
    } else if (typeof value === 'object' && value !== null) {
      for (const [field, messages] of Object.entries(value)) {
        const list = Array.isArray(messages) ? messages : [messages];
        for (const message of list) details.push(`${field}: ${String(message)}`);
      }
    }
  }
  if (details.length === 0) {
    for (const key of ['detail', 'error_description', 'message']) {
      if (typeof body[key] === 'string' && body[key]) {
        details.push(body[key]);
        break;
      }
    }
  }
  return details.filter((line) => line.length > 0).slice(0, 20);
}

function describeIssue(issue: unknown): string {
  if (typeof issue === 'string') return issue;
  if (typeof issue !== 'object' || issue === null) return '';
  const { path, field, message } = issue as { path?: unknown; field?: unknown; message?: unknown };
  const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : typeof field === 'string' ? field : '';
  const what = typeof message === 'string' ? message : 'is invalid';
  return where ? `${where}: ${what}` : what;
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
