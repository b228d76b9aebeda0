// `npm run token`: the tutorial's API "Test" tab in local mode — an M2M access token and a ready curl for GET /api/me.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { auth0, localIdp, localIssuer, localUrl, todosApi } from '../system/system.js';
import { fetchTestAppToken, IdpUnreachableError } from './local-idp/fetch-test-app-token.js';
import { readLocalIdpState } from './local-idp/local-idp-state.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where `npm run dev` (scripts/local-stack/start-local-stack.ts) keeps the IdP's state: `<repo>/.state/idp`. */
const DEFAULT_STATE_DIR = path.join(repoRoot, '.state', 'idp');

const USAGE = `Usage: npm run token [-- options]

Get a machine-to-machine access token for the ${todosApi.name} (${todosApi.identifier}) from the running local IdP,
with the "${auth0.testAppName}" client (client_credentials), and print a curl line for GET /api/me.

Options:
  --show-client      print the test application's client id and secret and the token request curl, then exit
  --raw              print only the access token (e.g. TOKEN=$(npm run -s token -- --raw))
  --port <n>         local IdP port (default ${localIdp.port})
  --api-port <n>     Todos API port for the curl line (default ${todosApi.devPort})
  --state-dir <dir>  local IdP state folder (default .state/idp)
  -h, --help         this help`;

function fail(message: string): never {
  console.error(`token: ${message}`);
  process.exit(1);
}

function port(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) fail(`--${name} must be a port number, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        'show-client': { type: 'boolean', default: false },
        raw: { type: 'boolean', default: false },
        port: { type: 'string' },
        'api-port': { type: 'string' },
        'state-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const issuer = localIssuer(port(values.port, localIdp.port, 'port'));
  const apiUrl = `${localUrl(port(values['api-port'], todosApi.devPort, 'api-port'))}/api/me`;
  const stateDir = path.resolve(values['state-dir'] ?? DEFAULT_STATE_DIR);
  const state = await readLocalIdpState(stateDir).catch((error: Error) => fail(error.message));
  if (!state) fail(`no local IdP state in ${stateDir}: start the local stack with \`npm run dev\` first.`);
  const tokenEndpoint = new URL('oauth/token', issuer).toString();

  if (values['show-client']) {
    console.log(`${auth0.testAppName}
  client_id:      ${state.testApp.clientId}
  client_secret:  ${state.testApp.clientSecret}
  token endpoint: ${tokenEndpoint}

curl --request POST --url ${tokenEndpoint} \\
  --data grant_type=client_credentials \\
  --data client_id=${state.testApp.clientId} \\
  --data client_secret=${state.testApp.clientSecret} \\
  --data audience=${todosApi.identifier}`);
    return;
  }

  try {
    const token = await fetchTestAppToken({ issuer, testApp: state.testApp });
    if (values.raw) {
      console.log(token.accessToken);
      return;
    }
    console.log(`Access token for ${todosApi.identifier} (scope "${token.scope}", expires in ${token.expiresIn} s):

${token.accessToken}

curl -H "Authorization: Bearer ${token.accessToken}" ${apiUrl}`);
  } catch (error) {
    if (error instanceof IdpUnreachableError) {
      fail(`the local IdP is not running at ${issuer}: start it with \`npm run dev\`.`);
    }
    fail((error as Error).message);
  }
}

await main();
