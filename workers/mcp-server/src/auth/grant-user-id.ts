// The user id the OAuth library files a user's grants under, from the IdP subject: one place, used at sign-in and by /account.
import { pseudonymousUserId } from '../audit/pseudonymous-user-id.js';

/**
 * The user's pseudonym (a keyed hash of the subject, the same the audit log uses): the library embeds this id in every
 * code and token and in its KV keys, so none of them says whose they are. Without the key it cannot be linked back.
 */
export function grantUserId(sub: string, secret: string): Promise<string> {
  return pseudonymousUserId(sub, secret);
}
