// Rate limits in front of the OAuth endpoints, checked before the library stores anything (clients, consent transactions).
import { REGISTER_PATH, TOKEN_PATH } from '../auth/create-oauth-provider.js';
import { AUTHORIZE_PATH } from '../auth/default-handler.js';
import { noteClientId } from '../http/request-log.js';
import { clientIp, isRateLimited, oauthTooManyRequests, pageTooManyRequests } from './rate-limit.js';

/** Token requests are a few hundred bytes; a larger body is not read here (the limit then keys on the IP). */
const MAX_TOKEN_FORM_BYTES = 8 * 1024;

/**
 * The 429 for a request over its limit, or undefined to let it through: registration and GET /authorize per client
 * IP (each stores a record), the token endpoint per client_id (the caller's IP when it names none).
 */
export async function refuseOverLimit(request: Request, env: Env): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  if (pathname === REGISTER_PATH && request.method === 'POST') {
    return (await isRateLimited(env, 'registration', clientIp(request))) ? oauthTooManyRequests('registration') : undefined;
  }
  if (pathname === AUTHORIZE_PATH && request.method === 'GET') {
    return (await isRateLimited(env, 'authorize', clientIp(request))) ? pageTooManyRequests('authorize') : undefined;
  }
  if (pathname === TOKEN_PATH && request.method === 'POST') {
    const clientId = await tokenRequestClientId(request);
    if (clientId) noteClientId(clientId);
    const key = clientId ? `client:${clientId}` : `ip:${clientIp(request)}`;
    return (await isRateLimited(env, 'token', key)) ? oauthTooManyRequests('token') : undefined;
  }
  return undefined;
}

/** The client_id of a token request: from HTTP Basic auth (confidential clients) or the form (public clients). */
async function tokenRequestClientId(request: Request): Promise<string | undefined> {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '')?.[1];
  if (basic) {
    try {
      const decoded = atob(basic);
      const id = decodeURIComponent(decoded.slice(0, decoded.indexOf(':')));
      if (id) return id;
    } catch {
      // Not valid Basic credentials: the library answers invalid_client; limit by IP meanwhile.
    }
  }
  const length = Number(request.headers.get('Content-Length') ?? 'NaN');
  if (!(length <= MAX_TOKEN_FORM_BYTES)) return undefined;
  if (!(request.headers.get('Content-Type') ?? '').startsWith('application/x-www-form-urlencoded')) return undefined;
  return new URLSearchParams(await request.clone().text()).get('client_id') ?? undefined;
}
