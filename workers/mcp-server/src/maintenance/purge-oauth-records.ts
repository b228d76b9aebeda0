// The cron's OAuth housekeeping: expired grants and tokens (the library's sweep) and clients nobody ever used.
import { getOAuthApi, type OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { registrationPolicy } from '../../../../system/system.js';
import { oauthProviderOptions } from '../auth/create-oauth-provider.js';

/** Where the library's sweep stopped last time (it is resumable: each run continues from here). */
const PURGE_CURSOR_KEY = 'maintenance:purge-cursor';
/** Set when a client completes its first authorization; absent for clients that only ever registered. */
const clientUsedKey = (clientId: string) => `client-used:${clientId}`;
/** A used client stays marked for a year after its last sign-in, beyond any grant's life. */
const CLIENT_USED_TTL_SECONDS = 365 * 24 * 60 * 60;
/** Keys checked per phase per run: well under a cron invocation's subrequest budget. */
const SWEEP_BATCH = 100;
/** Clients deleted per run at most; the rest wait for the next run. */
const MAX_CLIENT_DELETIONS = 25;

export interface OAuthPurgeResult {
  grantsPurged: number;
  tokensPurged: number;
  clientsDeleted: number;
}

/** Record that `clientId` completed an authorization, so the purge keeps it. */
export function markClientUsed(env: Env, clientId: string): Promise<void> {
  return env.OAUTH_KV.put(clientUsedKey(clientId), '1', { expirationTtl: CLIENT_USED_TTL_SECONDS });
}

/**
 * One run of the housekeeping: the library's `purgeExpiredData` (continuing its sweep), then clients registered
 * more than `registrationPolicy.unusedClientDays` days ago that never completed an authorization (DCR lets anyone
 * register, so unused registrations would otherwise pile up in KV forever).
 */
export async function purgeOAuthRecords(env: Env, origin: string, now = Date.now()): Promise<OAuthPurgeResult> {
  const helpers = getOAuthApi(oauthProviderOptions(origin), env);
  const cursor = (await env.OAUTH_KV.get(PURGE_CURSOR_KEY)) ?? undefined;
  const sweep = await helpers.purgeExpiredData({ batchSize: SWEEP_BATCH, ...(cursor ? { cursor } : {}) });
  if (sweep.cursor) await env.OAUTH_KV.put(PURGE_CURSOR_KEY, sweep.cursor);
  else await env.OAUTH_KV.delete(PURGE_CURSOR_KEY);
  const clientsDeleted = await deleteUnusedClients(env, helpers, now);
  return { grantsPurged: sweep.grantsPurged, tokensPurged: sweep.tokensPurged, clientsDeleted };
}

async function deleteUnusedClients(env: Env, helpers: OAuthHelpers, now: number): Promise<number> {
  const registeredBefore = Math.floor(now / 1000) - registrationPolicy.unusedClientDays * 24 * 60 * 60;
  let deleted = 0;
  let cursor: string | undefined;
  do {
    const page = await helpers.listClients({ limit: 100, ...(cursor ? { cursor } : {}) });
    for (const client of page.items) {
      if (deleted >= MAX_CLIENT_DELETIONS) return deleted;
      if (client.registrationDate === undefined || client.registrationDate > registeredBefore) continue;
      if (await env.OAUTH_KV.get(clientUsedKey(client.clientId))) continue;
      await helpers.deleteClient(client.clientId);
      deleted++;
    }
    cursor = page.cursor;
  } while (cursor);
  return deleted;
}
