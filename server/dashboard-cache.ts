// The dashboard's answers cached in memory, per URL, entity scope and role. At 5 million posts an overview costs about
// 9 ms of CPU (eight rollup queries and their JSON) and two cores answer ~110 of them a second; many people open the same
// overview, scorecard and lists, and these change only when an import run, a rollup or a write lands. Each answer is
// kept under the data generation read before computing it (migration 0022): any process that changes what the
// dashboard shows bumps the generation afterwards, and every process sees the new number within GENERATION_TRUST_MS (db/queries/generations.ts).
// Concurrent requests for the same answer wait for one computation instead of running it each. Answers are sent
// gzipped to clients that take it (a 1,000-account list is ~10× smaller), compressed once per answer.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { bumpDashboardGeneration, watchGeneration } from '../db/queries/generations.ts';
import type { EntityScope } from '../db/queries/scope.ts';
import { listEntityStats, type PeriodFilter } from '../db/queries/stats.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { acceptsEncoding } from './static.ts';

const gzip = promisify(zlib.gzip);

/** Memory bound of the cached answers, in bytes of JSON. */
const MAX_BYTES = 64 * 1024 * 1024;
/** At most this many shared parts kept (server/dashboard-cache.ts sharedPart). */
const MAX_PARTS = 1000;
/** Answers from this size on are also kept gzipped (compressed once, sent to every browser that takes gzip). */
const GZIP_FROM = 1024;

interface Entry {
  generation: number;
  /** performance.now() when the computation started. */
  at: number;
  body: Uint8Array;
  gzipped: Uint8Array | null;
  type: string;
}

/** The GET routes whose answers are cached (exact paths: /api/findings/decisions, an export with an audit entry, is not). */
export const CACHED_ROUTES = ['/api/overview', '/api/entities', '/api/entities/:id', '/api/entities/:id/trend', '/api/accounts', '/api/posts', '/api/findings'];

