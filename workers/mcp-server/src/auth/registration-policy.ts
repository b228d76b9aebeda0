// What dynamic client registration accepts beyond the library's own checks: bounded metadata, so an unauthenticated
// caller cannot store 64 KB names or a thousand redirect URIs.
import type { ClientRegistrationCallbackOptions, ClientRegistrationCallbackResult } from '@cloudflare/workers-oauth-provider';
import { registrationPolicy } from '../../../../system/system.js';

const URI_FIELDS = ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri', 'jwks_uri'] as const;

/**
 * The library already accepts only the grant types, response types and token endpoint auth methods it implements
 * (authorization_code + refresh_token, code, none / client_secret_basic / client_secret_post); this adds sizes.
 * Returns the `invalid_client_metadata` refusal (RFC 7591 §3.2.2), or undefined to register the client.
 */
export function enforceRegistrationPolicy({
  clientMetadata,
}: ClientRegistrationCallbackOptions): ClientRegistrationCallbackResult | undefined {
  if (new TextEncoder().encode(JSON.stringify(clientMetadata)).byteLength > registrationPolicy.maxBodyBytes) {
    return {
      code: 'invalid_client_metadata',
      description: `Registration body over ${registrationPolicy.maxBodyBytes} bytes.`,
      status: 413,
    };
  }
  const problem = metadataProblem(clientMetadata);
  return problem === undefined ? undefined : { code: 'invalid_client_metadata', description: problem, status: 400 };
}

function metadataProblem(metadata: Record<string, unknown>): string | undefined {
  const name = metadata.client_name;
  if (typeof name === 'string' && [...name].length > registrationPolicy.maxClientNameLength) {
    return `client_name must be at most ${registrationPolicy.maxClientNameLength} characters.`;
  }
  for (const field of URI_FIELDS) {
    const value = metadata[field];
    if (typeof value === 'string' && value.length > registrationPolicy.maxUriLength) {
      return `${field} must be at most ${registrationPolicy.maxUriLength} characters.`;
    }
  }
  const redirectUris = metadata.redirect_uris;
  if (Array.isArray(redirectUris)) {
    if (redirectUris.length > registrationPolicy.maxRedirectUris) {
      return `At most ${registrationPolicy.maxRedirectUris} redirect_uris may be registered.`;
    }
    if (redirectUris.some((uri) => typeof uri === 'string' && uri.length > registrationPolicy.maxUriLength)) {
      return `Each redirect URI must be at most ${registrationPolicy.maxUriLength} characters.`;
    }
  }
  const contacts = metadata.contacts;
  if (Array.isArray(contacts) && contacts.length > registrationPolicy.maxContacts) {
    return `At most ${registrationPolicy.maxContacts} contacts may be registered.`;
  }
  return undefined;
}
