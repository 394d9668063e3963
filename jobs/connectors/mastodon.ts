// Mastodon connector: GET /api/v1/accounts/lookup?acct=HANDLE on the account's instance (account.url), then
// GET /api/v1/accounts/:id/statuses (limit 40, nothing excluded). The first run backfills newest → oldest with max_id
// taken from the Link header's rel="next"; later runs read the newest page again (which also catches edits of the
// newest posts, since an edit keeps the id) and page back with max_id and since_id until the newest status already
// captured. The cursor (JSON) says where the next page starts; a page that does not fit it (a repeated or stale page) is
// read again rather than trusted, so a pass never ends early and skips statuses.
//
// Mapping: `content` is HTML: the text scored is its plain text (line breaks kept for <br> and paragraphs, tags
// removed, entities decoded), with spoiler_text (the content warning) before it; raw keeps the status with its HTML. A
// reblog is a repost scored on the reblogged status's text; edited_at is editedAt.
import { countOf, htmlToText, httpGetJson, parseIsoDateTime, PlatformError, sampleOf, secretTag, type HttpRequest } from './http.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';
import { closeWindowRead, type RecentPost } from './recheck.ts';

export const MASTODON_PAGE_SIZE = 40;

export interface MastodonStatus {
  id?: string;
  created_at?: string;
  edited_at?: string | null;
  in_reply_to_id?: string | null;
  in_reply_to_account_id?: string | null;
  sensitive?: boolean;
  spoiler_text?: string;
  visibility?: string;
  language?: string | null;
  uri?: string;
  url?: string | null;
  replies_count?: number;
  reblogs_count?: number;
  favourites_count?: number;
  quotes_count?: number;
  content?: string;
  reblog?: MastodonStatus | null;
  [k: string]: unknown;
}

interface MastodonCursor {
  v: 1;
  accountId: string;
  mode: 'backfill' | 'poll';
  /** max_id of the next page of this pass; null at the start of a pass. */
  maxId: string | null;
  /** poll: the newest status id captured before this pass. */
  sinceId: string | null;
  /** The newest id read in this pass (becomes sinceId when it ends). */
  top: string | null;
  /** The statuses of the newest page at the last read, to notice deletions (see recheck.ts). */
  recent?: RecentPost[];
}

export interface MastodonConnectorOptions {
  /** A token for every instance (rarely useful: tokens belong to one instance); an account's own token overrides it. */
  accessToken?: string | null;
  http?: Pick<HttpRequest, 'timeoutMs' | 'retries' | 'maxWaitMs' | 'backoffMs'>;
}

/** Mastodon ids are digit strings (sortable as numbers); other servers' flake ids sort as strings of one length. */
export function cmpStatusId(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
const isStatusId = (s: unknown): s is string => typeof s === 'string' && /^[A-Za-z0-9]{1,64}$/.test(s);
const newer = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : cmpStatusId(a, b) >= 0 ? a : b);

/** The max_id of a Link header's rel="next" (Mastodon pages with it). */
export function nextMaxId(link: string | null): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part.trim());
    if (m) {
      try {
        const id = new URL(m[1]).searchParams.get('max_id');
        if (id && isStatusId(id)) return id;
      } catch {
        /* not a URL */
      }
    }
  }
  return null;
}

/** The text scored for a status: the content warning, then the plain text of the HTML content. */
export function statusText(s: MastodonStatus): string {
  const body = typeof s.content === 'string' ? htmlToText(s.content) : '';
  const cw = typeof s.spoiler_text === 'string' ? s.spoiler_text.trim() : '';
  return cw && body ? `${cw}\n\n${body}` : cw || body;
}

