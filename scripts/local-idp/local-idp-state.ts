// The local IdP's persisted secrets (signing key, client credentials, cookie keys): made on first start, then reused.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { JWK } from 'jose';

/** OAuth client credentials, as Auth0 shows them on an application's Settings tab. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Everything the IdP must keep across restarts so that issued tokens and sessions stay valid. */
export interface LocalIdpState {
  /** RS256 private key as a JWK, with `kid`, `alg` and `use`. */
  readonly signingKey: JWK & { kid: string };
  readonly mcpApp: ClientCredentials;
  readonly testApp: ClientCredentials;
  /** Keys oidc-provider signs its cookies with. */
  readonly cookieKeys: readonly string[];
}

/** File (inside the state folder) holding {@link LocalIdpState}; `npm run token` reads it too. */
export const STATE_FILE = 'local-idp-state.json';

/** Auth0-like client id: 32 alphanumeric characters. */
function randomClientId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // 62 symbols: the modulo bias on 256 values is negligible for an identifier (it is not a secret).
  return Array.from(randomBytes(32), (byte) => alphabet[byte % alphabet.length]).join('');
}

function randomSecret(): string {
  return randomBytes(48).toString('base64url');
}

async function createState(): Promise<LocalIdpState> {
  // Off the JS thread (~0.15 s here): the local stack builds its Workers meanwhile.
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  // Loaded here, not up front: `npm run dev` imports this module before it builds the Workers, and needs jose only
  // on a first start.
  const { calculateJwkThumbprint } = await import('jose');
  const kid = await calculateJwkThumbprint(jwk);
  return {
    signingKey: { ...jwk, kid, alg: 'RS256', use: 'sig' },
    mcpApp: { clientId: randomClientId(), clientSecret: randomSecret() },
    testApp: { clientId: randomClientId(), clientSecret: randomSecret() },
    cookieKeys: [randomSecret(), randomSecret()],
  };
}

function isState(value: unknown): value is LocalIdpState {
  const v = value as Partial<LocalIdpState> | null;
  const isCredentials = (c: unknown): boolean =>
    typeof (c as ClientCredentials | undefined)?.clientId === 'string' &&
    typeof (c as ClientCredentials | undefined)?.clientSecret === 'string';
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.signingKey?.kid === 'string' &&
    v.signingKey.kty === 'RSA' &&
    typeof v.signingKey.d === 'string' &&
    isCredentials(v.mcpApp) &&
    isCredentials(v.testApp) &&
    Array.isArray(v.cookieKeys) &&
    v.cookieKeys.length > 0
  );
}

/** Read the persisted state, or undefined if the IdP never ran with this state folder. */
export async function readLocalIdpState(stateDir: string): Promise<LocalIdpState | undefined> {
  const file = path.join(stateDir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${file} is not valid JSON; delete it to let the local IdP make new keys and client secrets`);
  }
  if (!isState(parsed)) {
    throw new Error(`${file} is incomplete; delete it to let the local IdP make new keys and client secrets`);
  }
  return parsed;
}

/** Read the persisted state, creating it (mode 0600) on first start. */
export async function loadOrCreateLocalIdpState(stateDir: string): Promise<LocalIdpState> {
  const existing = await readLocalIdpState(stateDir);
  if (existing) return existing;
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const created = await createState();
  try {
    // 'wx': if two starts race on a fresh folder, the loser re-reads the winner's state instead of overwriting it.
    await writeFile(path.join(stateDir, STATE_FILE), `${JSON.stringify(created, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateLocalIdpState(stateDir);
    throw error;
  }
  return created;
}
