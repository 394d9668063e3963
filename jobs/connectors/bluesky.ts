// Bluesky connector: GET /xrpc/app.bsky.feed.getAuthorFeed?actor=HANDLE&limit=100&cursor=… on a public AppView (no
// login). The first run backfills the author feed newest → oldest with `cursor`; later runs read from the top until the
// newest item already captured (the feed has no "since" parameter). The connector's cursor (JSON) keeps the feed cursor
// of the next page and the newest time captured; a page newer than the one before it (a repeated or stale page) is read
// again rather than trusted.
//
// Mapping: a post's id is its at:// URI; a repost (reason app.bsky.feed.defs#reasonRepost) is the repost record's URI
// (or the post URI with #repost), dated when it was reposted and scored on the reposted text; record.reply marks a
// reply; record.langs[0] is the language as given; likeCount, repostCount + quoteCount, replyCount are the counts.
import { countOf, httpGetJson, parseIsoDateTime, PlatformError, sampleOf, type HttpRequest } from './http.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';
import { closeWindowRead, type RecentPost } from './recheck.ts';

export const BLUESKY_PAGE_SIZE = 100;
export const REASON_REPOST = 'app.bsky.feed.defs#reasonRepost';

export interface BskyPostView {
  uri?: string;
  cid?: string;
  author?: { did?: string; handle?: string; displayName?: string };
  record?: { $type?: string; text?: string; createdAt?: string; langs?: string[]; reply?: unknown; embed?: unknown; [k: string]: unknown };
  replyCount?: number;
  repostCount?: number;
  likeCount?: number;
  quoteCount?: number;
  indexedAt?: string;
  [k: string]: unknown;
}

export interface BskyFeedItem {
  post?: BskyPostView;
  reply?: unknown;
  reason?: { $type?: string; by?: { did?: string; handle?: string }; uri?: string; cid?: string; indexedAt?: string; [k: string]: unknown };
  [k: string]: unknown;
}

interface BlueskyCursor {
  v: 1;
  mode: 'backfill' | 'poll';
  /** The feed cursor of the next page of this pass; null at its start. */
  feed: string | null;
  /** poll: the time of the newest item captured before this pass (ISO). */
  seenAt: string | null;
  /** The newest item time of this pass (becomes seenAt when it ends). */
  top: string | null;
  /** The oldest item time of this pass so far: the next page must not be newer. */
  oldest: string | null;
  /** The items of the newest page at the last read, to notice deletions (see recheck.ts). */
  recent?: RecentPost[];
}

export interface BlueskyConnectorOptions {
  /** The public AppView, https://public.api.bsky.app (MIZAN_BLUESKY_API_URL). */
  baseUrl: string;
  http?: Pick<HttpRequest, 'timeoutMs' | 'retries' | 'maxWaitMs' | 'backoffMs'>;
}

/** When the item entered the author's feed: the repost time for a repost, else the post's indexing time. */
export function itemTime(item: BskyFeedItem): Date | null {
  const isRepost = item?.reason?.$type === REASON_REPOST;
  return parseIsoDateTime(isRepost ? item.reason?.indexedAt : (item?.post?.indexedAt ?? item?.post?.record?.createdAt));
}

const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : Date.parse(a) >= Date.parse(b) ? a : b);
const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : Date.parse(a) <= Date.parse(b) ? a : b);

export function mapFeedItem(item: BskyFeedItem): ImportedPost | string {
  if (!item || typeof item !== 'object') return 'not an object';
  const p = item.post;
  if (!p || typeof p !== 'object') return `no post (the item has ${Object.keys(item).join(', ') || 'no fields'})`;
  if (typeof p.uri !== 'string' || !p.uri.startsWith('at://')) return `uri ${JSON.stringify(p.uri)} is not an at:// URI`;
  const record = p.record;
  if (!record || typeof record !== 'object') return 'no record';
  const isRepost = item.reason?.$type === REASON_REPOST;
  const posted = isRepost ? parseIsoDateTime(item.reason?.indexedAt) : parseIsoDateTime(record.createdAt);
  if (!posted) {
    return isRepost ? `reason.indexedAt ${JSON.stringify(item.reason?.indexedAt)} is not a date` : record.createdAt === undefined ? 'no record.createdAt' : `record.createdAt ${JSON.stringify(record.createdAt)} is not a date`;
  }
  const likes = countOf(p.likeCount);
  const reposts = countOf(p.repostCount);
  const quotes = countOf(p.quoteCount);
  const replies = countOf(p.replyCount);
  if (likes === null || reposts === null || quotes === null || replies === null) {
    return `counts are not whole non-negative numbers (likeCount ${JSON.stringify(p.likeCount)}, repostCount ${JSON.stringify(p.repostCount)}, replyCount ${JSON.stringify(p.replyCount)})`;
  }
  const rkey = p.uri.split('/').pop() ?? '';
  // The AppView sends the handle "handle.invalid" when the account's handle no longer verifies: the DID still links.
  const handle = typeof p.author?.handle === 'string' && p.author.handle && p.author.handle !== 'handle.invalid' ? p.author.handle : null;
  const author = handle ?? p.author?.did ?? p.uri.split('/')[2];
  const id = isRepost ? (typeof item.reason?.uri === 'string' && item.reason.uri.startsWith('at://') ? item.reason.uri : `${p.uri}#repost`) : p.uri;
  const langs = Array.isArray(record.langs) ? record.langs.filter((l): l is string => typeof l === 'string' && l.length > 0) : [];
  return {
    platformPostId: id,
    url: `https://bsky.app/profile/${author}/post/${rkey}`,
    text: typeof record.text === 'string' ? record.text : '',
    lang: langs[0] ?? null,
    postedAt: posted,
    metrics: { likes, shares: reposts + quotes, replies, views: 0 },
    isReply: Boolean(record.reply),
    isRepost,
    editedAt: null,
    raw: item,
    ref: `post ${id}`,
  };
}

