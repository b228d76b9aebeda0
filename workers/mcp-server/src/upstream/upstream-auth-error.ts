// The one error the upstream (IdP) token layer throws: callers branch on `code`, never on the message.

export type UpstreamAuthErrorCode = 'reauth_required' | 'idp_unavailable';

/**
 * `reauth_required`: the IdP refused the grant for good (`invalid_grant`: revoked, expired, rotated
 * away); only a new sign-in helps. `idp_unavailable`: the IdP could not be reached or failed (network,
 * 5xx, malformed answer); retrying later may work, so nothing is revoked.
 */
export class UpstreamAuthError extends Error {
  readonly code: UpstreamAuthErrorCode;
  constructor(code: UpstreamAuthErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? defaultMessage[code], options);
    this.name = 'UpstreamAuthError';
    this.code = code;
  }
}

const defaultMessage: Record<UpstreamAuthErrorCode, string> = {
  reauth_required: 'The identity provider no longer accepts this sign-in; sign in again.',
  idp_unavailable: 'The identity provider is unavailable; try again shortly.',
};
