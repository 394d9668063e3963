// Starts a Hono app on 127.0.0.1, port 0 (any free port), and returns its base URL and a close that also ends
// open keep-alive connections (so tests do not hang on them).
import type { AddressInfo } from 'node:net';
import { serve as honoServe, type HttpBindings } from '@hono/node-server';
import type { Hono, MiddlewareHandler } from 'hono';

export type FakeEnv = { Bindings: HttpBindings };

export interface Served {
  url: string;
  close(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function serve(app: Hono<any>): Promise<Served> {
  return new Promise((resolve) => {
    const server = honoServe({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            const s = server as unknown as { closeAllConnections?: () => void; close(cb: () => void): void };
            s.close(() => done());
            s.closeAllConnections?.();
          }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Faults and rate-limit windows shared by the platform fakes.


/** One injected fault: answers the next request instead of (or by spoiling) the real answer. */
export type Fault =
  | { kind: '429'; resetSeconds?: number }
  | { kind: '500' | '502' | '503' }
  | { kind: 'slow'; ms?: number }
  | { kind: 'reset' }
  | { kind: 'truncated' }
  | { kind: 'malformed' }
  | { kind: 'repeat' };

export const FAULT_KINDS = ['429', '500', '502', '503', 'slow', 'reset', 'truncated', 'malformed', 'repeat'] as const;

/** The headers each platform sends with a rate-limit state; `remaining` 0 and the reset for a 429. */
export type RateHeaders = (s: { limit: number; remaining: number; resetAt: Date }) => Record<string, string>;

/** A fixed window of `limit` requests per `windowMs`, as the platforms count. */
export class RateWindow {
  private start = Date.now();
  private used = 0;
  constructor(
    public limit = 100_000,
    public windowMs = 900_000,
  ) {}
  /** Counts a request; null when the window is exhausted. */
  take(): { limit: number; remaining: number; resetAt: Date } | null {
    const now = Date.now();
    if (now - this.start >= this.windowMs) {
      this.start = now;
      this.used = 0;
    }
    const resetAt = new Date(this.start + this.windowMs);
    if (this.used >= this.limit) return null;
    this.used++;
    return { limit: this.limit, remaining: this.limit - this.used, resetAt };
  }
  state(): { limit: number; remaining: number; resetAt: Date } {
    return { limit: this.limit, remaining: Math.max(0, this.limit - this.used), resetAt: new Date(this.start + this.windowMs) };
  }
}

export interface FaultLog {
  requests: { path: string; query: string; headers: Record<string, string>; fault?: Fault['kind'] }[];
  /** Requests answered 429 because the window was exhausted (not injected). */
  limited: number;
}

/**
 * Middleware: applies the next queued fault, else the rate window (429 when exhausted), else the route; every answer
 * carries the dialect's rate-limit headers. A 'repeat' answers the body of the previous successful request.
 */
export function faultsAndLimits(opts: {
  faults: Fault[];
  window: RateWindow;
  headers: RateHeaders;
  /** Body of a 429 in the platform's shape. */
  limitedBody: unknown;
  log: FaultLog;
  slowMs?: number;
}): MiddlewareHandler<FakeEnv> {
  // The previous successful answer per listing: a 'repeat' serves it again (the page before, on a paged listing).
  const last = new Map<string, { body: string; headers: Headers }>();
  return async (c, next) => {
    const url = new URL(c.req.url);
    // A listing is its path and query without the paging parameters: a 'repeat' serves its previous page.
    const listing = new URL(url);
    for (const k of ['max_id', 'since_id', 'min_id', 'pagination_token', 'cursor', 'until_id']) listing.searchParams.delete(k);
    const listingKey = `${listing.pathname}?${listing.searchParams}`;
    const entry: FaultLog['requests'][number] = { path: url.pathname, query: url.search, headers: Object.fromEntries(c.req.raw.headers) };
    opts.log.requests.push(entry);
    const fault = opts.faults.shift();
    if (fault) entry.fault = fault.kind;
    const rate = (extra: Record<string, string> = {}) => ({ 'content-type': 'application/json', ...opts.headers(opts.window.state()), ...extra });
    switch (fault?.kind) {
      case '429': {
        const resetAt = new Date(Date.now() + (fault.resetSeconds ?? 1) * 1000);
        return new Response(JSON.stringify(opts.limitedBody), {
          status: 429,
          headers: { 'content-type': 'application/json', ...opts.headers({ limit: opts.window.limit, remaining: 0, resetAt }) },
        });
      }
      case '500':
      case '502':
      case '503':
        return new Response(fault.kind === '500' ? JSON.stringify({ error: 'Internal error' }) : '<html>Bad gateway</html>', { status: Number(fault.kind), headers: rate() });
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.ms ?? opts.slowMs ?? 1500));
        break;
      case 'reset':
        c.env.incoming.socket.destroy();
        return new Response(null);
      case 'repeat': {
        const prev = last.get(listingKey);
        if (prev) return new Response(prev.body, { status: 200, headers: prev.headers });
        break;
      }
    }
    const taken = opts.window.take();
    if (!taken) {
      opts.log.limited++;
      return new Response(JSON.stringify(opts.limitedBody), { status: 429, headers: rate() });
    }
    await next();
    const body = await c.res.text();
    const headers = new Headers(c.res.headers);
    for (const [k, v] of Object.entries(opts.headers(taken))) headers.set(k, v);
    if (c.res.status === 200 && fault?.kind !== 'truncated' && fault?.kind !== 'malformed') last.set(listingKey, { body, headers });
    let out = body;
    if (fault?.kind === 'truncated') out = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    if (fault?.kind === 'malformed') out = `{"data": [${body.slice(0, 40)}, }`;
    c.res = new Response(out, { status: c.res.status, headers });
  };
}
