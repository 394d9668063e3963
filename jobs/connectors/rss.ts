// RSS 2.0, Atom and RDF (RSS 1.0) feeds: any entity's news feed. The feed URL is the account's url.
//
// Each fetch is a conditional GET (the ETag and Last-Modified of the last answer are in the cursor; a 304 is a page
// with no posts). The body is decoded from bytes with the encoding the document declares (BOM, then the XML
// declaration, then the HTTP charset, else UTF-8), fatally: bytes that are not that encoding fail the fetch with a
// message, as does a document that is not well-formed XML (cut off, an unclosed CDATA section). The XML is read by
// feedsmith (RSS, Atom, RDF and their namespaces); items are deduplicated by guid, id or link; dates are RFC 822
// (with named or numeric zones) or RFC 3339; HTML bodies become plain text for scoring (the HTML stays in raw); the
// language is the item's, else the feed's, as given.
import { TextDecoder } from 'node:util';
import { convert } from 'html-to-text';
import { decodeHTMLStrict } from 'entities';
import { XMLValidator } from 'fast-xml-parser';
import { DetectError, parseFeed } from 'feedsmith';
import { parseIsoDate } from './file.ts';
import { AuthError, PlatformError, RateLimitedError, markRateLimited, parseRateLimit, rateLimitPause, redact } from './http.ts';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';

const NAME = 'RSS';
export const RSS_MAX_BYTES = 20 * 1024 * 1024;

export interface RssConnectorOptions {
  /** Per attempt; default 20 s. */
  timeoutMs?: number;
  /** Further attempts after a network error, a 5xx or a malformed document; default 2. */
  retries?: number;
  /** Base of the exponential backoff; default 500 ms. */
  backoffMs?: number;
  /** Longest wait for a 429's reset inside one fetch; default 60 s. */
  maxWaitMs?: number;
  userAgent?: string;
}

interface RssCursor {
  v: 1;
  etag: string | null;
  lastModified: string | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates.

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 };
const RFC822 = /^\s*(?:[A-Za-z]{2,},?\s*)?(\d{1,2})[\s-]+([A-Za-z]{3,})\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d{2}):?(\d{2})|([A-Za-z]{1,5}))?\s*$/;

/**
 * An RFC 822/1123/5322 date ("Tue, 17 Nov 2026 09:30:00 +0300", "GMT", "EST", a military letter, two-digit years, a
 * trailing comment "(AST)") or RFC 3339; else null.
 */
export function parseFeedDate(s: string | undefined | null): Date | null {
  if (typeof s !== 'string' || !s.trim()) return null;
  // RFC 5322 (2822) allows a comment after the zone ("+0300 (AST)"): it says nothing the offset does not.
  const m = RFC822.exec(s.replace(/\s*\([^()]*\)\s*$/, ''));
  if (m) {
    const [, d, mon, y, hh, mm, ss, sign, oh, om, zone] = m;
    const month = MONTHS[mon.slice(0, 3).toLowerCase()];
    if (month === undefined) return null;
    let year = Number(y);
    if (y.length === 2) year += year < 50 ? 2000 : 1900;
    let offset = 0;
    if (sign) offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
    else if (zone) {
      // RFC 822's military zones (one letter, J unused) had their signs reversed: RFC 5322 §4.3 says to read them
      // as -0000 (UTC).
      const z = ZONES[zone.toLowerCase()] ?? (/^[a-ik-z]$/i.test(zone) ? 0 : undefined);
      if (z === undefined) return null;
      offset = z;
    }
    const day = Number(d);
    const check = new Date(Date.UTC(year, month, day));
    if (check.getUTCMonth() !== month || check.getUTCDate() !== day || Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 60) return null;
    return new Date(Date.UTC(year, month, day, Number(hh), Number(mm), Number(ss ?? 0)) - offset * 60_000);
  }
  return parseIsoDate(s);
}

// ---------------------------------------------------------------------------------------------------------------
// Text.

const HEADINGS = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

/** HTML to the plain text a reader sees: entities decoded, no link targets or images, paragraphs on their own lines. */
export function htmlToPlainText(html: string): string {
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'table', format: 'block' },
      { selector: 'th', format: 'inline' },
      ...HEADINGS,
    ],
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const LOOKS_HTML = /<\/?[a-zA-Z][^>]*>|&(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);/;
/** A text that may be HTML or carry entities (titles often do): plain text. */
const plain = (s: string, isHtml: boolean) => (isHtml || /<\/?[a-zA-Z][^>]*>/.test(s) ? htmlToPlainText(s) : LOOKS_HTML.test(s) ? decodeHTMLStrict(s) : s).trim();