export function dashboardCache(deps: AppDeps) {
  const ttl = deps.config.MIZAN_DASHBOARD_CACHE_SECONDS * 1000;
  // Insertion order is recency: a hit moves its entry to the end, eviction takes from the front.
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const inflight = new Map<string, Promise<Entry | null>>();
  // A bump by this process (the scheduler of `npm start`, a job in a test) is read again at the next request.
  const generation = watchGeneration(deps.db, 'dashboard_generation');

  // Parts that many answers share, computed once per generation: the sector's figures of a period are in each of a
  // hundred entities' scorecards (6 ms of the scorecard's 8 ms at 5M posts) and in the overview.
  const parts = new Map<string, { generation: number; at: number; value: Promise<unknown> }>();
  function part<T>(generationNow: number, key: string, compute: () => Promise<T>): Promise<T> {
    const kept = parts.get(key);
    if (kept && kept.generation >= generationNow && performance.now() - kept.at < ttl) return kept.value as Promise<T>;
    const value = compute();
    const entry = { generation: generationNow, at: performance.now(), value };
    parts.set(key, entry);
    // A failure is not kept: the next answer computes it again.
    value.catch(() => {
      if (parts.get(key) === entry) parts.delete(key);
    });
    if (parts.size > MAX_PARTS) parts.delete(parts.keys().next().value!);
    return value;
  }

  const sizeOf = (e: Entry) => e.body.byteLength + (e.gzipped?.byteLength ?? 0);

  function drop(key: string) {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= sizeOf(e);
  }

  function store(key: string, entry: Entry) {
    drop(key);
    if (sizeOf(entry) > MAX_BYTES / 8) return;
    entries.set(key, entry);
    bytes += sizeOf(entry);
    for (const oldest of entries.keys()) {
      if (bytes <= MAX_BYTES) break;
      drop(oldest);
    }
  }

  /** The answer's bytes and headers: gzipped when it was compressed and the client takes gzip (as browsers do). */
  function encoded(c: Context<AppEnv>, entry: Entry): [Uint8Array<ArrayBuffer>, Record<string, string>] {
    const headers: Record<string, string> = { 'Content-Type': entry.type, Vary: 'Accept-Encoding' };
    if (entry.gzipped && acceptsEncoding(c.req.header('accept-encoding'), 'gzip')) return [entry.gzipped as Uint8Array<ArrayBuffer>, { ...headers, 'Content-Encoding': 'gzip' }];
    return [entry.body as Uint8Array<ArrayBuffer>, headers];
  }

  function answer(c: Context<AppEnv>, entry: Entry) {
    c.header('X-Mizan-Cache', 'hit');
    const [body, headers] = encoded(c, entry);
    return c.body(body, 200, headers);
  }

  /** The middleware on CACHED_ROUTES. */
  const read: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (ttl === 0 || c.req.method !== 'GET') return next();
    const generationNow = await generation.current();
    const scope = c.get('scope');
    const url = new URL(c.req.url);
    const key = `${c.get('user')?.role ?? '-'}|${scopeKey(scope)}|${url.pathname}${url.search}`;
    const cached = entries.get(key);
    if (cached && cached.generation >= generationNow && performance.now() - cached.at < ttl) {
      entries.delete(key);
      entries.set(key, cached);
      return answer(c, cached);
    }
    c.set('sharedPart', (partKey, compute) => part(generationNow, partKey, compute));
    const flightKey = `${generationNow}|${key}`;
    const flight = inflight.get(flightKey);
    if (flight) {
      const entry = await flight;
      // The first request's answer was not one to keep (an error, a 503): this one is answered on its own.
      return entry ? answer(c, entry) : next();
    }
    const at = performance.now();
    const computed = (async (): Promise<Entry | null> => {
      await next();
      const type = c.res.headers.get('content-type') ?? '';
      if (c.res.status !== 200 || !type.startsWith('application/json')) return null;
      const body = new Uint8Array(await c.res.arrayBuffer());
      const gzipped = body.byteLength >= GZIP_FROM ? new Uint8Array(await gzip(body, { level: 6 })) : null;
      const entry: Entry = { generation: generationNow, at, body, gzipped, type };
      store(key, entry);
      return entry;
    })();
    inflight.set(flightKey, computed);
    try {
      const entry = await computed;
      if (entry) {
        // The handler's body was read into the cache: answer with the same bytes and the handler's headers.
        const [body, headers] = encoded(c, entry);
        c.res = new Response(body, { status: 200, headers: c.res.headers });
        c.res.headers.delete('Content-Length');
        for (const [name, value] of Object.entries({ ...headers, 'X-Mizan-Cache': 'miss' })) c.res.headers.set(name, value);
      }
    } finally {
      inflight.delete(flightKey);
    }
  };

  /** The middleware on every API route: a successful write through this process retires the cached answers everywhere. */
  const retireOnWrite: MiddlewareHandler<AppEnv> = async (c, next) => {
    await next();
    if (ttl === 0 || ['GET', 'HEAD', 'OPTIONS'].includes(c.req.method) || c.res.status >= 400 || c.req.path.startsWith('/api/auth/')) return;
    try {
      generation.learn(await bumpDashboardGeneration(deps.db));
    } catch (err) {
      // The write itself succeeded; without the shared number, at least this process forgets what it kept.
      entries.clear();
      bytes = 0;
      console.error('Could not bump the dashboard generation after a write:', err);
    }
  };

  return { read, retireOnWrite };
}

/** An entity scope as part of a key: every entity, or the ids. */
const scopeKey = (scope: EntityScope) => (scope === 'all' ? '*' : scope.join(','));

/** `compute()`, or its value shared with other answers of the same data generation when the answer cache is on. */
function sharedPart<T>(c: Context<AppEnv>, key: string, compute: () => Promise<T>): Promise<T> {
  const share = c.get('sharedPart');
  return share ? share(key, compute) : compute();
}

/** Each entity's figures of a period in `scope`, shared by the overviews and every scorecard of that generation. */
export function sharedEntityStats(c: Context<AppEnv>, deps: AppDeps, scope: EntityScope, p: PeriodFilter) {
  return sharedPart(c, `entityStats|${scopeKey(scope)}|${p.from}|${p.to}`, () => listEntityStats(deps.db, scope, { from: p.from, to: p.to }));
}
