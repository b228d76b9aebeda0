// The Hono environment of the Todos API: Worker bindings plus what middleware puts on the context.
import type { AccessToken } from './auth/access-token.js';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** Set by `verifyAccessToken()`; present on every route that uses it. */
    accessToken: AccessToken;
  };
}
