// The audit log: what tool calls and grant events write (pseudonymous, no secrets), paging, and the retention purge.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { ServerContext } from '@modelcontextprotocol/server';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeAuditEvent } from '../src/audit/audit-log.js';
import { pseudonymousUserId } from '../src/audit/pseudonymous-user-id.js';
import { AUDIT_RETENTION_DAYS, purgeAuditLog } from '../src/audit/purge-audit-log.js';
import { markDenied } from '../src/audit/record-tool-call.js';
import worker from '../src/index.js';
import { sessionAuthInfo } from '../src/mcp/mcp-request-auth.js';
import { runToolCall } from '../src/mcp/tools/tool-call.js';
import { clearDiscoveryCache } from '../src/upstream/idp-client.js';
import { accountHtml, accountSignIn, auditRows, callTool, clearAuditLog, waitForAuditRows } from './account/support/account-flow.js';
import { aliceProps } from './mcp/support/mcp-test-context.js';
import { idp, resetIdp } from './support/fake-idp-token-endpoint.js';
import { refreshMcp, signIn } from './support/oauth-flow.js';
import { testBindings } from './support/test-bindings.js';

beforeEach(async () => {
  resetIdp();
  clearDiscoveryCache();
  await clearAuditLog();
});

const DAY_MS = 24 * 60 * 60 * 1000;

describe('audit log writes', () => {
  it('should record the sign-in, each tool call and a refresh under a pseudonymous user id, with no secrets', async () => {
    const { client, tokens } = await signIn('auth0|judy');
    expect((await callTool(tokens.access_token, 'whoami')).status).toBe(200);
    // The fake Todos API binding answers 503: the tool reports an error, and so does the log.
    expect((await callTool(tokens.access_token, 'list-todos')).status).toBe(200);
    const refreshed = await refreshMcp(client.client_id, tokens.refresh_token);
    expect(refreshed.status).toBe(200);
    const next = await refreshed.json<{ access_token: string; refresh_token: string }>();

    const rows = await waitForAuditRows(() => true, 4);
    const userId = await pseudonymousUserId('auth0|judy', testBindings.COOKIE_ENCRYPTION_KEY);
    expect(rows.map((row) => [row.kind, row.tool, row.outcome])).toEqual([
      ['grant_connected', null, null],
      ['tool_call', 'whoami', 'ok'],
      ['tool_call', 'list-todos', 'error'],
      ['grant_refreshed', null, null],
    ]);
    for (const row of rows) {
      expect(row.user_id).toBe(userId);
      expect(row.client_id).toBe(client.client_id);
      expect(row.grant_key).toMatch(/^[0-9a-f-]{36}$/);
      expect(Math.abs(row.at - Date.now())).toBeLessThan(60_000);
    }
    expect(rows[1]!.duration_ms).toBeGreaterThanOrEqual(0);
    const stored = JSON.stringify(rows);
    for (const secret of ['auth0|judy', 'judy@example.com', tokens.access_token, tokens.refresh_token, next.access_token, 'rt-']) {
      expect(stored).not.toContain(secret);
    }
  });

  it('should record the grant revoked for invalid_grant when the IdP refuses a refresh', async () => {
    const { client, tokens } = await signIn('auth0|ken');
    idp.mode = 'invalid_grant';
    expect((await refreshMcp(client.client_id, tokens.refresh_token)).status).toBe(400);
    await waitForAuditRows((row) => row.kind === 'grant_revoked_invalid_grant');
  });

  it('should record a refusal for a missing permission as denied', async () => {
    // The request context a tool call runs in, as the SDK builds it from the grant (src/mcp/mcp-request-auth.ts).
    const authInfo = sessionAuthInfo({
      clientId: 'client-1',
      scopes: ['read:todos'],
      resource: 'https://mcp.example.test',
      props: aliceProps(),
    });
    const ctx = { http: { authInfo } } as unknown as ServerContext;
    await runToolCall('list-billing', ctx, async () => markDenied({ isError: true, content: [{ type: 'text', text: 'not granted' }] }));
    const [row] = await waitForAuditRows((candidate) => candidate.tool === 'list-billing');
    expect(row).toMatchObject({ kind: 'tool_call', outcome: 'denied', client_id: 'client-1', grant_key: 'grant-alice' });
  });

  it('should give the same pseudonym for the same subject, and different ones for other subjects or keys', async () => {
    const key = testBindings.COOKIE_ENCRYPTION_KEY;
    expect(await pseudonymousUserId('auth0|a', key)).toBe(await pseudonymousUserId('auth0|a', key));
    expect(await pseudonymousUserId('auth0|a', key)).not.toBe(await pseudonymousUserId('auth0|b', key));
    expect(await pseudonymousUserId('auth0|a', key)).not.toBe(await pseudonymousUserId('auth0|a', `${key}x`));
    expect(await pseudonymousUserId('auth0|a', key)).toMatch(/^[\w-]{43}$/);
  });
});

describe('activity on the account page', () => {
  it('should list the newest calls first, 20 a page, with a link to older ones', async () => {
    const jar = await accountSignIn('auth0|leo');
    const userId = await pseudonymousUserId('auth0|leo', testBindings.COOKIE_ENCRYPTION_KEY);
    const start = Date.now() - 60_000;
    for (let i = 0; i < 25; i++) {
      await writeAuditEvent(env.AUDIT_DB, {
        at: start + i * 1000,
        userId,
        clientId: 'gone-client',
        kind: 'tool_call',
        tool: `tool-${i}`,
        outcome: 'ok',
        durationMs: 3,
      });
    }
    const first = await accountHtml(jar);
    const tools = (html: string) => [...html.matchAll(/<code>(tool-\d+)<\/code>/g)].map((match) => match[1]);
    expect(tools(first)).toHaveLength(20);
    expect(tools(first)[0]).toBe('tool-24');
    const older = /href="\/account\?before=(\d+)#activity"/.exec(first);
    expect(older).not.toBeNull();
    const second = await accountHtml(jar, `?before=${older![1]}`);
    expect(tools(second)).toEqual(['tool-4', 'tool-3', 'tool-2', 'tool-1', 'tool-0']);
    expect(second).not.toContain('Older calls');
    // Another user's calls are not shown.
    expect(await accountHtml(await accountSignIn('auth0|mia'))).not.toContain('tool-');
  });
});

describe('retention purge', () => {
  it(`should delete rows older than ${AUDIT_RETENTION_DAYS} days and keep newer ones`, async () => {
    const now = Date.now();
    const base = { userId: 'u', clientId: 'c', kind: 'grant_connected' } as const;
    await writeAuditEvent(env.AUDIT_DB, { ...base, at: now - (AUDIT_RETENTION_DAYS + 1) * DAY_MS });
    await writeAuditEvent(env.AUDIT_DB, { ...base, at: now - (AUDIT_RETENTION_DAYS - 1) * DAY_MS });
    expect(await purgeAuditLog(env.AUDIT_DB, now)).toBe(1);
    expect(await auditRows()).toHaveLength(1);
  });

  it("should run from the Worker's scheduled handler (the cron trigger)", async () => {
    await writeAuditEvent(env.AUDIT_DB, { userId: 'u', clientId: 'c', kind: 'grant_connected', at: Date.now() - 400 * DAY_MS });
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '17 3 * * *', scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await auditRows()).toEqual([]);
  });
});
