// A fake feed server on 127.0.0.1: fixed documents (test/fixtures/platforms/rss) or an RSS 2.0 feed rendered from a
// timeline the test controls, with ETag/Last-Modified and 304 answers to conditional GETs, and faults taken one per
// request from a queue: statuses (429 with Retry-After, 5xx), delays, connection resets, a document cut off, a broken
// CDATA section, bytes that are not the declared encoding.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve, type FakeEnv } from './serve.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'platforms', 'rss');
export const rssFixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

export interface FeedItemSpec {
  guid: string;
  title: string;
  /** HTML body, served in CDATA. */
  html: string;
  /** RFC 822 */
  pubDate: string;
  link?: string;
}

export interface FeedSpec {
  /** A timeline rendered as RSS 2.0 … */
  items?: FeedItemSpec[];
  lang?: string;
  /** … or a fixed document. */
  body?: Uint8Array | string;
  contentType?: string;
}

export type FeedFault =
  | { type: 'none' }
  | { type: 'status'; status: number; retryAfter?: string }
  | { type: 'delay'; ms: number }
  | { type: 'reset' }
  | { type: 'truncate' }
  | { type: 'brokenCdata' }
  | { type: 'badBytes' };

export interface FakeFeeds {
  url: string;
  feeds: Map<string, FeedSpec>;
  faults: FeedFault[];
  requests: { path: string; ifNoneMatch: string | null; ifModifiedSince: string | null; status: number }[];
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderRss(items: FeedItemSpec[], lang = 'ar'): string {
  const body = items
    .map(
      (it) => `    <item>
      <title>${xmlEscape(it.title)}</title>
      <link>${xmlEscape(it.link ?? `https://news.gov.example/${encodeURIComponent(it.guid)}`)}</link>
      <guid isPermaLink="false">${xmlEscape(it.guid)}</guid>
      <pubDate>${it.pubDate}</pubDate>
      <description><![CDATA[${it.html}]]></description>
    </item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>أخبار الجهة</title>
    <link>https://news.gov.example/</link>
    <description>آخر الأخبار</description>
    <language>${lang}</language>
${body}
  </channel>
</rss>
`;
}

export async function startFakeFeeds(): Promise<FakeFeeds> {
  const state = { feeds: new Map<string, FeedSpec>(), faults: [] as FeedFault[], requests: [] as FakeFeeds['requests'] };
  const app = new Hono<FakeEnv>();
  app.get('/feeds/:name', async (c) => {
    const spec = state.feeds.get(c.req.param('name'));
    const log = (status: number) =>
      state.requests.push({ path: new URL(c.req.url).pathname, ifNoneMatch: c.req.header('if-none-match') ?? null, ifModifiedSince: c.req.header('if-modified-since') ?? null, status });
    const fault = state.faults.shift();
    if (fault?.type === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'reset') {
      log(0);
      c.env.incoming.socket.destroy();
      return new Response(null);
    }
    if (fault?.type === 'status') {
      log(fault.status);
      return c.body('<html><body>unavailable</body></html>', fault.status as 503, { 'content-type': 'text/html', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
    }
    if (!spec) {
      log(404);
      return c.body('<html><body>Not found</body></html>', 404, { 'content-type': 'text/html' });
    }
    let bytes: Uint8Array = spec.body !== undefined ? (typeof spec.body === 'string' ? Buffer.from(spec.body) : spec.body) : Buffer.from(renderRss(spec.items ?? [], spec.lang));
    const etag = `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`;
    const lastModified = 'Thu, 19 Nov 2026 10:00:00 GMT';
    if (c.req.header('if-none-match') === etag) {
      log(304);
      return c.body(null, 304, { etag, 'last-modified': lastModified });
    }
    if (fault?.type === 'truncate') bytes = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    if (fault?.type === 'brokenCdata') {
      const s = Buffer.from(bytes).toString('utf8');
      bytes = Buffer.from(s.replace(']]>', ''));
    }
    if (fault?.type === 'badBytes') {
      // "الصحة" in windows-1256 inside a document that declares UTF-8.
      const s = Buffer.from(bytes).toString('utf8');
      const at = s.indexOf('</title>');
      bytes = Buffer.concat([Buffer.from(s.slice(0, at)), Buffer.from([0xc7, 0xe1, 0xd5, 0xcd, 0xc9]), Buffer.from(s.slice(at))]);
    }
    log(200);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': spec.contentType ?? 'application/rss+xml', etag, 'last-modified': lastModified });
  });
  const served = await serve(app);
  return Object.assign(state, { url: served.url, close: served.close });
}
