// The library's formats this Worker reads: the bearer credential, its access tokens and their KV keys.

/** The grant a token or KV record belongs to. */
export interface GrantRef {
  userId: string;
  grantId: string;
}

/** The provider's rule for a bearer credential: exactly one `Bearer <token>`, no commas or spaces in the token. */
const BEARER = /^Bearer[\t ]+([^\s,]+)$/i;

/** The request's bearer token, parsed as the provider parses it; undefined for anything else. */
export function bearerTokenOf(request: Request): string | undefined {
  const header = request.headers.get('Authorization');
  return header === null ? undefined : BEARER.exec(header)?.[1];
}

/** The library's access tokens are `<userId>:<grantId>:<secret>`. */
export function grantOfAccessToken(token: string): GrantRef | undefined {
  const [userId, grantId, secret, ...rest] = token.split(':');
  return userId !== undefined && grantId !== undefined && secret !== undefined && rest.length === 0 ? { userId, grantId } : undefined;
}

/** The library's access-token records: `token:<userId>:<grantId>:<hash of the token>`. */
export function isAccessTokenKey(key: string): boolean {
  return key.startsWith('token:');
}

/** Whether a KV read's options ask for JSON, as the library reads its token records. */
export function isJsonRead(options: unknown): boolean {
  return options === 'json' || (typeof options === 'object' && options !== null && (options as { type?: unknown }).type === 'json');
}

/** `token:<userId>:<grantId>:<hash>` and `grant:<userId>:<grantId>` name a grant; other keys do not. */
export function grantOfKvKey(key: string): GrantRef | undefined {
  const [kind, userId, grantId, ...rest] = key.split(':');
  if (userId === undefined || grantId === undefined) return undefined;
  if (kind === 'token' && rest.length === 1) return { userId, grantId };
  if (kind === 'grant' && rest.length === 0) return { userId, grantId };
  return undefined;
}

export function sameGrant(a: GrantRef, b: GrantRef): boolean {
  return a.userId === b.userId && a.grantId === b.grantId;
}