// ---------------------------------------------------------------------------------------------------------------
// Bytes to a document.

/** The encoding a feed declares: BOM, XML declaration, HTTP charset, else UTF-8. */
export function declaredEncoding(bytes: Uint8Array, contentType: string | null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  const head = Buffer.from(bytes.subarray(0, 300)).toString('latin1');
  const decl = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  if (decl) return decl[1].toLowerCase();
  const cs = contentType ? /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType) : null;
  return cs ? cs[1].toLowerCase() : 'utf-8';
}

/** Decodes a feed's bytes with its declared encoding; throws a message naming the problem. */
export function decodeFeed(bytes: Uint8Array, contentType: string | null): string {
  const encoding = declaredEncoding(bytes, contentType);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new Error(`the feed declares the encoding "${encoding}", which is not one this server can decode`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    // Name the first bad byte: where a reader of the file would look.
    let at = -1;
    if (decoder.encoding === 'utf-8') {
      for (let lo = 0, hi = bytes.length; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
          lo = mid + 1;
          at = mid;
        } catch {
          hi = mid;
        }
      }
    }
    const where = at >= 0 ? ` (near byte ${at})` : '';
    throw new Error(`the feed's bytes are not valid ${decoder.encoding}, the encoding it declares${where}`);
  }
}

