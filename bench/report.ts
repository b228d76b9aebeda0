// Turns one bench run's numbers into bench/RESULTS.md (tables, targets PASS/FAIL, command, machine) and results.json.

import type { ApiBreakdown } from './measure-api-breakdown.js';
import type { BundleSize } from './measure-bundles.js';
import type { StartTimes } from './measure-cold-start.js';
import type { ConcurrencyResult } from './measure-concurrency.js';
import type { DevFirstRun } from './measure-dev-first-run.js';
import type { DirectApiResult } from './measure-direct-api.js';
import type { LiveHeap } from './measure-live-heap.js';
import type { McpSequentialResult } from './measure-mcp-calls.js';
import type { RuntimeBaseline } from './measure-runtime-baseline.js';
import type { StartupCpu } from './measure-startup-cpu.js';
import type { McpFloor, PairedResult } from './measure-tool-call-ratio.js';
import type { LatencySummary } from './stats.js';

export interface BenchResults {
  command: string;
  machine: { nproc: number; memoryBytes: number; cpuModel: string; node: string; platform: string; date: string };
  settings: Record<string, number | boolean>;
  directApi: Omit<DirectApiResult, 'token'>;
  apiBreakdown: ApiBreakdown;
  mcp: McpSequentialResult[];
  mcpPing: LatencySummary;
  /** Direct request and /mcp tool call alternately: the source of the tool-call ratio. */
  paired: PairedResult;
  /** Control: the MCP SDK, then SDK + OAuth provider, with a trivial tool in a workerd of their own. */
  mcpFloor: McpFloor;
  concurrency: ConcurrencyResult;
  ratios: { toolCallP50OverDirectP50: number; mcpCallsPerSecondOverDirectRps: number };
  bundles: BundleSize[];
  /** Each Worker's startup CPU time from `wrangler check startup` (local profile, median of the runs). */
  startupCpu: StartupCpu[];
  memory: {
    /** workerd RSS at each phase boundary, in run order. */
    timeline: Array<{ phase: string; rssBytes: number }>;
    idleBytes: number;
    afterLoadBytes: number;
    laterBytes: number;
    laterDelaySeconds: number;
    workerdProcesses: number;
    /** Trivial Workers in a fresh workerd under the same number of requests (absent with `--use-running`). */
    runtimeBaseline?: RuntimeBaseline[];
    /** Each Worker's live JS heap (after a full GC) idle and after the wait, then RSS after those GCs (own stack only). */
    liveHeaps?: LiveHeapResult;
  };
  startup?: StartTimes;
  /** `npm run dev` on fresh clones (no bundle cache, no .state), absent with `--use-running` or when the dev ports were busy. */
  devFirstRun?: DevFirstRun;
  /** The first OAuth flow of the run (registration, consent, IdP login, token exchange) on /mcp. */
  oauthFlowMs: number;
  targets: Array<{ name: string; target: string; measured: string; pass: boolean }>;
}

export interface LiveHeapResult {
  idle: LiveHeap[];
  later: LiveHeap[];
  rssAfterGcBytes: number;
}

/** Each Worker's live JS heap idle and after the load, side by side. */
export function liveHeapRows(heaps: LiveHeapResult): Array<{ worker: string; idleBytes: number; laterBytes: number }> {
  return heaps.idle.map((h) => ({
    worker: h.worker,
    idleBytes: h.liveBytes,
    laterBytes: heaps.later.find((l) => l.worker === h.worker)?.liveBytes ?? Number.NaN,
  }));
}

/** What each Worker's code keeps: live JS after a full GC, idle and after the load (markdown lines). */
function liveHeapSection(heaps: LiveHeapResult, laterDelaySeconds: number): string[] {
  return [
    "Live JS heap of each Worker: a V8 heap snapshot over workerd's inspector, which runs a full garbage collection",
    'first and then counts only what is still reachable, i.e. what the code keeps (RSS also counts memory the runtime',
    'has not given back):',
    '',
    `| Worker | Idle | ${laterDelaySeconds} s after load | Growth |`,
    '|---|---|---|---|',
    ...liveHeapRows(heaps).map((h) => `| ${h.worker} | ${mib(h.idleBytes)} | ${mib(h.laterBytes)} | ${mib(h.laterBytes - h.idleBytes)} |`),
    '',
    `workerd RSS right after those snapshots' full GCs: ${mib(heaps.rssAfterGcBytes)}.`,
    '',
  ];
}

