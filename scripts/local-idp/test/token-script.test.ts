// `npm run token` (scripts/token.ts) against a running local IdP, and its message when none runs.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { allTodosPermissions, todosApi } from '../../../system/system.js';
import { useTestIdp } from './support/test-idp.js';

const PORT = 18797;
const UNUSED_PORT = 18798;
const run = promisify(execFile);

const test = useTestIdp(PORT);

function token(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', path.resolve('scripts/token.ts'), '--state-dir', test().stateDir, ...args], {
    timeout: 20_000,
  });
}

describe('npm run token', () => {
  it('should print a verifiable M2M token and a ready curl line for GET /api/me', async () => {
    const { stdout } = await token('--port', String(PORT), '--api-port', '18789');
    const curl = /curl -H "Authorization: Bearer ([\w.-]+)" (\S+)/.exec(stdout);
    expect(curl?.[2]).toBe('http://localhost:18789/api/me');
    const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', test().idp.issuer));
    const { payload } = await jwtVerify(curl![1]!, jwks, { issuer: test().idp.issuer, audience: todosApi.identifier });
    expect(payload.permissions).toEqual([...allTodosPermissions]);
  });

  it('should show the test application credentials with --show-client', async () => {
    const { stdout } = await token('--port', String(PORT), '--show-client');
    expect(stdout).toContain(test().idp.testApp.clientId);
    expect(stdout).toContain(test().idp.testApp.clientSecret);
    expect(stdout).toContain(`audience=${todosApi.identifier}`);
  });

  it('should say how to start the IdP when none is running', async () => {
    const failed = await token('--port', String(UNUSED_PORT)).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`not running at http://localhost:${UNUSED_PORT}/`);
    expect(failed?.stderr).toContain('npm run dev');
  });
});