export function mapStatus(s: MastodonStatus): ImportedPost | string {
  if (!s || typeof s !== 'object') return 'not an object';
  if (!isStatusId(s.id)) return s.id === undefined ? `no id (the record has ${Object.keys(s).slice(0, 8).join(', ') || 'no fields'})` : `id ${JSON.stringify(s.id)} is not a status id`;
  const postedAt = parseIsoDateTime(s.created_at);
  if (!postedAt) return s.created_at === undefined ? 'no created_at' : `created_at ${JSON.stringify(s.created_at)} is not a date`;
  const source = s.reblog && typeof s.reblog === 'object' ? s.reblog : s;
  const edited = source.edited_at ? parseIsoDateTime(source.edited_at) : null;
  if (source.edited_at && !edited) return `edited_at ${JSON.stringify(source.edited_at)} is not a date`;
  const likes = countOf(s.favourites_count);
  const reblogs = countOf(s.reblogs_count);
  const quotes = countOf(s.quotes_count);
  const replies = countOf(s.replies_count);
  if (likes === null || reblogs === null || quotes === null || replies === null) {
    return `counts are not whole non-negative numbers (favourites_count ${JSON.stringify(s.favourites_count)}, reblogs_count ${JSON.stringify(s.reblogs_count)}, replies_count ${JSON.stringify(s.replies_count)})`;
  }
  const lang = source.language ?? s.language;
  return {
    platformPostId: s.id,
    // A reblog has no page of its own (url null, uri the Announce activity): it links to the reblogged status.
    url: (typeof s.url === 'string' && s.url) || (source !== s && typeof source.url === 'string' && source.url) || (source !== s && typeof source.uri === 'string' && source.uri) || (typeof s.uri === 'string' && s.uri) || null,
    text: statusText(source),
    lang: typeof lang === 'string' && lang ? lang : null,
    postedAt,
    metrics: { likes, shares: reblogs + quotes, replies, views: 0 },
    isReply: s.in_reply_to_id !== null && s.in_reply_to_id !== undefined,
    isRepost: source !== s,
    editedAt: edited,
    raw: s,
    ref: `status ${s.id}`,
  };
}

/** The instance's base URL: account.url, else config.url, else the host of a handle written user@host. */
function instanceOf(account: ConnectorAccount): string {
  const fromConfig = typeof account.config?.url === 'string' ? account.config.url : null;
  const url = account.url || fromConfig;
  if (url) {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}`;
    } catch {
      throw new PlatformError('Mastodon', `Mastodon: the account's instance address ${JSON.stringify(url)} is not a URL`);
    }
  }
  const m = /^@?[^@\s]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})$/.exec(account.handle);
  if (m) return `https://${m[1]}`;
  throw new PlatformError('Mastodon', `Mastodon: account ${account.handle} has no instance address (register it with --url https://instance.example)`);
}

function parseCursor(raw: string | null): MastodonCursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(raw) as MastodonCursor;
    if (c && c.v === 1 && isStatusId(c.accountId) && (c.mode === 'backfill' || c.mode === 'poll')) {
      return {
        v: 1,
        accountId: c.accountId,
        mode: c.mode,
        maxId: isStatusId(c.maxId) ? c.maxId : null,
        sinceId: isStatusId(c.sinceId) ? c.sinceId : null,
        top: isStatusId(c.top) ? c.top : null,
        recent: Array.isArray(c.recent)
          ? c.recent.filter((r) => r && isStatusId(r.id) && Number.isFinite(r.t) && Number.isInteger(r.miss)).map((r) => ({ id: r.id, t: r.t, miss: r.miss }))
          : [],
      };
    }
  } catch {
    /* below */
  }
  return null;
}

