// The user-permission ceiling on Auth0: a post-login Action that drops requested Todos API permissions the stack does
// not let users grant (system/permission-policy.ts is the same rule; the local IdP applies it in its grant).
import * as auth0 from '@pulumi/auth0';
import * as pulumi from '@pulumi/pulumi';
import { allTodosPermissions, pulumiProject, type TodosPermission } from '../system/system.js';
import type { Naming } from './config.js';

/**
 * Source of the Action: for a token whose audience is `audience`, every Todos API permission outside `userPermissions`
 * is removed from the transaction's target scopes (Auth0 then issues neither access nor refresh token scopes for it)
 * and, for tenants without the target-scope API, from the access token. Post-login also runs on refresh-token exchange,
 * so a refreshed token is capped the same way. It never adds a scope: consent decides within the ceiling.
 */
export function permissionCeilingActionCode(audience: string, userPermissions: readonly TodosPermission[]): string {
  const denied = allTodosPermissions.filter((p) => !userPermissions.includes(p));
  return `// Managed by Pulumi (${pulumiProject}): edit userPermissions in the stack config, not here.
const AUDIENCE = ${JSON.stringify(audience)};
const NOT_GRANTABLE = ${JSON.stringify(denied)};

exports.onExecutePostLogin = async (event, api) => {
  if (!event.resource_server || event.resource_server.identifier !== AUDIENCE) return;
  for (const scope of NOT_GRANTABLE) {
    if (api.transaction && typeof api.transaction.removeTargetScope === 'function') api.transaction.removeTargetScope(scope);
    api.accessToken.removeScope(scope);
  }
};
`;
}

export interface PermissionCeilingArgs {
  naming: Naming;
  /** Identifier of the Todos API (the audience whose tokens are capped). */
  audience: pulumi.Input<string>;
  userPermissions: readonly TodosPermission[];
}

/** The deployed Action, bound to the post-login trigger next to the tenant's other Actions (never replacing them). */
export class PermissionCeiling extends pulumi.ComponentResource {
  public readonly actionId: pulumi.Output<string>;

  constructor(name: string, args: PermissionCeilingArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:auth0:PermissionCeiling`, name, {}, opts);
    const action = new auth0.Action(
      `${name}-action`,
      {
        name: args.naming.resource('todos-api-permission-ceiling'),
        runtime: 'node22',
        supportedTriggers: { id: 'post-login', version: 'v3' },
        code: pulumi.output(args.audience).apply((audience) => permissionCeilingActionCode(audience, args.userPermissions)),
        // An Action runs only once deployed; a code change deploys a new version at once.
        deploy: true,
      },
      { parent: this },
    );
    // TriggerAction appends one binding; TriggerActions would own (and reset) the tenant's whole post-login flow.
    new auth0.TriggerAction(`${name}-post-login`, { trigger: 'post-login', actionId: action.id }, { parent: this });
    this.actionId = action.id;
    this.registerOutputs({ actionId: this.actionId });
  }
}
