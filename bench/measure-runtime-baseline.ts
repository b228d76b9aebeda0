// Control for the memory figures: workerd RSS of trivial Workers under the same request count as the stack served.
import { convertV4MiniflareOptions, Log, LogLevel, Miniflare } from 'miniflare';
import { workerdRss } from './measure-memory.js';

/** The controls: what the runtime itself keeps per request, whatever a Worker's code does. */
const controls = {
  'no-op Worker': 'return new Response("ok");',
  'one KV read per request': 'const value = await env.KV.get("k", { type: "json" }); return new Response(value ? "hit" : "miss");',
} as const;

export type ControlName = keyof typeof controls;

export interface RuntimeBaseline {
  control: ControlName;
  requests: number;
  idleBytes: number;
  afterLoadBytes: number;
  laterBytes: number;
}

/** Away from the bench stack's ports and the dev ports. */
const CONTROL_PORT = 38791;

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function measureControl(
  control: ControlName,
  options: { requests: number; connections: number; idleSettleSeconds: number; laterDelaySeconds: number },
): Promise<RuntimeBaseline> {
  const script = `export default { async fetch(request, env) { ${controls[control]} } };`;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: '127.0.0.1',
      port: 0,
      cf: false,
      log: new Log(LogLevel.WARN),
      workers: [
        {
          name: 'control',
          compatibilityDate: '2026-11-01',
          modules: [{ type: 'ESModule', path: 'control.mjs', contents: script }],
          kvNamespaces: ['KV'],
          unsafeDirectSockets: [{ host: '127.0.0.1', port: CONTROL_PORT }],
        },
      ],
    }),
  );
  try {
    await mf.ready;
    const kv = await mf.getKVNamespace('KV', 'control');
    // About the size of a workers-oauth-provider token record, which the MCP server reads on every request.
    await kv.put('k', JSON.stringify({ record: 'x'.repeat(1500) }));
    await sleep(options.idleSettleSeconds);
    const idle = await workerdRss(true);

    const url = `http://127.0.0.1:${CONTROL_PORT}/`;
    let next = 0;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (next < options.requests) {
          next++;
          const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`control ${control}: HTTP ${response.status}`);
        }
      }),
    );
    const afterLoad = await workerdRss(true);
    await sleep(options.laterDelaySeconds);
    const later = await workerdRss(true);
    return { control, requests: options.requests, idleBytes: idle.rssBytes, afterLoadBytes: afterLoad.rssBytes, laterBytes: later.rssBytes };
  } finally {
    await mf.dispose();
  }
}

/**
 * Each control in its own fresh workerd, measured like the stack: idle, right after `requests` requests at
 * `connections` concurrent connections, and `laterDelaySeconds` later. Run it with no other workerd of this
 * process alive, or their RSS is counted too.
 */
export async function measureRuntimeBaseline(options: {
  requests: number;
  connections: number;
  idleSettleSeconds: number;
  laterDelaySeconds: number;
}): Promise<RuntimeBaseline[]> {
  const results: RuntimeBaseline[] = [];
  for (const control of Object.keys(controls) as ControlName[]) results.push(await measureControl(control, options));
  return results;
}
