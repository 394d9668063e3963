// Who may call what: the access table (one rule per route, deny when a route has none), the sign-in check
// (session cookie or API token), CSRF for cookie-signed requests, and the caller's entity scope.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Role } from '../db/schema.ts';
import { appendAudit, type AuditEntry } from '../db/queries/audit.ts';
import { principalCache } from './principal-cache.ts';
import { getSessionPrincipal, getTokenPrincipal, scopeOf, type Principal } from '../db/queries/users.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

export interface AccessRule {
  /** 'public': no sign-in; 'any': every signed-in role; otherwise the roles allowed. */
  who: 'public' | 'any' | readonly Role[];
  /** Only with a session (a person in the app), never with an API token. */
  sessionOnly?: true;
}

const any: AccessRule = { who: 'any' };
const staff: AccessRule = { who: ['admin', 'oversight'] };
const admin: AccessRule = { who: ['admin'] };
const oversight: AccessRule = { who: ['oversight'] };
const director: AccessRule = { who: ['director'] };

/**
 * Every API route and who may call it. Queries take the caller's scope as well, so a director reads only their
 * entities' rows (another entity's object is a 404). The access test walks the app's routes: a route missing here
 * fails it, and the middleware refuses it.
 */
export const ACCESS: Record<string, AccessRule> = {
  'GET /api/health': { who: 'public' },
  'POST /api/auth/login': { who: 'public' },
  // What the sign-in page offers (password, and OpenID Connect when configured); says nothing about users.
  'GET /api/auth/login': { who: 'public' },
  'POST /api/auth/logout': { who: 'any', sessionOnly: true },
  'GET /api/auth/me': any,
  'POST /api/auth/password': { who: 'any', sessionOnly: true },

  'GET /api/overview': any,
  'GET /api/entities': any,
  'GET /api/entities/:id': any,
  'GET /api/entities/:id/trend': any,
  // Where the entity's monthly reports are e-mailed (shown to staff in GET /api/entities/:id).
  'PUT /api/entities/:id/report-recipients': admin,
  'GET /api/accounts': any,
  'GET /api/accounts/:id': any,
  'POST /api/accounts': admin,
  'PUT /api/accounts/:id/token': admin,
  'DELETE /api/accounts/:id/token': admin,
  'POST /api/accounts/:id/test': admin,
  'POST /api/accounts/:id/import': admin,
  'GET /api/posts': any,
  'GET /api/posts/:id': any,
  'GET /api/rulebook': any,
  'GET /api/rulebook/versions': any,
  'GET /api/rulebook/progress': staff,
  'POST /api/rulebook/versions': admin,
  'GET /api/rulebook/versions/:version/changes': any,
  'POST /api/rulebook/try': admin,
  'GET /api/jobs': staff,

  'GET /api/users': admin,
  'POST /api/users': admin,
  'GET /api/users/:id': admin,
  'PATCH /api/users/:id': admin,
  'GET /api/tokens': { who: 'any', sessionOnly: true },
  'POST /api/tokens': { who: 'any', sessionOnly: true },
  'DELETE /api/tokens/:id': { who: 'any', sessionOnly: true },
  'GET /api/audit': admin,
  'GET /api/audit/export': admin,

  // Review of findings (server/routes/findings.ts): oversight decides, a director responds and appeals.
  'GET /api/findings': any,
  'POST /api/findings/review': oversight,
  'POST /api/findings/:id/review': oversight,
  'POST /api/findings/:id/respond': director,
  'POST /api/findings/:id/appeal': director,
  'POST /api/findings/:id/appeal-decision': oversight,
  'GET /api/findings/decisions': staff,
  'GET /api/inbox': any,

  // Monthly reports (server/routes/reports.ts): listed and downloaded in scope; generated on demand by staff.
  'GET /api/reports': any,
  'POST /api/reports': staff,
  'GET /api/reports/:id/download': any,

  // Alerts (server/routes/notifications.ts).
  'GET /api/notifications': any,
  'POST /api/notifications/read': any,
  'GET /api/notifications/settings': { who: 'any', sessionOnly: true },
  'PUT /api/notifications/settings': { who: 'any', sessionOnly: true },
};