function parseCursor(raw: string | null): BlueskyCursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(raw) as BlueskyCursor;
    const iso = (s: unknown) => (typeof s === 'string' && parseIsoDateTime(s) ? s : null);
    if (c && c.v === 1 && (c.mode === 'backfill' || c.mode === 'poll')) {
      const recent = Array.isArray(c.recent)
        ? c.recent.filter((r) => r && typeof r.id === 'string' && Number.isFinite(r.t) && Number.isInteger(r.miss)).map((r) => ({ id: r.id, t: r.t, miss: r.miss }))
        : [];
      return { v: 1, mode: c.mode, feed: typeof c.feed === 'string' && c.feed ? c.feed : null, seenAt: iso(c.seenAt), top: iso(c.top), oldest: iso(c.oldest), recent };
    }
  } catch {
    /* below */
  }
  return null;
}

export function createBlueskyConnector(opts: BlueskyConnectorOptions): Connector {
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    platform: 'bluesky',
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      const actor = account.platformAccountId || account.handle.replace(/^@/, '');
      const token = account.token || null;
      const warnings: string[] = [];
      let c = parseCursor(ctx.cursor);
      if (ctx.cursor && !c) warnings.push('the stored cursor could not be read; reading the feed again from the newest post');
      c ??= { v: 1, mode: 'backfill', feed: null, seenAt: null, top: null, oldest: null };
      const cur = c;
      const params = new URLSearchParams({ actor, limit: String(BLUESKY_PAGE_SIZE) });
      if (cur.feed) params.set('cursor', cur.feed);
      const url = `${base}/xrpc/app.bsky.feed.getAuthorFeed?${params}`;
      const request: HttpRequest = {
        platform: 'Bluesky',
        url,
        headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : { accept: 'application/json' },
        signal: ctx.signal,
        scope: `bluesky:${new URL(base).host}`,
        ...opts.http,
      };

      let feed: BskyFeedItem[] = [];
      let nextFeed: string | null = null;
      for (let attempt = 1; ; attempt++) {
        const { body } = await httpGetJson<{ feed?: BskyFeedItem[]; cursor?: string }>(request);
        if (!body || !Array.isArray(body.feed)) throw new PlatformError('Bluesky', `Bluesky: expected { feed: [...] } from /xrpc/app.bsky.feed.getAuthorFeed`, { status: 200, retryable: true });
        const stale = cur.feed && cur.oldest ? body.feed.find((it) => (itemTime(it)?.getTime() ?? 0) > Date.parse(cur.oldest!)) : undefined;
        if (!stale) {
          feed = body.feed;
          nextFeed = typeof body.cursor === 'string' && body.cursor ? body.cursor : null;
          break;
        }
        if (attempt >= 3) {
          throw new PlatformError('Bluesky', `Bluesky: the feed page after ${cur.oldest} repeats newer items (${stale.post?.uri}) (${attempt} attempts); the next run reads it again`, { status: 200, retryable: true });
        }
      }

      const posts: ImportedPost[] = [];
      const rejected: RejectedRecord[] = [];
      let top = cur.top;
      let oldest = cur.feed ? cur.oldest : null;
      let reachedSeen = false;
      feed.forEach((item, i) => {
        const t = itemTime(item);
        if (t) {
          const iso = t.toISOString();
          top = later(top, iso);
          oldest = earlier(oldest, iso);
          if (cur.mode === 'poll' && cur.seenAt && t.getTime() < Date.parse(cur.seenAt)) reachedSeen = true;
        }
        const mapped = mapFeedItem(item);
        if (typeof mapped === 'string') rejected.push({ ref: item?.post?.uri ? `post ${item.post.uri}` : `item ${i + 1} of the page`, reason: mapped, sample: sampleOf(item) });
        else posts.push(mapped);
      });
      // The newest page is read again at every poll: an item of it that two reads in a row no longer return
      // was deleted (only items still inside the page's time span are judged).
      let recent = cur.recent ?? [];
      if (!cur.feed) {
        const window = new Map(recent.map((r) => [r.id, { ...r }]));
        const times = posts.map((p) => Math.floor(p.postedAt.getTime() / 1000));
        const since = feed.length >= BLUESKY_PAGE_SIZE && times.length ? Math.min(...times) : 0;
        posts.push(...closeWindowRead(window, new Set(posts.map((p) => p.platformPostId)), since));
        for (const p of posts) if (!p.deleted) window.set(p.platformPostId, { id: p.platformPostId, t: Math.floor(p.postedAt.getTime() / 1000), miss: 0 });
        recent = [...window.values()].filter((r) => r.t >= since);
      }
      const more = feed.length > 0 && nextFeed !== null && !reachedSeen;
      const next: BlueskyCursor = more
        ? { ...cur, feed: nextFeed, top, oldest, recent }
        : { v: 1, mode: 'poll', feed: null, seenAt: later(cur.seenAt, top), top: null, oldest: null, recent };
      const page: FetchPage = { posts, nextCursor: JSON.stringify(next), done: !more };
      if (warnings.length) page.warnings = warnings;
      if (rejected.length) page.rejected = rejected;
      return page;
    },
  };
}
