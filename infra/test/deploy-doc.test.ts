// docs/deploy.md's resource, output, Auth0-scope and Cloudflare-permission tables, generated from the program's mock
// graph (dev and Pulumi.prod.yaml): the test fails when the guide is stale. Regenerate with `npm run docs:deploy`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { directCloudflareCalls, outputFacts, resourceFacts } from './support/deploy-doc-facts.js';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './support/fake-cloudflare-api.js';
import { type ProgramRun, runProgram } from './support/program-harness.js';

vi.mock('../../scripts/build/bundle-worker.js', async (importOriginal) =>
  (await import('./support/cached-bundle-worker.js')).cachedBundleWorker(await importOriginal(), 'pulumi-doc'),
);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const guide = path.join(root, 'docs', 'deploy.md');
const START = '<!-- generated:deploy-tables:start (npm run docs:deploy; do not edit by hand) -->';
const END = '<!-- generated:deploy-tables:end -->';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const BASE = { auth0Domain: 'example.us.auth0.com', cloudflareAccountId: ACCOUNT, workersDevSubdomain: 'test-sub' };

let cfApi: FakeCloudflareApi;
let dev: ProgramRun;
let prod: ProgramRun;
beforeAll(async () => {
  cfApi = await startFakeCloudflareApi(ACCOUNT);
  const run = (config: Record<string, string>) => {
    vi.resetModules();
    return runProgram({ 'cloudflare:baseUrl': cfApi.baseUrl, 'cloudflare:apiToken': cfApi.token, ...config }, () => import('../index.js'));
  };
  dev = await run(BASE);
  const prodYaml = parseYaml(readFileSync(path.join(root, 'Pulumi.prod.yaml'), 'utf8')) as { config: Record<string, unknown> };
  prod = await run({ ...BASE, ...Object.fromEntries(Object.entries(prodYaml.config).map(([k, v]) => [k, String(v)])) });
}, 120_000);
afterAll(() => cfApi.close());

const key = (r: { type: string; name: string }) => `${r.type} ${r.name}`;
const tokensOf = (run: ProgramRun) => [...new Set([...run.resources.map((r) => r.type), ...run.invokes.map((i) => i.token)])];
const facts = (token: string) => {
  const found = resourceFacts[token];
  if (!found) throw new Error(`${token} has no entry in infra/test/support/deploy-doc-facts.ts: describe it (and its scopes)`);
  return found;
};
const byName = <T extends { type: string; name: string }>(list: T[]) =>
  [...list].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));

function render(): string {
  const lines: string[] = [START, ''];
  lines.push('**Resources** a first `pulumi preview` of a dev stack lists (all `create`):', '');
  lines.push('| Name | Type | What it is |', '| --- | --- | --- |');
  for (const r of byName(dev.resources)) lines.push(`| \`${r.name}\` | \`${r.type}\` | ${facts(r.type).what} |`);
  const devKeys = new Set(dev.resources.map(key));
  lines.push('', '**A prod stack** (`Pulumi.prod.yaml`) adds:', '');
  lines.push('| Name | Type | What it is |', '| --- | --- | --- |');
  for (const r of byName(prod.resources.filter((x) => !devKeys.has(key(x))))) {
    lines.push(`| \`${r.name}\` | \`${r.type}\` | ${facts(r.type).what} |`);
  }
  const zone = prod.invokes.filter((i) => i.token === 'cloudflare:index/getZone:getZone');
  if (zone.length > 0)
    lines.push(`| (data source) | \`cloudflare:index/getZone:getZone\` | ${facts('cloudflare:index/getZone:getZone').what} |`);
  lines.push('', 'and protects (`protect: true`, so `pulumi destroy` stops before deleting them):', '');
  for (const r of byName(prod.resources.filter((x) => x.protect))) lines.push(`- \`${r.name}\` (\`${r.type}\`)`);
  const workersDevOff = prod.resources.filter((r) => r.type.endsWith('WorkersScriptSubdomain') && r.inputs.enabled === false);
  lines.push(`- and turns the workers.dev route off for ${workersDevOff.map((r) => `\`${r.inputs.scriptName}\``).join(' and ')}`);

  lines.push('', '**Outputs** (`pulumi stack output <name>`):', '', '| Output | What it is for |', '| --- | --- |');
  for (const name of Object.keys(dev.outputs).sort()) {
    const what = outputFacts[name];
    if (!what) throw new Error(`output ${name} has no entry in outputFacts (infra/test/support/deploy-doc-facts.ts)`);
    lines.push(`| \`${name}\` | ${what}${dev.secretOutputs.includes(name) ? ' (secret)' : ''} |`);
  }

  const tokens = [...new Set([...tokensOf(dev), ...tokensOf(prod)])].sort();
  const auth0 = tokens.filter((t) => facts(t).auth0Scopes);
  lines.push('', '**Auth0 Management API scopes** of the Pulumi M2M application, by the resource that needs them:', '');
  lines.push('| Resource | Scopes |', '| --- | --- |');
  for (const t of auth0)
    lines.push(
      `| \`${t}\` | ${facts(t)
        .auth0Scopes!.map((s) => `\`${s}\``)
        .join(' ')} |`,
    );
  const all = [...new Set(auth0.flatMap((t) => facts(t).auth0Scopes!))].sort();
  lines.push('', `All of them, exactly (${all.length}):`, '', '```text', all.join(' '), '```');

  lines.push('', '**Cloudflare API token permissions**, by what needs them:', '', '| Permission | Needed by |', '| --- | --- |');
  const needs = new Map<string, string[]>();
  for (const t of tokens) {
    const permission = facts(t).cloudflarePermission;
    if (permission) needs.set(permission, [...(needs.get(permission) ?? []), `\`${t}\``]);
  }
  for (const c of directCloudflareCalls) needs.set(c.permission, [...(needs.get(c.permission) ?? []), c.call]);
  for (const [permission, users] of [...needs].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`| ${permission} | ${users.join('; ')} |`);
  lines.push('', END);
  return lines.join('\n');
}

describe('docs/deploy.md', () => {
  it('has a fact entry for every resource type, data source and output the program declares, and none it does not', () => {
    const used = new Set([...tokensOf(dev), ...tokensOf(prod)]);
    expect(Object.keys(resourceFacts).filter((t) => !used.has(t))).toEqual([]);
    for (const t of used) facts(t);
    expect(Object.keys(outputFacts).sort()).toEqual(Object.keys(dev.outputs).sort());
  });

  it('lists exactly the Auth0 Management API scopes the declared resources need (none for client_credentials writes)', () => {
    const tables = render();
    for (const unused of ['create:client_credentials', 'update:client_credentials', 'delete:client_credentials', 'create:roles']) {
      expect(tables).not.toContain(unused);
    }
    expect(tables).toContain('read:client_credentials');
  });

  it('carries the generated tables, up to date', () => {
    const text = readFileSync(guide, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, `docs/deploy.md needs the marker ${START}`).toBeGreaterThan(-1);
    const current = text.slice(start, end + END.length);
    const fresh = render();
    if (process.env.UPDATE_DEPLOY_DOC === '1' && current !== fresh) {
      writeFileSync(guide, text.slice(0, start) + fresh + text.slice(end + END.length));
      return;
    }
    expect(current, 'docs/deploy.md is stale: run `npm run docs:deploy`').toBe(fresh);
  });
});
