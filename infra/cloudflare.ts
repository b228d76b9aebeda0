// Cloudflare side of the system: KV, D1 (+ migrations), and the two Workers with their bindings and URLs.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import { bundleWorker, type WorkerBundle } from '../scripts/build/bundle-worker.js';
import { pulumiProject } from '../system/system.js';
import { D1Migrations, readMigrationFiles } from './d1-migrations.js';
import type { ScriptMigrations } from './durable-object-migrations.js';
import { providerRelativePath } from './provider-paths.js';
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
  /** Optional custom hostname (must be in a zone on the account); when set, the workers.dev route is off. */
  hostname?: string;
  /** Zone of `hostname` (required with it): the provider's zone_id is otherwise left to the API to infer. */
  zoneId?: pulumi.Input<string>;
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
    const bundle = pulumi.output(bundleWorker({ workerDir: args.workerDir, outDir: args.bundleDir })).apply(singleModule);
    // The provider hashes the raw content_file bytes at plan time and refuses a mismatch ("SHA-256 Hash Mismatch").
    const contentSha256 = bundle.mainPath.apply(sha256OfFile);
    const script = new cloudflare.WorkersScript(
      `${name}-script`,
      {
        accountId: args.accountId,
        scriptName: args.scriptName,
        // Relative to the provider's working directory (infra/), so state does not depend on where the repo is checked out.
        contentFile: bundle.mainPath.apply((p) => providerRelativePath(p)),
        contentSha256,
        mainModule: bundle.mainModule,
        compatibilityDate: args.config.compatibilityDate,
        compatibilityFlags: [...new Set([...args.config.compatibilityFlags, ...(args.cloudCompatibilityFlags ?? [])])],
        observability: { enabled: args.config.observability },
        bindings: args.bindings,
        migrations: args.migrations,
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    // With a custom domain the workers.dev route is off: one public origin, so tokens have one audience and one issuer.
    // Managed explicitly either way (whether an API upload starts with workers.dev on is not documented).
    new cloudflare.WorkersScriptSubdomain(
      `${name}-workers-dev`,
      { accountId: args.accountId, scriptName: script.scriptName, enabled: !args.hostname, previewsEnabled: false },
      { parent: this },
    );
    this.workersDevUrl = pulumi.interpolate`https://${script.scriptName}.${args.workersDevSubdomain}.workers.dev`;
    if (args.hostname) {
      if (args.zoneId === undefined) throw new TypeError(`Worker ${name}: a custom hostname needs its zoneId`);
      const domain = new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        { accountId: args.accountId, hostname: args.hostname, service: script.scriptName, zoneId: args.zoneId },
        { parent: this },
      );
      this.url = pulumi.interpolate`https://${domain.hostname}`;
    } else {
      this.url = this.workersDevUrl;
    }
    this.scriptName = script.scriptName;
    this.contentSha256 = contentSha256;
    this.registerOutputs({
      scriptName: this.scriptName,
      url: this.url,
      workersDevUrl: this.workersDevUrl,
      contentSha256: this.contentSha256,
    });
  }
}

/**
 * The bundle, if it is one module. WorkersScript uploads exactly one module part (content_file + main_module), so a
 * bundle with chunks, wasm or text modules would deploy a Worker missing them: refuse it before anything is uploaded.
 */
export function singleModule(bundle: WorkerBundle): WorkerBundle {
  const extra = bundle.files.filter((f) => f !== bundle.mainModule);
  if (extra.length > 0) {
    throw new Error(
      `${bundle.workerDir} builds to ${bundle.files.length} modules (${bundle.files.join(', ')}), but the Cloudflare provider ` +
        `uploads only the main module ${bundle.mainModule}: ${extra.join(', ')} would be missing from the deployed Worker. ` +
        'Bundle everything into one module (no dynamic import of a separate chunk, no .wasm/.bin/.txt module rules), or deploy that Worker with wrangler.',
    );
  }
  return bundle;
}

/** Hex SHA-256 of a file's raw bytes, streamed like the provider's validator does (io.Copy into sha256.New()). */
export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface MigratedDatabaseArgs {
  accountId: pulumi.Input<string>;
  name: string;
  migrationsDir: string;
  /** Token for the D1 query API (the Cloudflare provider's token). */
  apiToken: pulumi.Input<string>;
  /** Cloudflare API base URL (the provider's). */
  apiBaseUrl: string;
  /** Protect the database (prod): no `up` or `destroy` may delete it, and so its data, without an explicit step. */
  protect?: boolean;
}

/** A D1 database with its migrations applied on every up that adds a migration file. */
abstract class MigratedDatabase extends pulumi.ComponentResource {
  public readonly databaseId: pulumi.Output<string>;
  public readonly appliedMigrations: pulumi.Output<string[]>;
  public readonly migrations: D1Migrations;

  protected constructor(type: string, name: string, args: MigratedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:cloudflare:${type}`, name, {}, opts);
    const database = new cloudflare.D1Database(
      `${name}-db`,
      { accountId: args.accountId, name: args.name },
      { parent: this, protect: args.protect ?? false },
    );
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

/** D1 database of the Todos API: the users' todos and billing profiles. */
export class TodosDatabase extends MigratedDatabase {
  constructor(name: string, args: MigratedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('TodosDatabase', name, args, opts);
  }
}

/** D1 database of the MCP server's audit log (tool calls, grant events). */
export class AuditDatabase extends MigratedDatabase {
  constructor(name: string, args: MigratedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('AuditDatabase', name, args, opts);
  }
}
