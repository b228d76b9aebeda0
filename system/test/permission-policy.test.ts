// The user-permission ceiling both IdPs apply: consent decides, within the stack's list of grantable permissions.
import { describe, expect, it } from 'vitest';
import { capToUserPermissions } from '../permission-policy.js';
import { defaultUserPermissions, mcpServer, upstreamScopeFor } from '../system.js';

describe('capToUserPermissions', () => {
  it('keeps the login scopes and the requested permissions the stack lets users grant', () => {
    expect(capToUserPermissions(['openid', 'offline_access', 'read:todos', 'write:todos'], defaultUserPermissions)).toEqual([
      'openid',
      'offline_access',
      'read:todos',
      'write:todos',
    ]);
  });

  it('drops read:billing unless the stack opts in', () => {
    expect(capToUserPermissions(['openid', 'read:todos', 'read:billing'], defaultUserPermissions)).toEqual(['openid', 'read:todos']);
    expect(capToUserPermissions(['openid', 'read:billing'], [...defaultUserPermissions, 'read:billing'])).toEqual([
      'openid',
      'read:billing',
    ]);
  });

  it('never adds a permission that was not requested', () => {
    expect(capToUserPermissions(['openid'], ['read:todos', 'write:todos', 'read:billing'])).toEqual(['openid']);
  });
});

describe('upstreamScopeFor', () => {
  it('is the MCP server scope for the default permissions, and follows an opt-in', () => {
    expect(upstreamScopeFor(defaultUserPermissions)).toBe(mcpServer.scope);
    expect(upstreamScopeFor(['read:billing', 'read:todos'])).toBe('openid email profile offline_access read:todos read:billing');
  });
});