/** Targets of the task, checked against this run's numbers. */
export function checkTargets(r: Omit<BenchResults, 'targets'>, mcpWorker: string): BenchResults['targets'] {
  const mcpBundle = r.bundles.find((b) => b.worker === mcpWorker);
  const growth = growthRatio(r.memory.idleBytes, r.memory.laterBytes);
  const targets: BenchResults['targets'] = [
    {
      name: 'tool-call p50 ÷ direct p50 (/mcp)',
      target: '≤ 1.40×',
      measured: `${r.ratios.toolCallP50OverDirectP50}×`,
      pass: r.ratios.toolCallP50OverDirectP50 <= 1.4,
    },
    {
      name: `${r.concurrency.sessions}-session throughput`,
      target: '≥ 150 calls/s, 0 errors',
      measured: `${r.concurrency.callsPerSecond} calls/s, ${r.concurrency.errors} errors`,
      pass: r.concurrency.callsPerSecond >= 150 && r.concurrency.errors === 0,
    },
    {
      name: 'MCP server bundle (gzip -9)',
      target: '≤ 326,130 B',
      measured: mcpBundle ? `${fmt(mcpBundle.gzipBytes)} B` : 'not built',
      pass: mcpBundle !== undefined && mcpBundle.gzipBytes <= 326_130,
    },
    {
      name: `workerd RSS ${r.memory.laterDelaySeconds} s after load vs idle`,
      target: 'within 25%',
      measured: growthOf(r.memory.idleBytes, r.memory.laterBytes),
      pass: Math.abs(growth) <= 0.25,
    },
  ];
  if (r.devFirstRun)
    targets.push({
      name: `dev ready, fresh clone (median of ${r.devFirstRun.runsMs.length})`,
      target: '≤ 3.5 s',
      measured: `${(r.devFirstRun.medianMs / 1000).toFixed(2)} s`,
      pass: r.devFirstRun.medianMs <= 3_500,
    });
  if (r.startup)
    targets.push({
      name: 'dev ready (warm bundle cache, fresh state)',
      target: '≤ 5 s',
      measured: `${(r.startup.warmMs / 1000).toFixed(2)} s`,
      pass: r.startup.warmMs <= 5_000,
    });
  return targets;
}

function growthRatio(fromBytes: number, toBytes: number): number {
  return fromBytes > 0 ? toBytes / fromBytes - 1 : Number.NaN;
}

