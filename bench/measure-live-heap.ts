// Live JS memory of each Worker: a V8 heap snapshot (which runs a full GC first) over workerd's inspector, summed.

/** Bytes the Worker's isolate still holds after a full garbage collection. */
export interface LiveHeap {
  worker: string;
  liveBytes: number;
}

interface InspectorTarget {
  title: string;
  webSocketDebuggerUrl: string;
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[] } };
  nodes: number[];
}

const SNAPSHOT_TIMEOUT_MS = 60_000;

/**
 * One snapshot per Worker, in turn. RSS cannot tell memory the code keeps from memory the runtime has not given
 * back; a snapshot counts only objects still reachable. Miniflare lists each user Worker as `core:user:<name>`.
 */
export async function measureLiveHeaps(inspectorPort: number, workers: readonly string[]): Promise<LiveHeap[]> {
  const response = await fetch(`http://127.0.0.1:${inspectorPort}/json`, { signal: AbortSignal.timeout(5_000) });
  const targets = (await response.json()) as InspectorTarget[];
  const heaps: LiveHeap[] = [];
  for (const worker of workers) {
    const target = targets.find((t) => t.title.endsWith(`core:user:${worker}`));
    if (!target) throw new Error(`the inspector lists no isolate for Worker ${worker}: ${targets.map((t) => t.title).join(', ')}`);
    heaps.push({ worker, liveBytes: selfSizeTotal(await takeSnapshot(target.webSocketDebuggerUrl)) });
  }
  return heaps;
}

/** Runs HeapProfiler.takeHeapSnapshot over the Chrome DevTools Protocol and returns the parsed snapshot. */
async function takeSnapshot(webSocketUrl: string): Promise<HeapSnapshot> {
  const socket = new WebSocket(webSocketUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${webSocketUrl}`)), { once: true });
    });
    const chunks: string[] = [];
    const finished = new Promise<void>((resolve, reject) => {
      socket.addEventListener('message', (event) => {
        const message = JSON.parse(String(event.data)) as {
          id?: number;
          method?: string;
          params?: { chunk: string };
          error?: { message: string };
        };
        if (message.method === 'HeapProfiler.addHeapSnapshotChunk' && message.params) chunks.push(message.params.chunk);
        if (message.id === 2) {
          if (message.error) reject(new Error(`heap snapshot failed: ${message.error.message}`));
          else resolve();
        }
      });
      setTimeout(() => reject(new Error(`no heap snapshot within ${SNAPSHOT_TIMEOUT_MS} ms`)), SNAPSHOT_TIMEOUT_MS).unref();
    });
    socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.enable' }));
    socket.send(JSON.stringify({ id: 2, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }));
    await finished;
    return JSON.parse(chunks.join('')) as HeapSnapshot;
  } finally {
    socket.close();
  }
}

function selfSizeTotal(snapshot: HeapSnapshot): number {
  const fields = snapshot.snapshot.meta.node_fields;
  const stride = fields.length;
  const selfSize = fields.indexOf('self_size');
  let total = 0;
  for (let i = selfSize; i < snapshot.nodes.length; i += stride) total += snapshot.nodes[i] ?? 0;
  return total;
}
