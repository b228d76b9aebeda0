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

  it('names the missing token permission (Workers Scripts: Read) and the config alternative on code 10000', async () => {
    const error = await fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'bad', apiBaseUrl: api.baseUrl }).catch((e: Error) => e);
    expect(String(error)).toMatch(/may not read.*Authentication error.*Workers Scripts: Read.*workersDevSubdomain/);
    expect(String(error)).not.toMatch(/register/i);
    expect(String(error)).not.toContain('Account Settings');
  });

  it('tells an account without a registered workers.dev subdomain (code 10007) where to register one', async () => {
    api.subdomain = undefined;
    try {
      const error = await fetchWorkersSubdomain({ accountId: ACCOUNT, apiToken: 'good', apiBaseUrl: api.baseUrl }).catch((e: Error) => e);
      expect(String(error)).toMatch(/no workers.dev subdomain registered yet.*Workers & Pages/);
      expect(String(error)).not.toMatch(/permission/i);
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
