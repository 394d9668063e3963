// X API v2 connector: GET /2/users/by/username/:username once, then GET /2/users/:id/tweets. The first run backfills
// newest → oldest with pagination_token (X serves only the newest 3,200 posts of a timeline); later runs read what is
// newer than the newest id seen (since_id), paging with pagination_token. The cursor (JSON, opaque to the importer)
// records where the next page starts, so a crash between pages re-reads at most one page (the importer upserts by
// post id) and never skips one.
//
// Mapping: the post id is the first id of edit_history_tweet_ids (the original; an edit is a new tweet id on X, and
// becomes a new version of the same post here, dated by the original id's snowflake time with editedAt the edit's
// created_at). A retweet is a repost scored on the retweeted text (from includes.tweets); a reply is a reply; a quote
// is the account's own text (the quoted tweet is kept in raw's includes). Long posts read note_tweet.text. Entities
// in text are decoded. `raw` is the tweet in the v2 single-tweet envelope `{ data, includes: { tweets, users } }`
// with the tweets it references and its author, so it can be mapped again.
// mapTweet is the one mapping of an X API v2 tweet: the twarc files (archives/twarc.ts) go through it too.
//
// Deletions: a timeline read with since_id never shows that a post went away, so once a poll pass has ended and the
// last deletion check is older than `deletionCheck.intervalMs` (a day by default), the ids of the account's posts of
// the last days (kept in the cursor) are looked up with GET /2/tweets?ids= (100 per request). A tweet that comes back
// as a resource-not-found problem is sent as deleted (the importer keeps its copy and records the deletion in the
// archive); an Authorization Error (protected account), a withheld tweet or any other problem is not a deletion.
// Edits need no lookup: on X an edit is a new tweet id, newer than since_id, which the poll reads anyway.
import { AuthError, PlatformError, countOf, decodeEntities, httpGetJson, sampleOf, secretTag, type HttpRequest } from './http.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';
import { deletedPost } from './recheck.ts';

export const X_PAGE_SIZE = 100;
/** X serves at most the newest 3,200 posts of a user timeline. */
export const X_TIMELINE_CAP = 3200;
export const X_TWEET_FIELDS = 'created_at,public_metrics,lang,referenced_tweets,edit_history_tweet_ids,entities,conversation_id,in_reply_to_user_id,note_tweet';
/** GET /2/tweets takes at most this many ids. */
export const X_LOOKUP_IDS = 100;
/** The tweet lookup's own problem type for a tweet that no longer exists (deleted, by its author or with its account). */
const NOT_FOUND_PROBLEM = 'https://api.twitter.com/2/problems/resource-not-found';
/** Twitter's snowflake epoch (2010-11-04T01:42:54.657Z): an id's upper bits are milliseconds since it. */
const SNOWFLAKE_EPOCH = 1288834974657n;

export interface XTweet {
  id?: string;
  text?: string;
  created_at?: string;
  lang?: string;
  author_id?: string;
  conversation_id?: string;
  in_reply_to_user_id?: string;
  edit_history_tweet_ids?: string[];
  referenced_tweets?: { type: 'retweeted' | 'quoted' | 'replied_to' | string; id: string }[];
  public_metrics?: { retweet_count?: number; reply_count?: number; like_count?: number; quote_count?: number; impression_count?: number; bookmark_count?: number };
  note_tweet?: { text?: string };
  entities?: unknown;
  [k: string]: unknown;
}

/** An expanded user (includes.users): the author of a tweet. */
export interface XUser {
  id?: string;
  username?: string;
  name?: string;
  [k: string]: unknown;
}

export interface XProblem {
  title?: string;
  detail?: string;
  type?: string;
  resource_type?: string;
  resource_id?: string;
  parameter?: string;
  value?: string;
  section?: string;
}

export interface XTimelineResponse {
  data?: XTweet[];
  includes?: { tweets?: XTweet[]; users?: XUser[] };
  meta?: { result_count?: number; newest_id?: string; oldest_id?: string; next_token?: string };
  errors?: XProblem[];
}

