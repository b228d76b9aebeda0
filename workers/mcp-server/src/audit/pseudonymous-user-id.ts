// A stable pseudonym for a user: a keyed hash of the IdP subject, so stored records never carry the subject itself.

/** Domain separation: the same key also signs cookies, so its hashes must never collide with another use. */
const PURPOSE = 'pseudonymous-user-id/v1:';

const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

/**
 * HMAC-SHA-256 of the subject under `secret` (COOKIE_ENCRYPTION_KEY), base64url without padding (43 characters).
 * The same subject and key always give the same id; without the key the subject cannot be recovered or tested.
 */
export async function pseudonymousUserId(subject: string, secret: string): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(secret), new TextEncoder().encode(PURPOSE + subject));
  return base64url(new Uint8Array(mac));
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
