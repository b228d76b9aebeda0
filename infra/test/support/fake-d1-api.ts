// Test stand-in for the D1 query API (POST /accounts/{id}/d1/database/{db}/query) on loopback, backed by SQLite,
// with D1's rules: bound params only for a single statement, Cloudflare's error envelope.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DatabaseSync } from 'node:sqlite';

export interface FakeD1Api {
  baseUrl: string;
  db: DatabaseSync;
  /** Every SQL text received, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startFakeD1Api(options: { accountId: string; databaseId: string; token: string }): Promise<FakeD1Api> {
  const db = new DatabaseSync(':memory:');
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${options.token}`)
        return reply(403, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });
      if (req.method !== 'POST' || req.url !== `/accounts/${options.accountId}/d1/database/${options.databaseId}/query`) {
        return reply(404, { success: false, errors: [{ code: 7003, message: 'No route for that URI' }] });
      }
      const { sql, params } = JSON.parse(body) as { sql: string; params: unknown[] };
      seen.push(sql);
      try {
        if (params.length > 0) throw new Error('params are only supported with a single statement');
        let results: unknown[] = [];
        if (/^\s*select/i.test(sql)) results = db.prepare(sql).all();
        else db.exec(sql);
        reply(200, { success: true, errors: [], messages: [], result: [{ results, success: true, meta: {} }] });
      } catch (error) {
        reply(400, { success: false, errors: [{ code: 7500, message: String((error as Error).message) }] });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db,
    seen,
    close: async () => {
      await new Promise((r) => server.close(r));
      db.close();
    },
  };
}
