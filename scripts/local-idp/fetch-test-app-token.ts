// Gets a machine-to-machine access token for the Todos API, as the Auth0 API's "Test" tab curl does.
import { todosApi } from '../../system/system.js';
import type { ClientCredentials } from './local-idp-state.js';

export class IdpUnreachableError extends Error {
  override readonly name = 'IdpUnreachableError';
}

export interface TestAppTokenOptions {
  /** Issuer URL with trailing slash, e.g. `http://localhost:8790/`. */
  readonly issuer: string;
  readonly testApp: ClientCredentials;
  /** API identifier (audience). Default: the Todos API's. */
  readonly audience?: string;
}

export interface TestAppToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

/** POST `<issuer>oauth/token` with client_credentials + audience. Throws IdpUnreachableError if nothing answers. */
export async function fetchTestAppToken(options: TestAppTokenOptions): Promise<TestAppToken> {
  const endpoint = new URL('oauth/token', options.issuer);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: options.testApp.clientId,
        client_secret: options.testApp.clientSecret,
        audience: options.audience ?? todosApi.identifier,
      }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw new IdpUnreachableError(`no IdP answers at ${endpoint.origin}`, { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string') {
    const reason = typeof body.error === 'string' ? `${body.error}: ${String(body.error_description ?? '')}` : `HTTP ${response.status}`;
    throw new Error(`the IdP refused the client_credentials request (${reason})`);
  }
  return {
    accessToken: body.access_token,
    expiresIn: Number(body.expires_in),
    scope: typeof body.scope === 'string' ? body.scope : '',
  };
}
