// Sign-in through the government directory (OpenID Connect). Browser navigations outside /api, so the API's
// sign-in check does not run here: /auth/oidc/start sends the browser to the provider, /auth/oidc/callback comes back.
// Every outcome is a redirect: to / with a new session, or to /?signin-error=CODE that the sign-in page explains.
import type { Context } from 'hono';
import { Hono } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { CookieOptions } from 'hono/utils/cookie';
import { z } from 'zod';
import { appendAudit } from '../../db/queries/audit.ts';
import { clientIp, overHttps } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { oidcClient, TRANSACTION_MINUTES, userForDirectoryAccount, type DirectoryClaims, type OidcFailure, type OidcTransaction } from '../oidc.ts';
import { startUserSession } from './auth.ts';

/** Holds state, nonce and PKCE verifier between start and callback; `__Host-` prefixed over HTTPS. */
const TRANSACTION_COOKIE = 'mizan_oidc';

const transactionSchema = z.object({
  state: z.string().min(1).max(200),
  nonce: z.string().min(1).max(200),
  verifier: z.string().min(43).max(128),
  expiresAt: z.number().int(),
});

// The provider's answer: the library checks it; this only bounds it (a malformed one is a failed sign-in, not a 400).
const callbackQuery = z.object({
  code: z.string().max(4096).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
});

function parseTransaction(value: string): OidcTransaction | null {
  try {
    const parsed = transactionSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function oidcRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const trustProxy = deps.config.MIZAN_TRUST_PROXY;
  const oidc = oidcClient(deps.config, now);

  // Lax, not Strict: the callback is a top-level navigation from the provider's site, which must carry this cookie.
  const cookieOptions = (c: Context): CookieOptions => {
    const https = overHttps(c, trustProxy);
    return { httpOnly: true, sameSite: 'Lax', path: '/', secure: https, ...(https ? { prefix: 'host' as const } : {}) };
  };

  /** Back to the sign-in page with a code it explains; audited unless nobody was signing in (no transaction). */
  async function fail(c: Context, reason: OidcFailure, detail: string, claims: DirectoryClaims | null, audit = true) {
    if (reason === 'oidc-unavailable') console.warn(`OpenID Connect sign-in: the provider is unavailable: ${detail}`);
    if (audit) {
      const email = claims?.email?.toLowerCase() ?? null;
      await appendAudit(deps.db, {
        actorEmail: email,
        action: 'auth.login-failed',
        objectType: 'user',
        objectId: email,
        ip: clientIp(c, trustProxy),
        after: { method: 'oidc', reason: detail, code: reason, ...(claims ? { subject: claims.sub } : {}) },
        at: now(),
      });
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(`/?signin-error=${reason}`, 302);
  }

  return new Hono<AppEnv>()
    .use(async (c, next) => {
      if (!oidc) throw new AppError(404, 'not-found', 'Sign-in through a directory (OpenID Connect) is not configured on this server');
      await next();
    })
    .get('/start', async (c) => {
      const started = await oidc!.start();
      if (!started.ok) return fail(c, started.reason, started.detail, null, false);
      await setSignedCookie(c, TRANSACTION_COOKIE, JSON.stringify(started.transaction), oidc!.cookieKey, { ...cookieOptions(c), maxAge: TRANSACTION_MINUTES * 60 });
      c.header('Cache-Control', 'no-store');
      return c.redirect(started.url.href, 302);
    })
    .get('/callback', async (c) => {
      const options = cookieOptions(c);
      const raw = await getSignedCookie(c, oidc!.cookieKey, TRANSACTION_COOKIE, options.prefix);
      // One try per transaction: the cookie goes whatever happens next.
      deleteCookie(c, TRANSACTION_COOKIE, options);
      const tx = raw ? parseTransaction(raw) : null;
      if (!tx || tx.expiresAt <= now().getTime()) return fail(c, 'oidc-expired', 'no sign-in in progress in this browser', null, false);
      if (!callbackQuery.safeParse(c.req.query()).success) return fail(c, 'oidc-failed', 'malformed callback parameters', null);

      const finished = await oidc!.finish(new URL(c.req.url).search, tx);
      if (!finished.ok) return fail(c, finished.reason, finished.detail, null);
      const found = await userForDirectoryAccount(deps.db, finished.claims);
      if ('reason' in found) return fail(c, found.reason, found.detail, finished.claims);

      await startUserSession(c, deps, found.user.id);
      await appendAudit(deps.db, {
        actorId: found.user.id,
        actorEmail: found.user.email,
        action: 'auth.login',
        objectType: 'user',
        objectId: found.user.id,
        ip: clientIp(c, trustProxy),
        after: { method: 'oidc', ...(found.linked ? { linkedSubject: finished.claims.sub } : {}) },
        at: now(),
      });
      c.header('Cache-Control', 'no-store');
      return c.redirect('/', 302);
    });
}
