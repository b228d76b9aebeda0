// The local IdP's user database: two known people, so per-user isolation can be shown and tested.

/** A user of the local IdP (Auth0's "Username-Password-Authentication" connection stand-in). */
export interface LocalUser {
  readonly email: string;
  /** Printed by `npm run dev`: these accounts exist only on this machine's loopback IdP. */
  readonly password: string;
  readonly name: string;
  /** Stable subject, shaped like Auth0's `auth0|…` so per-user data survives restarts. */
  readonly sub: string;
}

export const localUsers: readonly LocalUser[] = [
  { email: 'alice@example.com', password: 'alice-local-password', name: 'Alice Example', sub: 'auth0|local-alice' },
  { email: 'bob@example.com', password: 'bob-local-password', name: 'Bob Example', sub: 'auth0|local-bob' },
];

/** The user with this subject, if any. */
export function findLocalUser(sub: string): LocalUser | undefined {
  return localUsers.find((user) => user.sub === sub);
}
