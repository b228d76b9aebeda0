// Hono middleware factory: requires a valid Auth0 (or local IdP) RS256 access token and exposes it as `accessToken`.
import type { MiddlewareHandler } from 'hono';
import { jwtVerify } from 'jose';
import type { AppEnv } from '../app-env.js';
import { grantedScopes } from '../auth/access-token.js';
import { AuthConfigError, resolveAuthConfig } from '../auth/auth-config.js';
import { bearerChallenge, DEFAULT_REALM } from '../auth/bearer-challenge.js';
import { remoteKeySet } from '../auth/remote-key-set.js';
import { invalidToken, tokenVerificationError } from '../auth/token-error.js';
import { HttpError } from '../http/http-error.js';

export interface VerifyAccessTokenOptions {
  /** `realm` of the RFC 6750 challenge. Default `todos-api`. */
  realm?: string;
  /** Allowed clock skew for `exp`/`nbf`/`iat`, in seconds. Default 30, at most 300. */
  clockToleranceSeconds?: number;
}

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.
const bearerHeader = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

export function verifyAccessToken(options: VerifyAccessTokenOptions = {}): MiddlewareHandler<AppEnv> {
  const realm = options.realm ?? DEFAULT_REALM;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  // Bad options are a programming error: fail when the app is built, not on the first request.
  if (!/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/.test(realm)) throw new TypeError('realm must be non-empty printable ASCII without " or \\');
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    throw new TypeError('clockToleranceSeconds must be an integer from 0 to 300');
  }

  return async function verifyAccessTokenMiddleware(c, next) {
    let config;
    try {
      config = resolveAuthConfig(c.env);
    } catch (err) {
      if (!(err instanceof AuthConfigError)) throw err;
      throw new HttpError(500, { code: 'server_error', detail: 'The server is misconfigured.', cause: err });
    }

    const header = c.req.header('Authorization');
    if (header === undefined || header.trim() === '') {
      // RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
      throw new HttpError(401, {
        code: 'unauthorized',
        detail: 'An access token is required: send "Authorization: Bearer <token>".',
        wwwAuthenticate: bearerChallenge(realm),
      });
    }
    const match = bearerHeader.exec(header);
    if (match?.[1] === undefined) {
      const description = 'The Authorization header must be Bearer followed by one token';
      throw new HttpError(400, {
        code: 'invalid_request',
        detail: description,
        wwwAuthenticate: bearerChallenge(realm, { error: 'invalid_request', description }),
      });
    }

    let claims;
    try {
      ({ payload: claims } = await jwtVerify(match[1], remoteKeySet(config.jwksUrl), {
        algorithms: ['RS256'],
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw tokenVerificationError(err, realm);
    }
    if (typeof claims.sub !== 'string' || claims.sub === '') throw invalidToken(realm, 'The access token has no subject');

    c.set('accessToken', { subject: claims.sub, scopes: grantedScopes(claims), claims });
    await next();
  };
}
