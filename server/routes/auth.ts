// Sign-in and sign-out, the signed-in user, their password and their API tokens.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { appendAudit, countLoginFailures, oldestLoginFailure } from '../../db/queries/audit.ts';
import {
  deleteSessionByToken,
  deleteUserSessions,
  getUserForLogin,
  insertApiToken,
  insertSession,
  listApiTokens,
  revokeApiToken,
  updateUser,
} from '../../db/queries/users.ts';
import { auditAs, clientIp, overHttps, SESSION_COOKIE } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { oidcOffer } from '../oidc.ts';
import { hashPassword, passwordProblem, verifyAgainstDecoy, verifyPassword } from '../passwords.ts';
import { idParam, validate } from '../validate.ts';

/** Failed sign-ins allowed in the window, per e-mail and per address, before the throttle answers 429. */
export const LOGIN_LIMITS = { windowMinutes: 15, perEmail: 5, perIp: 20 };

const loginBody = z.object({
  email: z.string({ error: 'is required' }).trim().min(3, 'must be an e-mail address').max(320, 'is too long'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(1024, 'is too long'),
});

const passwordBody = z.object({
  currentPassword: z.string().max(1024, 'is too long').optional(),
  newPassword: z.string({ error: 'is required' }).max(1024, 'is too long'),
});

const tokenBody = z.object({
  name: z.string({ error: 'is required' }).trim().min(1, 'is required').max(100, 'is at most 100 characters'),
  scope: z.enum(['read', 'admin'], { error: 'must be read or admin' }).default('read'),
});

/** A fresh session for the user (any session this browser held is ended first: rotation at every sign-in). */
export async function startUserSession(c: Context<AppEnv>, deps: AppDeps, userId: number) {
  const trustProxy = deps.config.MIZAN_TRUST_PROXY;
  const times = { idleMinutes: deps.config.MIZAN_SESSION_IDLE_MINUTES, maxHours: deps.config.MIZAN_SESSION_MAX_HOURS };
  const previous = getCookie(c, SESSION_COOKIE);
  if (previous && previous.length <= 100) await deleteSessionByToken(deps.db, previous);
  const token = await insertSession(deps.db, userId, { ip: clientIp(c, trustProxy), userAgent: c.req.header('user-agent') ?? null, now: (deps.now ?? (() => new Date()))(), times });
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: overHttps(c, trustProxy),
    path: '/',
    maxAge: times.maxHours * 3600,
  });
}

