// Cloudflare side of the system: KV, D1 (+ migrations), and the two Workers with their bindings and URLs.
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import { bundleWorker } from '../scripts/build/bundle-worker.js';
import { pulumiProject } from '../system/system.js';
import { D1Migrations, readMigrationFiles } from './d1-migrations.js';
import type { ScriptMigrations } from './durable-object-migrations.js';
import type { WorkerConfig } from './wrangler-config.js';

export type WorkerBinding = cloudflare.types.input.WorkersScriptBinding;

/** A `secret_text` binding whose value stays a Pulumi secret. */
export function secretText(name: string, value: pulumi.Input<string>): pulumi.Input<WorkerBinding> {
  return { type: 'secret_text', name, text: pulumi.secret(value) };
}

export interface WorkerArgs {
  accountId: pulumi.Input<string>;
  /** Script name on the account (already prefixed). */
  scriptName: string;
  /** Folder holding the Worker's wrangler.jsonc and sources. */
  workerDir: string;
  /** Where the bundle is written; its own folder so a local `npm run dev` build never swaps it mid-upload. */
  bundleDir: string;
  /** The Worker's wrangler.jsonc, parsed: compatibility settings come from it. */
  config: WorkerConfig;
  /** Flags added on top of wrangler.jsonc's for the cloud only (local mode must not have them). */
  cloudCompatibilityFlags?: readonly string[];
  /** Durable Object migrations still to apply (see durable-object-migrations.ts); undefined = none. */
  migrations?: pulumi.Input<ScriptMigrations | undefined>;
  bindings: pulumi.Input<pulumi.Input<WorkerBinding>[]>;
  /** The account's workers.dev subdomain label. */
  workersDevSubdomain: pulumi.Input<string>;
  /** Optional custom hostname (must be in a zone on the account). */
  hostname?: string;
  /** Resources the upload must wait for (e.g. the D1 migrations the code expects). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** A Worker bundled with wrangler at preview/up, uploaded, reachable on workers.dev and optionally a custom domain. */
export class Worker extends pulumi.ComponentResource {
  public readonly scriptName: pulumi.Output<string>;
  /** Public origin (no trailing slash): the custom domain when set, else workers.dev. */
  public readonly url: pulumi.Output<string>;
  public readonly workersDevUrl: pulumi.Output<string>;
  public readonly contentSha256: pulumi.Output<string>;

  constructor(name: string, args: WorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:cloudflare:Worker`, name, {}, opts);
    // Built at preview and up, never inlined: state holds only the path and the content hash, and a new hash is an update.
    const bundle = pulumi.output(bundleWorker({ workerDir: args.workerDir, outDir: args.bundleDir })).apply((b) => {
      if (b.files.length !== 1) {
        throw new Error(`${args.workerDir} builds to ${b.files.length} modules (${b.files.join(', ')}); the program uploads exactly one.`);
      }
      return b;
    });
    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        contentFile: bundle.mainPath,
        contentSha256: bundle.sha256,
        mainModule: bundle.mainModule,
        compatibilityDate: args.config.compatibilityDate,
        compatibilityFlags: [...new Set([...args.config.compatibilityFlags, ...(args.cloudCompatibilityFlags ?? [])])],
        observability: { enabled: args.config.observability },
        bindings: args.bindings,
        migrations: args.migrations,
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    new cloudflare.WorkersScriptSubdomain(
      `${name}-workers-dev`,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: true, previewsEnabled: false },
      { parent: this },
    );
    this.workersDevUrl = pulumi.interpolate`https://${script.scriptName}.${args.workersDevSubdomain}.workers.dev`;
    if (args.hostname) {
      const domain = new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        { accountId: args.accountId, hostname: args.hostname, service: script.scriptName },
        { parent: this },
      );
      this.url = pulumi.interpolate`https://${domain.hostname}`;
    } else {
      this.url = this.workersDevUrl;
    }
    this.scriptName = script.scriptName;
    this.contentSha256 = bundle.sha256;
    this.registerOutputs({
      scriptName: this.scriptName,
      url: this.url,
      workersDevUrl: this.workersDevUrl,
      contentSha256: this.contentSha256,
    });
  }
}

export interface TodosDatabaseArgs {
  accountId: pulumi.Input<string>;
  name: string;
  migrationsDir: string;
  /** Token for the D1 query API (the Cloudflare provider's token). */
  apiToken: pulumi.Input<string>;
  /** Cloudflare API base URL (the provider's). */
  apiBaseUrl: string;
}

/** D1 database of the Todos API with its migrations applied on every up that adds a migration file. */
export class TodosDatabase extends pulumi.ComponentResource {
  public readonly databaseId: pulumi.Output<string>;
  public readonly appliedMigrations: pulumi.Output<string[]>;
  public readonly migrations: D1Migrations;

  constructor(name: string, args: TodosDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:cloudflare:TodosDatabase`, name, {}, opts);
    const database = new cloudflare.D1Database(`${name}-db`, { accountId: args.accountId, name: args.name }, { parent: this });
    const migrations = new D1Migrations(
      `${name}-migrations`,
      {
        accountId: args.accountId,
        databaseId: database.uuid,
        apiToken: args.apiToken,
        apiBaseUrl: args.apiBaseUrl,
        migrations: readMigrationFiles(args.migrationsDir),
      },
      { parent: this },
    );
    this.migrations = migrations;
    this.databaseId = database.uuid;
    this.appliedMigrations = migrations.applied;
    this.registerOutputs({ databaseId: this.databaseId, appliedMigrations: this.appliedMigrations });
  }
}

export interface AuditDatabaseArgs {
  accountId: pulumi.Input<string>;
  name: string;
  migrationsDir: string;
  apiToken: pulumi.Input<string>;
  apiBaseUrl: string;
}

/** D1 database of the MCP server's audit log (tool calls, grant events), its migrations applied like the Todos API's. */
export class AuditDatabase extends pulumi.ComponentResource {
  public readonly databaseId: pulumi.Output<string>;
  public readonly migrations: D1Migrations;

  constructor(name: string, args: AuditDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:cloudflare:AuditDatabase`, name, {}, opts);
    const database = new cloudflare.D1Database(`${name}-db`, { accountId: args.accountId, name: args.name }, { parent: this });
    this.migrations = new D1Migrations(
      `${name}-migrations`,
      {
        accountId: args.accountId,
        databaseId: database.uuid,
        apiToken: args.apiToken,
        apiBaseUrl: args.apiBaseUrl,
        migrations: readMigrationFiles(args.migrationsDir),
      },
      { parent: this },
    );
    this.databaseId = database.uuid;
    this.registerOutputs({ databaseId: this.databaseId, appliedMigrations: this.migrations.applied });
  }
}
