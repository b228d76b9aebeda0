// Durable Object migrations to upload with a Worker: like wrangler, only the steps after the script's current tag.
import type * as cloudflare from '@pulumi/cloudflare';
import { CloudflareApiError, cloudflareGet } from './cloudflare-api.js';
import type { WorkerConfig } from './wrangler-config.js';

export type ScriptMigrations = cloudflare.types.input.WorkersScriptMigrations;

/**
 * The migration payload for a script whose live tag is `currentTag` (undefined = new script), mirroring wrangler's
 * deploy: re-sending applied steps fails on Cloudflare (pulumi-cloudflare#1215), so an up-to-date script gets none.
 */
export function pendingMigrations(config: WorkerConfig, currentTag: string | undefined): ScriptMigrations | undefined {
  const all = config.migrations;
  const last = all.at(-1);
  if (!last) return undefined;
  const steps = (list: WorkerConfig['migrations']) =>
    list.map((m) => ({
      newClasses: m.newClasses,
      newSqliteClasses: m.newSqliteClasses,
      deletedClasses: m.deletedClasses,
      renamedClasses: m.renamedClasses,
    }));
  if (!currentTag) return { newTag: last.tag, steps: steps(all) };
  const index = all.findIndex((m) => m.tag === currentTag);
  // A tag we no longer list: apply everything on top of it, as wrangler does (with a warning there).
  if (index === -1) return { oldTag: currentTag, newTag: last.tag, steps: steps(all) };
  if (index === all.length - 1) return undefined;
  return { oldTag: currentTag, newTag: last.tag, steps: steps(all.slice(index + 1)) };
}

export interface ScriptMigrationTagOptions {
  apiBaseUrl: string;
  apiToken: string;
  accountId: string;
  scriptName: string;
}

/**
 * API error codes that mean "no such Worker yet", as wrangler treats them when it looks up the migration tag
 * (workers-sdk deploy-helpers durable.ts `suppressNotFoundError` + worker-not-found-error.ts): 10007 "This Worker does
 * not exist on your account", 10090 (legacy environment not found) and 10092.
 */
export const WORKER_NOT_FOUND_CODES = [10007, 10090, 10092] as const;

/** The live script's Durable Object migration tag; undefined when the script does not exist yet or has none. */
export async function fetchScriptMigrationTag(options: ScriptMigrationTagOptions): Promise<string | undefined> {
  try {
    const service = await cloudflareGet<{ default_environment?: { script?: { migration_tag?: string } } }>(
      options.apiBaseUrl,
      options.apiToken,
      `/accounts/${options.accountId}/workers/services/${options.scriptName}`,
    );
    return service?.default_environment?.script?.migration_tag || undefined;
  } catch (error) {
    // Wrangler matches the codes, not the HTTP status; a bare 404 without an envelope still means "no such Worker".
    if (
      error instanceof CloudflareApiError &&
      (error.hasCode(...WORKER_NOT_FOUND_CODES) || (error.status === 404 && error.codes.length === 0))
    ) {
      return undefined;
    }
    throw new Error(
      `Cloudflare API: cannot read the Durable Object migration tag of Worker ${options.scriptName} (${(error as Error).message}). ` +
        'The API token needs "Workers Scripts: Edit".',
    );
  }
}
