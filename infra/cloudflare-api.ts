// Direct Cloudflare API calls the provider has no resource or data source for: same base URL and token as the provider.
import * as pulumi from '@pulumi/pulumi';

export const DEFAULT_CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

export interface CloudflareApi {
  /** `cloudflare:baseUrl` (the provider's override), else the public API. */
  baseUrl: string;
  /** `cloudflare:apiToken`, else CLOUDFLARE_API_TOKEN; always a secret, '' when neither is set. */
  token: pulumi.Output<string>;
}

export function cloudflareApi(): CloudflareApi {
  const config = new pulumi.Config('cloudflare');
  return {
    baseUrl: (config.get('baseUrl') || DEFAULT_CLOUDFLARE_API).replace(/\/+$/, ''),
    token: config.getSecret('apiToken') ?? pulumi.secret(process.env.CLOUDFLARE_API_TOKEN ?? ''),
  };
}

/** Cloudflare's v4 envelope. */
interface Envelope<T> {
  success?: boolean;
  result?: T;
  errors?: { code?: number; message?: string }[];
}

export class CloudflareApiError extends Error {
  override readonly name = 'CloudflareApiError';
  readonly status: number;
  /** Cloudflare's own error codes from the envelope (e.g. 10007 "not found", 10000 "Authentication error"). */
  readonly codes: readonly number[];
  constructor(message: string, status: number, codes: readonly number[] = []) {
    super(message);
    this.status = status;
    this.codes = codes;
  }

  /** True when Cloudflare answered with any of these API error codes. */
  hasCode(...codes: number[]): boolean {
    return this.codes.some((code) => codes.includes(code));
  }
}

/** GET a v4 endpoint; throws CloudflareApiError with Cloudflare's own messages (never the token). */
export async function cloudflareGet<T>(baseUrl: string, apiToken: string, pathname: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${pathname}`, {
      headers: { authorization: `Bearer ${apiToken}` },
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    throw new CloudflareApiError(`Could not reach the Cloudflare API at ${baseUrl} (${(error as Error).message})`, 0);
  }
  const body = (await response.json().catch(() => undefined)) as Envelope<T> | undefined;
  if (!response.ok || !body?.success) {
    const reason = body?.errors?.map((e) => e.message).join('; ') || `HTTP ${response.status}`;
    const codes = (body?.errors ?? []).map((e) => e.code).filter((c): c is number => typeof c === 'number');
    throw new CloudflareApiError(reason, response.status, codes);
  }
  return body.result as T;
}
