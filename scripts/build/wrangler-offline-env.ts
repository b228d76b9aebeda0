// The one definition of how wrangler is kept offline: every script, test run and CI job that runs wrangler uses it.

/**
 * Wrangler with no account and no internet: no request for the `cf` object, no telemetry, no banner.
 * Local configs need no account id, so nothing else is required.
 */
export const wranglerOfflineEnv: Readonly<Record<string, string>> = {
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
};
