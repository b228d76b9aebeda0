// Reaches the local stack's D1 databases from Node through one small Worker in the same workerd, to apply migrations.
//
// Why not Miniflare's getD1Database: its proxy starts a Node worker thread and a proxy Durable Object on first use,
// ~0.3 s on the path to "ready" of every start. A plain request to a Worker holding the same databases costs a few ms.
import { randomBytes } from 'node:crypto';
import type { Miniflare, V4IdEntry, V4Namespace, V4WorkerOptions } from 'miniflare';
import type { D1Like } from './apply-d1-migrations.js';

/** Name of the access Worker in the stack's workerd. Not one a wrangler.jsonc can take: it has no port of its own. */
const LOCAL_D1_ACCESS_WORKER = 'local-stack-d1-access';

/** One D1 binding of a stack Worker, with the Worker's `d1Databases` option that says which database it is. */
export interface LocalD1Database {
  workerName: string;
  binding: string;
  d1Databases: V4Namespace | undefined;
}

export interface LocalD1Access {
  /** Put first in Miniflare's `workers`: `dispatchFetch` goes to the first Worker. */
  worker: V4WorkerOptions;
  /** A D1 binding from Node for `binding` of `workerName` (same storage as the Worker's own binding). */
  database(mf: Miniflare, workerName: string, binding: string): D1Like;
}

// Runs inside workerd: each request is one D1 call on one binding. The bearer keeps other local processes that find
// Miniflare's entry port from running SQL.
const ACCESS_WORKER_SOURCE = `
export default {
  async fetch(request, env) {
    if (request.headers.get('authorization') !== 'Bearer ' + env.ACCESS_TOKEN) return new Response('Forbidden', { status: 403 });
    const { binding, op, sql, params, statements } = await request.json();
    const db = env.DATABASES.includes(binding) ? env[binding] : undefined;
    if (!db) return Response.json({ error: 'No D1 binding ' + binding }, { status: 404 });
    try {
      if (op === 'exec') return Response.json(await db.exec(sql));
      if (op === 'all') return Response.json(await db.prepare(sql).bind(...params).all());
      if (op === 'batch') return Response.json(await db.batch(statements.map((s) => db.prepare(s.sql).bind(...s.params))));
      return Response.json({ error: 'Unknown operation ' + op }, { status: 400 });
    } catch (error) {
      return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
    }
  },
};
`;

interface Statement {
  sql: string;
  params: unknown[];
}

/** The access Worker for these databases, and a D1Like for each of them. */
export function localD1Access(databases: readonly LocalD1Database[], compatibilityDate: string | undefined): LocalD1Access {
  const token = randomBytes(32).toString('base64url');
  const bindingOf = new Map(databases.map((d, i) => [`${d.workerName}\0${d.binding}`, `D1_${i}`]));
  const bindings = [...bindingOf.values()];
  return {
    worker: {
      name: LOCAL_D1_ACCESS_WORKER,
      ...(compatibilityDate === undefined ? {} : { compatibilityDate }),
      modules: [{ type: 'ESModule', path: `${LOCAL_D1_ACCESS_WORKER}.mjs`, contents: ACCESS_WORKER_SOURCE }],
      // Same ids, so the same storage as the Workers' own bindings.
      d1Databases: Object.fromEntries(databases.map((d, i) => [bindings[i] as string, databaseOf(d)])),
      bindings: { ACCESS_TOKEN: token, DATABASES: bindings },
    },
    database(mf, workerName, binding) {
      const accessBinding = bindingOf.get(`${workerName}\0${binding}`);
      if (accessBinding === undefined) throw new Error(`${workerName} has no D1 binding ${binding} in this stack`);
      const call = async (body: Record<string, unknown>): Promise<unknown> => {
        const response = await mf.dispatchFetch('http://local-d1-access/', {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ binding: accessBinding, ...body }),
        });
        const answer = (await response.json()) as { error?: string };
        if (!response.ok) throw new Error(`D1 ${binding} of ${workerName}: ${answer.error ?? `HTTP ${response.status}`}`);
        return answer;
      };
      const statement = (sql: string, params: unknown[]): Statement & ReturnType<D1Like['prepare']> => ({
        sql,
        params,
        bind: (...values: unknown[]) => statement(sql, values),
        all: async <T>() => (await call({ op: 'all', sql, params })) as { results: T[] },
      });
      return {
        prepare: (sql) => statement(sql, []),
        batch: (statements) => call({ op: 'batch', statements: (statements as Statement[]).map(({ sql, params }) => ({ sql, params })) }),
        exec: (sql) => call({ op: 'exec', sql }),
      };
    },
  };
}

// Miniflare's namespace options are a list of ids (binding name = id) or a map from binding name to an id or `{ id }`.
function databaseOf({ workerName, binding, d1Databases }: LocalD1Database): string | V4IdEntry {
  const database = Array.isArray(d1Databases) ? d1Databases.find((id) => id === binding) : d1Databases?.[binding];
  if (database === undefined) throw new Error(`${workerName} has no D1 binding ${binding} in its Miniflare options`);
  return database;
}
