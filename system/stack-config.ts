// The stack configuration model, shared by the Pulumi program and the preflight (`npm run doctor`): typed, validated,
// with a clear message for every bad or missing key. No Pulumi import, so the preflight checks config without loading the SDK.
import { allTodosPermissions, defaultUserPermissions, pulumiProject, type TodosPermission } from './system.js';

/** Everything the program needs from `pulumi config`, checked. Provider credentials stay with the providers. */
export interface StackConfig {
  /** Auth0 tenant domain (no scheme), e.g. `example.us.auth0.com`; issuer = `https://<domain>/`. */
  auth0Domain: string;
  /** Cloudflare account id (32 hex digits). */
  cloudflareAccountId: string;
  /** The account's workers.dev subdomain (`<sub>.workers.dev`); undefined = ask the Cloudflare API at preview/up. */
  workersDevSubdomain: string | undefined;
  /** Custom hostname for the MCP server Worker (a zone on the account); undefined = workers.dev only. */
  mcpServerHostname: string | undefined;
  /** Custom hostname for the Todos API Worker; undefined = workers.dev only. */
  todosApiHostname: string | undefined;
  /** Prefix for every created name so several stacks can share one account and tenant; '' = none. */
  namePrefix: string;
  /**
   * The zone holding the custom hostnames: a zone id (32 hex digits, used as is) or a zone name (looked up on the
   * account at preview/up). Undefined with a custom hostname = the hostname without its first label.
   */
  customDomainZone: { zoneId: string } | { zoneName: string } | undefined;
  /** Todos API permissions a user may grant to an MCP client (in system.ts order); both IdPs cap tokens at this list. */
  userPermissions: TodosPermission[];
  /** Protect the data resources (D1, KV, the Auth0 API) so no `up` or `destroy` can delete them without an explicit step. */
  protectData: boolean;
}

/** A config key is missing or malformed; `key` is the full `<namespace>:<name>` to fix. */
export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
  readonly key: string;
  constructor(key: string, message: string) {
    super(`Stack config ${key}: ${message}`);
    this.key = key;
  }
}

// Values a stack can read; the minimal surface of pulumi.Config this module uses (tests pass a fake).
export interface ConfigSource {
  get(key: string): string | undefined;
}

