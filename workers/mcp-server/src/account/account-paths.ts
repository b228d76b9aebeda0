// Where the account page lives (system/system.ts names the base path), and its sub-paths.
import { mcpServer } from '../../../../system/system.js';

export const accountPaths = {
  page: mcpServer.accountPath,
  login: `${mcpServer.accountPath}/login`,
  revoke: `${mcpServer.accountPath}/revoke`,
  signOut: `${mcpServer.accountPath}/sign-out`,
  signedOut: `${mcpServer.accountPath}/signed-out`,
} as const;

/** True for the account page and its sub-paths. */
export function isAccountPath(pathname: string): boolean {
  return pathname === accountPaths.page || pathname.startsWith(`${accountPaths.page}/`);
}
