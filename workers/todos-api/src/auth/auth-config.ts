// Resolves and checks the token-verification settings (issuer, audience, JWKS URL) from the Worker's vars.

export interface AuthConfig {
  /** Exact `iss` required in access tokens, e.g. `https://example.us.auth0.com/`. */
  readonly issuer: string;
  /** Exact `aud` required in access tokens: the API identifier. */
  readonly audience: string;
  /** Where the IdP publishes its signing keys: `<issuer>.well-known/jwks.json`. */
  readonly jwksUrl: URL;
}

/** The vars this module reads; a subset of the Worker's Env so tests can pass plain objects. */
export type AuthVars = Pick<Env, 'AUTH0_DOMAIN' | 'AUTH0_AUDIENCE' | 'AUTH0_ISSUER'>;

/** Thrown for settings that can never work: the message names the var and what is wrong. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}

const loopbackHosts = new Set(['localhost', '[::1]']);

/** True for hosts that never leave the machine: `http://` is only safe there. */
export function isLoopbackHost(hostname: string): boolean {
  return loopbackHosts.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

// Settings are pure functions of the vars, so one resolution per distinct set of vars is enough.
const resolved = new Map<string, AuthConfig>();

export function resolveAuthConfig(vars: AuthVars): AuthConfig {
  const key = JSON.stringify([vars.AUTH0_ISSUER ?? null, vars.AUTH0_DOMAIN ?? null, vars.AUTH0_AUDIENCE ?? null]);
  const cached = resolved.get(key);
  if (cached !== undefined) return cached;
  const issuer = resolveIssuer(vars);
  const config: AuthConfig = Object.freeze({
    issuer,
    audience: resolveAudience(vars),
    jwksUrl: new URL('.well-known/jwks.json', withTrailingSlash(issuer)),
  });
  resolved.set(key, config);
  return config;
}

function resolveAudience(vars: AuthVars): string {
  const audience = vars.AUTH0_AUDIENCE?.trim() ?? '';
  if (audience === '') throw new AuthConfigError('AUTH0_AUDIENCE is empty: set it to the API identifier (the tokens\' "aud").');
  return audience;
}

function resolveIssuer(vars: AuthVars): string {
  const explicit = vars.AUTH0_ISSUER?.trim() ?? '';
  if (explicit !== '') return checkIssuerUrl(explicit);
  const domain = vars.AUTH0_DOMAIN?.trim() ?? '';
  if (domain === '')
    throw new AuthConfigError('Neither AUTH0_ISSUER nor AUTH0_DOMAIN is set: set AUTH0_DOMAIN to the Auth0 tenant domain.');
  // A bare host name only: a scheme or path here would silently build a wrong issuer.
  if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$/.test(domain)) {
    throw new AuthConfigError(`AUTH0_DOMAIN must be a host name like "example.us.auth0.com", without scheme or path; got "${domain}".`);
  }
  return `https://${domain}/`;
}

function checkIssuerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new AuthConfigError(`AUTH0_ISSUER is not an absolute URL: "${value}".`, { cause });
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new AuthConfigError('AUTH0_ISSUER must not contain credentials, a query or a fragment.');
  }
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return value;
  if (url.protocol === 'http:') {
    throw new AuthConfigError(`AUTH0_ISSUER uses http:// on a non-loopback host (${url.hostname}): only https:// is allowed there.`);
  }
  throw new AuthConfigError(`AUTH0_ISSUER must be an https:// URL (http:// only on loopback); got protocol "${url.protocol}".`);
}

function withTrailingSlash(issuer: string): string {
  return issuer.endsWith('/') ? issuer : `${issuer}/`;
}
