// The local stack's D1 access Worker, in workerd: migrations applied through it are what the stack's Worker and
// Miniflare's own D1 binding see, failures name the SQL error, and nobody without its token gets in.
import { createRequire } from 'node:module';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyD1Migrations } from '../apply-d1-migrations.js';
import { localD1Access } from '../local-d1-access.js';
import type { D1MigrationPlan } from '../prepare-worker.js';

const { Miniflare: MiniflareClass, convertV4MiniflareOptions } = createRequire(import.meta.url)('miniflare') as typeof import('miniflare');

// A stand-in for a stack Worker: it answers with what its own D1 binding holds.
const APP_SOURCE = `export default {
  async fetch(request, env) {
    const db = new URL(request.url).searchParams.get('db');
    const { results } = await env[db].prepare("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").bind('table').all();
    return Response.json(results.map((row) => row.name));
  },
};`;

const notesPlan = (migrations: D1MigrationPlan['migrations']): D1MigrationPlan => ({
  binding: 'NOTES',
  migrationsTable: 'd1_migrations',
  migrations,
});

const createNotes = { name: '0001_notes.sql', statements: ['CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT NOT NULL)'] };
const seedNotes = {
  name: '0002_seed.sql',
  statements: ["INSERT INTO notes(body) VALUES ('first')", "INSERT INTO notes(body) VALUES ('second')"],
};

describe('local D1 access Worker', () => {
  const access = localD1Access(
    [
      { workerName: 'app', binding: 'NOTES', d1Databases: { NOTES: { id: 'notes-db' } } },
      { workerName: 'app', binding: 'SPARE', d1Databases: ['SPARE'] },
    ],
    '2026-11-01',
  );
  let mf: Miniflare;

  beforeAll(async () => {
    mf = new MiniflareClass(
      convertV4MiniflareOptions({
        host: '127.0.0.1',
        port: 0,
        logRequests: false,
        workers: [
          access.worker,
          {
            name: 'app',
            compatibilityDate: '2026-11-01',
            modules: [{ type: 'ESModule', path: 'app.mjs', contents: APP_SOURCE }],
            d1Databases: { NOTES: { id: 'notes-db' }, SPARE: 'SPARE' },
          },
        ],
      }),
    );
    await mf.ready;
  }, 60_000);
  afterAll(() => mf?.dispose());

  it('should apply migrations to the storage the Worker itself reads', async () => {
    const db = access.database(mf, 'app', 'NOTES');
    expect(await applyD1Migrations(db, notesPlan([createNotes, seedNotes]))).toEqual([createNotes.name, seedNotes.name]);

    const app = await mf.getWorker('app');
    const tables = (await (await app.fetch('http://app/?db=NOTES')).json()) as string[];
    expect(tables).toEqual(expect.arrayContaining(['d1_migrations', 'notes']));
    // Checked through Miniflare's own binding too, not only through our Worker.
    const own = await mf.getD1Database('NOTES', 'app');
    expect((await own.prepare('SELECT body FROM notes ORDER BY id').all()).results).toEqual([{ body: 'first' }, { body: 'second' }]);
    expect((await own.prepare('SELECT name FROM d1_migrations ORDER BY id').all()).results).toEqual([
      { name: createNotes.name },
      { name: seedNotes.name },
    ]);
  });

  it('should apply nothing twice', async () => {
    const db = access.database(mf, 'app', 'NOTES');
    expect(await applyD1Migrations(db, notesPlan([createNotes, seedNotes]))).toEqual([]);
  });

  it('should name the SQL error and record nothing of a failing migration', async () => {
    const db = access.database(mf, 'app', 'SPARE');
    const broken = { name: '0001_broken.sql', statements: ['CREATE TABLE kept(id INTEGER)', 'INSERT INTO missing VALUES (1)'] };
    await expect(applyD1Migrations(db, notesPlan([broken]))).rejects.toThrow(/0001_broken\.sql .*no such table: missing/);

    const app = await mf.getWorker('app');
    expect(await (await app.fetch('http://app/?db=SPARE')).json()).toEqual(['d1_migrations']);
  });

  it('should refuse a request without its token', async () => {
    const body = JSON.stringify({ binding: 'D1_0', op: 'exec', sql: 'DROP TABLE notes' });
    const anonymous = await mf.dispatchFetch('http://local-d1-access/', { method: 'POST', body });
    expect(anonymous.status).toBe(403);
    const guessed = await mf.dispatchFetch('http://local-d1-access/', { method: 'POST', body, headers: { authorization: 'Bearer guess' } });
    expect(guessed.status).toBe(403);
    const own = await mf.getD1Database('NOTES', 'app');
    expect((await own.prepare('SELECT COUNT(*) AS n FROM notes').all()).results).toEqual([{ n: 2 }]);
  });

  it('should refuse a binding the stack did not give it', () => {
    expect(() => access.database(mf, 'app', 'OTHER')).toThrow('app has no D1 binding OTHER in this stack');
    expect(() => localD1Access([{ workerName: 'app', binding: 'DB', d1Databases: { NOTES: 'notes-db' } }], '2026-11-01')).toThrow(
      'app has no D1 binding DB in its Miniflare options',
    );
  });
});