export function createMastodonConnector(opts: MastodonConnectorOptions = {}): Connector {
  return {
    platform: 'mastodon',
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      const instance = instanceOf(account);
      const host = new URL(instance).host;
      const token = account.token || opts.accessToken || null;
      const request = (url: string): HttpRequest => ({
        platform: 'Mastodon',
        url,
        headers: token ? { authorization: `Bearer ${token}`, accept: 'application/json' } : { accept: 'application/json' },
        signal: ctx.signal,
        // Mastodon limits per account (with a token) or per IP (without), on each instance.
        scope: `mastodon:${host}${token ? `:${secretTag(token)}` : ''}`,
        ...opts.http,
      });
      const warnings: string[] = [];
      let cursor = parseCursor(ctx.cursor);
      if (ctx.cursor && !cursor) warnings.push('the stored cursor could not be read; reading the statuses again from the newest');
      if (!cursor) {
        let accountId = account.platformAccountId && isStatusId(account.platformAccountId) ? account.platformAccountId : null;
        if (!accountId) {
          const acct = account.handle.replace(/^@/, '').replace(new RegExp(`@${host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i'), '');
          const { body } = await httpGetJson<{ id?: string; acct?: string }>(request(`${instance}/api/v1/accounts/lookup?acct=${encodeURIComponent(acct)}`));
          if (!body || !isStatusId(body.id)) throw new PlatformError('Mastodon', `Mastodon: no account id for ${acct} on ${host}`, { status: 200 });
          accountId = body.id;
        }
        cursor = { v: 1, accountId, mode: 'backfill', maxId: null, sinceId: null, top: null };
      }
      const c = cursor;
      const params = new URLSearchParams({ limit: String(MASTODON_PAGE_SIZE) });
      // A poll's first page is the newest page (edits of recent statuses show there); the next pages stop at since_id.
      if (c.maxId) params.set('max_id', c.maxId);
      if (c.mode === 'poll' && c.maxId && c.sinceId) params.set('since_id', c.sinceId);
      const url = `${instance}/api/v1/accounts/${encodeURIComponent(c.accountId)}/statuses?${params}`;

      let statuses: MastodonStatus[] = [];
      let link: string | null = null;
      for (let attempt = 1; ; attempt++) {
        const { body, response } = await httpGetJson<MastodonStatus[]>(request(url));
        if (!Array.isArray(body)) {
          const got = body === undefined ? 'an empty answer' : `a ${typeof body === 'object' && body ? 'JSON object' : typeof body}`;
          throw new PlatformError('Mastodon', `Mastodon: expected a list of statuses from /api/v1/accounts/${c.accountId}/statuses, got ${got}`, { status: response.status, retryable: true });
        }
        const ids = body.map((s) => s?.id).filter(isStatusId);
        const stale = ids.find((id) => (c.maxId && cmpStatusId(id, c.maxId) >= 0) || (params.has('since_id') && cmpStatusId(id, c.sinceId!) <= 0));
        if (!stale) {
          statuses = body;
          link = response.headers.get('link');
          break;
        }
        if (attempt >= 3) {
          throw new PlatformError('Mastodon', `Mastodon: the page before status ${c.maxId} repeats status ${stale} already read (${attempt} attempts); the next run reads it again`, { status: 200, retryable: true });
        }
      }

      const posts: ImportedPost[] = [];
      const rejected: RejectedRecord[] = [];
      let top = c.top;
      let oldest: string | null = null;
      let reachedSeen = false;
      statuses.forEach((s, i) => {
        if (s && isStatusId(s.id)) {
          top = newer(top, s.id);
          if (oldest === null || cmpStatusId(s.id, oldest) < 0) oldest = s.id;
          if (c.mode === 'poll' && c.sinceId && cmpStatusId(s.id, c.sinceId) <= 0) reachedSeen = true;
        }
        const mapped = mapStatus(s);
        if (typeof mapped === 'string') rejected.push({ ref: s && typeof s.id === 'string' ? `status ${s.id}` : `item ${i + 1} of the page`, reason: mapped, sample: sampleOf(s) });
        else posts.push(mapped);
      });
      // The newest page is read again at every poll: a status of it that two reads in a row no longer
      // return was deleted (only statuses still inside the page's time span are judged).
      let recent = c.recent ?? [];
      if (!c.maxId) {
        const window = new Map(recent.map((r) => [r.id, { ...r }]));
        const times = posts.map((p) => Math.floor(p.postedAt.getTime() / 1000));
        const since = statuses.length >= MASTODON_PAGE_SIZE && times.length ? Math.min(...times) : 0;
        posts.push(...closeWindowRead(window, new Set(posts.map((p) => p.platformPostId)), since));
        for (const p of posts) if (!p.deleted) window.set(p.platformPostId, { id: p.platformPostId, t: Math.floor(p.postedAt.getTime() / 1000), miss: 0 });
        recent = [...window.values()].filter((r) => r.t >= since);
      }
      const nextId = statuses.length ? (nextMaxId(link) ?? oldest) : null;
      const more = statuses.length > 0 && nextMaxId(link) !== null && !reachedSeen;
      const next: MastodonCursor = more
        ? { ...c, maxId: nextId, top, recent }
        : { v: 1, accountId: c.accountId, mode: 'poll', maxId: null, sinceId: newer(c.sinceId, top), top: null, recent };
      const page: FetchPage = { posts, nextCursor: JSON.stringify(next), done: !more };
      if (warnings.length) page.warnings = warnings;
      if (rejected.length) page.rejected = rejected;
      return page;
    },
  };
}
