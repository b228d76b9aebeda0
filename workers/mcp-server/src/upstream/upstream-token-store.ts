// Durable Object, one per MCP grant: the single source of truth for the grant's newest upstream tokens; serialises refreshes.
import { DurableObject } from 'cloudflare:workers';
import type { UpstreamTokens } from '../props.js';
import { describeIdpFailure, refreshUpstreamTokens, revokeUpstreamRefreshToken } from './idp-client.js';
import { idpConfig } from './idp-config.js';
import { UpstreamAuthError, type UpstreamAuthErrorCode } from './upstream-auth-error.js';

/** Refresh when the access token has fewer than this many seconds left, so a call never starts with a dying token. */
export const REFRESH_MARGIN_SECONDS = 60;

/**
 * What crosses the RPC boundary. A result, not a thrown error: custom error classes lose their
 * `code` over RPC, and callers must branch on it.
 */
export type UpstreamTokenResult = { ok: true; tokens: UpstreamTokens } | { ok: false; code: UpstreamAuthErrorCode };

/** How ending the grant went at the IdP: its refresh token revoked, none held, or the IdP could not be told. */
export type UpstreamRevocation = 'revoked' | 'no_refresh_token' | 'idp_unavailable';

const TOKENS_KEY = 'tokens';
/** Set once the IdP said `invalid_grant`: later calls fail fast instead of asking the IdP again. */
const DEAD_KEY = 'dead';
/**
 * Storage is wiped this long after the last write (ms): the MCP grant cannot outlive its 30-day
 * refresh-token lifetime, so nothing here is needed after that, and upstream tokens are not kept forever.
 */
export const STORE_RETENTION_MS = 31 * 24 * 60 * 60 * 1000;

/**
 * Upstream refresh tokens rotate: using one twice is a replay the IdP answers with `invalid_grant`
 * (and Auth0 may revoke the whole family). So exactly one refresh may run per grant at a time, and
 * every caller must use the newest tokens. A Durable Object gives one single-threaded instance per
 * grant; the in-memory promise below makes concurrent callers share the one in-flight refresh
 * (input gates do not hold other requests while we await the IdP over the network).
 */
export class UpstreamTokenStore extends DurableObject<Env> {
  #refreshing: Promise<UpstreamTokenResult> | undefined;

  /** A currently valid access token (refreshing first if it expires within the margin). */
  async currentTokens(seed: UpstreamTokens): Promise<UpstreamTokenResult> {
    const dead = this.#deadCode();
    if (dead) return { ok: false, code: dead };
    const tokens = this.#tokens(seed);
    if (tokens.expiresAt - nowSeconds() > REFRESH_MARGIN_SECONDS) return { ok: true, tokens };
    return this.#refreshOnce(tokens);
  }

  /**
   * Refreshes now (unless a refresh is already running: its result is shared). Used when the MCP
   * client refreshes its own token, so a grant revoked at the IdP is noticed then.
   */
  async refresh(seed: UpstreamTokens): Promise<UpstreamTokenResult> {
    const dead = this.#deadCode();
    if (dead) return { ok: false, code: dead };
    return this.#refreshOnce(this.#tokens(seed));
  }

  /**
   * Stores the tokens of a new grant at sign-in, so the store holds the refresh token from the start and the grant
   * can be ended (its refresh token revoked) without the MCP client's token, which alone can decrypt the props.
   */
  async seed(tokens: UpstreamTokens): Promise<void> {
    if (!this.ctx.storage.kv.get(TOKENS_KEY) && !this.#deadCode()) this.#write(TOKENS_KEY, tokens);
  }

  /**
   * The user revoked the grant: revoke its upstream refresh token at the IdP (RFC 7009), then forget every token.
   * The store stays dead, so a straggling call with old props can never seed it again.
   */
  async endGrant(): Promise<UpstreamRevocation> {
    const refreshToken = this.ctx.storage.kv.get<UpstreamTokens>(TOKENS_KEY)?.refreshToken;
    let revocation: UpstreamRevocation = 'no_refresh_token';
    if (refreshToken) {
      try {
        await revokeUpstreamRefreshToken(idpConfig(this.env), refreshToken);
        revocation = 'revoked';
      } catch (error) {
        const failure = error instanceof UpstreamAuthError ? error : new UpstreamAuthError('idp_unavailable', undefined, { cause: error });
        console.warn(`upstream revocation failed: ${describeIdpFailure(failure)}`);
        revocation = 'idp_unavailable';
      }
    }
    await this.ctx.storage.deleteAll();
    this.#write(DEAD_KEY, true);
    return revocation;
  }

  /** Stored tokens, or the grant's props on first use (seeding). */
  #tokens(seed: UpstreamTokens): UpstreamTokens {
    const stored = this.ctx.storage.kv.get<UpstreamTokens>(TOKENS_KEY);
    if (stored) return stored;
    this.#write(TOKENS_KEY, seed);
    return seed;
  }

  #write(key: string, value: unknown): void {
    this.ctx.storage.kv.put(key, value);
    // Fire-and-forget is safe: the output gate holds our reply until the alarm is durably set.
    void this.ctx.storage.setAlarm(Date.now() + STORE_RETENTION_MS);
  }

  /** Retention expired: forget the grant's upstream tokens. */
  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  #deadCode(): UpstreamAuthErrorCode | undefined {
    return this.ctx.storage.kv.get<boolean>(DEAD_KEY) ? 'reauth_required' : undefined;
  }

  #refreshOnce(current: UpstreamTokens): Promise<UpstreamTokenResult> {
    this.#refreshing ??= this.#doRefresh(current).finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #doRefresh(current: UpstreamTokens): Promise<UpstreamTokenResult> {
    try {
      const tokens = await refreshUpstreamTokens(idpConfig(this.env), current);
      this.#write(TOKENS_KEY, tokens);
      return { ok: true, tokens };
    } catch (error) {
      const failure = error instanceof UpstreamAuthError ? error : new UpstreamAuthError('idp_unavailable', undefined, { cause: error });
      console.warn(`upstream refresh failed: ${describeIdpFailure(failure)}`);
      if (failure.code === 'reauth_required') {
        // The refresh token is useless now: keep only the verdict.
        this.ctx.storage.kv.delete(TOKENS_KEY);
        this.#write(DEAD_KEY, true);
      }
      return { ok: false, code: failure.code };
    }
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
