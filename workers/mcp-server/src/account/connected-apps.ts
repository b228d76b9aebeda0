// The account page's data: the user's MCP grants with their clients, permissions and last use, and recent tool calls.
import type { ClientInfo, GrantSummary, OAuthHelpers } from '@cloudflare/workers-oauth-provider';
import { lastUseByGrant, recentToolCalls, type ToolCallOutcome } from '../audit/audit-log.js';
import { scopeChoice } from '../auth/scopes.js';

/** One connected MCP client, as the page shows it. */
export interface ConnectedApp {
  grantId: string;
  clientName: string;
  /** Host of the redirect URI the grant was issued to (where its codes went). */
  redirectHost: string;
  permissions: { value: string; description: string }[];
  /** ms since the epoch. */
  connectedAt: number;
  lastUsedAt?: number;
}

export interface ActivityEntry {
  at: number;
  appName: string;
  tool: string;
  outcome: ToolCallOutcome;
}

/** Grants read per page of the library's listing; a user has a handful. */
const GRANTS_PER_PAGE = 100;
/** Pages read at most (so a pathological account cannot make one request unbounded). */
const MAX_GRANT_PAGES = 10;

/** Every live grant of the user (the library's `listUserGrants`, all pages up to a bound). */
export async function userGrants(oauth: OAuthHelpers, userId: string, now = Date.now()): Promise<GrantSummary[]> {
  const grants: GrantSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_GRANT_PAGES; page++) {
    const result = await oauth.listUserGrants(userId, { limit: GRANTS_PER_PAGE, ...(cursor ? { cursor } : {}) });
    grants.push(...result.items);
    cursor = result.cursor;
    if (!cursor) break;
  }
  return grants.filter((grant) => grant.expiresAt === undefined || grant.expiresAt * 1000 > now);
}

/** The grant key this server put in the grant's metadata at sign-in (see callback-handler.ts). */
export function grantKeyOf(grant: GrantSummary): string | undefined {
  const key = (grant.metadata as { grantKey?: unknown } | null | undefined)?.grantKey;
  return typeof key === 'string' ? key : undefined;
}

/** Client records by id, each looked up once; a client that is gone (or a CIMD document that fails) is null. */
export class ClientDirectory {
  readonly #clients = new Map<string, Promise<ClientInfo | null>>();
  constructor(private readonly oauth: OAuthHelpers) {}

  lookup(clientId: string): Promise<ClientInfo | null> {
    let client = this.#clients.get(clientId);
    if (!client) {
      client = this.oauth.lookupClient(clientId).catch(() => null);
      this.#clients.set(clientId, client);
    }
    return client;
  }

  async nameOf(clientId: string): Promise<string> {
    return (await this.lookup(clientId))?.clientName || clientId || 'Unknown app';
  }
}

export async function connectedApps(
  oauth: OAuthHelpers,
  clients: ClientDirectory,
  auditDb: D1Database,
  userId: string,
  auditUserId: string,
): Promise<ConnectedApp[]> {
  const [grants, lastUse] = await Promise.all([userGrants(oauth, userId), lastUseByGrant(auditDb, auditUserId)]);
  const apps = await Promise.all(
    grants.map(async (grant): Promise<ConnectedApp> => {
      const client = await clients.lookup(grant.clientId);
      const grantKey = grantKeyOf(grant);
      const lastUsedAt = grantKey ? lastUse.get(grantKey) : undefined;
      return {
        grantId: grant.id,
        clientName: client?.clientName || grant.clientId,
        redirectHost: hostOf(grant.redirectUri ?? client?.redirectUris[0]),
        permissions: grant.scope.map((value) => ({ value, description: scopeChoice(value).description })),
        connectedAt: grant.createdAt * 1000,
        ...(lastUsedAt === undefined ? {} : { lastUsedAt }),
      };
    }),
  );
  return apps.sort((a, b) => b.connectedAt - a.connectedAt);
}

/** Tool calls per page of the activity list. */
export const ACTIVITY_PAGE_SIZE = 20;

export async function activity(
  clients: ClientDirectory,
  auditDb: D1Database,
  auditUserId: string,
  beforeId: number | undefined,
): Promise<{ entries: ActivityEntry[]; nextBeforeId?: number }> {
  const page = await recentToolCalls(auditDb, auditUserId, { limit: ACTIVITY_PAGE_SIZE, beforeId });
  const entries = await Promise.all(
    page.entries.map(async (entry) => ({
      at: entry.at,
      appName: await clients.nameOf(entry.clientId),
      tool: entry.tool,
      outcome: entry.outcome,
    })),
  );
  return page.nextBeforeId === undefined ? { entries } : { entries, nextBeforeId: page.nextBeforeId };
}

function hostOf(uri: string | undefined): string {
  if (!uri) return 'unknown';
  try {
    return new URL(uri).host || uri;
  } catch {
    return uri;
  }
}
