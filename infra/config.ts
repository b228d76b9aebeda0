// The stack configuration as the Pulumi program reads it: once, at the top of index.ts, from `pulumi config`.
import * as cloudflare from '@pulumi/cloudflare';
import * as pulumi from '@pulumi/pulumi';
import { readStackConfig, type StackConfig } from '../system/stack-config.js';

/** Read and validate the running stack's config (`auth0Domain` falls back to `auth0:domain`, then AUTH0_DOMAIN). */
export function readInfraConfig(): StackConfig {
  return readStackConfig(new pulumi.Config(), new pulumi.Config('auth0'), process.env, pulumi.getProject());
}

/** Names for created objects: `<prefix>-<name>` for Cloudflare objects, `[<prefix>] <name>` for Auth0 display names. */
export interface Naming {
  resource(name: string): string;
  display(name: string): string;
  /** API identifiers are unique per tenant: a prefixed stack gets `<identifier>:<prefix>`. */
  identifier(identifier: string): string;
}

export function naming(namePrefix: string): Naming {
  return {
    resource: (name) => (namePrefix ? `${namePrefix}-${name}` : name),
    display: (name) => (namePrefix ? `[${namePrefix}] ${name}` : name),
    identifier: (identifier) => (namePrefix ? `${identifier}:${namePrefix}` : identifier),
  };
}

/** The zone of the custom hostnames: the configured id, or the zone of that name on the account (needs Zone Read). */
export function customDomainZoneId(config: StackConfig): pulumi.Output<string> | undefined {
  const zone = config.customDomainZone;
  if (!zone) return undefined;
  if ('zoneId' in zone) return pulumi.output(zone.zoneId);
  return cloudflare.getZoneOutput({ filter: { name: zone.zoneName, account: { id: config.cloudflareAccountId } } }).id;
}
