// The user id the OAuth library files a user's grants under, from the IdP subject: one place, used at sign-in and by /account.

/**
 * Today the subject itself. Making the library's userId pseudonymous later changes only this function (for example to
 * `pseudonymousUserId(sub, key)` from src/audit/pseudonymous-user-id.ts), and existing grants then need migrating.
 */
export function grantUserId(sub: string): string {
  return sub;
}
