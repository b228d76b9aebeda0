// Auth0 side of the system: the Todos API with its permissions, the MCP server's web app, and the M2M test app.
import * as auth0 from '@pulumi/auth0';
import * as pulumi from '@pulumi/pulumi';
import { accountSignedOutUrl, mcpCallbackUrl, mcpServer, pulumiProject, auth0 as tenant, todosApi } from '../system/system.js';
import type { Naming } from './config.js';

// An empty secret would deploy a Worker that fails every login; stop the update instead.
function requireSecret(secret: string | undefined, component: string): string {
  if (!secret) throw new Error(`Auth0 returned no client secret for ${component}: is the Management API app missing read:client_keys?`);
  return secret;
}

/**
 * Makes `client` authenticate with client_secret_post and returns its secret, kept secret. In @pulumi/auth0 3.x the
 * secret and the token endpoint auth method live on ClientCredentials, not on Client.
 */
function clientSecretPost(name: string, client: auth0.Client, parent: pulumi.Resource): pulumi.Output<string> {
  const credentials = new auth0.ClientCredentials(
    `${name}-credentials`,
    { clientId: client.clientId, authenticationMethod: 'client_secret_post' },
    { parent, additionalSecretOutputs: ['clientSecret'] },
  );
  return pulumi.secret(credentials.clientSecret.apply((s) => requireSecret(s, name)));
}

export interface TodosApiArgs {
  naming: Naming;
  /** Protect the API from deletion (prod): its identifier is the audience every issued token carries. */
  protect?: boolean;
}

/**
 * Auth0 API (resource server) for the Todos API. RBAC is off: consent decides which requested permissions a token
 * carries (as in the tutorial), capped by the post-login Action in auth0-permission-ceiling.ts, so a user who signs
 * up can use the tools at once, with no role to assign in the dashboard.
 */
export class TodosApi extends pulumi.ComponentResource {
  /** API identifier, the `aud` of its access tokens. */
  public readonly identifier: pulumi.Output<string>;
  /** Every permission value the API defines. */
  public readonly permissions: pulumi.Output<string[]>;

  constructor(name: string, args: TodosApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:auth0:TodosApi`, name, {}, opts);
    const api = new auth0.ResourceServer(
      `${name}-api`,
      {
        name: args.naming.display(todosApi.name),
        identifier: args.naming.identifier(todosApi.identifier),
        signingAlg: todosApi.signingAlg,
        allowOfflineAccess: todosApi.allowOfflineAccess,
        // RBAC off: with it on, a new user's token carries only permissions assigned through roles (none until someone
        // assigns one). Granted permissions are in the `scope` claim; `access_token_authz` (a `permissions` claim) is
        // only offered with RBAC on, so the plain dialect.
        enforcePolicies: false,
        tokenDialect: 'access_token',
        skipConsentForVerifiableFirstPartyClients: true,
      },
      { parent: this, protect: args.protect ?? false },
    );
    // ResourceServerScopes owns the whole list, so a permission removed from system.ts is removed from Auth0.
    const scopes = new auth0.ResourceServerScopes(
      `${name}-permissions`,
      {
        resourceServerIdentifier: api.identifier,
        scopes: todosApi.permissions.map((p) => ({ name: p.value, description: p.description })),
      },
      { parent: this },
    );
    this.identifier = api.identifier;
    this.permissions = scopes.scopes.apply((list) => list.map((s) => s.name));
    this.registerOutputs({ identifier: this.identifier, permissions: this.permissions });
  }
}

export interface McpServerAppArgs {
  naming: Naming;
  /** Origin of the MCP server Worker (no trailing slash): the callback and logout URLs derive from it. */
  mcpServerUrl: pulumi.Input<string>;
}

/** The MCP server's Regular Web Application: the Worker is a confidential OIDC client of Auth0. */
export class McpServerApp extends pulumi.ComponentResource {
  public readonly clientId: pulumi.Output<string>;
  /** Secret output. */
  public readonly clientSecret: pulumi.Output<string>;
  public readonly callbackUrl: pulumi.Output<string>;

  constructor(name: string, args: McpServerAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:auth0:McpServerApp`, name, {}, opts);
    const origin = pulumi.output(args.mcpServerUrl);
    this.callbackUrl = origin.apply(mcpCallbackUrl);
    const client = new auth0.Client(
      `${name}-client`,
      {
        name: args.naming.display(mcpServer.appName),
        description: 'OAuth server of the remote MCP server Worker (Cloudflare); signs users in through Auth0.',
        appType: 'regular_web',
        isFirstParty: true,
        oidcConformant: true,
        callbacks: [this.callbackUrl],
        // The account page's "sign out at Auth0 too" returns to its signed-out page.
        allowedLogoutUrls: [origin, origin.apply(accountSignedOutUrl)],
        webOrigins: [],
        grantTypes: ['authorization_code', 'refresh_token'],
        // The Worker keeps upstream refresh tokens per grant; rotation makes a stolen one single-use.
        refreshToken: {
          rotationType: 'rotating',
          expirationType: 'expiring',
          leeway: 0,
          tokenLifetime: 2_592_000,
          idleTokenLifetime: 1_296_000,
          infiniteTokenLifetime: false,
          infiniteIdleTokenLifetime: false,
        },
        jwtConfiguration: { alg: 'RS256' },
      },
      { parent: this },
    );
    this.clientSecret = clientSecretPost(name, client, this);
    // ConnectionClient adds this one app to the connection; ConnectionClients would own (and reset) the list.
    const connection = auth0.getConnectionOutput({ name: tenant.databaseConnection }, { parent: this });
    new auth0.ConnectionClient(`${name}-database-connection`, { connectionId: connection.id, clientId: client.clientId }, { parent: this });
    this.clientId = client.clientId;
    this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret, callbackUrl: this.callbackUrl });
  }
}

export interface TestAppArgs {
  naming: Naming;
  /** Identifier of the API the app may call. */
  audience: pulumi.Input<string>;
  /** Permissions granted to the app (client credentials). */
  permissions: pulumi.Input<pulumi.Input<string>[]>;
}

/** The machine-to-machine "Test Application" of the API: client credentials for smoke tests and `npm run token`. */
export class TodosApiTestApp extends pulumi.ComponentResource {
  public readonly clientId: pulumi.Output<string>;
  /** Secret output. */
  public readonly clientSecret: pulumi.Output<string>;

  constructor(name: string, args: TestAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${pulumiProject}:auth0:TodosApiTestApp`, name, {}, opts);
    const client = new auth0.Client(
      `${name}-client`,
      {
        name: args.naming.display(tenant.testAppName),
        description: 'Client-credentials app for testing the Todos API.',
        appType: 'non_interactive',
        isFirstParty: true,
        oidcConformant: true,
        grantTypes: ['client_credentials'],
        jwtConfiguration: { alg: 'RS256' },
      },
      { parent: this },
    );
    this.clientSecret = clientSecretPost(name, client, this);
    new auth0.ClientGrant(
      `${name}-grant`,
      { clientId: client.clientId, audience: args.audience, scopes: args.permissions },
      { parent: this },
    );
    this.clientId = client.clientId;
    this.registerOutputs({ clientId: this.clientId, clientSecret: this.clientSecret });
  }
}
