// `npm run dev`: starts the whole local system (local IdP + Workers in workerd) and prints how to use it.
// Run by Node itself, types stripped (`node --import ./scripts/resolve-ts-extensions.ts scripts/dev.ts`): no compiler
// in front of the first start (see resolve-ts-extensions.ts), and no second Node process as a CLI wrapper would add.
import { performance } from 'node:perf_hooks';
import { mcpServer, todosApi } from '../system/system.js';
import { PortInUseError } from './local-stack/ensure-ports-free.js';
import { type LocalStack, startLocalStack } from './local-stack/start-local-stack.js';

const startedAt = performance.now();
let stack: LocalStack | undefined;

try {
  stack = await startLocalStack({ log: (line) => console.log(line) });
} catch (error) {
  // Expected failures (busy port, build error) get their message only; anything else keeps its stack for debugging.
  const known = error instanceof PortInUseError || (error instanceof Error && error.name === 'WorkerBundleError');
  console.error(
    `\nThe local stack did not start: ${known ? (error as Error).message : error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exit(1);
}

const running = stack;
console.log(usage(running, performance.now() - startedAt));

let stoppingSince: number | undefined;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stoppingSince !== undefined) {
    // Ctrl-C can reach this process twice at once (from the terminal, and relayed by a wrapper such as the tsx CLI):
    // only a later one means "stop waiting and exit now".
    if (performance.now() - stoppingSince > 1000) process.exit(130);
    return;
  }
  stoppingSince = performance.now();
  console.log(`\n${signal}: stopping the local stack…`);
  try {
    await running.stop();
    console.log('Stopped.');
    process.exit(0);
  } catch (error) {
    console.error('Could not stop cleanly:', error);
    process.exit(1);
  }
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  // Miniflare's own signal hook kills workerd and exits at once, before the IdP can close; take the signals over
  // (its 'exit' hook stays, so workerd still dies with this process whatever happens).
  process.removeAllListeners(signal);
  process.on(signal, () => void shutdown(signal));
}

function usage(s: LocalStack, elapsedMs: number): string {
  const hasMcp = s.workers.some((w) => w.name === mcpServer.workerName);
  const hasApi = s.workers.some((w) => w.name === todosApi.workerName);
  const lines: string[] = [''];
  lines.push(`Local stack ready in ${(elapsedMs / 1000).toFixed(1)} s`);
  lines.push(
    `  MCP server  ${hasMcp ? `${s.urls.mcp}${mcpServer.paths.mcp} (Streamable HTTP), ${s.urls.mcp}${mcpServer.paths.sse} (SSE)` : '(not running: workers/mcp-server/src/index.ts does not exist yet)'}`,
  );
  lines.push(`  Todos API   ${hasApi ? s.urls.api : '(not running: workers/todos-api/src/index.ts does not exist yet)'}`);
  lines.push(`  Local IdP   ${s.urls.issuer}  (issuer; discovery at ${s.urls.issuer}.well-known/openid-configuration)`);
  lines.push('');
  lines.push('Local users (log in with e-mail and password):');
  for (const user of s.idp.users) lines.push(`  ${user.email}  password: ${user.password}`);
  lines.push('');
  lines.push("Machine-to-machine token (the tutorial's Test Application, client_credentials):");
  lines.push('  npm run token                      (prints a token and a ready curl for GET /api/me)');
  if (hasApi) lines.push(`  curl -H "Authorization: Bearer $(npm run -s token -- --raw)" ${s.urls.api}/api/me`);
  if (hasMcp) {
    lines.push('');
    lines.push('Connect an MCP client:');
    lines.push(`  MCP Inspector:   npx @modelcontextprotocol/inspector   then connect to ${s.urls.mcp}${mcpServer.paths.mcp}`);
    lines.push(`  mcp-remote:      npx mcp-remote ${s.urls.mcp}${mcpServer.paths.mcp}`);
    lines.push(
      `  Claude Desktop:  ${JSON.stringify({ mcpServers: { todos: { command: 'npx', args: ['mcp-remote', `${s.urls.mcp}${mcpServer.paths.mcp}`] } } })}`,
    );
    lines.push(`Your account page (connected apps, activity, sign-out): ${s.urls.mcp}${mcpServer.accountPath}`);
  }
  lines.push('');
  lines.push('State (IdP keys, KV/D1/DO data) is kept in .state/ — delete it to start afresh. Ctrl-C stops everything.');
  return lines.join('\n');
}
