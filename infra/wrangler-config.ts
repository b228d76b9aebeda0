// Reads a Worker's wrangler.jsonc: the one source of its compatibility settings, Durable Objects and migrations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

export interface DurableObjectBinding {
  name: string;
  className: string;
}

export interface DurableObjectMigration {
  tag: string;
  newClasses: string[];
  newSqliteClasses: string[];
  deletedClasses: string[];
  renamedClasses: { from: string; to: string }[];
}

export interface WorkerConfig {
  name: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  observability: boolean;
  durableObjects: DurableObjectBinding[];
  migrations: DurableObjectMigration[];
  /** `migrations_dir` of each D1 database, absolute, by binding name. */
  d1MigrationsDirs: Record<string, string>;
}

/** Parse `<workerDir>/wrangler.jsonc`; throws naming the file and the offending field. */
export function readWorkerConfig(workerDir: string): WorkerConfig {
  const file = path.join(workerDir, 'wrangler.jsonc');
  const errors: ParseError[] = [];
  const raw = parse(readFileSync(file, 'utf8'), errors, { allowTrailingComma: true }) as Record<string, unknown>;
  if (errors.length > 0) {
    const [first] = errors as [ParseError, ...ParseError[]];
    throw new Error(`${file}: invalid JSONC (${printParseErrorCode(first.error)} at offset ${first.offset})`);
  }
  const str = (value: unknown, field: string): string => {
    if (typeof value !== 'string' || value === '') throw new Error(`${file}: "${field}" must be a non-empty string`);
    return value;
  };
  const strings = (value: unknown, field: string): string[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`${file}: "${field}" must be a list of strings`);
    return value as string[];
  };
  const list = (value: unknown, field: string): Record<string, unknown>[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Error(`${file}: "${field}" must be a list`);
    return value as Record<string, unknown>[];
  };

  const compatibilityDate = str(raw.compatibility_date, 'compatibility_date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(compatibilityDate)) throw new Error(`${file}: "compatibility_date" must be YYYY-MM-DD`);
  const durableObjectsRaw = (raw.durable_objects ?? {}) as { bindings?: unknown };
  const d1MigrationsDirs: Record<string, string> = {};
  for (const db of list(raw.d1_databases, 'd1_databases')) {
    d1MigrationsDirs[str(db.binding, 'd1_databases[].binding')] = path.resolve(
      workerDir,
      typeof db.migrations_dir === 'string' ? db.migrations_dir : 'migrations',
    );
  }
  return {
    name: str(raw.name, 'name'),
    compatibilityDate,
    compatibilityFlags: strings(raw.compatibility_flags, 'compatibility_flags'),
    observability: Boolean((raw.observability as { enabled?: unknown } | undefined)?.enabled),
    durableObjects: list(durableObjectsRaw.bindings, 'durable_objects.bindings').map((b) => ({
      name: str(b.name, 'durable_objects.bindings[].name'),
      className: str(b.class_name, 'durable_objects.bindings[].class_name'),
    })),
    migrations: list(raw.migrations, 'migrations').map((m) => ({
      tag: str(m.tag, 'migrations[].tag'),
      newClasses: strings(m.new_classes, 'migrations[].new_classes'),
      newSqliteClasses: strings(m.new_sqlite_classes, 'migrations[].new_sqlite_classes'),
      deletedClasses: strings(m.deleted_classes, 'migrations[].deleted_classes'),
      renamedClasses: list(m.renamed_classes, 'migrations[].renamed_classes').map((r) => ({
        from: str(r.from, 'renamed_classes[].from'),
        to: str(r.to, 'renamed_classes[].to'),
      })),
    })),
    d1MigrationsDirs,
  };
}
