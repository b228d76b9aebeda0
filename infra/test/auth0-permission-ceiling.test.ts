// Runs the post-login Action's source the way Auth0 does (a CommonJS module exporting onExecutePostLogin), against a
// recording stand-in of Auth0's `api` object: the ceiling drops what users may not grant, and nothing else.
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { capToUserPermissions } from '../../system/permission-policy.js';
import { defaultUserPermissions, type TodosPermission } from '../../system/system.js';
import { permissionCeilingActionCode } from '../auth0-permission-ceiling.js';

type PostLogin = (event: unknown, api: unknown) => Promise<void>;

function load(code: string): PostLogin {
  const module = { exports: {} as { onExecutePostLogin?: PostLogin } };
  // No require, no process: the Action must not depend on anything Auth0's sandbox would have to provide.
  vm.runInNewContext(code, { exports: module.exports, module });
  if (!module.exports.onExecutePostLogin) throw new Error('the Action exports no onExecutePostLogin');
  return module.exports.onExecutePostLogin;
}

/** The token scopes after the Action ran, for a login that requested `requested` for `audience`. */
async function login(
  code: string,
  audience: string,
  requested: string[],
  options: { targetScopeApi: boolean } = { targetScopeApi: true },
): Promise<string[]> {
  const target = new Set(requested);
  const token = new Set(requested);
  const api = {
    accessToken: { removeScope: (s: string) => token.delete(s), addScope: (s: string) => token.add(s) },
    ...(options.targetScopeApi ? { transaction: { removeTargetScope: (s: string) => target.delete(s) } } : {}),
  };
  await load(code)({ resource_server: { identifier: audience }, transaction: { requested_scopes: requested } }, api);
  // Auth0 issues the target scopes (after policy) with the access token's own changes applied on top.
  return requested.filter((s) => target.has(s) && token.has(s));
}

const requestedByMcpServer = ['openid', 'email', 'profile', 'offline_access', 'read:todos', 'write:todos', 'read:billing'];

describe('permission ceiling Action', () => {
  it('drops read:billing for the default list, keeping the login scopes and the grantable permissions', async () => {
    const code = permissionCeilingActionCode('urn:todos-api', defaultUserPermissions);
    expect(await login(code, 'urn:todos-api', requestedByMcpServer)).toEqual(requestedByMcpServer.filter((s) => s !== 'read:billing'));
  });

  it('applies the same rule as the local IdP, for every list a stack can configure', async () => {
    const lists: TodosPermission[][] = [
      ['read:todos'],
      ['read:todos', 'write:todos'],
      ['read:todos', 'write:todos', 'read:billing'],
      ['read:billing'],
    ];
    for (const list of lists) {
      const code = permissionCeilingActionCode('urn:todos-api', list);
      expect(await login(code, 'urn:todos-api', requestedByMcpServer), list.join(' ')).toEqual(
        capToUserPermissions(requestedByMcpServer, list),
      );
    }
  });

  it('also caps the access token on tenants without the target-scope API', async () => {
    const code = permissionCeilingActionCode('urn:todos-api', defaultUserPermissions);
    expect(await login(code, 'urn:todos-api', ['openid', 'read:billing'], { targetScopeApi: false })).toEqual(['openid']);
  });

  it('leaves logins for other APIs of the tenant alone', async () => {
    const code = permissionCeilingActionCode('urn:todos-api:pr-42', defaultUserPermissions);
    expect(await login(code, 'urn:someone-elses-api', ['openid', 'read:billing'])).toEqual(['openid', 'read:billing']);
  });
});