export function growthOf(fromBytes: number, toBytes: number): string {
  const growth = growthRatio(fromBytes, toBytes);
  return `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function latencyRow(label: string, l: LatencySummary): string {
  return `| ${label} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.mean} | ${l.max} |`;
}

export function renderMarkdown(r: BenchResults, notes: readonly string[]): string {
  const m = r.machine;
  const lines = [
    '# Benchmarks of the local stack',
    '',
    'Written by `bench/run-bench.ts` from one run; raw numbers in `results.json`. All traffic on loopback; the IdP,',
    'both Workers (one workerd) and the clients share this machine, so absolute numbers are machine-bound — compare ratios.',
    '',
    `Command: \`${r.command}\``,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${mib(m.memoryBytes)} RAM, Node ${m.node}, ${m.platform}; run at ${m.date}.`,
    '',
    `Settings: ${Object.entries(r.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
    '',
    '## Targets',
    '',
    '| What | Target | Measured | Result |',
    '|---|---|---|---|',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.pass ? 'PASS' : 'FAIL'} |`),
    '',
    "Reference (the tutorial's stack): tool-call p50 2.5–2.9× direct; 84–100 calls/s; 2,462,900 B raw / 436,023 B gzip.",
    '',
    '## Latency (ms)',
    '',
    '| Path | n | p50 | p90 | p99 | mean | max |',
    '|---|---|---|---|---|---|---|',
    latencyRow('**In turn** (this row and the four below, one of each per round): direct `GET /api/todos`', r.paired.direct),
    latencyRow('**In turn**: MCP `list-todos` on /mcp', r.paired.mcp),
    latencyRow('In turn, control (bench/control-worker): `GET /noop`', r.mcpFloor.noop),
    latencyRow('In turn, control: MCP SDK alone, trivial `tools/call` (no OAuth, no I/O)', r.mcpFloor.sdk),
    latencyRow('In turn, control: the same behind workers-oauth-provider (bearer token)', r.mcpFloor.sdkAndOAuth),
    latencyRow("In turn, control: one tool call's audit write, awaited (pseudonym + D1 insert)", r.mcpFloor.auditWrite),
    latencyRow('In turn, control: the same queued with waitUntil, as the MCP server does it', r.mcpFloor.auditQueued),
    latencyRow('In turn, control: `GET /noop` behind one Rate Limiting check (as /mcp and /sse make)', r.mcpFloor.rateLimited),
    latencyRow('Direct `GET /api/todos` (sequential)', r.directApi.sequential),
    ...r.mcp.map((x) => latencyRow(`MCP \`list-todos\` on ${x.transport === 'sse' ? '/sse' : '/mcp'} (sequential)`, x.latency)),
    latencyRow('MCP `ping` on /mcp (diagnostic: no tool, no API call)', r.mcpPing),
    latencyRow('Diagnostic: `GET /api/todos` without token (401: HTTP floor)', r.apiBreakdown.noToken401),
    latencyRow('Diagnostic: `GET /api/me` (JWT check, no D1)', r.apiBreakdown.jwtOnly),
    latencyRow('Diagnostic: `GET /api/todos` again (JWT check + D1)', r.apiBreakdown.jwtAndD1),
    latencyRow(`Direct \`GET /api/todos\`, ${r.directApi.concurrent.connections} concurrent`, r.directApi.concurrent.latency),
    latencyRow(`MCP \`list-todos\`, ${r.concurrency.sessions} sessions concurrent`, r.concurrency.latency),
    '',
    '## Throughput',
    '',
    '| Load | Count | Errors | Time (s) | Rate |',
    '|---|---|---|---|---|',
    `| Direct API, ${r.directApi.concurrent.connections} connections | ${r.directApi.concurrent.requests} requests | ${r.directApi.concurrent.errors} | ${r.directApi.concurrent.seconds} | ${r.directApi.concurrent.requestsPerSecond} req/s |`,
    `| MCP /mcp, ${r.concurrency.sessions} sessions (own OAuth flow each) | ${r.concurrency.calls} calls | ${r.concurrency.errors} | ${r.concurrency.durationSeconds} | ${r.concurrency.callsPerSecond} calls/s |`,
    '',
    `Ratios: tool-call p50 ÷ direct p50 = **${r.ratios.toolCallP50OverDirectP50}×** (from the in-turn rows: one of each per round,` +
      ` ${r.paired.direct.count} rounds on a warmed stack, so warm-up and background load weigh on all alike); MCP calls/s ÷ direct req/s =` +
      ` **${r.ratios.mcpCallsPerSecondOverDirectRps}**.`,
    '',
    auditWriteLine(r.mcpFloor),
    '',
    rateLimitLine(r.mcpFloor),
    ...(r.concurrency.errorSamples.length ? ['', `Errors seen: ${r.concurrency.errorSamples.map((e) => `\`${e}\``).join('; ')}`] : []),
    '',
    '## Bundles (`wrangler deploy --dry-run`)',
    '',
    '| Worker | Files | Raw (B) | gzip -9 (B) |',
    '|---|---|---|---|',
    ...r.bundles.map((b) => `| ${b.worker} | ${b.files.join(', ')} | ${fmt(b.rawBytes)} | ${fmt(b.gzipBytes)} |`),
    '',
    '## Worker startup CPU (`wrangler check startup`)',
    '',
    "Module evaluation when an isolate starts, from wrangler's local CPU profile of the deploy build (median of the runs;",
    "this machine's CPU, not Cloudflare's: compare runs made here).",
    '',
    '| Worker | Active (ms) | of which GC (ms) | Runs |',
    '|---|---|---|---|',
    ...(r.startupCpu ?? []).map((s) => `| ${s.worker} | ${s.activeMs} | ${s.gcMs} | ${s.runs} |`),
    '',
    '## Memory (workerd VmRSS, summed)',
    '',
    `| Idle | Right after load | ${r.memory.laterDelaySeconds} s later |`,
    '|---|---|---|',
    `| ${mib(r.memory.idleBytes)} | ${mib(r.memory.afterLoadBytes)} | ${mib(r.memory.laterBytes)} |`,
    '',
    `Timeline (diagnostic): ${r.memory.timeline.map((t) => `${t.phase} ${mib(t.rssBytes)}`).join(' → ')}.`,
    '',
    ...(r.memory.runtimeBaseline?.length
      ? [
          "Control: the bench's control Worker answering `/noop` or `/kv-read` (bench/control-worker), each time in a fresh",
          'workerd (same Miniflare, same machine), under as many requests as the stack answered during the load, at 16',
          "connections. Their growth is the runtime's own, not this code's:",
          '',
          `| Control | Requests | Idle | Right after load | ${r.memory.laterDelaySeconds} s later | Growth |`,
          '|---|---|---|---|---|---|',
          ...r.memory.runtimeBaseline.map(
            (c) =>
              `| ${c.control} | ${fmt(c.requests)} | ${mib(c.idleBytes)} | ${mib(c.afterLoadBytes)} | ${mib(c.laterBytes)} | ${growthOf(c.idleBytes, c.laterBytes)} |`,
          ),
          `| this stack (above) | | ${mib(r.memory.idleBytes)} | ${mib(r.memory.afterLoadBytes)} | ${mib(r.memory.laterBytes)} | ${growthOf(r.memory.idleBytes, r.memory.laterBytes)} |`,
          '',
        ]
      : []),
    ...(r.memory.liveHeaps ? liveHeapSection(r.memory.liveHeaps, r.memory.laterDelaySeconds) : []),
    '## Start-up and sign-in',
    '',
    ...(r.startup
      ? [
          `- Stack ready (all ports answer), fresh state, **cold** bundle cache (esbuild builds every Worker): ${(r.startup.coldMs / 1000).toFixed(2)} s`,
          `- Stack ready, fresh state, **warm** bundle cache: ${(r.startup.warmMs / 1000).toFixed(2)} s`,
        ]
      : ['- Not measured (`--use-running`).']),
    ...(r.devFirstRun
      ? [
          `- \`npm run dev\` on a fresh clone (tracked files copied to a temp folder, node_modules linked, no .bundles/ or .state/), command to "Local stack ready": ${r.devFirstRun.runsMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')}; median ${(r.devFirstRun.medianMs / 1000).toFixed(2)} s${r.devFirstRun.cpuSeconds.length ? `; CPU of all its processes per run ${r.devFirstRun.cpuSeconds.map((c) => `${c.toFixed(1)} s`).join(', ')}` : ''} (\`npm run bench:dev-first-run\` repeats this alone)`,
        ]
      : []),
    `- Full OAuth flow of the MCP SDK client (discovery, registration, consent, IdP login, token exchange, connect): ${r.oauthFlowMs} ms (first), ${r.concurrency.oauthFlows.p50} ms p50 over ${r.concurrency.oauthFlows.count} sessions`,
    ...(notes.length ? ['', '## Notes', '', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ];
  return lines.join('\n');
}

/** The rate limiter's cost per MCP request, from the control rows with and without it. */
export function rateLimitLine(floor: McpFloor): string {
  const cost = Math.round((floor.rateLimited.p50 - floor.noop.p50) * 100) / 100;
  return (
    `Rate limiter per MCP request (in-turn control rows, p50 of \`GET /rate-limited\` over \`GET /noop\`): **${cost} ms**; the` +
    ' /mcp tool-call row above already includes the real check.'
  );
}

/** The audit log's cost per tool call, from the control rows: the work it adds, and what a response waits for it. */
export function auditWriteLine(floor: McpFloor): string {
  const work = Math.round((floor.auditWrite.p50 - floor.noop.p50) * 100) / 100;
  const waited = Math.round((floor.auditQueued.p50 - floor.noop.p50) * 100) / 100;
  return (
    `Audit write per tool call (in-turn control rows, p50 over \`GET /noop\`): **${work} ms** of work (pseudonymous id + one D1` +
    ` insert, awaited), of which a response waits **${waited} ms** when it is queued with waitUntil as the MCP server does; the` +
    ' /mcp tool-call row above already includes the real hook.'
  );
}
