// The Todos API Hono app: routes, 404/405 handling and the one error handler.
import { Hono } from 'hono';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { AppEnv } from './app-env.js';
import { billingRoutes } from './billing/billing-routes.js';
import { HttpError } from './http/http-error.js';
import { verifyAccessToken } from './middleware/verify-access-token.js';
import { todosRoutes } from './todos/todos-routes.js';

export const app = new Hono<AppEnv>();

app.use(
  methodNotAllowed({
    app,
    // Returned, not thrown: this runs after the route's 404 and must replace it.
    onMethodNotAllowed: (_c, allowed) =>
      new HttpError(405, {
        code: 'method_not_allowed',
        detail: 'This method is not allowed on this resource.',
        headers: { Allow: allowed.join(', ') },
      }).toResponse(),
  }),
);

app.get('/api/health', (c) => c.json({ status: 'ok' }));
app.get('/api/me', verifyAccessToken(), (c) => c.json(c.get('accessToken').claims));
app.route('/api/todos', todosRoutes);
app.route('/api/billing', billingRoutes);

// Returned, not thrown: methodNotAllowed() turns this 404 into a 405 when the path exists for other methods.
app.notFound(() => new HttpError(404, { code: 'not_found', detail: 'No such route.' }).toResponse());

app.onError((err) => {
  if (err instanceof HttpError) {
    // Server-side failures keep their real reason in the logs; client errors are routine and stay quiet.
    if (err.status >= 500) console.error(`todos-api: ${err.message}`, err.cause);
    return err.toResponse();
  }
  console.error('todos-api: unhandled error', err);
  return new HttpError(500, { code: 'server_error', detail: 'Internal server error.' }).toResponse();
});
