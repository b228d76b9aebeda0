// Routes of /api/todos: list, create, update and delete the caller's todos.
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { HttpError } from '../http/http-error.js';
import { readJsonBody } from '../http/read-json-body.js';
import { requireScope } from '../middleware/require-scope.js';
import { verifyAccessToken } from '../middleware/verify-access-token.js';
import { parseCreateTodo, parseUpdateTodo } from './todo-input.js';
import { createTodo, deleteTodo, listTodos, updateTodo } from './todos-repository.js';

const authenticated = verifyAccessToken();

export const todosRoutes = new Hono<AppEnv>()
  .get('/', authenticated, requireScope('read:todos'), async (c) => {
    return c.json({ todos: await listTodos(c.env.DB, c.get('accessToken').subject) });
  })
  .post('/', authenticated, requireScope('write:todos'), async (c) => {
    const input = parseCreateTodo(await readJsonBody(c.req.raw));
    const todo = await createTodo(c.env.DB, c.get('accessToken').subject, input);
    return c.json(todo, 201, { Location: `/api/todos/${todo.id}` });
  })
  .patch('/:id', authenticated, requireScope('write:todos'), async (c) => {
    const input = parseUpdateTodo(await readJsonBody(c.req.raw));
    const todo = await updateTodo(c.env.DB, c.get('accessToken').subject, c.req.param('id'), input);
    if (todo === null) throw todoNotFound();
    return c.json(todo);
  })
  .delete('/:id', authenticated, requireScope('write:todos'), async (c) => {
    if (!(await deleteTodo(c.env.DB, c.get('accessToken').subject, c.req.param('id')))) throw todoNotFound();
    return c.body(null, 204);
  });

// Same answer for "does not exist" and "is someone else's": ids of other users' todos stay unconfirmable.
function todoNotFound(): HttpError {
  return new HttpError(404, { code: 'not_found', detail: 'No such todo.' });
}
