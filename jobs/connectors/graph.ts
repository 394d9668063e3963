// Facebook Pages and Instagram professional accounts through Meta's Graph API.
//
// Facebook: GET {base}/{page-id}/posts; Instagram: GET {base}/{ig-user-id}/media (the account's handle is the id).
// The first import follows `paging.next` back to the oldest post (a backfill). Every later import is a poll that
// reads from the newest post back to `since` (a little before the newest post seen, or the start of the re-check
// window if that is earlier), so that posts edited or deleted in the window are seen again: a changed text is
// stored as an edit by the importer, and a post missing from two complete reads of the window is sent as deleted.
//
// The cursor is a JSON string holding no token: the newest time seen, the read in progress (the query of
// `paging.next` with the access token removed) and the posts of the re-check window. A crash between pages
// resumes from the stored page; a page read twice is harmless (the importer upserts by post id).
//
// Errors: OAuthException 190 becomes an AuthError, throttling codes (4, 17, 32, 613, 80000–80099) a
// RateLimitedError until the time Meta gives (estimated_time_to_regain_access), 100 a message about a wrong id;
// usage headers (X-App-Usage, X-Business-Use-Case-Usage) near 100% pause the token before Meta throttles it.
import { createHash } from 'node:crypto';
import { decodeHTMLStrict } from 'entities';
import { parseIsoDate } from './file.ts';
import { AuthError, PlatformError, RateLimitedError, httpGetJson, markRateLimited, rateLimitPause, type HttpResponse } from './http.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';
import { closeWindowRead, type RecentPost } from './recheck.ts';

export const GRAPH_DEFAULT_BASE_URL = 'https://graph.facebook.com/v21.0';
export const GRAPH_PAGE_LIMIT = 100;
/** Polls re-read this far back (seconds) so that edits and deletions of recent posts are seen. */
export const GRAPH_RECHECK_WINDOW_S = 3 * 24 * 3600;
/** Usage (percent of the quota, the highest of call count, time and CPU time) at which a token is paused. */
export const GRAPH_USAGE_PAUSE_PERCENT = 95;

export const FACEBOOK_FIELDS = [
  'id',
  'message',
  'created_time',
  'updated_time',
  'permalink_url',
  'shares',
  'status_type',
  'parent_id',
  'reactions.summary(true).limit(0)',
  'comments.summary(true).limit(0)',
].join(',');

export const INSTAGRAM_FIELDS = ['id', 'caption', 'timestamp', 'like_count', 'comments_count', 'permalink', 'media_type', 'media_product_type'].join(',');

export interface GraphConnectorOptions {
  /** With the API version, without a trailing slash; default https://graph.facebook.com/v21.0. */
  baseUrl?: string;
  /** The app's or system user's token; an account's own token overrides it. */
  accessToken?: string | null;
  /** Per request attempt; default that of the HTTP client. */
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  /** Longest wait for a rate-limit reset inside one fetch before failing the account's run. */
  maxWaitMs?: number;
  recheckWindowSeconds?: number;
}

interface GraphCursor {
  v: 1;
  /** The newest creation time (unix seconds) of a completed read; null before the first backfill completed. */
  newest: number | null;
  /** A read in progress: the query string of `paging.next` without the token. */
  read: { next: string; since: number | null; top: number | null; seen: string[] } | null;
  recent: RecentPost[];
}

type Kind = 'facebook' | 'instagram';
const DISPLAY: Record<Kind, string> = { facebook: 'Facebook', instagram: 'Instagram' };

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_msg?: string;
  fbtrace_id?: string;
}

interface GraphPage {
  data?: unknown;
  paging?: { next?: string; cursors?: { after?: string; before?: string } };
  error?: GraphError;
}

const THROTTLE_CODES = new Set([4, 17, 32, 613]);
const isThrottle = (code: number) => THROTTLE_CODES.has(code) || (code >= 80000 && code <= 80099);

function tokenScope(token: string): string {
  return `meta:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

export function parseGraphCursor(cursor: string | null, platform: string): GraphCursor {
  const fresh: GraphCursor = { v: 1, newest: null, read: null, recent: [] };
  if (cursor === null || cursor === '') return fresh;
  let c: unknown;
  try {
    c = JSON.parse(cursor);
  } catch {
    throw new PlatformError(DISPLAY[platform as Kind] ?? platform, `${platform}: the stored cursor is not JSON (${cursor.slice(0, 40)}); reset the account's cursor to import again`);
  }
  const o = c as Partial<GraphCursor>;
  if (!o || typeof o !== 'object' || o.v !== 1) {
    throw new PlatformError(platform, `${platform}: the stored cursor is not one of this connector's (${cursor.slice(0, 40)}); reset the account's cursor to import again`);
  }
  return {
    v: 1,
    newest: typeof o.newest === 'number' ? o.newest : null,
    read: o.read && typeof o.read.next === 'string' ? { next: o.read.next, since: o.read.since ?? null, top: o.read.top ?? null, seen: Array.isArray(o.read.seen) ? o.read.seen : [] } : null,
    recent: Array.isArray(o.recent) ? o.recent.filter((r) => r && typeof r.id === 'string' && typeof r.t === 'number') : [],
  };
}

