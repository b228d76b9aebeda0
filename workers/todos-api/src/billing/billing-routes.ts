// Route of /api/billing: the caller's billing profile.
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { requireScope } from '../middleware/require-scope.js';
import { verifyAccessToken } from '../middleware/verify-access-token.js';
import { getOrCreateBillingProfile } from './billing-repository.js';

export const billingRoutes = new Hono<AppEnv>().get('/', verifyAccessToken(), requireScope('read:billing'), async (c) => {
  return c.json(await getOrCreateBillingProfile(c.env.DB, c.get('accessToken').subject));
});