interface XCursor {
  v: 1;
  userId: string;
  /** backfill: the first run, newest → oldest; poll: what is newer than sinceId. */
  mode: 'backfill' | 'poll';
  /** pagination_token of the next page of this pass; null at the start of a pass. */
  token: string | null;
  /** poll: the newest id captured before this pass. */
  sinceId: string | null;
  /** The newest id read in this pass (becomes sinceId when the pass ends). */
  top: string | null;
  /** The oldest id read in this pass: the next page must hold only older ids (a repeated page is caught). */
  oldest: string | null;
  /** Posts read in this backfill (for the 3,200 cap warning). */
  seen: number;
  /** When the last deletion check ran (ms; the end of the first pass when none has run yet), or null. */
  checkedAt?: number | null;
  /** The posts of the deletion-check window, newest first: the post id, the id of its latest version when edited, its time (s). */
  recent?: RecentTweet[];
}

interface RecentTweet {
  id: string;
  v?: string;
  t: number;
}

export interface XDeletionCheck {
  /** How often the recent posts are looked up again; default a day. X bills every post read, lookups included. */
  intervalMs: number;
  /** Posts younger than this are checked; default 7 days. */
  windowMs: number;
  /** At most this many (the newest) are checked, 100 per request; default 300. */
  maxIds: number;
}

// Once a day, because X bills every post read and each id looked up is one: 300 ids a day are some 9,000 billed reads
// a month for one account, on top of its timeline.
export const X_DELETION_CHECK: XDeletionCheck = { intervalMs: 24 * 3600_000, windowMs: 7 * 24 * 3600_000, maxIds: 300 };

export interface XConnectorOptions {
  /** https://api.x.com (MIZAN_X_API_URL); no trailing slash needed. */
  baseUrl: string;
  /** App-only bearer token (MIZAN_X_BEARER_TOKEN); an account's own token overrides it. */
  bearerToken: string | null;
  /** Request settings (tests shorten them). */
  http?: Pick<HttpRequest, 'timeoutMs' | 'retries' | 'maxWaitMs' | 'backoffMs'>;
  /** Deletion checks by tweet lookup (each id looked up is a billed post read on X: keep the interval long). */
  deletionCheck?: Partial<XDeletionCheck>;
}

const cmpId = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);
const maxId = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : cmpId(a, b) >= 0 ? a : b);
const isId = (s: unknown): s is string => typeof s === 'string' && /^\d{1,20}$/.test(s);

/** The creation time of a snowflake id (ids from November 2010 on), else null. */
export function snowflakeTime(id: string): Date | null {
  if (!isId(id) || id.length < 15) return null;
  const ms = (BigInt(id) >> 22n) + SNOWFLAKE_EPOCH;
  return new Date(Number(ms));
}

