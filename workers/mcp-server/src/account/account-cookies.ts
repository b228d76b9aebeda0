// The account page's two __Host- cookies: the login's browser binding and the session. Read and written only here.

/** Binds an account login's `state` to the browser that started it (ten minutes, like the MCP flow's). */
export const LOGIN_COOKIE = '__Host-account-login';
/** The signed-in account session (sealed; see account-session.ts). */
export const SESSION_COOKIE = '__Host-account-session';

/** A `__Host-` cookie: Secure, Path=/, no Domain; HttpOnly and SameSite=Lax, so cross-site POSTs never carry it. */
export function setCookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function clearCookie(name: string): string {
  return `${name}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`;
}

/** The named cookie's value from the request, if present. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('Cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}
