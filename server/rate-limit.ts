// API rate limits: a token bucket per caller (their session or API token once signed in; the address for requests
// without valid credentials). The buckets live in this process's memory: each process counts on its own, so N
// processes behind a load balancer allow N times the rate (a shared store is left out until that matters).
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../jobs/config.ts';
import { clientIp, SESSION_COOKIE } from './auth.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { errorBody } from './errors.ts';

export interface BucketLimits {
  /** Tokens added per second (the sustained rate); 0 turns the limit off. */
  perSecond: number;
  /** The bucket's size: how many requests may arrive at once. */
  burst: number;
}

/** Buckets by key; idle ones (full again) are dropped once a minute so strangers do not fill the memory. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweptAt = 0;

  constructor(
    readonly limits: BucketLimits,
    /** Milliseconds of a monotonic clock: real time even when the app's clock is fixed (tests, backfills). */
    private readonly clock: () => number = () => performance.now(),
  ) {}

  private bucket(key: string, now: number) {
    const b = this.buckets.get(key) ?? { tokens: this.limits.burst, at: now };
    b.tokens = Math.min(this.limits.burst, b.tokens + ((now - b.at) / 1000) * this.limits.perSecond);
    b.at = now;
    this.buckets.set(key, b);
    return b;
  }

  /** Takes a token for the key: 0 when the request may go on, otherwise the whole seconds until a token is back. */
  take(key: string): number {
    if (this.limits.perSecond <= 0) return 0;
    const now = this.clock();
    this.sweep(now);
    const b = this.bucket(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.limits.perSecond));
  }

  /** The seconds until the key has a token (0: it has one now), without taking it. */
  waitFor(key: string): number {
    if (this.limits.perSecond <= 0) return 0;
    const b = this.bucket(key, this.clock());
    return b.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / this.limits.perSecond));
  }

  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number) {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    const refillMs = (this.limits.burst / this.limits.perSecond) * 1000;
    for (const [key, b] of this.buckets) if (now - b.at >= refillMs) this.buckets.delete(key);
  }
}

export function rateLimitsOf(config: Config): { caller: BucketLimits; anonymous: BucketLimits } {
  return {
    caller: { perSecond: config.MIZAN_RATE_LIMIT, burst: config.MIZAN_RATE_BURST },
    anonymous: { perSecond: config.MIZAN_RATE_LIMIT_ANONYMOUS, burst: config.MIZAN_RATE_BURST_ANONYMOUS },
  };
}

const hasCredentials = (c: Context) => c.req.header('authorization') !== undefined || getCookie(c, SESSION_COOKIE) !== undefined;

function tooMany(c: Context, limits: BucketLimits, retryAfter: number, who: string) {
  c.header('Retry-After', String(retryAfter));
  return c.json(
    errorBody('rate-limited', `Too many requests ${who}: at most ${limits.perSecond} a second (bursts of ${limits.burst}); try again in ${retryAfter} s`, { retryAfterSeconds: retryAfter }),
    429,
  );
}

/**
 * Two middlewares around `authenticate`. `byAddress` (before it) counts requests without credentials against their
 * address, and refuses credentials from an address that keeps sending bad ones (its failures are counted after the
 * sign-in check, in a bucket of their own, so colleagues behind the same address with valid sessions are not
 * throttled by a stranger browsing the sign-in page). `byCaller` (after it) counts a signed-in caller's requests
 * against their session or token. /api/health is never limited (a load balancer polls it).
 */
export function rateLimit(deps: AppDeps) {
  const limits = rateLimitsOf(deps.config);
  const callers = new TokenBuckets(limits.caller);
  const anonymous = new TokenBuckets(limits.anonymous);
  const failures = new TokenBuckets(limits.anonymous);
  const addressOf = (c: Context) => clientIp(c, deps.config.MIZAN_TRUST_PROXY) ?? 'unknown';

  const byAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (c.req.path === '/api/health') return next();
    const address = addressOf(c);
    if (!hasCredentials(c)) {
      const wait = anonymous.take(address);
      if (wait) return tooMany(c, limits.anonymous, wait, 'from your address');
      return next();
    }
    const wait = failures.waitFor(address);
    if (wait) return tooMany(c, limits.anonymous, wait, 'with a session or API token that is not valid from your address');
    await next();
    if (c.res.status === 401) failures.take(address);
  };

  const byCaller: MiddlewareHandler<AppEnv> = async (c, next) => {
    const user = c.get('user');
    if (user) {
      const key = user.via === 'session' ? `session:${user.sessionId}` : `token:${user.tokenId}`;
      const wait = callers.take(key);
      if (wait) return tooMany(c, limits.caller, wait, `for this ${user.via === 'session' ? 'session' : 'API token'}`);
    } else if (hasCredentials(c) && c.req.path !== '/api/health') {
      // A public route (the sign-in page) called with credentials that were not looked at: it counts as anonymous.
      const wait = anonymous.take(addressOf(c));
      if (wait) return tooMany(c, limits.anonymous, wait, 'from your address');
    }
    await next();
  };

  return { byAddress, byCaller };
}
