// One remote JWKS per URL, kept at module scope so keys are fetched once per isolate, not once per request.
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

// jose refetches on an unknown `kid` (after a cooldown) and after `cacheMaxAge`, so key rotation at the IdP
// is picked up without a deploy. Keyed by URL: a config change never reuses another issuer's keys.
const keySets = new Map<string, JWTVerifyGetKey>();

/** Timeout of one JWKS fetch, in milliseconds: past it the request fails with 503. */
export const jwksTimeoutMs = 5_000;

export function remoteKeySet(jwksUrl: URL): JWTVerifyGetKey {
  let keySet = keySets.get(jwksUrl.href);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(jwksUrl, { timeoutDuration: jwksTimeoutMs });
    keySets.set(jwksUrl.href, keySet);
  }
  return keySet;
}
