// YouTube channels (the account's handle is the channel id, UC…).
//
// Without an API key: the channel's public Atom feed ({feedBase}/feeds/videos.xml?channel_id=…), its latest 15
// videos (yt:videoId, published, title, media:description, media:statistics views, media:starRating count as
// likes); `updated` is not an edit (the importer compares texts). With a key: the Data API v3, channels.list →
// the uploads playlist → playlistItems.list page by page (pageToken) → videos.list (part=snippet,statistics) for the
// counts (strings) and the video's language (snippet.defaultLanguage, else defaultAudioLanguage).
// The first import walks back through the whole playlist; polls read from the newest video back to a little
// before the newest seen or the start of the re-check window, so edits and deletions in the window are seen.
// Text to score: the title (entities decoded) and the description. 403 quotaExceeded pauses the key until the
// daily reset, midnight Pacific time.
import { createHash } from 'node:crypto';
import { decodeHTMLStrict } from 'entities';
import { parseFeed } from 'feedsmith';
import { parseIsoDate } from './file.ts';
import { GRAPH_RECHECK_WINDOW_S } from './graph.ts';
import { closeWindowRead, type RecentPost } from './recheck.ts';
import { AuthError, PlatformError, RateLimitedError, httpGet, httpGetJson, markRateLimited } from './http.ts';
import { checkFeedXml } from './rss.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';

const NAME = 'YouTube';
export const YOUTUBE_PAGE_SIZE = 50;

export interface YouTubeConnectorOptions {
  /** Default https://www.googleapis.com (`/youtube/v3/...` is appended). */
  apiBaseUrl?: string;
  /** Default https://www.youtube.com (`/feeds/videos.xml?channel_id=` is appended). */
  feedBaseUrl?: string;
  /** Without a key the public feed is read. */
  apiKey?: string | null;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  maxWaitMs?: number;
  recheckWindowSeconds?: number;
}

interface ApiCursor {
  v: 1;
  mode: 'api';
  uploads: string | null;
  newest: number | null;
  read: { pageToken: string; since: number | null; top: number | null; seen: string[] } | null;
  recent: RecentPost[];
}

/** The next midnight in America/Los_Angeles, when the Data API's daily quota resets. */
export function nextPacificMidnight(now: Date): Date {
  const offsetAt = (d: Date) => {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', { timeZone: 'America/Los_Angeles', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })
        .formatToParts(d)
        .map((x) => [x.type, Number(x.value)]),
    );
    return { local: Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second), y: p.year, m: p.month, d: p.day };
  };
  const here = offsetAt(now);
  const offset = here.local - Math.floor(now.getTime() / 1000) * 1000;
  const midnightLocal = Date.UTC(here.y, here.m - 1, here.d + 1);
  let utc = midnightLocal - offset;
  const check = offsetAt(new Date(utc));
  utc -= check.local - midnightLocal; // a change of offset (DST) between now and midnight
  return new Date(utc);
}

const keyScope = (key: string) => `youtube:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
const sample = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 500);
const decode = (s: unknown) => (typeof s === 'string' ? decodeHTMLStrict(s) : '');
const joinText = (title: string, description: string) => (description.trim() ? `${title}\n${description}` : title);

function countOf(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) {
    const n = Number(v.trim());
    return Number.isSafeInteger(n) ? n : null;
  }
  return null;
}

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a post from the public feed keeps as its raw payload: the parsed entry and the feed's language, enough for `remap`. */
export interface StoredYouTubeEntry {
  format: 'youtube-feed';
  entry: unknown;
  feedLang: string | null;
}

/** Maps one entry of a channel's Atom feed (as the feed parser gives it); `feedLang` is the feed's xml:lang. */
export function mapYouTubeEntry(entry: unknown, index: number, feedLang: string | null): { post: ImportedPost } | { rejected: RejectedRecord } {
  const e = (entry ?? {}) as Loose;
  const id = (typeof e.yt?.videoId === 'string' && e.yt.videoId) || (typeof e.id === 'string' ? e.id.replace(/^yt:video:/, '') : '');
  const ref = id ? `video ${id}` : `entry ${index + 1} of the feed`;
  if (!id) return { rejected: { ref, reason: `no yt:videoId or id (the entry has ${Object.keys(e).join(', ')})`, sample: sample(e) } };
  const postedAt = typeof e.published === 'string' ? parseIsoDate(e.published) : null;
  if (!postedAt) return { rejected: { ref, reason: e.published ? `published ${JSON.stringify(e.published)} is not an RFC 3339 date` : 'no published date (updated is not the publication)', sample: sample(e) } };
  const group = ((e.media?.groups ?? []) as Loose[])[0] ?? {};
  const title = decode(e.title?.value ?? group.title?.value);
  const description = decode(group.description?.value);
  const views = countOf(group.community?.statistics?.views);
  const likes = countOf(group.community?.starRating?.count);
  if (views === null || likes === null) return { rejected: { ref, reason: 'media:statistics views or media:starRating count is not a whole number', sample: sample(e) } };
  const link = ((e.links ?? []) as Loose[]).find((l) => !l.rel || l.rel === 'alternate')?.href;
  return {
    post: {
      platformPostId: id,
      url: typeof link === 'string' ? link : `https://www.youtube.com/watch?v=${id}`,
      text: joinText(title, description),
      lang: e.xml?.lang ?? feedLang ?? null,
      postedAt,
      metrics: { likes, shares: 0, replies: 0, views },
      isReply: false,
      isRepost: false,
      raw: { format: 'youtube-feed', entry: e, feedLang } satisfies StoredYouTubeEntry,
    },
  };
}

