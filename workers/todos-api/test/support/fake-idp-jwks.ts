// A stand-in identity provider inside the test isolate: a real RSA key, tokens signed with it, and its JWKS
// served to the Worker's own outbound fetch (verification stays fully on; only the network is replaced).
import { env } from 'cloudflare:test';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { vi } from 'vitest';
import { todosApi } from '../../../../system/system.js';

/** Issuer whose JWKS is served: the Worker's AUTH0_ISSUER, set for tests in vitest.config.ts. */
export const issuer = env.AUTH0_ISSUER ?? '';
if (!issuer.startsWith('https://')) throw new Error('vitest.config.ts must set AUTH0_ISSUER to an https:// test issuer');
/** Issuer whose JWKS endpoint refuses connections, for "IdP down" tests. */
export const unreachableIssuer = 'https://down.todos-api.test/';
export const audience = todosApi.identifier;
export const kid = 'test-key-1';

const signingKeys = await generateKeyPair('RS256', { extractable: true });
/** The public key as published in the JWKS (attackers know it too). */
export const publicJwk: JWK = { ...(await exportJWK(signingKeys.publicKey)), kid, alg: 'RS256', use: 'sig' };

/** Every JWKS request the Worker made, by URL. */
export const jwksRequests: string[] = [];

vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
  const url = new Request(input, init).url;
  if (url === `${issuer}.well-known/jwks.json`) {
    jwksRequests.push(url);
    return Response.json({ keys: [publicJwk] });
  }
  if (url === `${unreachableIssuer}.well-known/jwks.json`) {
    jwksRequests.push(url);
    throw new TypeError('Network connection lost.');
  }
  // Unmocked network in a test is a bug in the test or the Worker.
  throw new Error(`unexpected outbound fetch in test: ${url}`);
});

export interface MintOptions {
  /** Claims to add or override; `undefined` removes a default claim. */
  claims?: Record<string, unknown>;
  /** `kid` header; default the published key's. */
  kid?: string;
  /** Seconds from now for `exp`; default 300. */
  expiresIn?: number;
}

/** An RS256 access token for `subject`, shaped like Auth0's (scope string + permissions array). */
export async function mintToken(subject: string, scopes: readonly string[], options: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload = {
    iss: issuer,
    aud: audience,
    sub: subject,
    iat: now,
    exp: now + (options.expiresIn ?? 300),
    scope: scopes.join(' '),
    permissions: [...scopes],
    ...options.claims,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: options.kid ?? kid }).sign(signingKeys.privateKey);
}

/** base64url of a string or bytes, for hand-built (attack) tokens. */
export function base64url(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
