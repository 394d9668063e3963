import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoConnector } from '../../jobs/connectors/demo.ts';
import { FILE_PAGE_SIZE, fileConnector, parseIsoDate } from '../../jobs/connectors/file.ts';
import { connectors, getConnector } from '../../jobs/connectors/registry.ts';
import type { ConnectorAccount, FetchPage, ImportedPost } from '../../jobs/connectors/types.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/import');
const NOW = new Date('2026-11-24T13:20:00Z');

/** The page's refused records as `ref: reason` (they were warnings before issue 7). */
const refusals = (page: FetchPage) => page.rejected?.map((r) => `${r.ref}: ${r.reason}`);
const tmp = mkdtempSync(join(tmpdir(), 'mizan-file-connector-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const account = (path: unknown): ConnectorAccount => ({ id: 7, entityId: 1, platform: 'file', handle: 'DemoServicesBH', platformAccountId: null, type: 'official', config: { path } });
const fetch = (path: string, cursor: string | null = null) => fileConnector.fetchPage(account(path), { cursor, now: NOW });

async function fetchAll(path: string, cursor: string | null = null): Promise<{ pages: FetchPage[]; posts: ImportedPost[] }> {
  const pages: FetchPage[] = [];
  for (let i = 0; i < 100; i++) {
    const page = await fetch(path, cursor);
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) break;
  }
  return { pages, posts: pages.flatMap((p) => p.posts) };
}

describe('file connector: JSONL', () => {
  it('imports the good lines and reports the malformed ones with their line numbers', async () => {
    const page = await fetch(join(FIXTURES, 'posts.jsonl'));
    expect(page.done).toBe(true);
    expect(page.nextCursor).toBe('10');
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['1001', '1002', '1003', '1008', '1009']);
    expect(refusals(page)).toHaveLength(4);
    expect(refusals(page)![0]).toMatch(/^line 4: invalid JSON/);
    expect(refusals(page)![1]).toBe('line 6: missing id');
    expect(refusals(page)![2]).toBe('line 7: missing text');
    expect(refusals(page)![3]).toMatch(/^line 8: invalid posted_at "yesterday afternoon"/);
  });

  it('maps fields, with defaults, coercions and the parsed line as raw', async () => {
    const { posts } = await fetchAll(join(FIXTURES, 'posts.jsonl'));
    const [p1, p2, p3, p8, p9] = posts;
    expect(p1).toMatchObject({
      url: 'https://x.com/DemoServicesBH/status/1001',
      lang: 'ar',
      metrics: { likes: 120, shares: 14, replies: 6, views: 5400 },
      isReply: false,
      isRepost: false,
    });
    expect(p1.postedAt.toISOString()).toBe('2026-03-01T05:15:00.000Z');
    expect(p1.raw).toMatchObject({ id: '1001', likes: 120 });
    expect(p2).toMatchObject({ url: null, lang: 'en', metrics: { likes: 85, shares: 0, replies: 0, views: 0 } });
    expect(p3).toMatchObject({ isReply: true, lang: 'ar' }); // language guessed from the text
    expect(p8).toMatchObject({ isRepost: true, metrics: { views: 1200 } });
    expect(p8.postedAt.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(p9).toMatchObject({ platformPostId: '1009', lang: 'ar-BH' }); // the tag as given
    expect(p9.postedAt.toISOString()).toBe('2026-03-03T04:05:09.123Z');
    expect((p9.raw as { id: unknown }).id).toBe(1009);
  });

  it('pages by 1000 posts, resumes from the cursor and picks up appended lines', async () => {
    const path = join(tmp, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 1; i <= 2500; i++) {
      if (i === 1500) lines.push('{not json');
      else lines.push(JSON.stringify({ id: `p${i}`, text: `post ${i}`, posted_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() }));
    }
    writeFileSync(path, lines.join('\n') + '\n');
    const { pages, posts } = await fetchAll(path);
    expect(pages.map((p) => [p.posts.length, p.nextCursor, p.done])).toEqual([
      [FILE_PAGE_SIZE, '1000', false],
      [1000, '2001', false],
      [499, '2500', true],
    ]);
    expect(refusals(pages[1])).toEqual([expect.stringMatching(/^line 1500: invalid JSON/)]);
    expect(new Set(posts.map((p) => p.platformPostId)).size).toBe(2499);

    // Resuming from a cursor gives the rest, not what was already consumed.
    const resumed = await fetchAll(path, '2001');
    expect(resumed.posts.map((p) => p.platformPostId)).toEqual(posts.slice(2000).map((p) => p.platformPostId));

    // At the end: nothing new, same cursor.
    expect(await fetch(path, '2500')).toEqual({ posts: [], nextCursor: '2500', done: true });

    // A file that grows: only the new lines.
    appendFileSync(path, JSON.stringify({ id: 'p2501', text: 'late post', posted_at: '2026-02-01T00:00:00Z' }) + '\n');
    const more = await fetch(path, '2500');
    expect(more.posts.map((p) => p.platformPostId)).toEqual(['p2501']);
    expect(more.nextCursor).toBe('2501');
  });

  it('counts a last line without a trailing newline and skips blank lines', async () => {
    const path = join(tmp, 'no-newline.jsonl');
    writeFileSync(path, '\n{"id":"a","text":"x","posted_at":"2026-01-01T00:00:00Z"}\n\n{"id":"b","text":"y","posted_at":"2026-01-02T00:00:00Z"}');
    const page = await fetch(path);
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['a', 'b']);
    expect(refusals(page)).toBeUndefined();
    expect(page.nextCursor).toBe('4');
  });

  it('reports values that are not objects and bad optional fields', async () => {
    const path = join(tmp, 'odd.jsonl');
    writeFileSync(
      path,
      [
        '[1,2,3]',
        '"just a string"',
        JSON.stringify({ id: 'x1', text: 'ok', posted_at: '2026-01-01T10:00:00+03:00', likes: -1 }),
        JSON.stringify({ id: 'x2', text: 'ok', posted_at: '2026-01-01T10:00:00+03:00', url: 'javascript:alert(1)' }),
        JSON.stringify({ id: 'x3', text: '   ', posted_at: '2026-01-01T10:00:00+03:00' }), // kept: a post may have no text
        JSON.stringify({ id: 'x4', text: 'ok', posted_at: '2026-01-01T10:00:00+03:00', is_reply: 'maybe' }),
        JSON.stringify({ id: 'x5', text: 'ok', posted_at: '2026-01-01T10:00:00+03:00', is_reply: 'yes', likes: null }),
      ].join('\n'),
    );
    const page = await fetch(path);
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['x3', 'x5']);
    expect(page.posts[1]).toMatchObject({ isReply: true, metrics: { likes: 0 } });
    expect(refusals(page)).toEqual([
      'line 1: not a JSON object',
      'line 2: not a JSON object',
      'line 3: likes: must not be negative',
      'line 4: url: url must be an http(s) URL',
      'line 6: is_reply: must be true or false',
    ]);
  });
});

