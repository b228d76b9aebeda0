// Load test of the local stack: 32 concurrent MCP sessions, each with its own OAuth sign-in, making tool calls over
// /mcp; every answer is checked and alice's and bob's todos must never mix. In `npm test` each session makes 25 calls
// (the concurrency and the sign-ins are what it tests); `npm run test:load` makes 100 each (LOAD_CALLS_PER_SESSION).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../scripts/local-stack/start-local-stack.js';
import { jwtPattern, leakedSecrets, localUser, resultText } from './support/fault-tools.js';
import { connectMcp, DriverOAuthProvider } from './support/mcp-oauth-driver.js';
import { startTestStack, type TestStack } from './support/start-test-stack.js';

// Apart from the dev ports and other e2e files.
const ports = { mcp: 31888, api: 31889, idp: 31890 };

const SESSIONS = 32;
const CALLS_PER_SESSION = callsPerSession(process.env.LOAD_CALLS_PER_SESSION);
/** One add-todo every ADD_EVERY calls, starting with the first; the other calls are list-todos. */
const ADD_EVERY = 5;
const ADDS_PER_SESSION = Math.ceil(CALLS_PER_SESSION / ADD_EVERY);
/** Generous bound for the whole run on a busy 2-core machine; the run's real duration is logged. */
const LOAD_TIMEOUT_MS = 300_000;

function callsPerSession(setting: string | undefined): number {
  if (setting === undefined) return 25;
  const calls = Number(setting);
  if (!Number.isInteger(calls) || calls < 1) throw new Error(`LOAD_CALLS_PER_SESSION must be a positive integer, got "${setting}"`);
  return calls;
}

interface Todo {
  id: string;
  title: string;
}

const users = ['alice', 'bob'] as const;
type UserName = (typeof users)[number];

let testStack: TestStack;
let stack: LocalStack;

/** Titles carry the user's marker (and this run's id) so a foreign todo in a list is recognised at once. */
const runId = crypto.randomUUID().slice(0, 8);
const marker = (user: UserName): string => `load-${user}-${runId}`;

function parseTodos(result: CallToolResult): Todo[] {
  return (JSON.parse(resultText(result)) as { todos: Todo[] }).todos;
}

/** One session: sign in, then make its calls one after another; every problem is recorded, not thrown. */
async function runSession(index: number, failures: string[]): Promise<{ user: UserName; added: Todo[] }> {
  const user = users[index % users.length]!;
  const own = marker(user);
  const added: Todo[] = [];
  const fail = (call: number, what: string): void => {
    failures.push(`session ${index} (${user}) call ${call}: ${what}`);
  };
  let client: Client;
  try {
    client = await connectMcp('streamable-http', stack.urls.mcp, new DriverOAuthProvider(localUser(stack, user)));
  } catch (error) {
    fail(-1, `sign-in failed: ${(error as Error).message}`);
    return { user, added };
  }
  try {
    for (let call = 0; call < CALLS_PER_SESSION; call++) {
      try {
        if (call % ADD_EVERY === 0) {
          const title = `${own} s${index} #${call}`;
          const result = (await client.callTool({ name: 'add-todo', arguments: { title } })) as CallToolResult;
          if (result.isError) {
            fail(call, `add-todo error: ${resultText(result)}`);
            continue;
          }
          const todo = JSON.parse(resultText(result)) as Todo;
          if (todo.title !== title || typeof todo.id !== 'string') fail(call, `add-todo returned ${resultText(result)}`);
          else added.push(todo);
        } else {
          const result = (await client.callTool({ name: 'list-todos', arguments: {} })) as CallToolResult;
          if (result.isError) {
            fail(call, `list-todos error: ${resultText(result)}`);
            continue;
          }
          const todos = parseTodos(result);
          const foreign = todos.filter((todo) => !todo.title.startsWith(`${own} `));
          if (foreign.length > 0) fail(call, `list-todos shows ${foreign.length} todo(s) of another user, e.g. "${foreign[0]!.title}"`);
          const ids = new Set(todos.map((todo) => todo.id));
          const missing = added.filter((todo) => !ids.has(todo.id));
          if (missing.length > 0) fail(call, `list-todos misses ${missing.length} todo(s) this session added`);
        }
      } catch (error) {
        fail(call, `threw ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
  } finally {
    await client.close();
  }
  return { user, added };
}

describe(`load: ${SESSIONS} concurrent MCP sessions`, () => {
  beforeAll(async () => {
    testStack = await startTestStack({ ports });
    stack = testStack.stack;
  });

  afterAll(async () => {
    await testStack?.dispose();
  });

  it(
    `should answer ${SESSIONS} x ${CALLS_PER_SESSION} tool calls without an error and keep users apart`,
    async () => {
      const failures: string[] = [];
      const started = performance.now();
      const sessions = await Promise.all(Array.from({ length: SESSIONS }, (_, index) => runSession(index, failures)));
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `[load] ${SESSIONS} sessions x ${CALLS_PER_SESSION} calls in ${seconds.toFixed(1)} s (${((SESSIONS * CALLS_PER_SESSION) / seconds).toFixed(0)} calls/s)`,
      );

      expect(failures.length, failures.slice(0, 10).join('\n')).toBe(0);

      // In the end each user owns exactly what their sessions added, and nothing of the other user.
      for (const user of users) {
        const expected = sessions.filter((s) => s.user === user).flatMap((s) => s.added);
        expect(expected).toHaveLength((SESSIONS / users.length) * ADDS_PER_SESSION);
        const client = await connectMcp('streamable-http', stack.urls.mcp, new DriverOAuthProvider(localUser(stack, user)));
        try {
          const result = (await client.callTool({ name: 'list-todos', arguments: {} })) as CallToolResult;
          expect(result.isError, resultText(result)).toBeFalsy();
          const todos = parseTodos(result);
          expect(todos.map((todo) => todo.id).sort()).toEqual(expected.map((todo) => todo.id).sort());
          for (const todo of todos) expect(todo.title.startsWith(`${marker(user)} `)).toBe(true);
        } finally {
          await client.close();
        }
      }

      // Thousands of requests later, the logs still hold no token or secret.
      const logs = testStack.logs.join('\n');
      expect(leakedSecrets(logs, [stack.idp.mcpApp.clientSecret, ...stack.idp.users.map((u) => u.password)])).toBe(0);
      expect(logs).not.toMatch(jwtPattern);
    },
    LOAD_TIMEOUT_MS,
  );
});
