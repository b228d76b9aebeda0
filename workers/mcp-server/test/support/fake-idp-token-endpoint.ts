// A stand-in IdP inside the test isolate: real RS256 keys, discovery, token endpoint and JWKS, served to the Worker's
// outbound fetch. Verification in the Worker stays fully on; only the network is replaced. Unmocked fetches fail the test.
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { vi } from 'vitest';
import { todosApi } from '../../../../system/system.js';
import { testBindings } from './test-bindings.js';

export const issuer = testBindings.AUTH0_ISSUER;
export const clientId = testBindings.AUTH0_CLIENT_ID;
const kid = 'fake-idp-key';
const keys = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(keys.publicKey)), kid, alg: 'RS256', use: 'sig' };

/** How the token endpoint behaves; tests switch it. */
export type TokenEndpointMode = 'ok' | 'invalid_grant' | 'server_error' | 'unreachable';

interface PendingCode {
  nonce: string;
  sub: string;
  codeChallenge: string;
  /** What the login asked for, less what `idp.withheld` names: the IdP's own policy (e.g. Auth0 RBAC). */
  scope: string;
}

export interface FakeIdpState {
  mode: TokenEndpointMode;
  /** Seconds until upstream access tokens expire. */
  accessTokenTtl: number;
  /** Delay before the token endpoint answers a refresh, in ms (makes concurrency visible). */
  refreshDelayMs: number;
  refreshCalls: number;
  /** Every refresh token presented, in order (rotation checks). */
  refreshTokensSeen: string[];
  codeExchanges: number;
  /** Refresh tokens revoked at the revocation endpoint (RFC 7009), in order. */
  revokedTokens: string[];
  /** Make the revocation endpoint fail (5xx). */
  revocationDown: boolean;
  /** Make discovery fail as unreachable. */
  discoveryDown: boolean;
  /** Permissions this IdP refuses to grant whatever is asked (like a user without the Auth0 role). */
  withheld: string[];
}

/** A well-behaved IdP that has seen nothing yet: the state every test starts from. */
function freshState(): FakeIdpState {
  return {
    mode: 'ok',
    accessTokenTtl: 3600,
    refreshDelayMs: 0,
    refreshCalls: 0,
    refreshTokensSeen: [],
    codeExchanges: 0,
    revokedTokens: [],
    revocationDown: false,
    discoveryDown: false,
    withheld: [],
  };
}

export const idp: FakeIdpState = freshState();
/** The scope granted with each refresh token, so a refresh keeps the grant's scope as a real IdP does. */
const refreshScopes = new Map<string, string>();

const codes = new Map<string, PendingCode>();
/** The scope of tokens minted outside a login (tests that call /mcp with a hand-made token): read and write, no billing. */
const FULL_SCOPE = 'openid email profile offline_access read:todos write:todos';
let counter = 0;

export function resetIdp(): void {
  Object.assign(idp, freshState());
  codes.clear();
  refreshScopes.clear();
}

/** What the user's login at the IdP produces: a code for the authorize URL the Worker redirected to. */
export function loginAt(authorizeUrl: URL, sub = 'auth0|alice'): string {
  const code = `code-${++counter}`;
  codes.set(code, {
    nonce: authorizeUrl.searchParams.get('nonce') ?? '',
    sub,
    codeChallenge: authorizeUrl.searchParams.get('code_challenge') ?? '',
    scope: (authorizeUrl.searchParams.get('scope') ?? '')
      .split(' ')
      .filter((scope) => scope && !idp.withheld.includes(scope))
      .join(' '),
  });
  return code;
}

/** An access token as the IdP would mint for the Todos API (also usable to try it against /mcp directly). */
export async function mintAccessToken(sub: string, ttl = idp.accessTokenTtl, scope = FULL_SCOPE): Promise<string> {
  const permissions = scope.split(' ').filter((value) => todosApi.permissions.some((permission) => permission.value === value));
  return new SignJWT({ scope, permissions })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setAudience(todosApi.identifier)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
    .sign(keys.privateKey);
}

