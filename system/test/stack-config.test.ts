// The stack config model (system/stack-config.ts): every bad or missing key named, with how to fix it.
import { describe, expect, it } from 'vitest';
import { readStackConfig, StackConfigError } from '../stack-config.js';

const BASE = {
  auth0Domain: 'example.us.auth0.com',
  cloudflareAccountId: '0123456789abcdef0123456789abcdef',
  workersDevSubdomain: 'test-sub',
};

describe('readStackConfig', () => {
  const read = (values: Record<string, string>, provider: Record<string, string> = {}) =>
    readStackConfig({ get: (k) => values[k] }, { get: (k) => provider[k] }, {});

  it('names the missing Auth0 domain and how to set it', () => {
    expect(() => read({ cloudflareAccountId: BASE.cloudflareAccountId })).toThrow(StackConfigError);
    expect(() => read({ cloudflareAccountId: BASE.cloudflareAccountId })).toThrow(/auth0Domain: missing.*pulumi config set auth0Domain/);
  });

  it('falls back to auth0:domain, then to the AUTH0_DOMAIN / CLOUDFLARE_ACCOUNT_ID environment', () => {
    expect(read({ cloudflareAccountId: BASE.cloudflareAccountId }, { domain: 'Tenant.EU.auth0.com' }).auth0Domain).toBe(
      'tenant.eu.auth0.com',
    );
    const fromEnv = readStackConfig(
      { get: () => undefined },
      { get: () => undefined },
      {
        AUTH0_DOMAIN: 'env.us.auth0.com',
        CLOUDFLARE_ACCOUNT_ID: BASE.cloudflareAccountId,
      },
    );
    expect(fromEnv).toMatchObject({ auth0Domain: 'env.us.auth0.com', cloudflareAccountId: BASE.cloudflareAccountId });
  });

  it('rejects malformed values with the key and the expected form', () => {
    expect(() => read({ ...BASE, auth0Domain: 'https://example.us.auth0.com/' })).toThrow(/bare domain/);
    expect(() => read({ ...BASE, cloudflareAccountId: 'abc' })).toThrow(/cloudflareAccountId: "abc" is not a Cloudflare account id/);
    expect(() => read({ ...BASE, mcpServerHostname: 'https://mcp.example.com' })).toThrow(/mcpServerHostname/);
    expect(() => read({ ...BASE, namePrefix: 'Bad_Prefix' })).toThrow(/namePrefix/);
    expect(() => read({ ...BASE, mcpServerHostname: 'a.example.com', todosApiHostname: 'a.example.com' })).toThrow(/must differ/);
  });

  it('accepts the workers.dev subdomain as label or host and leaves optional keys unset', () => {
    expect(read({ ...BASE, workersDevSubdomain: 'team.workers.dev' })).toEqual({
      auth0Domain: 'example.us.auth0.com',
      cloudflareAccountId: BASE.cloudflareAccountId,
      workersDevSubdomain: 'team',
      mcpServerHostname: undefined,
      todosApiHostname: undefined,
      namePrefix: '',
      customDomainZone: undefined,
      userPermissions: ['read:todos', 'write:todos'],
      protectData: false,
    });
  });

  it('reads the user permissions in the API order, and names an unknown or empty list', () => {
    expect(read({ ...BASE, userPermissions: 'read:billing, read:todos' }).userPermissions).toEqual(['read:todos', 'read:billing']);
    expect(() => read({ ...BASE, userPermissions: 'read:todos delete:everything' })).toThrow(
      /remote-mcp:userPermissions: unknown permission "delete:everything": the Todos API defines read:todos, write:todos, read:billing/,
    );
    expect(() => read({ ...BASE, userPermissions: ' ' })).toThrow(/userPermissions: is empty/);
  });

  it('reads protectData as a boolean and refuses anything else', () => {
    expect(read({ ...BASE, protectData: 'true' }).protectData).toBe(true);
    expect(read({ ...BASE, protectData: 'False' }).protectData).toBe(false);
    expect(() => read({ ...BASE, protectData: 'yes' })).toThrow(/protectData: "yes" must be true or false/);
  });

  it('takes the custom-domain zone as an id or a name, or from the hostname, and checks the hostnames are in it', () => {
    const hosts = { mcpServerHostname: 'mcp.example.com', todosApiHostname: 'todos.example.com' };
    expect(read({ ...BASE, ...hosts }).customDomainZone).toEqual({ zoneName: 'example.com' });
    expect(read({ ...BASE, ...hosts, customDomainZone: 'Example.com' }).customDomainZone).toEqual({ zoneName: 'example.com' });
    const id = 'fedcba9876543210fedcba9876543210';
    expect(read({ ...BASE, ...hosts, customDomainZone: id }).customDomainZone).toEqual({ zoneId: id });
    expect(() => read({ ...BASE, ...hosts, customDomainZone: 'example.org' })).toThrow(
      /customDomainZone: "mcp.example.com" is not in zone "example.org"/,
    );
    expect(() => read({ ...BASE, customDomainZone: 'example.com' })).toThrow(/neither mcpServerHostname nor todosApiHostname/);
    expect(() => read({ ...BASE, mcpServerHostname: 'mcp.localhost' })).toThrow(/customDomainZone: missing/);
    expect(() => read({ ...BASE, ...hosts, customDomainZone: 'not a zone' })).toThrow(/neither a zone name/);
  });
});
