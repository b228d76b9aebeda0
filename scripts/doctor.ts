// Preflight for `npm run preview|up`: Pulumi CLI, login, stack config and provider credentials, checked before anything is created.
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { type ConfigSource, readStackConfig } from '../system/stack-config.js';
import { pulumiProject } from '../system/system.js';

export interface CheckResult {
  ok: boolean;
  label: string;
  /** What to do when it fails, or what was found when it passed. */
  detail: string;
}

interface CommandResult {
  code: number | 'ENOENT';
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ code: 'ENOENT', stdout: '', stderr: '' });
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** The stack whose config is checked: PULUMI_STACK, else `dev`. */
export function stackName(env: NodeJS.ProcessEnv = process.env): string {
  return env.PULUMI_STACK?.trim() || 'dev';
}

/** Run every check; never throws, never prints a secret value. */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const stack = stackName(env);

  const version = await run('pulumi', ['version'], env);
  if (version.code !== 0) {
    results.push({
      ok: false,
      label: 'Pulumi CLI on PATH',
      detail: 'not found. Install it: https://www.pulumi.com/docs/iac/download-install/ (e.g. `curl -fsSL https://get.pulumi.com | sh`).',
    });
    return results;
  }
  results.push({ ok: true, label: 'Pulumi CLI on PATH', detail: version.stdout.trim() });

  const whoami = await run('pulumi', ['whoami'], env);
  if (whoami.code !== 0) {
    results.push({
      ok: false,
      label: 'Pulumi login',
      detail: 'not logged in. Run `pulumi login` (Pulumi Cloud) or `pulumi login --local`.',
    });
    return results;
  }
  results.push({ ok: true, label: 'Pulumi login', detail: whoami.stdout.trim() });

  const configRun = await run('pulumi', ['config', '--stack', stack, '--json'], env);
  if (configRun.code !== 0) {
    results.push({
      ok: false,
      label: `Stack ${stack}`,
      detail: `cannot read its config (${configRun.stderr.trim().split('\n')[0] || 'unknown error'}). Create it: \`pulumi stack init ${stack}\`.`,
    });
    return results;
  }
  let config: Record<string, { value?: unknown; secret?: boolean }>;
  try {
    config = JSON.parse(configRun.stdout) as typeof config;
  } catch {
    results.push({ ok: false, label: `Stack ${stack}`, detail: '`pulumi config --json` printed something that is not JSON.' });
    return results;
  }
  const has = (key: string) => key in config;
  const source = (namespace: string): ConfigSource => ({
    get: (name) => {
      const entry = config[`${namespace}:${name}`];
      // Typed keys (protectData: boolean) may come back as JSON booleans: the model reads strings.
      if (!entry || entry.secret) return undefined;
      return typeof entry.value === 'string' || typeof entry.value === 'boolean' ? String(entry.value) : undefined;
    },
  });
  try {
    const infra = readStackConfig(source(pulumiProject), source('auth0'), env);
    results.push({
      ok: true,
      label: `Stack ${stack} config`,
      detail:
        `Auth0 ${infra.auth0Domain}, Cloudflare account ${infra.cloudflareAccountId}, workers.dev ${infra.workersDevSubdomain ?? '(looked up at preview/up)'}${infra.namePrefix ? `, prefix ${infra.namePrefix}` : ''}` +
        `, users may grant ${infra.userPermissions.join(' ')}${infra.protectData ? ', data protected' : ''}`,
    });
  } catch (error) {
    results.push({ ok: false, label: `Stack ${stack} config`, detail: (error as Error).message });
  }

  const auth0Client = (has('auth0:clientId') || !!env.AUTH0_CLIENT_ID) && (has('auth0:clientSecret') || !!env.AUTH0_CLIENT_SECRET);
  const auth0Token = has('auth0:apiToken') || !!env.AUTH0_API_TOKEN;
  results.push(
    auth0Client || auth0Token
      ? {
          ok: true,
          label: 'Auth0 provider credentials',
          detail: auth0Client ? 'Management API M2M client id + secret' : 'Management API token',
        }
      : {
          ok: false,
          label: 'Auth0 provider credentials',
          detail:
            'missing. Set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (a Management API M2M app, docs/deploy.md), or ' +
            '`pulumi config set auth0:clientId …` and `pulumi config set --secret auth0:clientSecret …`.',
        },
  );
  results.push(
    has('cloudflare:apiToken') || env.CLOUDFLARE_API_TOKEN
      ? { ok: true, label: 'Cloudflare provider credentials', detail: 'API token' }
      : {
          ok: false,
          label: 'Cloudflare provider credentials',
          detail: 'missing. Set CLOUDFLARE_API_TOKEN or `pulumi config set --secret cloudflare:apiToken …` (permissions: docs/deploy.md).',
        },
  );
  return results;
}

/** Print the results; true when everything passed. */
export function report(results: CheckResult[], log: (line: string) => void = console.log): boolean {
  for (const r of results) log(`${r.ok ? '✓' : '✗'} ${r.label}: ${r.detail}`);
  const ok = results.every((r) => r.ok);
  log(ok ? 'Ready for `npm run preview` / `npm run up`.' : 'Fix the items marked ✗ first (docs/deploy.md).');
  return ok;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const ok = report(await runDoctor());
  process.exitCode = ok ? 0 : 1;
}
