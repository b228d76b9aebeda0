// Looks up the account's workers.dev subdomain (GET /accounts/{id}/workers/subdomain): no provider data source exists.
import * as pulumi from '@pulumi/pulumi';
import { type CloudflareApi, CloudflareApiError, cloudflareGet } from './cloudflare-api.js';

export interface WorkersSubdomainOptions {
  accountId: string;
  apiToken: string;
  apiBaseUrl: string;
}

// Codes wrangler branches on for this endpoint (workers-sdk triggers/subdomain.ts; wrangler 4.156 getWorkersDevSubdomain).
const NO_SUBDOMAIN = 10007;
const AUTHENTICATION_ERROR = 10000;

function noSubdomainYet(accountId: string): Error {
  return new Error(
    `Cloudflare account ${accountId} has no workers.dev subdomain registered yet. Register one once: dashboard → ` +
      'Workers & Pages → (any Worker or "Get started") → choose your <name>.workers.dev subdomain; then run preview/up again.',
  );
}

/** The `<sub>` of `<sub>.workers.dev`; tells "token lacks permission" apart from "no subdomain registered yet". */
export async function fetchWorkersSubdomain(options: WorkersSubdomainOptions): Promise<string> {
  let result: { subdomain?: string } | undefined;
  try {
    result = await cloudflareGet(options.apiBaseUrl, options.apiToken, `/accounts/${options.accountId}/workers/subdomain`);
  } catch (error) {
    if (!(error instanceof CloudflareApiError)) throw error;
    if (error.hasCode(NO_SUBDOMAIN)) throw noSubdomainYet(options.accountId);
    if (error.hasCode(AUTHENTICATION_ERROR) || error.status === 401 || error.status === 403) {
      throw new Error(
        `Cloudflare API: the API token may not read the workers.dev subdomain of account ${options.accountId} (${error.message}). ` +
          'Add the permission Account → "Workers Scripts: Read" (or Edit, which the deploy needs anyway) for this account to the token, ' +
          'or skip the lookup with `pulumi config set workersDevSubdomain <sub>`.',
      );
    }
    throw new Error(
      `Cloudflare API: cannot read the workers.dev subdomain of account ${options.accountId} (${error.message}). ` +
        'Check cloudflareAccountId, or set `pulumi config set workersDevSubdomain <sub>` to skip the lookup.',
    );
  }
  if (!result?.subdomain) throw noSubdomainYet(options.accountId);
  return result.subdomain;
}

/** The subdomain from config, or looked up with the Cloudflare provider's token at preview/up. */
export function workersSubdomain(accountId: string, configured: string | undefined, api: CloudflareApi): pulumi.Output<string> {
  if (configured) return pulumi.output(configured);
  // The subdomain is public (it is in every URL): keep it out of the token's secrecy.
  return pulumi.unsecret(
    api.token.apply((apiToken) => {
      if (!apiToken) {
        throw new Error(
          'workersDevSubdomain is not set and no Cloudflare API token is available to look it up (cloudflare:apiToken or CLOUDFLARE_API_TOKEN).',
        );
      }
      return fetchWorkersSubdomain({ accountId, apiToken, apiBaseUrl: api.baseUrl });
    }),
  );
}
