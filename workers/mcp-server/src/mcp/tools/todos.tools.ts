// Todo tools: list, add, complete and delete the signed-in user's todos through the Todos API.
import type { McpServer } from '@modelcontextprotocol/server';
// A namespace import, as zod 4 documents: esbuild then keeps only what is used. `import { z }` pulls in all of zod,
// its 64 locales too (0.55 MB of a 1.69 MB bundle), that every isolate has to compile at startup.
import * as z from 'zod';
import { callTodosApi } from '../todos-api-client.js';
import { registerTool } from './tool-call.js';
import type { ToolContext } from './tool-context.js';
import { apiFailureResult, jsonResult, withUpstreamToken } from './tool-result.js';

/**
 * A todo id as the API issues it (a UUID today). Restricted to a safe alphabet so an id can never
 * change the request path (e.g. `../billing`).
 */
const todoId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a todo id as shown by list-todos')
  .describe('The id of the todo, as shown by list-todos.');

/**
 * A sanity cap only: the Todos API owns the exact rule (1–200 characters after trimming) and its
 * field errors are relayed, so the rule lives in one place.
 */
const TITLE_CAP = 1000;

// Input schemas are built once per isolate, not per server: /mcp creates a server for every request,
// and the SDK would otherwise wrap each raw shape in a new z.object every time.
const addTodoInput = z.object({
  title: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(TITLE_CAP, `must be at most ${TITLE_CAP} characters`)
    .describe('What to do (the Todos API accepts up to 200 characters).'),
});
const completeTodoInput = z.object({
  id: todoId,
  completed: z.boolean().default(true).describe('true (default) to mark it done, false to reopen it.'),
});
const deleteTodoInput = z.object({ id: todoId });

function todoPath(id: string): string {
  return `/api/todos/${encodeURIComponent(id)}`;
}

export function registerTodosTools(server: McpServer, context: ToolContext): void {
  registerTool(
    server,
    'list-todos',
    {
      title: 'List todos',
      description: "Lists the signed-in user's todos.",
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (_args, { props }) =>
      withUpstreamToken(context, props, async (token) => {
        const result = await callTodosApi(context.api, token, { method: 'GET', path: '/api/todos', requiredScope: 'read:todos' });
        if (!result.ok) return apiFailureResult(result.failure, { consequence: "your todos can't be shown" });
        return jsonResult(Array.isArray(result.data) ? { todos: result.data } : result.data);
      }),
  );

  registerTool(
    server,
    'add-todo',
    {
      title: 'Add a todo',
      description: 'Adds a todo for the signed-in user and returns it.',
      inputSchema: addTodoInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ title }, { props }) =>
      withUpstreamToken(context, props, async (token) => {
        const result = await callTodosApi(context.api, token, {
          method: 'POST',
          path: '/api/todos',
          body: { title },
          requiredScope: 'write:todos',
        });
        if (!result.ok) return apiFailureResult(result.failure, { consequence: "todos can't be added" });
        return jsonResult(result.data);
      }),
  );

  registerTool(
    server,
    'complete-todo',
    {
      title: 'Complete a todo',
      description: 'Marks a todo as completed (or, with completed=false, as not completed) and returns it.',
      inputSchema: completeTodoInput,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    ({ id, completed }, { props }) =>
      withUpstreamToken(context, props, async (token) => {
        const result = await callTodosApi(context.api, token, {
          method: 'PATCH',
          path: todoPath(id),
          body: { completed },
          requiredScope: 'write:todos',
        });
        if (!result.ok) return apiFailureResult(result.failure, { consequence: "todos can't be changed", id });
        return jsonResult(result.data);
      }),
  );

  registerTool(
    server,
    'delete-todo',
    {
      title: 'Delete a todo',
      description: 'Deletes a todo of the signed-in user.',
      inputSchema: deleteTodoInput,
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ id }, { props }) =>
      withUpstreamToken(context, props, async (token) => {
        const result = await callTodosApi(context.api, token, { method: 'DELETE', path: todoPath(id), requiredScope: 'write:todos' });
        if (!result.ok) return apiFailureResult(result.failure, { consequence: "todos can't be deleted", id });
        // The API may answer 204: say plainly what happened either way.
        return jsonResult(result.data ?? { deleted: true, id });
      }),
  );
}
