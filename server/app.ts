// createApp(deps): middleware, routes, one onError and one notFound; no listen (tests use app.request).
import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import { logger } from 'hono/logger';
import { secureHeaders } from 'hono/secure-headers';
import { DatabaseBusyError, isQueryCanceled } from '../db/client.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { AppError, errorBody } from './errors.ts';
import { authenticate } from './auth.ts';
import { CACHED_ROUTES, dashboardCache } from './dashboard-cache.ts';
import { rateLimit } from './rate-limit.ts';
import { staticFiles } from './static.ts';
import { accountRoutes } from './routes/accounts.ts';
import { authRoutes, tokenRoutes } from './routes/auth.ts';
import { auditRoutes, userRoutes } from './routes/users.ts';
import { entityRoutes } from './routes/entities.ts';
import { findingRoutes, inboxRoutes } from './routes/findings.ts';
import { healthRoutes, jobRoutes } from './routes/meta.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { overviewRoutes } from './routes/overview.ts';
import { postRoutes } from './routes/posts.ts';
import { reportRoutes } from './routes/reports.ts';
import { rulebookRoutes } from './routes/rulebook.ts';
import { oidcRoutes } from './routes/oidc.ts';

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** The host name of a Host header value, lower-cased and without the port ("[::1]:3000" gives "[::1]"); null when the value is not a plain host[:port]. */
export function hostnameOf(hostHeader: string): string | null {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:@/\\[\]?#]+)(?::\d{1,5})?$/i.exec(hostHeader.trim());
  return m ? m[1].toLowerCase() : null;
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  if (deps.config.MIZAN_LOG_REQUESTS) app.use(logger());
  // A page on another site must not reach a local Mizan through DNS rebinding (its login page included).
  const allowedHosts = deps.config.MIZAN_ALLOWED_HOSTS ?? (LOOPBACK.includes(deps.config.HOST) ? LOOPBACK : null);
  if (allowedHosts) {
    app.use(async (c, next) => {
      // The Host header as sent, never the URL: a request line may carry an absolute URL that names another host.
      // Only an in-process request (app.request, no socket) has no header to read and falls back to its URL.
      const overSocket = Boolean((c.env as { incoming?: unknown } | undefined)?.incoming);
      const sent = c.req.header('host') ?? (overSocket ? undefined : new URL(c.req.url).host);
      const host = sent === undefined ? null : hostnameOf(sent);
      if (host === null || !(allowedHosts.includes(host) || allowedHosts.includes(host.replace(/^\[(.*)\]$/, '$1')))) {
        const message = sent === undefined ? 'This server refuses requests without a Host header' : `This server does not answer to the host name "${host ?? sent}"`;
        return c.json(errorBody('host-not-allowed', `${message}; set MIZAN_ALLOWED_HOSTS`), 421);
      }
      await next();
    });
  }
  app.use(
    secureHeaders({
      // Everything is served from this origin (fonts are bundled); styles allow inline attributes that Svelte templates use.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
      },
      // As frame-ancestors 'none', for browsers that only know the older header.
      xFrameOptions: 'DENY',
    }),
  );
  // Rate limits per address before the sign-in check (no database work for a flood), per session or token after it.
  const limits = rateLimit(deps);
  app.use('/api/*', limits.byAddress);
  app.use('/api/*', bodyLimit({ maxSize: 5 * 1024 * 1024, onError: (c) => c.json(errorBody('payload-too-large', 'The request body is larger than 5 MB'), 413) }));
  // Sign-in, role and CSRF checks for every API route (the access table in auth.ts); sets the caller's entity scope.
  app.use('/api/*', authenticate(deps));
  app.use('/api/*', limits.byCaller);
  // Dashboard answers cached per data generation (server/dashboard-cache.ts); a successful write retires them everywhere.
  const cache = dashboardCache(deps);
  app.use('/api/*', cache.retireOnWrite);
  for (const route of CACHED_ROUTES) app.use(route, cache.read);

  app.route('/api/health', healthRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  app.route('/api/tokens', tokenRoutes(deps));
  app.route('/api/users', userRoutes(deps));
  app.route('/api/audit', auditRoutes(deps));
  app.route('/api/overview', overviewRoutes(deps));
  app.route('/api/entities', entityRoutes(deps));
  app.route('/api/accounts', accountRoutes(deps));
  app.route('/api/posts', postRoutes(deps));
  app.route('/api/findings', findingRoutes(deps));
  app.route('/api/inbox', inboxRoutes(deps));
  app.route('/api/rulebook', rulebookRoutes(deps));
  app.route('/api/jobs', jobRoutes(deps));
  app.route('/api/reports', reportRoutes(deps));
  app.route('/api/notifications', notificationRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not-found', `No API route ${c.req.method} ${c.req.path}`), 404));
  // Sign-in through a directory (OpenID Connect): browser navigations, outside /api and its sign-in check.
  app.route('/auth/oidc', oidcRoutes(deps));

  const webDir = path.resolve(deps.config.MIZAN_WEB_DIR);
  const indexFile = path.join(webDir, 'index.html');
  if (fs.existsSync(indexFile)) {
    // Compressed, hashed assets cached for a year, index.html revalidated (server/static.ts).
    const web = staticFiles(webDir);
    app.use('/*', web.serve);
    // The single-page app routes on the client: any other GET gets index.html (re-read when it changes, so a rebuild shows at once).
    app.get('*', async (c) => {
      // A missing asset (a path with a file extension) is a 404, not the app's page.
      if (/\.[a-z0-9]+$/i.test(c.req.path)) return c.json(errorBody('not-found', `Nothing at ${c.req.path}`), 404);
      return web.index(c);
    });
  }

  app.notFound((c) => c.json(errorBody('not-found', `Nothing at ${c.req.path}`), 404));
  app.onError((err, c) => {
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, err.details), err.status);
    // A saturated pool or a statement past its time limit is load, not a fault: 503 with a hint when to retry.
    if (err instanceof DatabaseBusyError || isQueryCanceled(err)) {
      c.header('Retry-After', '1');
      const message = err instanceof DatabaseBusyError ? `The server is busy: ${err.message}; retry in a second` : 'The server is busy: the query took too long and was stopped; retry in a second';
      return c.json(errorBody('busy', message), 503);
    }
    if (err instanceof HTTPException) return c.json(errorBody(err.status === 400 ? 'invalid-request' : 'http-error', err.message || 'Request failed'), err.status);
    console.error(`Unexpected error on ${c.req.method} ${c.req.path}:`, err);
    return c.json(errorBody('internal', 'Something went wrong on the server; the error was logged.'), 500);
  });
  return app;
}
