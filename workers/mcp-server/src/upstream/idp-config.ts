// The upstream IdP's settings from the Worker env: issuer (Auth0 or the local IdP), client credentials, audience, scope.

/** Everything the OIDC client side needs; the same shape for Auth0 and the local IdP. */
export interface IdpConfig {
  /** Issuer URL with its trailing slash, e.g. `https://tenant.eu.auth0.com/`. */
  issuer: URL;
  /** True only for `http://` issuers on a loopback host (local mode); enables oauth4webapi's insecure-request opt-in. */
  insecureLoopback: boolean;
  clientId: string;
  clientSecret: string;
  audience: string;
  scope: string;
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Misconfiguration of the Worker (a deploy bug): reported as a 500-class page without details. */
export class IdpConfigError extends Error {
  override readonly name = 'IdpConfigError';
}

/**
 * Reads and checks the IdP settings. `AUTH0_ISSUER` wins over `AUTH0_DOMAIN`; `http://` is allowed
 * only for loopback hosts so a typo can never send client secrets over plain HTTP on a network.
 */
export function idpConfig(env: Env): IdpConfig {
  const issuer = parseIssuer(env);
  const clientId = required(env.AUTH0_CLIENT_ID, 'AUTH0_CLIENT_ID');
  const clientSecret = required(env.AUTH0_CLIENT_SECRET, 'AUTH0_CLIENT_SECRET');
  return {
    issuer,
    insecureLoopback: issuer.protocol === 'http:',
    clientId,
    clientSecret,
    audience: required(env.AUTH0_AUDIENCE, 'AUTH0_AUDIENCE'),
    scope: required(env.AUTH0_SCOPE, 'AUTH0_SCOPE'),
  };
}

function parseIssuer(env: Env): URL {
  const raw = env.AUTH0_ISSUER?.trim() || (env.AUTH0_DOMAIN?.trim() ? `https://${env.AUTH0_DOMAIN.trim()}/` : '');
  if (!raw) throw new IdpConfigError('AUTH0_DOMAIN (or AUTH0_ISSUER) is not set');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new IdpConfigError('AUTH0_ISSUER / AUTH0_DOMAIN is not a valid URL or host name');
  }
  if (url.protocol === 'http:' && !loopbackHosts.has(url.hostname)) {
    throw new IdpConfigError('AUTH0_ISSUER may use http:// only for loopback hosts (localhost, 127.0.0.1, [::1])');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new IdpConfigError('AUTH0_ISSUER must be an http(s) URL');
  return url;
}

function required(value: string | undefined, name: string): string {
  if (!value?.trim()) throw new IdpConfigError(`${name} is not set`);
  return value;
}