/** The query of a `paging.next` URL without its access token (never stored), or null. */
export function stripNext(next: string): string | null {
  let u: URL;
  try {
    u = new URL(next);
  } catch {
    return null;
  }
  for (const k of ['access_token', 'appsecret_proof']) u.searchParams.delete(k);
  return u.search;
}

const sample = (v: unknown) => {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 500);
  } catch {
    return String(v).slice(0, 500);
  }
};

/** A non-negative count, or 0 when absent (Meta hides some counts, e.g. likes the owner chose to hide). */
function countOf(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function idOf(v: unknown): string | null {
  if (typeof v === 'string' && v.trim()) return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return null;
}

type Mapped = { post: ImportedPost } | { rejected: RejectedRecord };

/** Maps one item of `/{page-id}/posts`. `updated_time` is not an edit (comments move it): the importer compares texts. */
export function mapFacebookPost(item: unknown, index: number): Mapped {
  const o = item as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { rejected: { ref: `item ${index + 1} of the page`, reason: 'not an object', sample: sample(item) } };
  const id = idOf(o.id);
  const ref = id ? `post ${id}` : `item ${index + 1} of the page`;
  const fields = Object.keys(o).join(', ');
  if (!id) return { rejected: { ref, reason: `no id (the record has ${fields || 'no fields'})`, sample: sample(item) } };
  if (typeof o.created_time !== 'string') return { rejected: { ref, reason: `no created_time (the record has ${fields})`, sample: sample(item) } };
  const postedAt = parseIsoDate(o.created_time);
  if (!postedAt) return { rejected: { ref, reason: `created_time ${JSON.stringify(o.created_time)} is not an ISO 8601 date`, sample: sample(item) } };
  if (o.message !== undefined && o.message !== null && typeof o.message !== 'string') return { rejected: { ref, reason: 'message is not a string', sample: sample(item) } };
  const summaryCount = (edge: unknown) => (edge && typeof edge === 'object' ? ((edge as { summary?: { total_count?: unknown } }).summary?.total_count ?? 0) : 0);
  const likes = countOf(summaryCount(o.reactions));
  const replies = countOf(summaryCount(o.comments));
  const shares = countOf(o.shares && typeof o.shares === 'object' ? (o.shares as { count?: unknown }).count : 0);
  for (const [name, v] of [
    ['reactions.summary.total_count', likes],
    ['comments.summary.total_count', replies],
    ['shares.count', shares],
  ] as const) {
    if (v === null) return { rejected: { ref, reason: `${name} is not a non-negative whole number`, sample: sample(item) } };
  }
  return {
    post: {
      platformPostId: id,
      url: typeof o.permalink_url === 'string' ? o.permalink_url : null,
      text: typeof o.message === 'string' ? decodeHTMLStrict(o.message) : '',
      lang: null,
      postedAt,
      metrics: { likes: likes!, shares: shares!, replies: replies!, views: 0 },
      isReply: false,
      // A share of another post (parent_id) is an endorsement of it.
      isRepost: typeof o.parent_id === 'string' && o.parent_id !== '',
      raw: item,
    },
  };
}

/** Maps one item of `/{ig-user-id}/media`. A media without a caption is still a post (text ''). */
export function mapInstagramMedia(item: unknown, index: number): Mapped {
  const o = item as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { rejected: { ref: `item ${index + 1} of the page`, reason: 'not an object', sample: sample(item) } };
  const id = idOf(o.id);
  const ref = id ? `media ${id}` : `item ${index + 1} of the page`;
  const fields = Object.keys(o).join(', ');
  if (!id) return { rejected: { ref, reason: `no id (the record has ${fields || 'no fields'})`, sample: sample(item) } };
  if (typeof o.timestamp !== 'string') return { rejected: { ref, reason: `no timestamp (the record has ${fields})`, sample: sample(item) } };
  const postedAt = parseIsoDate(o.timestamp);
  if (!postedAt) return { rejected: { ref, reason: `timestamp ${JSON.stringify(o.timestamp)} is not an ISO 8601 date`, sample: sample(item) } };
  if (o.caption !== undefined && o.caption !== null && typeof o.caption !== 'string') return { rejected: { ref, reason: 'caption is not a string', sample: sample(item) } };
  const likes = countOf(o.like_count);
  const replies = countOf(o.comments_count);
  if (likes === null) return { rejected: { ref, reason: 'like_count is not a non-negative whole number', sample: sample(item) } };
  if (replies === null) return { rejected: { ref, reason: 'comments_count is not a non-negative whole number', sample: sample(item) } };
  return {
    post: {
      platformPostId: id,
      url: typeof o.permalink === 'string' ? o.permalink : null,
      text: typeof o.caption === 'string' ? decodeHTMLStrict(o.caption) : '',
      lang: null,
      postedAt,
      metrics: { likes, shares: 0, replies, views: 0 },
      isReply: false,
      isRepost: false,
      raw: item,
    },
  };
}

/** The error code of a Graph API error message as the HTTP client words it ("… (OAuthException 190)"). */
function graphCode(message: string): number | null {
  const m = /\((?:[A-Za-z]*Exception|code) (\d+)\)\s*$/.exec(message);
  return m ? Number(m[1]) : null;
}

/** Turns a Graph API failure into the error a person understands. */
function explain(e: unknown, kind: Kind, account: ConnectorAccount, scope: string, now: () => Date): unknown {
  if (!(e instanceof PlatformError) || e instanceof RateLimitedError) return e;
  const name = DISPLAY[kind];
  const code = graphCode(e.message);
  if (code === 190 || (e instanceof AuthError && code === null)) {
    return new AuthError(name, `${name}: token expired or revoked (OAuthException 190)`, { status: e.status });
  }
  if (code !== null && isThrottle(code)) {
    // The usage headers of the refusal, when Meta sent them, told the HTTP client how long: it marked the scope.
    const until = rateLimitPause(scope) ?? new Date(now().getTime() + 60 * 60_000);
    markRateLimited(scope, until);
    return new RateLimitedError(name, until, scope, { status: e.status, message: `${name}: rate limited until ${hhmm(until)} (Graph API throttling, code ${code})` });
  }
  if (code === 100 || code === 803) {
    const what = kind === 'facebook' ? 'Facebook Page id' : 'Instagram professional account id (the IG user id, not the @username)';
    return new PlatformError(name, `${name}: "${account.handle}" is not a ${what} that this token can read (Graph API error ${code}); check the account's handle`, {
      status: e.status,
      retryable: false,
    });
  }
  if (code === 10 || code === 200 || (code !== null && code >= 200 && code < 300)) {
    return new PlatformError(name, `${name}: the token lacks the permission to read "${account.handle}" (Graph API error ${code})`, { status: e.status, retryable: false });
  }
  return e;
}

function hhmm(d: Date): string {
  const iso = d.toISOString();
  return d.getTime() - Date.now() > 20 * 3600_000 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : `${iso.slice(11, 16)} UTC`;
}

/** Usage headers close to the quota: pause the token before Meta throttles it. */
function pauseOnUsage(response: HttpResponse, scope: string, now: Date): void {
  const rl = response.rateLimit;
  if (rl.limit !== 100 || rl.remaining === null) return;
  const used = 100 - rl.remaining;
  if (used < GRAPH_USAGE_PAUSE_PERCENT) return;
  // Meta's window is a rolling hour; without an estimate, wait a good part of it.
  const until = rl.resetAt && rl.resetAt.getTime() > now.getTime() ? rl.resetAt : new Date(now.getTime() + 15 * 60_000);
  markRateLimited(scope, until);
}

function createGraphConnector(kind: Kind, opts: GraphConnectorOptions): Connector {
  const base = (opts.baseUrl ?? GRAPH_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const window = opts.recheckWindowSeconds ?? GRAPH_RECHECK_WINDOW_S;
  const name = DISPLAY[kind];
  const edge = kind === 'facebook' ? 'posts' : 'media';
  const fields = kind === 'facebook' ? FACEBOOK_FIELDS : INSTAGRAM_FIELDS;
  const map = kind === 'facebook' ? mapFacebookPost : mapInstagramMedia;

  return {
    platform: kind,
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      ctx.signal?.throwIfAborted();
      const token = account.token || opts.accessToken;
      if (!token) throw new AuthError(name, `${name}: no access token (set MIZAN_META_ACCESS_TOKEN or the account's own token)`, { status: null });
      const id = account.handle.trim();
      if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
        throw new PlatformError(name, `${name}: "${account.handle}" is not a ${kind === 'facebook' ? 'Page' : 'Instagram user'} id (digits expected)`, { retryable: false });
      }
      const cursor = parseGraphCursor(ctx.cursor, kind);
      const nowS = Math.floor(ctx.now.getTime() / 1000);
      const path = `${base}/${encodeURIComponent(id)}/${edge}`;

      let since: number | null;
      let query: string;
      if (cursor.read) {
        since = cursor.read.since;
        query = cursor.read.next;
      } else {
        since = cursor.newest === null ? null : Math.min(cursor.newest - 1, nowS - window);
        const q = new URLSearchParams({ fields, limit: String(GRAPH_PAGE_LIMIT) });
        if (since !== null) q.set('since', String(since));
        query = `?${q.toString()}`;
      }
      const url = new URL(path + query);
      url.searchParams.set('access_token', token);

      const scope = tokenScope(token);
      let body: GraphPage;
      let response: HttpResponse;
      try {
        ({ body, response } = await httpGetJson<GraphPage>({
          platform: name,
          url: url.toString(),
          signal: ctx.signal,
          scope,
          timeoutMs: opts.timeoutMs,
          retries: opts.retries,
          backoffMs: opts.backoffMs,
          maxWaitMs: opts.maxWaitMs,
        }));
      } catch (e) {
        throw explain(e, kind, account, scope, () => new Date());
      }
      pauseOnUsage(response, scope, new Date());
      if (!body || typeof body !== 'object' || !Array.isArray(body.data)) {
        if (body?.error) throw explain(new PlatformError(name, `${name}: ${body.error.message ?? 'error'} (${body.error.type ?? 'code'} ${body.error.code})`, { status: response.status }), kind, account, scope, () => new Date());
        throw new PlatformError(name, `${name}: the answer for ${edge} of "${id}" has no data array`, { status: response.status, retryable: true });
      }

      const posts: ImportedPost[] = [];
      const rejected: RejectedRecord[] = [];
      body.data.forEach((item, i) => {
        const m = map(item, i);
        if ('post' in m) posts.push(m.post);
        else rejected.push(m.rejected);
      });

      const times = posts.map((p) => Math.floor(p.postedAt.getTime() / 1000));
      const top = Math.max(cursor.read?.top ?? -Infinity, ...times);
      const seen = cursor.read?.seen ?? [];
      if (since !== null) for (const p of posts) seen.push(p.platformPostId);

      // The window's posts, to notice deletions.
      const recent = new Map(cursor.recent.map((r) => [r.id, r]));
      posts.forEach((p, i) => {
        if (times[i] >= nowS - window) recent.set(p.platformPostId, { id: p.platformPostId, t: times[i], miss: 0 });
      });

      const warnings: string[] = [];
      const nextQuery = body.paging?.next ? stripNext(body.paging.next) : null;
      // Posts come newest first: a page reaching past `since` ends the poll even if Meta ignored the parameter.
      const passedSince = since !== null && times.some((t) => t < since!);
      const more = nextQuery !== null && !passedSince;
      if (more && nextQuery === query) {
        // Stopping here would skip the older posts for good; failing keeps the cursor on this page for the next run.
        throw new PlatformError(name, `${name}: paging.next of ${edge} of "${id}" repeats the page just read; the import resumes from this page on the next run`, {
          retryable: true,
        });
      }
      if (more) {
        const next: GraphCursor = {
          v: 1,
          newest: cursor.newest,
          read: { next: nextQuery!, since, top: Number.isFinite(top) ? top : null, seen },
          recent: [...recent.values()],
        };
        return { posts, nextCursor: JSON.stringify(next), done: false, ...(rejected.length ? { rejected } : {}), ...(warnings.length ? { warnings } : {}) };
      }

      // The read is complete.
      const newest = Math.max(cursor.newest ?? -Infinity, top);
      if (since !== null) posts.push(...closeWindowRead(recent, new Set(seen), since));
      const next: GraphCursor = {
        v: 1,
        newest: Number.isFinite(newest) ? newest : cursor.newest,
        read: null,
        recent: [...recent.values()].filter((r) => r.t >= nowS - window),
      };
      return { posts, nextCursor: JSON.stringify(next), done: true, ...(rejected.length ? { rejected } : {}), ...(warnings.length ? { warnings } : {}) };
    },
  };
}

export function createFacebookConnector(opts: GraphConnectorOptions = {}): Connector {
  return createGraphConnector('facebook', opts);
}

export function createInstagramConnector(opts: GraphConnectorOptions = {}): Connector {
  return createGraphConnector('instagram', opts);
}
