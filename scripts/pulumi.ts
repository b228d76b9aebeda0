// `npm run preview|up|destroy`: runs `pulumi <command> --stack <PULUMI_STACK or dev>` after the doctor's preflight.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { report, runDoctor, stackName } from './doctor.js';

const COMMANDS = ['preview', 'up', 'destroy'] as const;
export type PulumiCommand = (typeof COMMANDS)[number];

/** The pulumi argv for a command: extra arguments (e.g. `--yes`, `--diff`) are passed through. */
export function pulumiArgs(command: PulumiCommand, stack: string, extra: readonly string[]): string[] {
  return [command, '--stack', stack, ...extra];
}

async function main(): Promise<number> {
  const [command, ...extra] = process.argv.slice(2);
  if (!COMMANDS.includes(command as PulumiCommand)) {
    console.error(`usage: tsx scripts/pulumi.ts <${COMMANDS.join('|')}> [pulumi options]`);
    return 2;
  }
  // destroy needs only the CLI and credentials the state already names; preview/up need the full preflight.
  if (command !== 'destroy' && !report(await runDoctor())) return 1;
  const args = pulumiArgs(command as PulumiCommand, stackName(), extra);
  console.log(`$ pulumi ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn('pulumi', args, { stdio: 'inherit' });
    child.on('error', (error: NodeJS.ErrnoException) => {
      console.error(error.code === 'ENOENT' ? 'Pulumi CLI not found on PATH: run `npm run doctor`.' : error.message);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
