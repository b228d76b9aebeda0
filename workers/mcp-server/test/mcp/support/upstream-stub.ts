// Controllable stand-in for the upstream token boundary (src/upstream): tests decide what getUpstreamAccessToken does.
import { vi } from 'vitest';
import type { McpProps } from '../../../src/props.js';

/** Mirrors the real UpstreamAuthError contract: an Error with a stable `code`. */
export class StubUpstreamAuthError extends Error {
  readonly code: 'reauth_required' | 'idp_unavailable';
  constructor(code: 'reauth_required' | 'idp_unavailable') {
    super(`upstream auth failed: ${code}`);
    this.name = 'UpstreamAuthError';
    this.code = code;
  }
}

/** By default hands out the access token stored in the props, like a grant that needs no refresh. */
export const getUpstreamAccessTokenStub = vi.fn(async (_env: unknown, props: McpProps) => props.upstream.accessToken);

export function resetUpstreamStub(): void {
  getUpstreamAccessTokenStub.mockReset();
  getUpstreamAccessTokenStub.mockImplementation(async (_env: unknown, props: McpProps) => props.upstream.accessToken);
}
