// Least privilege at sign-in: what a client may ask for, what the user ticks, what the IdP is asked for, what the grant holds.
import { env } from 'cloudflare:test';
import { getOAuthApi } from '@cloudflare/workers-oauth-provider';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleAuthorize } from '../src/auth/authorize-handler.js';
import { oauthProviderOptions } from '../src/auth/create-oauth-provider.js';
import { idp, issuer, loginAt, resetIdp } from './support/fake-idp-token-endpoint.js';
import {
  authorizePath,
  CookieJar,
  clientRedirect,
  consentFormFrom,
  fetchWorker,
  type McpTokens,
  origin,
  pkce,
  postConsent,
  registerClient,
  scopeBoxesFrom,
} from './support/oauth-flow.js';

beforeEach(resetIdp);

/** GET /authorize for a fresh client asking for `scope` (undefined: no scope parameter at all). */
async function authorize(scope: string | undefined) {
  const client = await registerClient();
  const jar = new CookieJar();
  const { verifier, challenge } = await pkce();
  const path = authorizePath(client.client_id, challenge, scope === undefined ? {} : { scope });
  const url = new URL(path, origin);
  if (scope === undefined) url.searchParams.delete('scope');
  const response = await fetchWorker(`${url.pathname}${url.search}`, { jar });
  return { client, jar, verifier, challenge, response, html: response.status === 200 ? await response.text() : '' };
}

/** Approve `html`'s form with exactly `ticked` permission boxes ticked; follow the IdP login and /callback; exchange the code. */
async function approveWith(flow: Awaited<ReturnType<typeof authorize>>, ticked: string[] | 'as-shown') {
  const form = consentFormFrom(flow.html);
  const approved = await postConsent(flow.jar, ticked === 'as-shown' ? form : { ...form, scope: ticked }, 'approve');
  expect(approved.status).toBe(302);
  const idpAuthorize = new URL(approved.headers.get('Location')!);
  const callback = await fetchWorker(
    `/callback?${new URLSearchParams({ code: loginAt(idpAuthorize), state: idpAuthorize.searchParams.get('state')! })}`,
    { jar: flow.jar },
  );
  expect(callback.status).toBe(302);
  const code = new URL(callback.headers.get('Location')!).searchParams.get('code')!;
  const token = await fetchWorker('/oauth/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: clientRedirect,
      client_id: flow.client.client_id,
      code_verifier: flow.verifier,
      resource: origin,
    }),
  });
  expect(token.status).toBe(200);
  return { idpScope: idpAuthorize.searchParams.get('scope'), tokens: await token.json<McpTokens>() };
}

describe('scopes a client may ask for', () => {
  it('should refuse an unknown scope with invalid_scope, back to the client, before storing anything', async () => {
    const { response } = await authorize('read:todos admin:everything');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('Location')!);
    expect(`${location.origin}${location.pathname}`).toBe(clientRedirect);
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('error_description')).toContain('admin:everything');
    expect(location.searchParams.get('state')).toBe('client-state-123');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('should drop OIDC identity scopes and grant the baseline when that is all a client names', async () => {
    const flow = await authorize('openid profile email');
    expect(flow.response.status).toBe(200);
    expect(flow.html).not.toContain('<code>openid</code>');
    const { idpScope, tokens } = await approveWith(flow, 'as-shown');
    expect(tokens.scope).toBe('read:todos');
    expect(idpScope).toBe('openid email profile offline_access read:todos');
  });

  it('should give a client that names no scope read:todos only, and ask the IdP for no more', async () => {
    const flow = await authorize(undefined);
    expect(scopeBoxesFrom(flow.html)).toEqual({});
    expect(flow.html).toContain('data-scope="read:todos"');
    const { idpScope, tokens } = await approveWith(flow, 'as-shown');
    expect(tokens.scope).toBe('read:todos');
    expect(idpScope).toBe('openid email profile offline_access read:todos');
    expect(tokens.refresh_token).toBeTruthy();
  });
});