async function idToken(sub: string, nonce: string): Promise<string> {
  return new SignJWT({ nonce, email: `${sub.split('|')[1]}@example.com`, email_verified: true, name: 'Alice <script>' })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(keys.privateKey);
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

const json = (body: unknown, status = 200) => Response.json(body, { status, headers: { 'Cache-Control': 'no-store' } });

async function tokenEndpoint(request: Request): Promise<Response> {
  const form = new URLSearchParams([...(await request.formData())].map(([name, value]) => [name, String(value)]));
  if (form.get('client_id') !== clientId || form.get('client_secret') !== testBindings.AUTH0_CLIENT_SECRET) {
    return json({ error: 'invalid_client' }, 401);
  }
  if (form.get('grant_type') === 'authorization_code') {
    idp.codeExchanges++;
    if (idp.mode === 'unreachable') throw new TypeError('Network connection lost.');
    if (idp.mode === 'server_error') return new Response('upstream exploded', { status: 500 });
    const pending = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (!pending || (await s256(form.get('code_verifier') ?? '')) !== pending.codeChallenge) return json({ error: 'invalid_grant' }, 400);
    const refreshToken = `rt-${++counter}`;
    refreshScopes.set(refreshToken, pending.scope);
    return json({
      access_token: await mintAccessToken(pending.sub, idp.accessTokenTtl, pending.scope),
      refresh_token: refreshToken,
      id_token: await idToken(pending.sub, pending.nonce),
      token_type: 'Bearer',
      expires_in: idp.accessTokenTtl,
      scope: pending.scope,
    });
  }
  if (form.get('grant_type') === 'refresh_token') {
    idp.refreshCalls++;
    idp.refreshTokensSeen.push(form.get('refresh_token') ?? '');
    if (idp.refreshDelayMs) await new Promise((resolve) => setTimeout(resolve, idp.refreshDelayMs));
    if (idp.mode === 'unreachable') throw new TypeError('Network connection lost.');
    if (idp.mode === 'server_error') return new Response('upstream exploded', { status: 503 });
    if (idp.mode === 'invalid_grant' || idp.revokedTokens.includes(form.get('refresh_token') ?? '')) {
      return json({ error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, 403);
    }
    const scope = refreshScopes.get(form.get('refresh_token') ?? '') ?? FULL_SCOPE;
    const refreshToken = `rt-${++counter}`;
    refreshScopes.set(refreshToken, scope);
    return json({
      access_token: await mintAccessToken('auth0|alice', idp.accessTokenTtl, scope),
      refresh_token: refreshToken,
      token_type: 'Bearer',
      expires_in: idp.accessTokenTtl,
      scope,
    });
  }
  return json({ error: 'unsupported_grant_type' }, 400);
}

/** RFC 7009, as Auth0's /oauth/revoke: the client authenticates; 200 with an empty body, even for an unknown token. */
async function revocationEndpoint(request: Request): Promise<Response> {
  const form = await request.formData();
  if (form.get('client_id') !== clientId || form.get('client_secret') !== testBindings.AUTH0_CLIENT_SECRET) {
    return json({ error: 'invalid_client' }, 401);
  }
  if (idp.revocationDown) return new Response('upstream exploded', { status: 503 });
  idp.revokedTokens.push(String(form.get('token') ?? ''));
  return new Response(null, { status: 200 });
}

vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
  const request = new Request(input, init);
  const url = request.url;
  if (url === `${issuer}.well-known/openid-configuration`) {
    if (idp.discoveryDown) throw new TypeError('Network connection lost.');
    return json({
      issuer,
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}oauth/token`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      revocation_endpoint: `${issuer}oauth/revoke`,
      end_session_endpoint: `${issuer}oidc/logout`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      code_challenge_methods_supported: ['S256'],
    });
  }
  if (url === `${issuer}.well-known/jwks.json`) return json({ keys: [jwk] });
  if (url === `${issuer}oauth/token` && request.method === 'POST') return tokenEndpoint(request);
  if (url === `${issuer}oauth/revoke` && request.method === 'POST') return revocationEndpoint(request);
  throw new Error(`unexpected outbound fetch in test: ${url}`);
});
