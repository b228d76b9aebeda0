// Maps a failure of jose's jwtVerify to the HTTP error the client gets (by `err.code`, never by message).
import { errors } from 'jose';
import { HttpError } from '../http/http-error.js';
import { bearerChallenge } from './bearer-challenge.js';

// Failures of the IdP's key endpoint: the token may be fine, we just cannot check it now.
const keySetUnavailableCodes = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID', 'ERR_JOSE_GENERIC']);

export function tokenVerificationError(err: unknown, realm: string): HttpError {
  if (!(err instanceof errors.JOSEError) || keySetUnavailableCodes.has(err.code)) {
    // Non-jose errors here come from fetch() of the JWKS (DNS, connection refused, TLS).
    return new HttpError(503, {
      code: 'temporarily_unavailable',
      detail: "The identity provider's signing keys could not be fetched; try again later.",
      headers: { 'Retry-After': '30' },
      cause: err,
    });
  }
  return invalidToken(realm, describe(err), err);
}

export function invalidToken(realm: string, description: string, cause?: unknown): HttpError {
  return new HttpError(401, {
    code: 'invalid_token',
    detail: description,
    wwwAuthenticate: bearerChallenge(realm, { error: 'invalid_token', description }),
    cause,
  });
}

function describe(err: errors.JOSEError): string {
  switch (err.code) {
    case 'ERR_JWT_EXPIRED':
      return 'The access token expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (err as errors.JWTClaimValidationFailed).claim;
      if (claim === 'nbf') return 'The access token is not valid yet';
      return `The access token has an invalid ${claim} claim`;
    }
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The access token must be signed with RS256';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'The access token is signed with an unknown key';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'The access token signature is invalid';
    default:
      return 'The access token is malformed';
  }
}
