// Typed access to the OAuth library's helpers, which OAuthProvider injects into the default handler's env.
import type { OAuthHelpers } from '@cloudflare/workers-oauth-provider';

/** `env.OAUTH_PROVIDER`, present in every request the provider hands to the default handler. */
export function oauthHelpers(env: Env): OAuthHelpers {
  const helpers = (env as Env & { OAUTH_PROVIDER?: OAuthHelpers }).OAUTH_PROVIDER;
  if (!helpers) throw new TypeError('OAUTH_PROVIDER is missing: the default handler must run behind OAuthProvider');
  return helpers;
}
