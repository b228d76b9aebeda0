// Diagnostic: where a direct Todos API request spends its time (HTTP floor, + JWT check, + D1 query).
import type { BenchTarget } from './bench-target.js';
import { type LatencySummary, since, summarize } from './stats.js';

export interface ApiBreakdown {
  /** `GET /api/todos` without a token: 401 before any crypto or storage (workerd + HTTP + Hono floor). */
  noToken401: LatencySummary;
  /** `GET /api/me`: RS256 verification with cached JWKS, no storage. */
  jwtOnly: LatencySummary;
  /** `GET /api/todos`: JWT check plus the D1 query. */
  jwtAndD1: LatencySummary;
}

async function timeRequests(url: URL, headers: Record<string, string>, expectStatus: number, count: number): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < count + 20; i++) {
    const start = performance.now();
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    if (response.status !== expectStatus) throw new Error(`GET ${url.pathname}: HTTP ${response.status}, expected ${expectStatus}`);
    if (i >= 20) samples.push(since(start)); // the first 20 are warm-up
  }
  return summarize(samples);
}

export async function measureApiBreakdown(target: BenchTarget, token: string, count: number): Promise<ApiBreakdown> {
  const auth = { authorization: `Bearer ${token}` };
  return {
    noToken401: await timeRequests(new URL('/api/todos', target.urls.api), {}, 401, count),
    jwtOnly: await timeRequests(new URL('/api/me', target.urls.api), auth, 200, count),
    jwtAndD1: await timeRequests(new URL('/api/todos', target.urls.api), auth, 200, count),
  };
}
