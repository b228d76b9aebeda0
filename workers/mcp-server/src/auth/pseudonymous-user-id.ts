// The user id this server hands the OAuth library: a keyed hash of the IdP subject, so MCP tokens and KV keys,
// which embed it, do not say who they belong to. The subject itself stays in the grant's encrypted props.

/** Domain separation: the same key also signs cookies, so this use gets its own label. */
const LABEL = 'mcp-user-id:v1:';

/**
 * HMAC-SHA-256 of the subject under `secret` (COOKIE_ENCRYPTION_KEY), 128 bits in base64url (22 characters, never a
 * `:`, which the library's token format reserves). The same subject always maps to the same id, so a user's grants
 * can be listed and revoked together; without the key the id cannot be linked back to the subject.
 */
export async function pseudonymousUserId(subject: string, secret: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(LABEL + subject)));
  return btoa(String.fromCharCode(...mac.subarray(0, 16)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
