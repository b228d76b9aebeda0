// Control for the memory figures: workerd RSS of the control Worker doing (almost) nothing under the same request
// count as the stack served.
import { startControlWorker } from './control-worker.js';
import { workerdRss } from './measure-memory.js';

/** The controls, by the control Worker path each one loads: what the runtime keeps per request, whatever the code. */
const controls = {
  'no-op Worker': '/noop',
  'one KV read per request': '/kv-read',
} as const;

export type ControlName = keyof typeof controls;

export interface RuntimeBaseline {
  control: ControlName;
  requests: number;
  idleBytes: number;
  afterLoadBytes: number;
  laterBytes: number;
}

interface LoadOptions {
  requests: number;
  connections: number;
  idleSettleSeconds: number;
  laterDelaySeconds: number;
  bundleCacheDir: string;
}

const sleep = (seconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

async function measureControl(control: ControlName, options: LoadOptions): Promise<RuntimeBaseline> {
  const worker = await startControlWorker(options.bundleCacheDir);
  try {
    await sleep(options.idleSettleSeconds);
    const idle = await workerdRss(true);

    const url = `${worker.base}${controls[control]}`;
    let next = 0;
    await Promise.all(
      Array.from({ length: options.connections }, async () => {
        while (next < options.requests) {
          next++;
          const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          const body = await response.text();
          if (response.status !== 200 || body === 'miss') throw new Error(`control ${control}: HTTP ${response.status} ${body}`);
        }
      }),
    );
    const afterLoad = await workerdRss(true);
    await sleep(options.laterDelaySeconds);
    const later = await workerdRss(true);
    return {
      control,
      requests: options.requests,
      idleBytes: idle.rssBytes,
      afterLoadBytes: afterLoad.rssBytes,
      laterBytes: later.rssBytes,
    };
  } finally {
    await worker.dispose();
  }
}

/**
 * Each control in its own fresh workerd, measured like the stack: idle, right after `requests` requests at
 * `connections` concurrent connections, and `laterDelaySeconds` later. Run it with no other workerd of this
 * process alive, or their RSS is counted too.
 */
export async function measureRuntimeBaseline(options: LoadOptions): Promise<RuntimeBaseline[]> {
  const results: RuntimeBaseline[] = [];
  for (const control of Object.keys(controls) as ControlName[]) results.push(await measureControl(control, options));
  return results;
}