const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const ACCOUNT_ID = /^[0-9a-f]{32}$/;
// Worker names allow 63 characters; the longest base name (mcp-auth0-oidc) plus '-' must still fit.
const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Read and validate the stack config of project `projectName` (Pulumi.yaml's name by default).
 * `auth0Domain` falls back to the Auth0 provider's own `auth0:domain`, so the domain is set once.
 */
export function readStackConfig(
  project: ConfigSource,
  auth0Provider: ConfigSource,
  env: Readonly<Record<string, string | undefined>>,
  projectName: string = pulumiProject,
): StackConfig {
  const key = (name: string) => `${projectName}:${name}`;
  const optional = (name: string): string | undefined => {
    const value = project.get(name)?.trim();
    return value ? value : undefined;
  };

  // The same fallbacks the providers use (auth0:domain, AUTH0_DOMAIN), so CI can configure everything by env.
  const auth0Domain = (optional('auth0Domain') ?? (auth0Provider.get('domain')?.trim() || env.AUTH0_DOMAIN?.trim()))?.toLowerCase();
  if (!auth0Domain) {
    throw new StackConfigError(
      key('auth0Domain'),
      'missing. Set the Auth0 tenant domain: `pulumi config set auth0Domain <tenant>.us.auth0.com` (or `pulumi config set auth0:domain …`).',
    );
  }
  if (/^https?:\/\//i.test(auth0Domain) || auth0Domain.includes('/')) {
    throw new StackConfigError(
      key('auth0Domain'),
      `"${auth0Domain}" must be a bare domain such as example.us.auth0.com (no scheme, no path).`,
    );
  }
  if (!DNS_NAME.test(auth0Domain)) {
    throw new StackConfigError(key('auth0Domain'), `"${auth0Domain}" is not a valid domain name.`);
  }

  const cloudflareAccountId = (optional('cloudflareAccountId') ?? env.CLOUDFLARE_ACCOUNT_ID?.trim())?.toLowerCase();
  if (!cloudflareAccountId) {
    throw new StackConfigError(
      key('cloudflareAccountId'),
      'missing. Copy the account id from the Cloudflare dashboard (Workers & Pages → Account details): `pulumi config set cloudflareAccountId <32 hex digits>` (or CLOUDFLARE_ACCOUNT_ID).',
    );
  }
  if (!ACCOUNT_ID.test(cloudflareAccountId)) {
    throw new StackConfigError(key('cloudflareAccountId'), `"${cloudflareAccountId}" is not a Cloudflare account id (32 hex digits).`);
  }

  let workersDevSubdomain = optional('workersDevSubdomain')?.toLowerCase();
  // Accept the full host as shown in the dashboard ("<sub>.workers.dev") as well as the label.
  if (workersDevSubdomain?.endsWith('.workers.dev')) workersDevSubdomain = workersDevSubdomain.slice(0, -'.workers.dev'.length);
  if (workersDevSubdomain !== undefined && !SUBDOMAIN.test(workersDevSubdomain)) {
    throw new StackConfigError(
      key('workersDevSubdomain'),
      `"${workersDevSubdomain}" is not a workers.dev subdomain label (e.g. "my-team").`,
    );
  }

  const hostname = (name: string): string | undefined => {
    const value = optional(name)?.toLowerCase();
    if (value !== undefined && !DNS_NAME.test(value)) {
      throw new StackConfigError(key(name), `"${value}" is not a host name (e.g. mcp.example.com; no scheme, no path).`);
    }
    return value;
  };
  const mcpServerHostname = hostname('mcpServerHostname');
  const todosApiHostname = hostname('todosApiHostname');
  if (mcpServerHostname && mcpServerHostname === todosApiHostname) {
    throw new StackConfigError(key('todosApiHostname'), 'must differ from mcpServerHostname: each Worker needs its own host.');
  }

  const namePrefix = optional('namePrefix') ?? '';
  if (namePrefix && !PREFIX.test(namePrefix)) {
    throw new StackConfigError(
      key('namePrefix'),
      `"${namePrefix}" must be 1-24 lowercase letters, digits or dashes, starting and ending with a letter or digit.`,
    );
  }

  const customDomainZone = readCustomDomainZone(optional('customDomainZone'), [mcpServerHostname, todosApiHostname], key);
  const userPermissions = readUserPermissions(project.get('userPermissions'), key('userPermissions'));
  const protectData = readBoolean(optional('protectData'), key('protectData'), false);

  return {
    auth0Domain,
    cloudflareAccountId,
    workersDevSubdomain,
    mcpServerHostname,
    todosApiHostname,
    namePrefix,
    customDomainZone,
    userPermissions,
    protectData,
  };
}

function readCustomDomainZone(
  raw: string | undefined,
  hostnames: (string | undefined)[],
  key: (name: string) => string,
): StackConfig['customDomainZone'] {
  const hosts = hostnames.filter((h): h is string => h !== undefined);
  const value = raw?.toLowerCase();
  if (value === undefined) {
    const first = hosts[0];
    if (!first) return undefined;
    // mcp.example.com -> example.com; a zone one level deeper (or a public suffix like co.uk) needs the key.
    const zoneName = first.split('.').slice(1).join('.');
    if (!zoneName.includes('.')) {
      throw new StackConfigError(key('customDomainZone'), `missing: cannot tell the zone of "${first}"; set the zone name or id.`);
    }
    return checkHostsInZone({ zoneName }, hosts, key);
  }
  if (hosts.length === 0) {
    throw new StackConfigError(key('customDomainZone'), 'is set, but neither mcpServerHostname nor todosApiHostname is.');
  }
  if (ACCOUNT_ID.test(value)) return { zoneId: value };
  if (!DNS_NAME.test(value)) {
    throw new StackConfigError(key('customDomainZone'), `"${value}" is neither a zone name (example.com) nor a zone id (32 hex digits).`);
  }
  return checkHostsInZone({ zoneName: value }, hosts, key);
}

function checkHostsInZone(zone: { zoneName: string }, hosts: string[], key: (name: string) => string): { zoneName: string } {
  for (const host of hosts) {
    if (host !== zone.zoneName && !host.endsWith(`.${zone.zoneName}`)) {
      throw new StackConfigError(
        key('customDomainZone'),
        `"${host}" is not in zone "${zone.zoneName}": both custom hostnames must be in the configured zone.`,
      );
    }
  }
  return zone;
}

/** Space- or comma-separated permission names, each one the Todos API defines; unset = the default list. */
function readUserPermissions(raw: string | undefined, key: string): TodosPermission[] {
  if (raw === undefined) return [...defaultUserPermissions];
  const names = raw.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) {
    throw new StackConfigError(
      key,
      `is empty: list at least one of ${allTodosPermissions.join(', ')} (default: ${defaultUserPermissions.join(' ')}).`,
    );
  }
  const known: readonly string[] = allTodosPermissions;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw new StackConfigError(
      key,
      `unknown permission ${unknown.map((n) => `"${n}"`).join(', ')}: the Todos API defines ${allTodosPermissions.join(', ')}.`,
    );
  }
  return allTodosPermissions.filter((p) => names.includes(p));
}

function readBoolean(raw: string | undefined, key: string, fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (raw.toLowerCase() === 'true') return true;
  if (raw.toLowerCase() === 'false') return false;
  throw new StackConfigError(key, `"${raw}" must be true or false.`);
}