/** Maps the entries of a channel's Atom feed. */
export function mapYouTubeFeed(xml: string): { posts: ImportedPost[]; rejected: RejectedRecord[] } {
  const parsed = parseFeed(checkFeedXml(xml));
  if (parsed.format !== 'atom') throw new Error(`expected the channel's Atom feed, got ${parsed.format}`);
  const feed = parsed.feed as Loose;
  const posts: ImportedPost[] = [];
  const rejected: RejectedRecord[] = [];
  const feedLang = typeof feed.xml?.lang === 'string' ? feed.xml.lang : null;
  ((feed.entries ?? []) as Loose[]).forEach((e, i) => {
    const m = mapYouTubeEntry(e, i, feedLang);
    if ('post' in m) posts.push(m.post);
    else rejected.push(m.rejected);
  });
  return { posts, rejected };
}

/** Maps a playlistItems.list item and its videos.list statistics. Private and deleted videos give null (skipped). */
export function mapPlaylistItem(item: unknown, stats: Loose | undefined, index: number): { post: ImportedPost } | { rejected: RejectedRecord } | { unavailable: string } {
  const o = item as Loose;
  const videoId = o?.contentDetails?.videoId ?? o?.snippet?.resourceId?.videoId;
  const ref = typeof videoId === 'string' ? `video ${videoId}` : `item ${index + 1} of the page`;
  if (typeof videoId !== 'string' || !videoId) return { rejected: { ref, reason: `no contentDetails.videoId or snippet.resourceId.videoId`, sample: sample(item) } };
  const publishedRaw = o.contentDetails?.videoPublishedAt;
  if (!publishedRaw && (o.snippet?.title === 'Private video' || o.snippet?.title === 'Deleted video')) return { unavailable: videoId };
  const published = typeof publishedRaw === 'string' ? publishedRaw : o.snippet?.publishedAt;
  const postedAt = typeof published === 'string' ? parseIsoDate(published) : null;
  if (!postedAt) return { rejected: { ref, reason: `no valid videoPublishedAt or publishedAt (${JSON.stringify(published ?? null)})`, sample: sample(item) } };
  const s = (stats?.statistics ?? {}) as Loose;
  const views = countOf(s.viewCount);
  const likes = countOf(s.likeCount);
  const replies = countOf(s.commentCount);
  for (const [k, v] of [
    ['viewCount', views],
    ['likeCount', likes],
    ['commentCount', replies],
  ] as const) {
    if (v === null) return { rejected: { ref, reason: `statistics.${k} ${JSON.stringify(s[k])} is not a whole number`, sample: sample({ item, statistics: s }) } };
  }
  // The languages are on the video's own snippet (videos.list part=snippet), never on the playlist item's.
  const snippet = (stats?.snippet ?? o.snippet ?? {}) as Loose;
  const langOf = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const lang = langOf(snippet.defaultLanguage) ?? langOf(snippet.defaultAudioLanguage);
  return {
    post: {
      platformPostId: videoId,
      url: `https://www.youtube.com/watch?v=${videoId}`,
      text: joinText(decode(o.snippet?.title), decode(o.snippet?.description)),
      lang,
      postedAt,
      metrics: { likes: likes!, shares: 0, replies: replies!, views: views! },
      isReply: false,
      isRepost: false,
      raw: stats ? { ...o, statistics: stats.statistics, ...(lang ? { video: { snippet: { defaultLanguage: snippet.defaultLanguage, defaultAudioLanguage: snippet.defaultAudioLanguage } } } : {}) } : o,
    },
  };
}