describe('consent the user controls', () => {
  it('should show the baseline fixed, write:todos ticked and read:billing unticked (opt-in)', async () => {
    const flow = await authorize('read:todos write:todos read:billing offline_access');
    expect(scopeBoxesFrom(flow.html)).toEqual({ 'write:todos': true, 'read:billing': false });
    expect(flow.html).toContain('Read your todos');
    expect(flow.html).toContain('Create, update and delete your todos');
    expect(flow.html).toContain('Read your billing information');
    expect(flow.html).toContain('data-scope="offline_access"');
  });

  it('should grant exactly what stayed ticked and ask the IdP for exactly that', async () => {
    const flow = await authorize('read:todos write:todos read:billing');
    const { idpScope, tokens } = await approveWith(flow, 'as-shown');
    expect(tokens.scope).toBe('read:todos write:todos');
    expect(idpScope).toBe('openid email profile offline_access read:todos write:todos');
  });

  it('should grant read:billing only when the user ticks it', async () => {
    const flow = await authorize('read:todos read:billing');
    const { idpScope, tokens } = await approveWith(flow, ['read:billing']);
    expect(tokens.scope).toBe('read:todos read:billing');
    expect(idpScope).toBe('openid email profile offline_access read:todos read:billing');
  });

  it('should keep the baseline when the user unticks everything else', async () => {
    const flow = await authorize('read:todos write:todos');
    const { tokens } = await approveWith(flow, []);
    expect(tokens.scope).toBe('read:todos');
  });

  it('should ignore a ticked permission the client never asked for (a tampered form cannot widen the grant)', async () => {
    const flow = await authorize('read:todos');
    const form = consentFormFrom(flow.html);
    const { tokens } = await approveWith({ ...flow, html: flow.html }, [...form.scope, 'write:todos', 'read:billing']);
    expect(tokens.scope).toBe('read:todos');
  });

  it('should refuse a consent form whose offered list names an unknown scope', async () => {
    const flow = await authorize('read:todos');
    const form = consentFormFrom(flow.html);
    const response = await postConsent(flow.jar, { ...form, requested: 'read:todos admin:everything' }, 'approve');
    expect(response.status).toBe(400);
    expect(response.headers.get('Location')).toBeNull();
  });

  it('should show the page again when a remembered client asks for more (step-up needs the user)', async () => {
    const first = await authorize('read:todos');
    expect((await postConsent(first.jar, consentFormFrom(first.html), 'approve', true)).status).toBe(302);
    const same = await fetchWorker(authorizePath(first.client.client_id, first.challenge, { scope: 'read:todos' }), { jar: first.jar });
    expect(same.status).toBe(302);
    expect(same.headers.get('Location')).toContain(`${issuer}authorize`);
    const more = await fetchWorker(authorizePath(first.client.client_id, first.challenge, { scope: 'read:todos write:todos' }), {
      jar: first.jar,
    });
    expect(more.status).toBe(200);
    expect(scopeBoxesFrom(await more.text())).toEqual({ 'write:todos': true });
  });
});

describe("what users may grant on this deployment (AUTH0_SCOPE, from the stack's userPermissions)", () => {
  it('should show a permission users may not grant as unavailable and leave it out, never ask the IdP for it', async () => {
    const client = await registerClient();
    const { challenge } = await pkce();
    const jar = new CookieJar();
    const request = new Request(new URL(authorizePath(client.client_id, challenge, { scope: 'read:todos read:billing' }), origin));
    // The default ceiling: read:todos and write:todos only.
    const defaultCeiling: Env & { OAUTH_PROVIDER?: unknown } = {
      ...env,
      AUTH0_SCOPE: 'openid email profile offline_access read:todos write:todos',
    };
    // What the provider hands its default handler, for this env.
    defaultCeiling.OAUTH_PROVIDER = getOAuthApi(oauthProviderOptions(origin), defaultCeiling);
    const page = await handleAuthorize(request, defaultCeiling, origin);
    jar.store(page);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(scopeBoxesFrom(html)).toEqual({});
    expect(html).toContain('Read your billing information <code>read:billing</code>: not available on this server');
    const form = consentFormFrom(html);
    expect(form.requested).toBe('read:todos');
    const approve = new Request(new URL('/authorize', origin), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.header() },
      body: new URLSearchParams({ handle: form.handle, requested: 'read:todos read:billing', scope: 'read:billing', decision: 'approve' }),
    });
    const approved = await handleAuthorize(approve, defaultCeiling, origin);
    expect(approved.status).toBe(302);
    expect(new URL(approved.headers.get('Location')!).searchParams.get('scope')).toBe('openid email profile offline_access read:todos');
  });
});

describe('the IdP has the last word', () => {
  it('should leave out of the grant a permission the IdP did not grant (e.g. Auth0 RBAC)', async () => {
    idp.withheld = ['write:todos'];
    const flow = await authorize('read:todos write:todos');
    const { idpScope, tokens } = await approveWith(flow, 'as-shown');
    expect(idpScope).toContain('write:todos');
    expect(tokens.scope).toBe('read:todos');
  });
});

describe('challenges and metadata', () => {
  it('should challenge an unauthenticated MCP request with the baseline scope only', async () => {
    const response = await fetchWorker('/mcp', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    const challenge = response.headers.get('WWW-Authenticate') ?? '';
    expect(challenge).toContain('scope="read:todos"');
    expect(challenge).toContain(`resource_metadata="${origin}/.well-known/oauth-protected-resource`);
  });

  it('should list every permission for later step-up in the protected-resource metadata, without offline_access', async () => {
    // The URL the 401 challenge points clients at.
    const challenge = (await fetchWorker('/mcp', { method: 'POST', body: '{}' })).headers.get('WWW-Authenticate') ?? '';
    const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)?.[1] ?? '';
    const metadata = await (await fetchWorker(metadataUrl)).json<Record<string, unknown>>();
    expect(metadata.resource).toBe(origin);
    expect(metadata.scopes_supported).toEqual(['read:todos', 'write:todos', 'read:billing']);
  });
});
