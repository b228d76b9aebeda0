// The preflight (scripts/doctor.ts) against a stand-in `pulumi` executable on PATH: clear messages, no secrets printed.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pulumiProject } from '../../system/system.js';
import { report, runDoctor } from '../doctor.js';
import { pulumiArgs } from '../pulumi.js';

let bin: string;
let emptyBin: string;
const configFile = () => path.join(bin, 'config.json');

beforeAll(async () => {
  bin = await mkdtemp(path.join(tmpdir(), 'doctor-bin-'));
  emptyBin = await mkdtemp(path.join(tmpdir(), 'doctor-empty-'));
  // Behaves like the real CLI for the three commands the doctor runs.
  await writeFile(
    path.join(bin, 'pulumi'),
    `#!/bin/sh
case "$1" in
  version) echo v3.276.0 ;;
  whoami) if [ -n "$FAKE_LOGGED_IN" ]; then echo alice; else echo "error: PULUMI_ACCESS_TOKEN must be set for login" >&2; exit 255; fi ;;
  config) if [ "$3" = "dev" ]; then cat "${configFile()}"; else echo "error: no stack named '$3' found" >&2; exit 255; fi ;;
esac
`,
  );
  await chmod(path.join(bin, 'pulumi'), 0o755);
});
afterAll(async () => {
  await rm(bin, { recursive: true, force: true });
  await rm(emptyBin, { recursive: true, force: true });
});

const env = (extra: Record<string, string> = {}) => ({ PATH: `${bin}:/usr/bin:/bin`, FAKE_LOGGED_IN: '1', ...extra });
const failed = (results: Awaited<ReturnType<typeof runDoctor>>) => results.filter((r) => !r.ok).map((r) => `${r.label}: ${r.detail}`);

describe('doctor', () => {
  it('says how to install the CLI when pulumi is not on PATH', async () => {
    const results = await runDoctor({ PATH: emptyBin });
    expect(failed(results)).toEqual([expect.stringMatching(/^Pulumi CLI on PATH: not found\. Install it/)]);
  });

  it('asks for pulumi login', async () => {
    const results = await runDoctor({ PATH: `${bin}:/usr/bin:/bin` });
    expect(failed(results)).toEqual(['Pulumi login: not logged in. Run `pulumi login` (Pulumi Cloud) or `pulumi login --local`.']);
  });

  it('names a missing stack', async () => {
    expect(failed(await runDoctor(env({ PULUMI_STACK: 'prod' })))).toEqual([
      expect.stringMatching(/Stack prod: .*no stack named 'prod'.*pulumi stack init prod/),
    ]);
  });

  it('lists missing config and credentials, each with the fix', async () => {
    await writeFile(configFile(), JSON.stringify({ [`${pulumiProject}:auth0Domain`]: { value: 'example.us.auth0.com', secret: false } }));
    const problems = failed(await runDoctor(env()));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(new RegExp(`${pulumiProject}:cloudflareAccountId: missing`));
    expect(problems[1]).toMatch(/Auth0 provider credentials: missing\. Set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET/);
    expect(problems[2]).toMatch(/Cloudflare provider credentials: missing\. Set CLOUDFLARE_API_TOKEN/);
  });

  it('passes with stack config plus credentials from config or the environment, without printing secrets', async () => {
    await writeFile(
      configFile(),
      JSON.stringify({
        [`${pulumiProject}:auth0Domain`]: { value: 'example.us.auth0.com', secret: false },
        [`${pulumiProject}:cloudflareAccountId`]: { value: '0123456789abcdef0123456789abcdef', secret: false },
        'cloudflare:apiToken': { secret: true },
      }),
    );
    const results = await runDoctor(env({ AUTH0_CLIENT_ID: 'cid', AUTH0_CLIENT_SECRET: 'very-secret-value' }));
    expect(failed(results)).toEqual([]);
    const lines: string[] = [];
    expect(report(results, (l) => lines.push(l))).toBe(true);
    expect(lines.join('\n')).toContain('Auth0 example.us.auth0.com, Cloudflare account 0123456789abcdef0123456789abcdef');
    expect(lines.join('\n')).not.toContain('very-secret-value');
  });

  it('reads the prod settings, typed booleans included, and refuses an unknown permission', async () => {
    const base = {
      [`${pulumiProject}:auth0Domain`]: { value: 'example.us.auth0.com', secret: false },
      [`${pulumiProject}:cloudflareAccountId`]: { value: '0123456789abcdef0123456789abcdef', secret: false },
      'cloudflare:apiToken': { secret: true },
    };
    await writeFile(
      configFile(),
      JSON.stringify({
        ...base,
        [`${pulumiProject}:protectData`]: { value: true, secret: false },
        [`${pulumiProject}:userPermissions`]: { value: 'read:todos read:billing', secret: false },
      }),
    );
    const ok = await runDoctor(env({ AUTH0_CLIENT_ID: 'cid', AUTH0_CLIENT_SECRET: 'x' }));
    expect(ok.find((r) => r.label.startsWith('Stack'))?.detail).toMatch(/users may grant read:todos read:billing, data protected$/);
    await writeFile(configFile(), JSON.stringify({ ...base, [`${pulumiProject}:userPermissions`]: { value: 'admin', secret: false } }));
    expect(failed(await runDoctor(env({ AUTH0_CLIENT_ID: 'cid', AUTH0_CLIENT_SECRET: 'x' })))).toEqual([
      expect.stringMatching(/userPermissions: unknown permission "admin"/),
    ]);
  });

  it('builds the pulumi command line for the selected stack', () => {
    expect(pulumiArgs('up', 'dev', ['--yes'])).toEqual(['up', '--stack', 'dev', '--yes']);
  });
});