describe('file connector: CSV', () => {
  it('imports rows (also multi-line ones) and reports bad rows, the header being line 1', async () => {
    const page = await fetch(join(FIXTURES, 'posts.csv'));
    expect(page.done).toBe(true);
    expect(page.nextCursor).toBe('10');
    // Row 2004 has an empty text: kept (a photo without a caption is still a post).
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['2001', '2002', '2004', '2008']);
    expect(page.posts[2]).toMatchObject({ text: '', lang: null });
    expect(refusals(page)).toEqual([
      'line 5: missing id',
      'line 7: invalid posted_at "2026-02-31T10:00:00Z" (expected ISO 8601)',
      'line 8: likes: must be a number',
    ]);
    const [a, b, , c] = page.posts;
    expect(a).toMatchObject({ lang: 'ar', url: 'https://x.com/DemoServicesBH/status/2001', metrics: { likes: 40, shares: 5, replies: 2, views: 1800 }, isReply: false });
    expect(a.postedAt.toISOString()).toBe('2026-04-01T05:00:00.000Z');
    expect(b.text).toBe('Multi-line post:\nline two of the same post');
    expect(b).toMatchObject({ lang: 'en', url: null, isReply: false, isRepost: false });
    expect(c).toMatchObject({ text: 'Eid Mubarak, عيد مبارك', isRepost: true, metrics: { likes: 1000, views: 24000 } });
    expect(c.raw).toMatchObject({ id: '2008', likes: '1000', is_repost: '1' });
  });

  it('resumes after the consumed lines', async () => {
    const path = join(tmp, 'big.csv');
    const rows = ['ID,Text,Posted_At'];
    for (let i = 1; i <= 1200; i++) rows.push(`c${i},"row ${i}, with a comma",2026-05-01T00:00:00Z`);
    writeFileSync(path, rows.join('\r\n') + '\r\n');
    const first = await fetch(path);
    expect(first.posts).toHaveLength(1000);
    expect(first.nextCursor).toBe('1001');
    expect(first.done).toBe(false);
    const second = await fetch(path, first.nextCursor);
    expect(second.posts.map((p) => p.platformPostId)).toEqual(Array.from({ length: 200 }, (_, i) => `c${1001 + i}`));
    expect(second.posts[0].text).toBe('row 1001, with a comma');
    expect(second).toMatchObject({ nextCursor: '1201', done: true });
  });

  it('reports a quote that is never closed', async () => {
    const path = join(tmp, 'unclosed.csv');
    writeFileSync(path, 'id,text,posted_at\nq1,fine,2026-01-01T00:00:00Z\nq2,"never closed,2026-01-01T00:00:00Z\n');
    const page = await fetch(path);
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['q1']);
    expect(refusals(page)).toHaveLength(1);
    expect(refusals(page)![0]).toMatch(/^line \d+: .*quote/i);
  });
});