// A bare "&" (AT&T) is common in real feeds and not worth refusing a feed for: it is escaped before reading,
// outside CDATA sections.
const BARE_AMP = /(<!\[CDATA\[[\s\S]*?\]\]>)|&(?!(?:[a-zA-Z][a-zA-Z0-9]*|#\d+|#x[0-9a-fA-F]+);)/g;

/** Checks the document is well-formed XML (a feed cut off or with a broken CDATA section is refused); returns it ready for the parser. */
export function checkFeedXml(text: string): string {
  const body = text.replace(/^\uFEFF/, '');
  // A CDATA section that is not closed swallows the markup up to the next section's end: name it, not what follows.
  for (let at = body.indexOf('<![CDATA['); at >= 0; ) {
    const close = body.indexOf(']]>', at + 9);
    const nextOpen = body.indexOf('<![CDATA[', at + 9);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      const line = body.slice(0, at).split('\n').length;
      throw new Error(`a CDATA section opened on line ${line} is never closed`);
    }
    at = body.indexOf('<![CDATA[', close + 3);
  }
  const fixed = body.replace(BARE_AMP, (m, cdata: string | undefined) => cdata ?? '&amp;');
  const v = XMLValidator.validate(fixed, { allowBooleanAttributes: true });
  if (v !== true) {
    const unclosed = /^Invalid '\[(.*)\]' found\.$/s.exec(v.err.msg);
    if (unclosed) {
      const tags = unclosed[1]
        .split(',')
        .map((t) => t.trim().replace(/^"|"$/g, ''))
        .filter(Boolean);
      throw new Error(`the document is cut off: ${tags.map((t) => `<${t}>`).join(', ')} never closed`);
    }
    throw new Error(`not well-formed XML at line ${v.err.line}, column ${v.err.col}: ${v.err.msg}`);
  }
  return fixed;
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping.

type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const first = <T>(a: T[] | undefined): T | undefined => (Array.isArray(a) && a.length ? a[0] : undefined);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

interface FeedItem {
  ref: string;
  id: string | null;
  link: string | null;
  title: string;
  body: string;
  date: string | null;
  lang: string | null;
  raw: unknown;
}

function atomText(t: Loose | undefined): { text: string; html: boolean } {
  if (!t || typeof t.value !== 'string') return { text: '', html: false };
  return { text: t.value, html: t.type === 'html' || t.type === 'xhtml' };
}

/** An Atom entry (as the feed parser gives it) in the one item shape. */
function atomItem(e: Loose, i: number): FeedItem {
  const links = (e.links ?? []) as Loose[];
  const link = str((links.find((l) => !l.rel || l.rel === 'alternate') ?? links[0])?.href);
  const title = atomText(e.title);
  const content = e.content && typeof e.content.value === 'string' ? atomText(e.content) : atomText(e.summary);
  const mediaDesc = str(first((e.media?.groups ?? []) as Loose[])?.description?.value);
  return {
    ref: `entry ${i + 1} of the feed`,
    id: str(e.id),
    link,
    title: plain(title.text, title.html),
    body: content.text ? plain(content.text, content.html || content.text.trimStart().startsWith('<')) : mediaDesc ? plain(mediaDesc, false) : '',
    date: str(e.published) ?? str(e.updated) ?? str(first(e.dc?.dates)),
    lang: str(e.xml?.lang) ?? str(e.content?.xml?.lang) ?? str(first(e.dc?.languages)),
    raw: e,
  };
}

/** An RSS 2.0 or RDF item (as the feed parser gives it) in the one item shape. */
function rssItem(it: Loose, i: number): FeedItem {
  const encoded = str(it.content?.encoded);
  const description = str(it.description);
  return {
    ref: `item ${i + 1} of the feed`,
    id: str(it.guid?.value) ?? str(it.rdf?.about) ?? str(it.atom?.id),
    // A guid is a permalink unless isPermaLink="false" (RSS 2.0: the attribute defaults to true): the item's
    // address when it has no <link>.
    link: str(it.link) ?? (it.guid?.isPermaLink !== false && /^https?:\/\//i.test(str(it.guid?.value) ?? '') ? str(it.guid?.value) : null),
    title: plain(typeof it.title === 'string' ? it.title : '', false),
    // Descriptions are HTML in practice (escaped or in CDATA) even where the spec says text.
    body: encoded ? plain(encoded, true) : description ? plain(description, true) : '',
    date: str(it.pubDate) ?? str(first(it.dc?.dates)) ?? str(it.atom?.published) ?? str(it.atom?.updated),
    lang: str(first(it.dc?.languages)) ?? str(it.xml?.lang),
    raw: it,
  };
}

/** The items of a parsed feed in one shape, and the feed's own language. */
function itemsOf(parsed: ReturnType<typeof parseFeed>): { items: FeedItem[]; lang: string | null } {
  const f = parsed.feed as Loose;
  if (parsed.format === 'atom') {
    return { lang: str(f.xml?.lang) ?? str(first(f.dc?.languages)), items: ((f.entries ?? []) as Loose[]).map(atomItem) };
  }
  if (parsed.format === 'rss' || parsed.format === 'rdf') {
    return { lang: str(f.language) ?? str(first(f.dc?.languages)) ?? str(f.xml?.lang), items: ((f.items ?? []) as Loose[]).map(rssItem) };
  }
  throw new Error(`a JSON Feed, not RSS, Atom or RDF`);
}

/** A title and a body as one text: the title first unless the body already starts with it. */
const itemText = (it: FeedItem) => (it.title && it.body && !it.body.startsWith(it.title) ? `${it.title}\n${it.body}` : it.body || it.title);

/**
 * What a feed post keeps as its raw payload: the parsed item and the language it falls back to (the feed's, or the
 * HTTP Content-Language), so that `remap` can map it again without the feed.
 */
export interface StoredFeedItem {
  format: string;
  item: unknown;
  /** Absent on posts captured before it was kept. */
  fallbackLang?: string | null;
}

/**
 * Maps a stored feed item again (`npm run cli -- remap`): the same item shape, id, text and language as the import.
 * `postedAt` is the item's date or null for an undated item (the store keeps the date of its first capture).
 */
export function mapStoredFeedItem(raw: unknown): ImportedPost | string {
  const r = (raw ?? {}) as Partial<StoredFeedItem>;
  if (!r.item || typeof r.item !== 'object') return 'the raw payload has no feed item';
  if (r.format !== 'atom' && r.format !== 'rss' && r.format !== 'rdf') return `a stored ${JSON.stringify(r.format)} item, not RSS, Atom or RDF`;
  const it = (r.format === 'atom' ? atomItem : rssItem)(r.item as Loose, 0);
  const id = it.id ?? it.link;
  if (!id) return 'no guid, id or link';
  const postedAt = it.date ? parseFeedDate(it.date) : null;
  if (it.date && !postedAt) return `date ${JSON.stringify(it.date)} is neither RFC 822 nor RFC 3339`;
  return {
    platformPostId: id,
    url: it.link,
    text: itemText(it),
    lang: it.lang ?? r.fallbackLang ?? null,
    postedAt: postedAt ?? new Date(0),
    metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
    isReply: false,
    isRepost: false,
    raw,
  };
}

/** Maps a feed document (already decoded and checked) to posts; records without an id or a valid date are rejected. */
export function mapFeedDocument(xml: string, ctx: { now: Date; httpLang?: string | null }): { posts: ImportedPost[]; rejected: RejectedRecord[]; warnings: string[]; format: string } {
  let parsed: ReturnType<typeof parseFeed>;
  try {
    parsed = parseFeed(xml);
  } catch (e) {
    const start = xml.replace(/^\s*<\?xml[^>]*>\s*/, '').slice(0, 60).replace(/\s+/g, ' ');
    if (e instanceof DetectError) throw new Error(`not an RSS, Atom or RDF feed (it starts with ${JSON.stringify(start)})`);
    throw new Error(`not a readable feed: ${(e as Error).message}${(e as Error).cause ? ` (${((e as Error).cause as Error).message})` : ''}`);
  }
  const { items, lang: feedLang } = itemsOf(parsed);
  const posts: ImportedPost[] = [];
  const rejected: RejectedRecord[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const sample = (v: unknown) => (JSON.stringify(v) ?? '').slice(0, 500);
  for (const it of items) {
    const id = it.id ?? it.link;
    if (!id) {
      rejected.push({ ref: it.ref, reason: `no guid, id or link (the item has ${Object.keys(it.raw as object).join(', ') || 'nothing'})`, sample: sample(it.raw) });
      continue;
    }
    if (seen.has(id)) {
      warnings.push(`${it.ref} repeats ${JSON.stringify(id)}: the first one is kept`);
      continue;
    }
    seen.add(id);
    let postedAt: Date | null = null;
    if (it.date) {
      postedAt = parseFeedDate(it.date);
      if (!postedAt) {
        rejected.push({ ref: `${it.ref} (${id})`, reason: `date ${JSON.stringify(it.date)} is neither RFC 822 nor RFC 3339`, sample: sample(it.raw) });
        continue;
      }
    } else {
      // An undated item is still a publication: it is dated by its first capture (the store keeps that date).
      postedAt = ctx.now;
      warnings.push(`${it.ref} (${id}) has no date: dated by its capture`);
    }
    const fallbackLang = feedLang ?? ctx.httpLang ?? null;
    posts.push({
      platformPostId: id,
      url: it.link,
      text: itemText(it),
      lang: it.lang ?? fallbackLang,
      postedAt,
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: { format: parsed.format, item: it.raw, fallbackLang } satisfies StoredFeedItem,
      ref: `${it.ref} (${id.length > 100 ? `${id.slice(0, 100)}…` : id})`,
    });
  }
  return { posts, rejected, warnings, format: parsed.format };
}

// ---------------------------------------------------------------------------------------------------------------
// Fetching.

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, Math.max(0, ms));
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

interface FeedResponse {
  status: number;
  bytes: Uint8Array;
  headers: Headers;
}

/** A GET that keeps the body's bytes (the shared client decodes to text, and a feed must be decoded by its own declaration). */
async function getFeed(url: string, headers: Record<string, string>, opts: Required<Omit<RssConnectorOptions, 'userAgent'>>, signal: AbortSignal | undefined, shown: string): Promise<FeedResponse> {
  const scope = `rss:${new URL(url).host}`;
  let problem = '';
  for (let attempt = 0; ; attempt++) {
    const until = rateLimitPause(scope);
    if (until) {
      const wait = until.getTime() - Date.now();
      if (wait > opts.maxWaitMs || attempt > opts.retries) throw new RateLimitedError(NAME, until, scope);
      await sleep(wait + 20, signal);
    }
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    try {
      const res = await fetch(url, { headers, redirect: 'follow', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      const declared = Number(res.headers.get('content-length') ?? 0);
      if (declared > RSS_MAX_BYTES) throw new PlatformError(NAME, `${NAME}: the feed ${shown} is larger than ${RSS_MAX_BYTES} bytes`, { status: res.status });
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length > RSS_MAX_BYTES) throw new PlatformError(NAME, `${NAME}: the feed ${shown} is larger than ${RSS_MAX_BYTES} bytes`, { status: res.status });
      if ((res.status >= 200 && res.status < 300) || res.status === 304) return { status: res.status, bytes, headers: res.headers };
      const now = new Date();
      if (res.status === 429) {
        const rl = parseRateLimit(res.headers, now);
        markRateLimited(scope, rl.resetAt && rl.resetAt > now ? rl.resetAt : new Date(now.getTime() + 60_000));
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new AuthError(NAME, `${NAME}: HTTP ${res.status} for the feed ${shown} (the server refuses to serve it)`, { status: res.status });
      if (res.status >= 500 && attempt < opts.retries) {
        problem = `HTTP ${res.status}`;
        await sleep(Math.random() * opts.backoffMs * 2 ** attempt, signal);
        continue;
      }
      const hint = res.status === 404 || res.status === 410 ? ' (check the account\'s feed URL)' : '';
      throw new PlatformError(NAME, `${NAME}: HTTP ${res.status} for the feed ${shown}${res.status >= 500 ? ` after ${attempt + 1} attempts` : ''}${hint}`, {
        status: res.status,
        retryable: res.status >= 500,
      });
    } catch (e) {
      if (e instanceof PlatformError) throw e;
      if (signal?.aborted) throw new PlatformError(NAME, `${NAME}: fetching the feed ${shown} was cancelled${problem ? ` (after ${problem})` : ''}`);
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      problem = timeout.aborted ? `no answer within ${opts.timeoutMs / 1000} s` : `connection failed (${cause ?? (e as Error).message})`;
      if (attempt >= opts.retries) throw new PlatformError(NAME, `${NAME}: ${problem} from the feed ${shown} after ${attempt + 1} attempts`, { retryable: true });
      await sleep(Math.random() * opts.backoffMs * 2 ** attempt, signal);
    }
  }
}

function parseCursor(cursor: string | null): RssCursor {
  if (!cursor) return { v: 1, etag: null, lastModified: null };
  try {
    const c = JSON.parse(cursor) as Partial<RssCursor>;
    if (c && c.v === 1) return { v: 1, etag: c.etag ?? null, lastModified: c.lastModified ?? null };
  } catch {
    /* below */
  }
  // A cursor of another kind: read the feed whole again (harmless: posts are upserted by id).
  return { v: 1, etag: null, lastModified: null };
}

export function feedUrlOf(account: ConnectorAccount): string | null {
  const candidates = [account.url, account.config?.url, account.handle];
  for (const c of candidates) if (typeof c === 'string' && /^https?:\/\//i.test(c.trim()) && URL.canParse(c.trim())) return c.trim();
  return null;
}

export function createRssConnector(options: RssConnectorOptions = {}): Connector {
  const opts = {
    timeoutMs: options.timeoutMs ?? 20_000,
    retries: options.retries ?? 2,
    backoffMs: options.backoffMs ?? 500,
    maxWaitMs: options.maxWaitMs ?? 60_000,
  };
  const userAgent = options.userAgent ?? 'Mizan/0.1 (feed reader)';
  return {
    platform: 'rss',
    async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
      ctx.signal?.throwIfAborted();
      const url = feedUrlOf(account);
      if (!url) throw new PlatformError(NAME, `${NAME}: account ${account.id} (${account.handle}) has no feed URL (set its url)`, { retryable: false });
      const u = new URL(url);
      const shown = redact(`${u.host}${u.pathname}`);
      const cursor = parseCursor(ctx.cursor);
      const headers: Record<string, string> = {
        'user-agent': userAgent,
        accept: 'application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
      };
      if (cursor.etag) headers['if-none-match'] = cursor.etag;
      if (cursor.lastModified) headers['if-modified-since'] = cursor.lastModified;

      for (let attempt = 0; ; attempt++) {
        const res = await getFeed(url, headers, opts, ctx.signal, shown);
        if (res.status === 304) return { posts: [], nextCursor: JSON.stringify(cursor), done: true };
        let mapped: ReturnType<typeof mapFeedDocument>;
        try {
          const xml = checkFeedXml(decodeFeed(res.bytes, res.headers.get('content-type')));
          mapped = mapFeedDocument(xml, { now: ctx.now, httpLang: res.headers.get('content-language') });
        } catch (e) {
          // A document cut off by a server error may come whole on a second try; a feed that stays bad fails the fetch.
          if (attempt < opts.retries) {
            await sleep(Math.random() * opts.backoffMs * 2 ** attempt, ctx.signal);
            continue;
          }
          throw new PlatformError(NAME, `${NAME}: the feed ${shown} is malformed: ${(e as Error).message}`, { status: res.status, retryable: true });
        }
        const next: RssCursor = { v: 1, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
        const page: FetchPage = { posts: mapped.posts, nextCursor: JSON.stringify(next), done: true };
        if (mapped.rejected.length) page.rejected = mapped.rejected;
        if (mapped.warnings.length) page.warnings = mapped.warnings;
        return page;
      }
    },
  };
}
