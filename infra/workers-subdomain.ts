// Looks up the account's workers.dev subdomain (GET /accounts/{id}/workers/subdomain): no provider data source exists.
import * as pulumi from '@pulumi/pulumi';
import { type CloudflareApi, CloudflareApiError, cloudflareGet } from './cloudflare-api.js';

export interface WorkersSubdomainOptions {
  accountId: string;
  apiToken: string;
  apiBaseUrl: string;
}

/** The `<sub>` of `<sub>.workers.dev`; a clear error when the token lacks access or the account has none yet. */
export async function fetchWorkersSubdomain(options: WorkersSubdomainOptions): Promise<string> {
  let result: { subdomain?: string } | undefined;
  try {
    result = await cloudflareGet(options.apiBaseUrl, options.apiToken, `/accounts/${options.accountId}/workers/subdomain`);
  } catch (error) {
    if (!(error instanceof CloudflareApiError)) throw error;
    throw new Error(
      `Cloudflare API: cannot read the workers.dev subdomain of account ${options.accountId} (${error.message}). ` +
        'Give the API token "Account Settings: Read", or register a subdomain in the dashboard, or set `pulumi config set workersDevSubdomain <sub>`.',
    );
  }
  if (!result?.subdomain) {
    throw new Error(
      `Account ${options.accountId} has no workers.dev subdomain yet: open Workers & Pages in the dashboard once, or set workersDevSubdomain.`,
    );
  }
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
