// Checks a login form's email + password against the local users without leaking which part was wrong.
import { createHash, timingSafeEqual } from 'node:crypto';
import { type LocalUser, localUsers } from './local-users.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The user whose email (case-insensitive) and password match, or undefined. */
export function verifyPassword(email: string, password: string): LocalUser | undefined {
  const user = localUsers.find((candidate) => candidate.email === email.trim().toLowerCase());
  // Compare digests (equal length) in constant time; an unknown email still pays for one comparison.
  const expected = digest(user?.password ?? '\u0000no-such-user');
  const matches = timingSafeEqual(expected, digest(password));
  return user && matches ? user : undefined;
}
