// Validates the JSON bodies of POST and PATCH /api/todos, reporting every bad field at once.
import { type FieldError, HttpError } from '../http/http-error.js';

export interface CreateTodoInput {
  title: string;
}

export interface UpdateTodoInput {
  title?: string;
  completed?: boolean;
}

/** Title length bounds, in Unicode code points, after trimming. */
export const titleLength = { min: 1, max: 200 } as const;

export function parseCreateTodo(body: unknown): CreateTodoInput {
  const fields = asObject(body);
  const errors = unknownFields(fields, ['title']);
  if (!('title' in fields)) errors.push({ field: 'title', message: 'is required' });
  const title = 'title' in fields ? checkTitle(fields.title, errors) : undefined;
  if (errors.length > 0 || title === undefined) throw invalid(errors);
  return { title };
}

export function parseUpdateTodo(body: unknown): UpdateTodoInput {
  const fields = asObject(body);
  const errors = unknownFields(fields, ['title', 'completed']);
  const input: UpdateTodoInput = {};
  if ('title' in fields) {
    const title = checkTitle(fields.title, errors);
    if (title !== undefined) input.title = title;
  }
  if ('completed' in fields) {
    if (typeof fields.completed === 'boolean') input.completed = fields.completed;
    else errors.push({ field: 'completed', message: 'must be a boolean' });
  }
  if (errors.length === 0 && !('title' in fields) && !('completed' in fields)) {
    errors.push({ field: 'body', message: 'must contain "title" or "completed"' });
  }
  if (errors.length > 0) throw invalid(errors);
  return input;
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid([{ field: 'body', message: 'must be a JSON object' }]);
  }
  return body as Record<string, unknown>;
}

// Unknown fields are rejected rather than ignored, so a client's typo ("complete") never silently does nothing.
function unknownFields(fields: Record<string, unknown>, allowed: readonly string[]): FieldError[] {
  return Object.keys(fields)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: key, message: 'is not a known field' }));
}

function checkTitle(value: unknown, errors: FieldError[]): string | undefined {
  if (typeof value !== 'string') {
    errors.push({ field: 'title', message: 'must be a string' });
    return undefined;
  }
  const title = value.trim();
  const length = [...title].length;
  if (length < titleLength.min || length > titleLength.max) {
    errors.push({ field: 'title', message: `must be ${titleLength.min} to ${titleLength.max} characters after trimming` });
    return undefined;
  }
  return title;
}

function invalid(errors: readonly FieldError[]): HttpError {
  return new HttpError(400, { code: 'invalid_request', detail: 'The request body has invalid fields.', fieldErrors: errors });
}
