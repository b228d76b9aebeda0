// Applies a Worker's D1 migrations (the .sql files in migrations_dir) over the D1 HTTP API, tracked like wrangler does.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { DEFAULT_CLOUDFLARE_API } from './cloudflare-api.js';

/** One migration file: name (e.g. `0001_init.sql`), its SQL and the SHA-256 of the SQL. */
export interface D1MigrationFile {
  name: string;
  sql: string;
  sha256: string;
}

/** Read `*.sql` in name order, as `wrangler d1 migrations apply` does. */
export function readMigrationFiles(dir: string): D1MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name), 'utf8');
      return { name, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface ApplyD1MigrationsOptions {
  apiBaseUrl: string;
  accountId: string;
  databaseId: string;
  apiToken: string;
  migrations: D1MigrationFile[];
}

// wrangler's bookkeeping table: databases migrated with wrangler and with this program stay interchangeable.
const TRACKING_TABLE = `CREATE TABLE IF NOT EXISTS d1_migrations(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`;

/** Apply every migration not yet recorded in `d1_migrations`; returns the names applied by this call. */
export async function applyD1Migrations(options: ApplyD1MigrationsOptions): Promise<string[]> {
  const url = `${options.apiBaseUrl}/accounts/${options.accountId}/d1/database/${options.databaseId}/query`;
  const query = async (sql: string, params: string[] = []): Promise<Record<string, unknown>[]> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql, params }),
      signal: AbortSignal.timeout(60_000),
    });
    const body = (await response.json().catch(() => undefined)) as
      | { success?: boolean; errors?: { message?: string }[]; result?: { results?: Record<string, unknown>[] }[] }
      | undefined;
    if (!response.ok || !body?.success) {
      const reason = body?.errors?.map((e) => e.message).join('; ') || `HTTP ${response.status}`;
      throw new Error(`D1 query on database ${options.databaseId} failed: ${reason}`);
    }
    return body.result?.flatMap((r) => r.results ?? []) ?? [];
  };

  await query(TRACKING_TABLE);
  const done = new Set((await query('SELECT name FROM d1_migrations')).map((row) => String(row.name)));
  const applied: string[] = [];
  for (const migration of options.migrations) {
    if (done.has(migration.name)) continue;
    // Schema change and its record go in one request, so a failed migration is not recorded as applied.
    // No bound params: D1 binds params only to single-statement queries; names are checked file names.
    if (!/^[\w.-]+$/.test(migration.name))
      throw new Error(`D1 migration file name "${migration.name}" may only use letters, digits, '_', '.', '-'`);
    await query(`${migration.sql.trim().replace(/;?$/, ';')}\nINSERT INTO d1_migrations (name) VALUES ('${migration.name}');`);
    applied.push(migration.name);
  }
  return applied;
}

interface MigrationsState {
  apiBaseUrl: string;
  accountId: string;
  databaseId: string;
  apiToken: string;
  migrations: D1MigrationFile[];
}

/** Applied files are append-only: an edited applied migration would silently diverge from the live schema. */
function checkAppendOnly(olds: MigrationsState, news: MigrationsState): void {
  const before = new Map(olds.migrations.map((m) => [m.name, m.sha256]));
  for (const m of news.migrations) {
    const old = before.get(m.name);
    if (old !== undefined && old !== m.sha256) {
      throw new Error(`D1 migration ${m.name} was changed after it was applied; add a new migration file instead.`);
    }
  }
}

const provider: pulumi.dynamic.ResourceProvider<MigrationsState, MigrationsState & { applied: string[] }> = {
  async check(olds, news) {
    if (olds && Array.isArray(olds.migrations)) checkAppendOnly(olds, news);
    return { inputs: news };
  },
  async diff(_id, olds, news) {
    const replaces = olds.databaseId !== news.databaseId || olds.accountId !== news.accountId ? ['databaseId'] : [];
    const hashes = (s: MigrationsState) => s.migrations.map((m) => `${m.name}:${m.sha256}`).join(',');
    return { changes: replaces.length > 0 || hashes(olds) !== hashes(news), replaces, deleteBeforeReplace: false };
  },
  async create(inputs) {
    const applied = await applyD1Migrations(inputs);
    return { id: `${inputs.databaseId}:migrations`, outs: { ...inputs, applied } };
  },
  async update(_id, olds, news) {
    const applied = await applyD1Migrations(news);
    return { outs: { ...news, applied: [...((olds as { applied?: string[] }).applied ?? []), ...applied] } };
  },
  // Nothing to undo: dropping the schema is the database's deletion, which the D1Database resource owns.
  async delete() {},
};

export interface D1MigrationsArgs {
  accountId: pulumi.Input<string>;
  databaseId: pulumi.Input<string>;
  /** Cloudflare API token with D1 Edit; stored as a secret in the state. */
  apiToken: pulumi.Input<string>;
  migrations: D1MigrationFile[];
  apiBaseUrl?: string;
}

/** The applied state of a D1 database's migrations; changes when a migration file is added. */
export class D1Migrations extends pulumi.dynamic.Resource {
  declare public readonly applied: pulumi.Output<string[]>;

  constructor(name: string, args: D1MigrationsArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      {
        apiBaseUrl: args.apiBaseUrl ?? DEFAULT_CLOUDFLARE_API,
        accountId: args.accountId,
        databaseId: args.databaseId,
        apiToken: pulumi.secret(args.apiToken),
        migrations: args.migrations,
        applied: undefined,
      },
      { ...opts, additionalSecretOutputs: ['apiToken'] },
    );
  }
}