describe('file connector: errors', () => {
  it('throws a clear error for a missing file, a directory, or no path', async () => {
    const missing = join(tmp, 'nope.jsonl');
    await expect(fetch(missing)).rejects.toThrow(missing);
    await expect(fetch(missing)).rejects.toThrow(/no such file/);
    const dir = join(tmp, 'dir.jsonl');
    rmSync(dir, { recursive: true, force: true });
    await import('node:fs').then((fs) => fs.mkdirSync(dir));
    await expect(fetch(dir)).rejects.toThrow(/is not a file/);
    await expect(fileConnector.fetchPage(account(undefined), { cursor: null, now: NOW })).rejects.toThrow(/config\.path/);
    const txt = join(tmp, 'notes.txt');
    writeFileSync(txt, 'hello');
    await expect(fetch(txt)).rejects.toThrow(/looks like text starting with "hello".*Formats: jsonl/);
    await expect(fetch(join(FIXTURES, 'posts.jsonl'), 'abc')).rejects.toThrow(/cursor/);
  });

  it('parses ISO 8601 dates strictly', () => {
    expect(parseIsoDate('2026-03-01T08:15:00+03:00')?.toISOString()).toBe('2026-03-01T05:15:00.000Z');
    expect(parseIsoDate('2026-03-01T08:15:00+0300')?.toISOString()).toBe('2026-03-01T05:15:00.000Z');
    expect(parseIsoDate('2026-03-01T08:15')?.toISOString()).toBe('2026-03-01T08:15:00.000Z');
    expect(parseIsoDate('2026-03-01')?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(parseIsoDate('2026-02-29')).toBeNull();
    expect(parseIsoDate('01/03/2026')).toBeNull();
    expect(parseIsoDate('2026-13-01')).toBeNull();
    expect(parseIsoDate('')).toBeNull();
  });
});

describe('connector registry', () => {
  it('maps platforms to connectors and rejects unknown ones', () => {
    expect(connectors.demo).toBe(demoConnector);
    expect(connectors.file).toBe(fileConnector);
    expect(getConnector('file')).toBe(fileConnector);
    expect(getConnector('demo').platform).toBe('demo');
    expect(() => getConnector('tiktok')).toThrow(/unknown connector "tiktok".*demo, file/);
    expect(() => getConnector('toString')).toThrow(/unknown connector/);
  });
});
