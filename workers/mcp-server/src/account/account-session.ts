// The account session: who is signed in to /account, until when, and the CSRF token of its forms; sealed in a cookie.
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from './account-cookies.js';
import { randomToken, seal, unseal } from './sealed-value.js';

/** Sessions are short: the page can revoke access, so a forgotten browser tab must not keep that power for long. */
export const ACCOUNT_SESSION_SECONDS = 15 * 60;

const PURPOSE = 'account-session';

export interface AccountSession {
  /** The IdP subject (the user id of this user's MCP grants). */
  sub: string;
  /** What the page calls the user (e-mail or name from the ID token); shown to them only. */
  displayName: string;
  /**
   * The CSRF token every form of this session posts back. Replaced after every accepted POST, so a token is good
   * for one state change only (a replayed form gets 403).
   */
  csrf: string;
  /** Absolute expiry, seconds since the Unix epoch. */
  expiresAt: number;
}

export function newSession(sub: string, displayName: string, now = Date.now()): AccountSession {
  return { sub, displayName, csrf: randomToken(), expiresAt: Math.floor(now / 1000) + ACCOUNT_SESSION_SECONDS };
}

/** The same session (same expiry) with a fresh CSRF token. */
export function rotateCsrf(session: AccountSession): AccountSession {
  return { ...session, csrf: randomToken() };
}

/** The request's session, or undefined when there is none, it was tampered with, or it has expired. */
export async function readSession(request: Request, secret: string, now = Date.now()): Promise<AccountSession | undefined> {
  const sealed = readCookie(request, SESSION_COOKIE);
  if (!sealed) return undefined;
  const value = await unseal(secret, PURPOSE, sealed);
  if (!isSession(value) || value.expiresAt <= Math.floor(now / 1000)) return undefined;
  return value;
}

/** The `Set-Cookie` value that stores `session` until it expires. */
export async function sessionCookie(session: AccountSession, secret: string, now = Date.now()): Promise<string> {
  return setCookie(SESSION_COOKIE, await seal(secret, PURPOSE, session), session.expiresAt - Math.floor(now / 1000));
}

export function endSessionCookie(): string {
  return clearCookie(SESSION_COOKIE);
}

function isSession(value: unknown): value is AccountSession {
  if (typeof value !== 'object' || value === null) return false;
  const { sub, displayName, csrf, expiresAt } = value as Partial<AccountSession>;
  return typeof sub === 'string' && typeof displayName === 'string' && typeof csrf === 'string' && typeof expiresAt === 'number';
}
