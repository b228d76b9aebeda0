// Which Durable Object migrations a Worker upload carries, given the live script's tag (wrangler's rule).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchScriptMigrationTag, pendingMigrations } from '../durable-object-migrations.js';
import { readWorkerConfig, type WorkerConfig } from '../wrangler-config.js';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './support/fake-cloudflare-api.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const mcp = readWorkerConfig(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workers/mcp-server'));
const step = (tag: string, newSqliteClasses: string[]) => ({
  tag,
  newClasses: [],
  newSqliteClasses,
  deletedClasses: [],
  renamedClasses: [],
});
const threeTags: WorkerConfig = { ...mcp, migrations: [step('v1', ['A']), step('v2', ['B']), step('v3', ['C'])] };
const stepOf = (classes: string[]) => ({ newClasses: [], newSqliteClasses: classes, deletedClasses: [], renamedClasses: [] });

describe('pendingMigrations', () => {
  it('sends every step of wrangler.jsonc to a new script', () => {
    expect(pendingMigrations(mcp, undefined)).toEqual({ newTag: 'v1', steps: [stepOf(['McpSseSession', 'UpstreamTokenStore'])] });
  });

  it('sends nothing to a script already at the last tag', () => {
    expect(pendingMigrations(mcp, 'v1')).toBeUndefined();
  });

  it('sends only the steps after the live tag, with old_tag as the precondition', () => {
    expect(pendingMigrations(threeTags, 'v1')).toEqual({ oldTag: 'v1', newTag: 'v3', steps: [stepOf(['B']), stepOf(['C'])] });
  });

  it('applies everything over an unknown live tag, like wrangler', () => {
    expect(pendingMigrations(threeTags, 'v0')).toEqual({
      oldTag: 'v0',
      newTag: 'v3',
      steps: [stepOf(['A']), stepOf(['B']), stepOf(['C'])],
    });
  });

  it('sends nothing for a Worker without Durable Objects', () => {
    expect(pendingMigrations({ ...mcp, migrations: [] }, undefined)).toBeUndefined();
  });
});

describe('fetchScriptMigrationTag', () => {
  let api: FakeCloudflareApi;
  beforeAll(async () => {
    api = await startFakeCloudflareApi(ACCOUNT);
  });
  afterAll(() => api.close());
  const options = (scriptName: string, apiToken = api.token) => ({ apiBaseUrl: api.baseUrl, apiToken, accountId: ACCOUNT, scriptName });

  it('reads the live tag and treats a missing script as new', async () => {
    api.liveTags.set('mcp-auth0-oidc', 'v1');
    await expect(fetchScriptMigrationTag(options('mcp-auth0-oidc'))).resolves.toBe('v1');
    await expect(fetchScriptMigrationTag(options('not-deployed'))).resolves.toBeUndefined();
  });

  it.each([10007, 10090, 10092])('treats API error code %i as a new script, as wrangler does', async (code) => {
    api.missingScriptCode = code;
    try {
      await expect(fetchScriptMigrationTag(options('not-deployed'))).resolves.toBeUndefined();
    } finally {
      api.missingScriptCode = 10090;
    }
  });

  it('does not mistake another 404 (a wrong route or account) for a new script', async () => {
    api.missingScriptCode = 7003;
    try {
      await expect(fetchScriptMigrationTag(options('not-deployed'))).rejects.toThrow(/migration tag of Worker not-deployed/);
    } finally {
      api.missingScriptCode = 10090;
    }
  });

  it('fails with the permission to add when the token is refused', async () => {
    await expect(fetchScriptMigrationTag(options('mcp-auth0-oidc', 'wrong'))).rejects.toThrow(
      /Authentication error.*Workers Scripts: Edit/,
    );
  });
});
