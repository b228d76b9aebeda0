// Looks up the workers.dev subdomain against a loopback stand-in of the Cloudflare API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchWorkersSubdomain } from '../workers-subdomain.js';
import { type FakeCloudflareApi, startFakeCloudflareApi } from './support/fake-cloudflare-api.js';

const ACCOUNT = '0123456789abcdef0123456789abcdef';
let api: FakeCloudflareApi;

beforeAll(async () => {
  api = await startFakeCloudflareApi(ACCOUNT, 'good');
});
afterAll(() => api.close());

describe('fetchWorkersSubdomain', () => {
  it('returns the account subdomain label', async () => {
    await expect(fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'good', apiBaseUrl: api.baseUrl })).resolves.toBe('looked-up');
  });

  it('explains a token without Account Settings: Read and the config alternative', async () => {
    await expect(fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'bad', apiBaseUrl: api.baseUrl })).rejects.toThrow(
      /Authentication error.*Account Settings: Read.*workersDevSubdomain/,
    );
  });

  it('explains an account without a workers.dev subdomain', async () => {
    api.subdomain = undefined;
    try {
      await expect(fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'good', apiBaseUrl: api.baseUrl })).rejects.toThrow(/not_found/);
    } finally {
      api.subdomain = 'looked-up';
    }
  });

  it('explains an unreachable API without leaking the token', async () => {
    const error = await fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'secret-token', apiBaseUrl: 'http://127.0.0.1:1' }).catch(
      (e: Error) => e,
    );
    expect(String(error)).toMatch(/Could not reach the Cloudflare API/);
    expect(String(error)).not.toContain('secret-token');
  });
});