export const ROUTE_ROLES = { any, staff, admin, oversight, director };

const SESSION_COOKIE = 'mizan_session';
export { SESSION_COOKIE };

/** The key of the handler that will answer (the first route that is not middleware), e.g. "GET /api/posts/:id". */
export function routeKeyOf(c: Context): string | null {
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  const handler = matchedRoutes(c).find((r) => r.method === method);
  return handler ? `${handler.method} ${handler.path}` : null;
}

/** The caller's address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy. */
export function clientIp(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  if (!(c.env as { incoming?: unknown } | undefined)?.incoming) return null;
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

/** Whether the request arrived over HTTPS (directly, or at a trusted proxy): cookies are then Secure. */
export function overHttps(c: Context, trustProxy: boolean): boolean {
  if (trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

/** Appends to the audit log what the signed-in caller did, from their address. */
export function auditAs(c: Context<AppEnv>, deps: AppDeps, e: Omit<AuditEntry, 'actorId' | 'actorEmail' | 'ip'>): Promise<void> {
  const user = c.get('user');
  return appendAudit(deps.db, { ...e, actorId: user?.id ?? null, actorEmail: user?.email ?? null, ip: clientIp(c, deps.config.MIZAN_TRUST_PROXY), at: deps.now?.() });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends Origin (and Sec-Fetch-Site) with every state-changing request; one from another site is refused.
 * A request without either comes from a program, which a cookie-stealing page cannot make (SameSite=Strict as well).
 */
function crossSite(c: Context): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  const origin = c.req.header('origin');
  if (!origin) return false;
  if (origin === 'null') return true;
  const host = c.req.header('host') ?? new URL(c.req.url).host;
  try {
    return new URL(origin).host.toLowerCase() !== host.toLowerCase();
  } catch {
    return true;
  }
}

export function authenticate(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const now = deps.now ?? (() => new Date());
  const times = { idleMinutes: deps.config.MIZAN_SESSION_IDLE_MINUTES, maxHours: deps.config.MIZAN_SESSION_MAX_HOURS };
  const signIns = principalCache(deps.db);
  return async (c, next) => {
    const key = routeKeyOf(c);
    // An unknown API path asks for a sign-in like any other: a 404 would tell a stranger which paths exist.
    const rule = key === null ? any : ACCESS[key];
    if (!rule) return c.json(errorBody('no-access-rule', `The route ${key} has no access rule; it is refused until it has one`), 403);
    if (rule.who === 'public') return next();

    let principal: Principal | null = null;
    // A read (GET, HEAD) may use a sign-in kept in memory; anything else reads it from the database.
    const kept = c.req.method === 'GET' || c.req.method === 'HEAD';
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S{1,200})$/i.exec(authorization.trim());
      if (m) principal = await signIns.principal('token', m[1], now(), kept, () => getTokenPrincipal(deps.db, m[1], now()));
      if (!principal) return c.json(errorBody('unauthenticated', 'The API token is missing, malformed, revoked or unknown'), 401);
    } else {
      const token = getCookie(c, SESSION_COOKIE);
      if (token && token.length <= 100) principal = await signIns.principal('session', token, now(), kept, () => getSessionPrincipal(deps.db, token, now(), times));
      if (!principal) return c.json(errorBody('unauthenticated', 'Sign in first: no session, or the session has expired'), 401);
      if (!SAFE_METHODS.has(c.req.method) && crossSite(c)) {
        return c.json(errorBody('csrf', 'This request came from another site and was refused'), 403);
      }
    }
    if (principal.readOnly && !SAFE_METHODS.has(c.req.method)) {
      return c.json(errorBody('forbidden', 'This API token is read-only'), 403);
    }
    if (rule.sessionOnly && principal.via !== 'session') {
      return c.json(errorBody('forbidden', 'This action needs a signed-in session, not an API token'), 403);
    }
    if (rule.who !== 'any' && !rule.who.includes(principal.role)) {
      return c.json(errorBody('forbidden', `This action is for the ${rule.who.join(' or ')} role; you are signed in as ${principal.role}`), 403);
    }
    c.set('user', principal);
    c.set('scope', scopeOf(principal));
    await next();
  };
}