function parseApiCursor(cursor: string | null): ApiCursor {
  const fresh: ApiCursor = { v: 1, mode: 'api', uploads: null, newest: null, read: null, recent: [] };
  if (!cursor) return fresh;
  try {
    const c = JSON.parse(cursor) as Partial<ApiCursor>;
    if (c?.v === 1 && c.mode === 'api') return { ...fresh, ...c, recent: Array.isArray(c.recent) ? c.recent : [] };
  } catch {
    /* below */
  }
  // A feed cursor (the key was just set) or another kind: start over; re-reading is harmless.
  return fresh;
}

export function createYouTubeConnector(opts: YouTubeConnectorOptions = {}): Connector {
  const apiBase = (opts.apiBaseUrl ?? 'https://www.googleapis.com').replace(/\/+$/, '');
  const feedBase = (opts.feedBaseUrl ?? 'https://www.youtube.com').replace(/\/+$/, '');
  const window = opts.recheckWindowSeconds ?? GRAPH_RECHECK_WINDOW_S;
  const http = { timeoutMs: opts.timeoutMs, retries: opts.retries, backoffMs: opts.backoffMs, maxWaitMs: opts.maxWaitMs };

  async function api<T>(path: string, params: Record<string, string>, key: string, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${apiBase}/youtube/v3/${path}`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('key', key);
    const scope = keyScope(key);
    try {
      const { body } = await httpGetJson<T>({ platform: NAME, url: url.toString(), signal, scope, ...http });
      if (!body || typeof body !== 'object') throw new PlatformError(NAME, `${NAME}: an empty answer from ${path}`, { retryable: true });
      return body;
    } catch (e) {
      if (!(e instanceof PlatformError) || e instanceof RateLimitedError) throw e;
      if (e.status === 403 && /quota/i.test(e.message)) {
        const until = nextPacificMidnight(new Date());
        markRateLimited(scope, until);
        throw new RateLimitedError(NAME, until, scope, { status: 403, message: `${NAME}: daily API quota exceeded; paused until ${until.toISOString().slice(0, 16).replace('T', ' ')} UTC (midnight Pacific time)` });
      }
      if ((e.status === 400 || e.status === 403) && /API key|keyInvalid|API_KEY/i.test(e.message)) {
        throw new AuthError(NAME, `${NAME}: the API key is not valid or not allowed to use the YouTube Data API`, { status: e.status });
      }
      throw e;
    }
  }

  async function fetchFeed(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
    const url = `${feedBase}/feeds/videos.xml?channel_id=${encodeURIComponent(account.handle.trim())}`;
    const res = await httpGet({ platform: NAME, url, signal: ctx.signal, ...http });
    let mapped;
    try {
      mapped = mapYouTubeFeed(res.text);
    } catch (e) {
      throw new PlatformError(NAME, `${NAME}: the feed of channel ${account.handle} is malformed: ${(e as Error).message}`, { status: res.status, retryable: true });
    }
    const page: FetchPage = { posts: mapped.posts, nextCursor: JSON.stringify({ v: 1, mode: 'feed' }), done: true };
    if (mapped.rejected.length) page.rejected = mapped.rejected;
    return page;
  }

  async function fetchApi(account: ConnectorAccount, ctx: FetchContext, key: string): Promise<FetchPage> {
    const channel = account.handle.trim();
    const cursor = parseApiCursor(ctx.cursor);
    if (!cursor.uploads) {
      const body = await api<{ items?: Loose[] }>('channels', { part: 'contentDetails', id: channel }, key, ctx.signal);
      const uploads = body.items?.[0]?.contentDetails?.relatedPlaylists?.uploads;
      if (typeof uploads !== 'string' || !uploads) {
        throw new PlatformError(NAME, `${NAME}: no channel with id "${channel}" (the handle must be the channel id, UC…)`, { retryable: false });
      }
      cursor.uploads = uploads;
    }
    const nowS = Math.floor(ctx.now.getTime() / 1000);
    const since = cursor.read ? cursor.read.since : cursor.newest === null ? null : Math.min(cursor.newest - 1, nowS - window);
    const params: Record<string, string> = { part: 'snippet,contentDetails', playlistId: cursor.uploads, maxResults: String(YOUTUBE_PAGE_SIZE) };
    if (cursor.read) params.pageToken = cursor.read.pageToken;
    const list = await api<{ items?: unknown[]; nextPageToken?: string }>('playlistItems', params, key, ctx.signal);
    const kind = (list as Loose).kind;
    if (!Array.isArray(list.items) || (kind !== undefined && kind !== 'youtube#playlistItemListResponse')) {
      throw new PlatformError(NAME, `${NAME}: playlistItems.list answered ${JSON.stringify(kind ?? 'without items')} for the uploads of ${channel}`, { retryable: true });
    }
    const items = list.items;
    const ids = [...new Set(items.map((it) => (it as Loose)?.contentDetails?.videoId ?? (it as Loose)?.snippet?.resourceId?.videoId).filter((v): v is string => typeof v === 'string'))];
    const stats = new Map<string, Loose>();
    if (ids.length) {
      // snippet for defaultLanguage / defaultAudioLanguage (playlistItems have neither); a list call costs 1 unit whatever its parts.
      const v = await api<{ items?: Loose[] }>('videos', { part: 'snippet,statistics', id: ids.join(','), maxResults: String(YOUTUBE_PAGE_SIZE) }, key, ctx.signal);
      for (const s of v.items ?? []) if (typeof s?.id === 'string') stats.set(s.id, s);
    }
    const posts: ImportedPost[] = [];
    const rejected: RejectedRecord[] = [];
    const warnings: string[] = [];
    items.forEach((it, i) => {
      const m = mapPlaylistItem(it, stats.get((it as Loose)?.contentDetails?.videoId ?? (it as Loose)?.snippet?.resourceId?.videoId), i);
      if ('post' in m) posts.push(m.post);
      else if ('rejected' in m) rejected.push(m.rejected);
      else warnings.push(`video ${m.unavailable} is private or deleted: not imported`);
    });
    const times = posts.map((p) => Math.floor(p.postedAt.getTime() / 1000));
    const top = Math.max(cursor.read?.top ?? -Infinity, ...times);
    const seen = cursor.read?.seen ?? [];
    if (since !== null) for (const p of posts) seen.push(p.platformPostId);
    const recent = new Map(cursor.recent.map((r) => [r.id, r]));
    posts.forEach((p, i) => {
      if (times[i] >= nowS - window) recent.set(p.platformPostId, { id: p.platformPostId, t: times[i], miss: 0 });
    });
    const token = typeof list.nextPageToken === 'string' && list.nextPageToken ? list.nextPageToken : null;
    const passedSince = since !== null && times.some((t) => t < since);
    const extra = { ...(rejected.length ? { rejected } : {}), ...(warnings.length ? { warnings } : {}) };
    if (token && !passedSince) {
      if (token === cursor.read?.pageToken) {
        throw new PlatformError(NAME, `${NAME}: nextPageToken of the uploads of ${channel} repeats the page just read; the import resumes from this page on the next run`, { retryable: true });
      }
      const next: ApiCursor = { ...cursor, read: { pageToken: token, since, top: Number.isFinite(top) ? top : null, seen }, recent: [...recent.values()] };
      return { posts, nextCursor: JSON.stringify(next), done: false, ...extra };
    }
    const newest = Math.max(cursor.newest ?? -Infinity, top);
    if (since !== null) posts.push(...closeWindowRead(recent, new Set(seen), since));
    const next: ApiCursor = {
      ...cursor,
      newest: Number.isFinite(newest) ? newest : cursor.newest,
      read: null,
      recent: [...recent.values()].filter((r) => r.t >= nowS - window),
    };
    return { posts, nextCursor: JSON.stringify(next), done: true, ...extra };
  }

  return {
    platform: 'youtube',
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      ctx.signal?.throwIfAborted();
      if (!/^[A-Za-z0-9_-]{10,64}$/.test(account.handle.trim())) {
        throw new PlatformError(NAME, `${NAME}: "${account.handle}" is not a channel id (UC followed by 22 characters)`, { retryable: false });
      }
      const key = account.token || opts.apiKey;
      return key ? fetchApi(account, ctx, key) : fetchFeed(account, ctx);
    },
  };
}
