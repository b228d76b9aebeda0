// The login UI behind oidc-provider's interactions: GET shows the form, POST checks the password and resumes the flow.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { pageHeaders, renderErrorPage, renderLoginPage } from './html-pages.js';
import { localUsers } from './local-users.js';
import { verifyPassword } from './verify-password.js';

/** Path prefix of interaction pages; oidc-provider's `interactions.url` points here. */
export const INTERACTION_PATH = '/u/login/';

const MAX_FORM_BYTES = 16 * 1024;

class FormError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, pageHeaders);
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new FormError(415, 'The login form must be posted as application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new FormError(413, 'The login form is too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function clientNameOf(provider: Provider, clientId: unknown): Promise<string> {
  if (typeof clientId !== 'string') return Promise.resolve('the application');
  return provider.Client.find(clientId).then((client) => client?.clientName ?? clientId);
}

/** Consent is normally pre-granted by `loadExistingGrant`; if oidc-provider still asks, grant what it lists (first-party apps only exist here). */
async function consentResult(
  provider: Provider,
  details: Awaited<ReturnType<Provider['interactionDetails']>>,
): Promise<InteractionResults> {
  const { prompt, params, session, grantId } = details;
  const accountId = session?.accountId;
  if (!accountId) throw new FormError(400, 'No logged-in user for this request.');
  const grant =
    (grantId ? await provider.Grant.find(grantId) : undefined) ?? new provider.Grant({ accountId, clientId: String(params.client_id) });
  const missing = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}

/**
 * Handle a request under {@link INTERACTION_PATH}. Returns false when the path is not an interaction route.
 * Never throws: failures become an HTML page with the right status.
 */
export async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local-idp.invalid');
  if (!url.pathname.startsWith(INTERACTION_PATH)) return false;
  const [uid, action, ...rest] = url.pathname.slice(INTERACTION_PATH.length).split('/');
  if (!uid || rest.length > 0 || (action !== undefined && action !== 'login')) {
    send(res, 404, renderErrorPage({ error: 'not_found', description: 'There is no such page.' }));
    return true;
  }

  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new FormError(400, 'This login page does not belong to the current login request.');
    const formAction = `${INTERACTION_PATH}${encodeURIComponent(uid)}/login`;
    const clientName = await clientNameOf(provider, details.params.client_id);

    if (details.prompt.name === 'consent') {
      await provider.interactionFinished(req, res, await consentResult(provider, details), { mergeWithLastSubmission: true });
      return true;
    }

    if (req.method === 'GET' && action === undefined) {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      send(res, 200, renderLoginPage({ action: formAction, clientName, users: localUsers, ...(hint ? { email: hint } : {}) }));
      return true;
    }

    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const email = form.get('email') ?? '';
      const user = verifyPassword(email, form.get('password') ?? '');
      if (!user) {
        // Like Auth0's Universal Login: the form again, with an error, no redirect.
        send(res, 401, renderLoginPage({ action: formAction, clientName, users: localUsers, email, error: 'Wrong email or password.' }));
        return true;
      }
      await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
      return true;
    }

    res.setHeader('allow', action === 'login' ? 'POST' : 'GET');
    send(res, 405, renderErrorPage({ error: 'method_not_allowed', description: 'This page does not accept that method.' }));
  } catch (error) {
    if (error instanceof FormError) {
      send(res, error.status, renderErrorPage({ error: 'invalid_request', description: error.message }));
    } else if ((error as { name?: string }).name === 'SessionNotFound') {
      send(
        res,
        400,
        renderErrorPage({
          error: 'login_expired',
          description: 'This login request has expired or was already completed. Start again from the application.',
        }),
      );
    } else {
      // Unexpected: keep the reason in the log (never tokens: interaction errors carry none), not in the page.
      console.error(`[local-idp] login page error: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, renderErrorPage({ error: 'server_error', description: 'The login could not be completed.' }));
    }
  }
  return true;
}
