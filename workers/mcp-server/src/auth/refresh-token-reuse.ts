// Refresh-token reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2) on top of the library's rotation, in one place.
import { getOAuthApi } from '@cloudflare/workers-oauth-provider';
import { type GrantRef, grantOfAccessToken } from './access-token-format.js';
import { MCP_REFRESH_TOKEN_TTL_SECONDS, oauthProviderOptions } from './create-oauth-provider.js';

/**
 * How long after a refresh its refresh token may be presented again: the client's retry when the answer was lost.
 * The library accepts the previous refresh token until its successor is used; outside this window, or once the
 * successor was used, a second use is theft or a broken client, and the grant ends.
 */
export const REFRESH_RETRY_GRACE_SECONDS = 60;

/** Largest token request read here, in bytes (the form holds a grant type, a token and a client id). */
const MAX_FORM_BYTES = 8 * 1024;

/** What we remember of each refresh token this server issued (KV `refresh-use:<sha256>`, expiring with the grant). */
interface RefreshTokenRecord {
  grant: GrantRef;
  /** When it was first exchanged (seconds since the epoch); absent while unused. */
  usedAt?: number;
  /** SHA-256 of the refresh token its exchange issued. */
  successor?: string;
}

/**
 * Runs a token request through the library (`next`), watching refresh tokens: it records each one the library
 * issues and what became of it. Presenting a refresh token that was already exchanged, unless it is the prompt
 * retry of an exchange whose successor was never used, revokes the whole grant: the thief's and the victim's
 * tokens die together and the user signs in again. So does presenting a token the library no longer accepts
 * although it was issued to a live grant (the victim's, after the thief refreshed first).
 */
export async function withRefreshTokenReuseDetection(
  request: Request,
  env: Env,
  origin: string,
  next: () => Promise<Response>,
): Promise<Response> {
  const form = await readTokenForm(request);
  const grantType = form?.get('grant_type');
  if (grantType === 'authorization_code') return recordIssued(env, await next());
  const presented = grantType === 'refresh_token' ? form?.get('refresh_token') : undefined;
  if (!presented) return next();

  const presentedId = await tokenId(presented);
  const record = await readRecord(env, presentedId);
  const now = Math.floor(Date.now() / 1000);
  if (record?.usedAt !== undefined && !(await isPromptRetry(env, record, now))) {
    return reuseDetected(env, origin, record.grant);
  }

  const response = await next();
  if (response.ok) {
    const issued = await issuedRefreshToken(response);
    if (issued && record) {
      // A retry keeps the first use's time, so retrying cannot stretch the window.
      await writeRecord(env, presentedId, { grant: record.grant, usedAt: record.usedAt ?? now, successor: await tokenId(issued) });
    }
    if (issued) await writeRecord(env, await tokenId(issued), { grant: record?.grant ?? grantOf(issued) });
    return response;
  }
  // Issued by us, never used, and now refused: the library moved on without it (someone refreshed with its
  // predecessor after it was issued). The grant is compromised; end it for everyone.
  if (record && record.usedAt === undefined && (await oauthErrorOf(response)) === 'invalid_grant') {
    await revoke(env, origin, record.grant);
  }
  return response;
}

async function isPromptRetry(env: Env, record: RefreshTokenRecord, now: number): Promise<boolean> {
  if (record.usedAt === undefined || now - record.usedAt > REFRESH_RETRY_GRACE_SECONDS || !record.successor) return false;
  const successor = await readRecord(env, record.successor);
  return successor !== undefined && successor.usedAt === undefined;
}

async function reuseDetected(env: Env, origin: string, grant: GrantRef): Promise<Response> {
  await revoke(env, origin, grant);
  console.warn('oauth: refresh token reuse detected, grant revoked');
  return Response.json(
    {
      error: 'invalid_grant',
      error_description: 'This refresh token was already used. The connection was ended for safety: sign in again.',
    },
    { status: 400, headers: { 'Cache-Control': 'no-store' } },
  );
}

function revoke(env: Env, origin: string, grant: GrantRef): Promise<void> {
  // The library's own revocation: the grant record and every token of it. `env.OAUTH_KV` is the request's wrapped
  // binding, so this isolate's caches forget the grant's tokens at once.
  return getOAuthApi(oauthProviderOptions(origin), env).revokeGrant(grant.grantId, grant.userId);
}

async function recordIssued(env: Env, response: Response): Promise<Response> {
  const issued = response.ok ? await issuedRefreshToken(response) : undefined;
  if (issued) await writeRecord(env, await tokenId(issued), { grant: grantOf(issued) });
  return response;
}

async function readTokenForm(request: Request): Promise<URLSearchParams | undefined> {
  if (request.method !== 'POST') return undefined;
  if (!(request.headers.get('Content-Type') ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  const length = Number(request.headers.get('Content-Length') ?? 'NaN');
  if (!(length <= MAX_FORM_BYTES)) return undefined;
  return new URLSearchParams(await request.clone().text());
}

async function issuedRefreshToken(response: Response): Promise<string | undefined> {
  const body = (await response.clone().json()) as { refresh_token?: unknown };
  return typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
}

async function oauthErrorOf(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : undefined;
  } catch {
    return undefined;
  }
}

/** Refresh tokens have the access tokens' shape, `<userId>:<grantId>:<secret>`. */
function grantOf(refreshToken: string): GrantRef {
  const grant = grantOfAccessToken(refreshToken);
  if (!grant) throw new TypeError('the OAuth library issued a refresh token in an unexpected format');
  return grant;
}

async function tokenId(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const recordKey = (id: string) => `refresh-use:${id}`;

async function readRecord(env: Env, id: string): Promise<RefreshTokenRecord | undefined> {
  return (await env.OAUTH_KV.get<RefreshTokenRecord>(recordKey(id), 'json')) ?? undefined;
}

function writeRecord(env: Env, id: string, record: RefreshTokenRecord): Promise<void> {
  return env.OAUTH_KV.put(recordKey(id), JSON.stringify(record), { expirationTtl: MCP_REFRESH_TOKEN_TTL_SECONDS });
}