function parseDate(s: unknown): Date | null {
  if (typeof s !== 'string') return null;
  // X v2 dates are ISO 8601 with milliseconds and Z; v1.1 style "Wed Jan 06 18:40:40 +0000 2021" parses too.
  if (!/^\d{4}-\d{2}-\d{2}T/.test(s) && !/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$/.test(s)) return null;
  const ms = Date.parse(s.replace(/^([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{2}) (\S+) ([+-]\d{4}) (\d{4})$/, '$1, $3 $2 $6 $4 $5'));
  return Number.isNaN(ms) ? null : new Date(ms);
}

function fullText(t: XTweet): string {
  const long = t.note_tweet?.text;
  return decodeEntities(typeof long === 'string' && long.length > 0 ? long : typeof t.text === 'string' ? t.text : '');
}

/** Maps one tweet of a timeline page; a string is the reason it cannot be mapped. `handle` is the account's (the
 * post's address); without it the author's username from `users` is, or X's handle-free address. */
export function mapTweet(t: XTweet, includes: Map<string, XTweet>, handle: string | null, users: Map<string, XUser> = new Map()): { post: ImportedPost; warning?: string } | string {
  if (!t || typeof t !== 'object') return 'not an object';
  if (!isId(t.id)) return t.id === undefined ? `no id (the record has ${Object.keys(t).slice(0, 8).join(', ') || 'no fields'})` : `id ${JSON.stringify(t.id)} is not a string of digits`;
  const created = parseDate(t.created_at);
  if (!created) return t.created_at === undefined ? 'no created_at (request tweet.fields=created_at)' : `created_at ${JSON.stringify(t.created_at)} is not a date`;
  const history = Array.isArray(t.edit_history_tweet_ids) ? t.edit_history_tweet_ids.filter(isId) : [];
  const originalId = history.length > 0 ? history[0] : t.id;
  const edited = history.length > 1 && originalId !== t.id;
  const postedAt = edited ? (snowflakeTime(originalId) ?? created) : created;

  const refs = Array.isArray(t.referenced_tweets) ? t.referenced_tweets : [];
  const retweeted = refs.find((r) => r?.type === 'retweeted');
  const isReply = refs.some((r) => r?.type === 'replied_to') || typeof t.in_reply_to_user_id === 'string';
  let text = fullText(t);
  let warning: string | undefined;
  const referenced: XTweet[] = [];
  for (const r of refs) {
    const inc = r && includes.get(r.id);
    if (inc) referenced.push(inc);
  }
  if (retweeted) {
    const original = includes.get(retweeted.id);
    if (original) text = fullText(original);
    else warning = `tweet ${t.id}: the retweeted tweet ${retweeted.id} was not returned (deleted, withheld or protected); scored on the retweet's own text`;
  }

  const pm = t.public_metrics ?? {};
  const likes = countOf(pm.like_count);
  const rts = countOf(pm.retweet_count);
  const quotes = countOf(pm.quote_count);
  const replies = countOf(pm.reply_count);
  const views = countOf(pm.impression_count);
  if (likes === null || rts === null || quotes === null || replies === null || views === null) {
    return `public_metrics are not whole non-negative numbers: ${JSON.stringify(pm).slice(0, 200)}`;
  }
  const author = typeof t.author_id === 'string' ? users.get(t.author_id) : undefined;
  const includesKept = { ...(referenced.length ? { tweets: referenced } : {}), ...(author ? { users: [author] } : {}) };
  const raw = Object.keys(includesKept).length ? { data: t, includes: includesKept } : { data: t };
  const username = (handle ?? (typeof author?.username === 'string' ? author.username : '')).replace(/^@/, '');
  const post: ImportedPost = {
    platformPostId: originalId,
    url: username ? `https://x.com/${encodeURIComponent(username)}/status/${t.id}` : `https://x.com/i/web/status/${t.id}`,
    text,
    lang: typeof t.lang === 'string' && t.lang ? t.lang : null,
    postedAt,
    metrics: { likes, shares: rts + quotes, replies, views },
    isReply,
    isRepost: Boolean(retweeted),
    editedAt: edited ? created : null,
    raw,
    ref: `tweet ${t.id}`,
  };
  return warning ? { post, warning } : { post };
}

/** The tweets and users of a response's (or a stored envelope's) includes, by id. */
export function includesOf(includes: unknown): { tweets: Map<string, XTweet>; users: Map<string, XUser> } {
  const inc = (includes && typeof includes === 'object' ? includes : {}) as { tweets?: unknown; users?: unknown };
  const tweets = new Map<string, XTweet>();
  const users = new Map<string, XUser>();
  if (Array.isArray(inc.tweets)) for (const t of inc.tweets as XTweet[]) if (t && isId(t.id)) tweets.set(t.id, t);
  if (Array.isArray(inc.users)) for (const u of inc.users as XUser[]) if (u && typeof u.id === 'string') users.set(u.id, u);
  return { tweets, users };
}

/** Maps a stored envelope `{ data, includes }` again (`npm run cli -- remap`), from the X connector or a twarc file. */
export function mapStoredTweet(raw: unknown, handle: string | null): ImportedPost | string {
  const r = (raw && typeof raw === 'object' ? raw : {}) as { data?: XTweet; includes?: unknown };
  if (!r.data || typeof r.data !== 'object') return 'the raw payload has no tweet (data)';
  const { tweets, users } = includesOf(r.includes);
  const m = mapTweet(r.data, tweets, handle, users);
  return typeof m === 'string' ? m : m.post;
}

function problemText(p: XProblem): string {
  const what = p.resource_type ? `${p.resource_type} ${p.resource_id ?? p.value ?? ''}`.trim() : (p.parameter ?? 'response');
  const title = p.title ?? 'error';
  return `${what}: ${title}${p.detail && p.detail !== title ? ` (${p.detail})` : ''}`;
}

function parseCursor(raw: string | null): XCursor | null {
  if (raw === null || raw === '') return null;
  try {
    const c = JSON.parse(raw) as XCursor;
    if (c && c.v === 1 && isId(c.userId) && (c.mode === 'backfill' || c.mode === 'poll')) {
      return {
        v: 1,
        userId: c.userId,
        mode: c.mode,
        token: typeof c.token === 'string' && c.token ? c.token : null,
        sinceId: isId(c.sinceId) ? c.sinceId : null,
        top: isId(c.top) ? c.top : null,
        oldest: isId(c.oldest) ? c.oldest : null,
        seen: Number.isSafeInteger(c.seen) && c.seen >= 0 ? c.seen : 0,
        checkedAt: typeof c.checkedAt === 'number' && Number.isFinite(c.checkedAt) ? c.checkedAt : null,
        recent: Array.isArray(c.recent) ? c.recent.filter((r) => r && isId(r.id) && (r.v === undefined || isId(r.v)) && Number.isFinite(r.t)) : [],
      };
    }
  } catch {
    /* below */
  }
  return null;
}

/**
 * Looks the recent posts up, 100 ids a request: those X answers with a resource-not-found problem are sent as deleted.
 * A request that fails ends the check (`complete` false) with a note; the deletions found before it are kept.
 */
async function lookUpDeletions(list: RecentTweet[], request: (url: string) => HttpRequest, base: string): Promise<{ gone: ImportedPost[]; note: string | null; complete: boolean }> {
  const gone: ImportedPost[] = [];
  const unreadable: string[] = [];
  let failure: string | null = null;
  for (let i = 0; i < list.length && failure === null; i += X_LOOKUP_IDS) {
    const chunk = list.slice(i, i + X_LOOKUP_IDS);
    const byVersion = new Map(chunk.map((r) => [r.v ?? r.id, r]));
    const params = new URLSearchParams({ ids: [...byVersion.keys()].join(','), 'tweet.fields': 'created_at,edit_history_tweet_ids' });
    let body: { data?: XTweet[]; errors?: XProblem[] } | undefined;
    try {
      ({ body } = await httpGetJson<{ data?: XTweet[]; errors?: XProblem[] }>(request(`${base}/2/tweets?${params}`)));
    } catch (e) {
      if (!(e instanceof PlatformError)) throw e;
      failure = e.message;
      break;
    }
    for (const p of Array.isArray(body?.errors) ? body.errors : []) {
      const r = p && byVersion.get(String(p.resource_id ?? p.value ?? ''));
      if (!r) continue;
      // Only "Could not find tweet" is a deletion; a protected, suspended or withheld author's tweet still exists.
      if (p.type === NOT_FOUND_PROBLEM && p.resource_type === 'tweet') {
        gone.push({ ...deletedPost(r.id, r.t, { errors: [p] }), ref: `tweet ${r.v ?? r.id}` });
      } else unreadable.push(problemText(p));
    }
  }
  const notes: string[] = [];
  if (unreadable.length) notes.push(`${unreadable.length} recent post(s) could not be read, not taken as deleted (first: ${unreadable[0]})`);
  if (failure !== null) notes.push(`the deletion check of recent posts stopped (${failure}); it runs again on the next import`);
  return { gone, note: notes.length ? `X: ${notes.join('; ')}` : null, complete: failure === null };
}

export function createXConnector(opts: XConnectorOptions): Connector {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const check: XDeletionCheck = { ...X_DELETION_CHECK, ...opts.deletionCheck };
  return {
    platform: 'x',
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      const token = account.token || opts.bearerToken;
      if (!token) throw new AuthError('X', 'X: no bearer token (set MIZAN_X_BEARER_TOKEN or the account’s own token)', { status: null });
      const handle = account.handle.replace(/^@/, '');
      const request = (url: string): HttpRequest => ({
        platform: 'X',
        url,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: ctx.signal,
        scope: `x:${secretTag(token)}`,
        ...opts.http,
      });
      // The tweet lookup has its own rate limit on X (per endpoint): its own bucket, so a limited lookup never pauses the timeline.
      const lookupRequest = (url: string): HttpRequest => ({ ...request(url), scope: `x:${secretTag(token)}:lookup` });
      const warnings: string[] = [];
      let cursor = parseCursor(ctx.cursor);
      if (ctx.cursor && !cursor) warnings.push(`the stored cursor could not be read; reading the timeline again from the newest post`);

      if (!cursor) {
        let userId = account.platformAccountId && isId(account.platformAccountId) ? account.platformAccountId : null;
        if (!userId) {
          const { body } = await httpGetJson<{ data?: { id?: string; username?: string }; errors?: XProblem[] }>(
            request(`${base}/2/users/by/username/${encodeURIComponent(handle)}`),
          );
          userId = body?.data?.id && isId(body.data.id) ? body.data.id : null;
          if (!userId) {
            const why = body?.errors?.length ? problemText(body.errors[0]) : 'no user id in the answer';
            throw new PlatformError('X', `X: cannot find the user @${handle}: ${why}`, { status: 200 });
          }
        }
        cursor = { v: 1, userId, mode: 'backfill', token: null, sinceId: null, top: null, oldest: null, seen: 0, checkedAt: null, recent: [] };
      }

      const params = new URLSearchParams({ max_results: String(X_PAGE_SIZE), 'tweet.fields': X_TWEET_FIELDS, expansions: 'referenced_tweets.id' });
      if (cursor.mode === 'poll' && cursor.sinceId) params.set('since_id', cursor.sinceId);
      if (cursor.token) params.set('pagination_token', cursor.token);
      const url = `${base}/2/users/${cursor.userId}/tweets?${params}`;
      const fetchTimeline = async (): Promise<XTimelineResponse> => {
        // A page must hold only tweets newer than since_id and, after a pagination token, older than the page before:
        // anything else is a repeated or stale page, read again (trusting it could end the pass early and skip posts).
        for (let attempt = 1; ; attempt++) {
          const { body } = await httpGetJson<XTimelineResponse>(request(url));
          const c = cursor!;
          const ids = (Array.isArray(body?.data) ? body.data : []).map((t) => t?.id).filter(isId);
          const stale = ids.find((id) => (c.mode === 'poll' && c.sinceId && cmpId(id, c.sinceId) <= 0) || (c.token && c.oldest && cmpId(id, c.oldest) >= 0));
          if (!stale) return body;
          if (attempt >= 3) {
            throw new PlatformError('X', `X: the timeline page ${c.token ? `after tweet ${c.oldest}` : `since tweet ${c.sinceId}`} repeats tweet ${stale} already read (${attempt} attempts); the next run reads it again`, { status: 200, retryable: true });
          }
        }
      };
      let body: XTimelineResponse;
      try {
        body = await fetchTimeline();
      } catch (e) {
        // A pagination token X no longer accepts (they expire): start this pass again from its top; re-reading is harmless.
        if (!(cursor.token && e instanceof PlatformError && e.status === 400)) throw e;
        warnings.push(`X refused the stored pagination token (${e.message}); reading this ${cursor.mode === 'backfill' ? 'backfill' : 'poll'} again from the newest post`);
        cursor = { ...cursor, token: null, oldest: null, seen: 0 };
        params.delete('pagination_token');
        body = await fetchTimeline();
      }
      if (!body || typeof body !== 'object') throw new PlatformError('X', `X: empty answer from /2/users/${cursor.userId}/tweets`, { status: 200, retryable: true });

      // Problems about the account itself (suspended, not found, protected) stop the account with their message;
      // the others (a referenced tweet deleted or withheld) are notes on the page.
      const problems = Array.isArray(body.errors) ? body.errors : [];
      const data = Array.isArray(body.data) ? body.data : [];
      const userProblem = problems.find((p) => p?.resource_type === 'user' && (p.resource_id === cursor.userId || p.value === cursor.userId || p.value === handle));
      if (userProblem && data.length === 0) throw new PlatformError('X', `X: @${handle}: ${problemText(userProblem)}`, { status: 200 });
      for (const p of problems) if (p && p !== userProblem) warnings.push(problemText(p));

      const { tweets: includes, users } = includesOf(body.includes);
      const posts: ImportedPost[] = [];
      const read: { post: ImportedPost; version: string }[] = [];
      const rejected: RejectedRecord[] = [];
      let top = cursor.top;
      let oldest = cursor.token ? cursor.oldest : null;
      data.forEach((t, i) => {
        if (t && isId(t.id)) {
          top = maxId(top, t.id);
          oldest = oldest === null || cmpId(t.id, oldest) < 0 ? t.id : oldest;
        }
        const mapped = mapTweet(t, includes, handle, users);
        if (typeof mapped === 'string') {
          rejected.push({ ref: t && typeof t.id === 'string' ? `tweet ${t.id}` : `item ${i + 1} of the page`, reason: mapped, sample: sampleOf(t) });
          return;
        }
        if (mapped.warning) warnings.push(mapped.warning);
        posts.push(mapped.post);
        read.push({ post: mapped.post, version: t.id as string });
      });

      // The posts of the deletion-check window (by post id, with the id of the version read).
      const nowMs = ctx.now.getTime();
      const recent = new Map((cursor.recent ?? []).map((r) => [r.id, r]));
      for (const { post, version } of read) {
        const t = post.postedAt.getTime();
        if (t < nowMs - check.windowMs || t > nowMs + 86_400_000) continue;
        const had = recent.get(post.platformPostId);
        const v = maxId(had?.v ?? had?.id ?? null, version)!;
        recent.set(post.platformPostId, { id: post.platformPostId, ...(v !== post.platformPostId ? { v } : {}), t: Math.floor(t / 1000) });
      }
      const keep = () =>
        [...recent.values()]
          .filter((r) => r.t * 1000 >= nowMs - check.windowMs)
          .sort((a, b) => cmpId(b.id, a.id))
          .slice(0, check.maxIds);

      const nextToken = typeof body.meta?.next_token === 'string' && body.meta.next_token ? body.meta.next_token : null;
      const seen = cursor.seen + data.length;
      let next: XCursor;
      if (nextToken) {
        next = { ...cursor, token: nextToken, top, oldest, seen: cursor.mode === 'backfill' ? seen : 0, recent: keep() };
      } else {
        if (cursor.mode === 'backfill' && seen >= X_TIMELINE_CAP - 100) {
          warnings.push(
            `X serves only the newest ${X_TIMELINE_CAP.toLocaleString('en')} posts of a timeline: the backfill stopped after ${seen.toLocaleString('en')}; older posts of @${handle} can be imported from the account's archive (tweets.js)`,
          );
        }
        // The pass is complete: the deletion check when it is due (the first pass only starts its clock). Posts of this
        // page were just read and are left out of it.
        let checkedAt = cursor.checkedAt ?? nowMs;
        if (cursor.checkedAt != null && nowMs - cursor.checkedAt >= check.intervalMs) {
          const justRead = new Set(read.map((r) => r.post.platformPostId));
          const found = await lookUpDeletions(keep().filter((r) => !justRead.has(r.id)), lookupRequest, base);
          for (const gone of found.gone) recent.delete(gone.platformPostId);
          posts.push(...found.gone);
          if (found.note) warnings.push(found.note);
          // A check that failed part-way is run again on the next run (the deletions it found are kept).
          if (found.complete) checkedAt = nowMs;
        }
        next = { v: 1, userId: cursor.userId, mode: 'poll', token: null, sinceId: maxId(cursor.sinceId, top), top: null, oldest: null, seen: 0, checkedAt, recent: keep() };
      }
      const page: FetchPage = { posts, nextCursor: JSON.stringify(next), done: nextToken === null };
      if (warnings.length) page.warnings = warnings;
      if (rejected.length) page.rejected = rejected;
      return page;
    },
  };
}
