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
  const parts = token.split(':');
  return parts.length === 3 ? { userId: parts[0]!, grantId: parts[1]! } : undefined;
}

/** `token:<userId>:<grantId>:<hash>` and `grant:<userId>:<grantId>` name a grant; other keys do not. */
export function grantOfKvKey(key: string): GrantRef | undefined {
  const parts = key.split(':');
  if (parts[0] === 'token' && parts.length === 4) return { userId: parts[1]!, grantId: parts[2]! };
  if (parts[0] === 'grant' && parts.length === 3) return { userId: parts[1]!, grantId: parts[2]! };
  return undefined;
}

export function sameGrant(a: GrantRef, b: GrantRef): boolean {
  return a.userId === b.userId && a.grantId === b.grantId;
}