export function authRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const trustProxy = deps.config.MIZAN_TRUST_PROXY;
  const startSession = (c: Context<AppEnv>, userId: number) => startUserSession(c, deps, userId);

  return new Hono<AppEnv>()
    // What the sign-in page offers. `oidc` is the directory's button label when OpenID Connect is configured.
    .get('/login', (c) => c.json({ password: true, oidc: oidcOffer(deps.config) }))
    .post('/login', validate('json', loginBody), async (c) => {
      const { email, password } = c.req.valid('json');
      const ip = clientIp(c, trustProxy);
      const since = new Date(now().getTime() - LOGIN_LIMITS.windowMinutes * 60_000);
      const failures = await countLoginFailures(deps.db, email, ip, since);
      if (failures.forEmail >= LOGIN_LIMITS.perEmail || (ip !== null && failures.forIp >= LOGIN_LIMITS.perIp)) {
        const byEmail = failures.forEmail >= LOGIN_LIMITS.perEmail;
        const oldest = await oldestLoginFailure(deps.db, byEmail ? { email } : { ip: ip! }, since);
        const retryAfter = Math.max(1, Math.ceil(((oldest?.getTime() ?? now().getTime()) + LOGIN_LIMITS.windowMinutes * 60_000 - now().getTime()) / 1000));
        c.header('Retry-After', String(retryAfter));
        const minutes = Math.ceil(retryAfter / 60);
        const who = byEmail ? 'for this account' : 'from your address';
        throw new AppError(429, 'too-many-attempts', `Too many failed sign-ins ${who}: try again in ${minutes} minute${minutes === 1 ? '' : 's'}`, { retryAfterSeconds: retryAfter });
      }
      const user = await getUserForLogin(deps.db, email);
      const ok = user?.passwordHash ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
      if (!user || !ok || user.disabled) {
        const reason = !user ? 'unknown e-mail' : !ok ? (user.passwordHash ? 'wrong password' : 'no password set') : 'user disabled';
        await appendAudit(deps.db, { actorId: user?.id ?? null, actorEmail: email.toLowerCase(), action: 'auth.login-failed', objectType: 'user', objectId: email.toLowerCase(), ip, after: { reason }, at: now() });
        throw new AppError(401, 'invalid-credentials', 'The e-mail address or the password is wrong (or the user is disabled)');
      }
      await startSession(c, user.id);
      await appendAudit(deps.db, { actorId: user.id, actorEmail: user.email, action: 'auth.login', objectType: 'user', objectId: user.id, ip, at: now() });
      const { passwordHash: _hash, ...view } = user;
      return c.json({ user: view });
    })
    .post('/logout', validate('json', z.object({ everywhere: z.boolean().default(false) }).default({ everywhere: false })), async (c) => {
      const user = c.get('user');
      const { everywhere } = c.req.valid('json');
      if (everywhere) await deleteUserSessions(deps.db, user.id);
      else await deleteSessionByToken(deps.db, getCookie(c, SESSION_COOKIE) ?? '');
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: overHttps(c, trustProxy) });
      await auditAs(c, deps, { action: everywhere ? 'auth.logout-everywhere' : 'auth.logout', objectType: 'user', objectId: user.id });
      return c.json({ ok: true });
    })
    .get('/me', (c) => {
      const { sessionId: _s, ...user } = c.get('user');
      return c.json({ user });
    })
    .post('/password', validate('json', passwordBody), async (c) => {
      const user = c.get('user');
      const { currentPassword, newPassword } = c.req.valid('json');
      const stored = await getUserForLogin(deps.db, user.email);
      if (stored?.passwordHash && !(currentPassword !== undefined && (await verifyPassword(currentPassword, stored.passwordHash)))) {
        throw new AppError(400, 'invalid-request', 'The current password is wrong', [{ field: 'currentPassword', message: 'is wrong' }]);
      }
      const problem = passwordProblem(newPassword, user.email);
      if (problem) throw new AppError(400, 'invalid-request', `The new password ${problem}`, [{ field: 'newPassword', message: problem }]);
      // Every session of the user ends (sign-out everywhere); this browser gets a new one.
      await updateUser(deps.db, user.id, { passwordHash: await hashPassword(newPassword), mustChangePassword: false });
      await startSession(c, user.id);
      await auditAs(c, deps, { action: 'user.password-changed', objectType: 'user', objectId: user.id });
      return c.json({ ok: true });
    });
}

export function tokenRoutes(deps: AppDeps) {
  const trustProxy = deps.config.MIZAN_TRUST_PROXY;
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ items: await listApiTokens(deps.db, c.get('user').id) }))
    .post('/', validate('json', tokenBody), async (c) => {
      const user = c.get('user');
      const { name, scope } = c.req.valid('json');
      if (scope === 'admin' && user.role !== 'admin') throw new AppError(403, 'forbidden', 'Only an admin may create an admin-scope token; create a read token');
      const { token, view } = await insertApiToken(deps.db, user.id, name, scope);
      await auditAs(c, deps, { action: 'token.created', objectType: 'api_token', objectId: view.id, after: view });
      // The token itself is shown this once; only its hash is kept.
      return c.json({ token, item: view }, 201);
    })
    .delete('/:id', validate('param', idParam), async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      const view = await revokeApiToken(deps.db, id, user.id);
      if (!view) throw notFound('API token', id);
      await auditAs(c, deps, { action: 'token.revoked', objectType: 'api_token', objectId: id, after: view });
      return c.json({ item: view });
    });
}
