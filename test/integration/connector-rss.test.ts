// RSS 2.0, Atom and RDF feeds through the real import path against a fake feed server: fixtures in each format
// (Arabic right-to-left, CDATA, entities, RFC 822 and RFC 3339 dates, windows-1256), conditional GETs, a timeline
// that changes between polls, transient faults that are retried, and malformed feeds that fail their own account
// with a message while the others import.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import { createRssConnector, parseFeedDate } from '../../jobs/connectors/rss.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts, type ImportResult } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { rssFixture, startFakeFeeds, type FakeFeeds, type FeedItemSpec } from '../fakes/rss.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();

test('feed dates: RFC 822 with numeric and named zones, two-digit years, RFC 3339 with offsets', () => {
  expect(parseFeedDate('Thu, 19 Nov 2026 09:30:00 +0300')?.toISOString()).toBe('2026-11-19T06:30:00.000Z');
  expect(parseFeedDate('19 Nov 2026 09:30 GMT')?.toISOString()).toBe('2026-11-19T09:30:00.000Z');
  expect(parseFeedDate('Tue, 17 Nov 2026 14:15 EST')?.toISOString()).toBe('2026-11-17T19:15:00.000Z');
  expect(parseFeedDate('Sun, 01 Mar 26 00:00:00 -0130')?.toISOString()).toBe('2026-03-01T01:30:00.000Z');
  expect(parseFeedDate('2026-11-19T17:00:00+09:00')?.toISOString()).toBe('2026-11-19T08:00:00.000Z');
  expect(parseFeedDate('Mon, 31 Feb 2026 10:00:00 GMT')).toBeNull();
  expect(parseFeedDate('Thu, 19 Nov 2026 09:30:00 XYZ')).toBeNull();
  expect(parseFeedDate('يوم الاثنين')).toBeNull();
});

describe.each(BACKENDS)('RSS, Atom and RDF feeds through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeFeeds;
  let entityId: number;
  let deps: JobDeps;

  beforeAll(async () => {
    h = await testDb(kind);
    fake = await startFakeFeeds();
    deps = { db: h.db, rulebook, connectors: { rss: createRssConnector({ timeoutMs: 300, retries: 2, backoffMs: 1, maxWaitMs: 50 }) }, log: () => {} };
    entityId = await upsertEntity(h.db, { slug: `rss-${kind}`, nameAr: 'وزارة الصحة', nameEn: 'Ministry of Health' });
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });
  afterEach(() => {
    fake.faults.length = 0;
    clearRateLimitPauses();
  });

  const feedAccount = (name: string) => upsertAccount(h.db, { entityId, platform: 'rss', connector: 'rss', handle: name, type: 'official', url: `${fake.url}/feeds/${name}` });
  const run = async (ids: number[]): Promise<ImportResult> => importAccounts(deps, await listImportAccounts(h.db, { accountIds: ids }), { now: NOW, fetchTimeoutMs: 20_000 });
  const captured = (accountId: number) =>
    h.db.selectFrom('post').select(['platform_post_id', 'text', 'lang', 'posted_at', 'url', 'raw', 'deleted_at']).where('account_id', '=', accountId).orderBy('posted_at', 'desc').execute();

  test('fixtures in every format: Arabic RSS with CDATA and entities, Atom, RDF and windows-1256; bad items are rejected by name', async () => {
    fake.feeds.set('moh', { body: rssFixture('rss2-arabic.xml') });
    fake.feeds.set('interior', { body: rssFixture('atom.xml'), contentType: 'application/atom+xml; charset=utf-8' });
    fake.feeds.set('mofa', { body: rssFixture('rdf.xml'), contentType: 'application/rdf+xml' });
    fake.feeds.set('ewa', { body: rssFixture('windows-1256.xml'), contentType: 'text/xml' });
    const ids = await Promise.all(['moh', 'interior', 'mofa', 'ewa'].map(feedAccount));
    const r = await run(ids);
    expect(r.errors).toEqual([]);

    const moh = await captured(ids[0]);
    expect(moh.map((p) => p.platform_post_id)).toEqual(['moh-news-1001', 'https://www.health.gov.example/en/news/1002', 'https://www.health.gov.example/ar/news/1003']);
    expect(moh[0]).toMatchObject({ text: 'افتتاح مركز صحي جديد في المحرق & بدء التسجيل\nافتتحت وزارة الصحة اليوم مركزاً صحياً جديداً\u00a0في المحرق.\n\nسجّل الآن', lang: 'ar-BH' });
    expect(new Date(moh[0].posted_at).toISOString()).toBe('2026-11-19T06:30:00.000Z');
    // The HTML stays in raw; the text has none.
    expect(JSON.stringify(moh[0].raw)).toContain('<strong>وزارة الصحة</strong>');
    expect(moh[1]).toMatchObject({ lang: 'en', text: 'Vaccination campaign starts Sunday\nVaccination campaign\n\nThe campaign runs three weeks & covers all governorates.' });
    expect(new Date(moh[2].posted_at).toISOString()).toBe('2026-11-17T19:15:00.000Z');
    expect(r.warnings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('item 5 of the feed: no guid, id or link (the item has title, description, pubDate)'),
        expect.stringContaining('item 6 of the feed (moh-news-bad-date): date "يوم الاثنين ١٦ نوفمبر" is neither RFC 822 nor RFC 3339'),
      ]),
    );

    const interior = await captured(ids[1]);
    expect(interior.map((p) => [p.platform_post_id, p.lang, p.text])).toEqual([
      ['tag:interior.gov.example,2026:press/77', 'en-GB', 'Road closures & diversions this weekend\nThe King Faisal Highway will be closed from 22:00.\n\n * Use Exhibition Avenue'],
      ['tag:interior.gov.example,2026:press/78', 'ar', 'بيان صحفي\nتدعو الوزارة المواطنين إلى الالتزام بالتعليمات'],
      ['tag:interior.gov.example,2026:press/79', 'en-GB', 'Statement on road safety\nSpeed limits are enforced.'],
    ]);
    const mofa = await captured(ids[2]);
    expect(mofa.map((p) => [p.lang, p.text])).toEqual([
      ['ja', '外務大臣談話\n外務大臣の談話を発表しました。'],
      ['en', 'Statement by the Press Secretary\nOn the situation in the region'],
    ]);
    const ewa = await captured(ids[3]);
    expect(ewa.map((p) => [p.lang, p.text])).toEqual([['ar', 'انقطاع مجدول للكهرباء\nتعلن الهيئة عن انقطاع مجدول للتيار الكهربائي']]);
  });

  test('conditional GETs, a timeline that changes between polls, and transient faults: the captured set follows the feed', async () => {
    const items: FeedItemSpec[] = [
      { guid: 'n-3', title: 'خبر ثالث', html: '<p>نص <b>الخبر</b> الثالث</p>', pubDate: 'Thu, 19 Nov 2026 08:00:00 +0300' },
      { guid: 'n-2', title: 'خبر ثانٍ', html: '<p>نص الخبر الثاني &amp; تفاصيله</p>', pubDate: 'Wed, 18 Nov 2026 08:00:00 +0300' },
      { guid: 'n-1', title: 'خبر أول', html: '<p>نص الخبر الأول</p>', pubDate: 'Tue, 17 Nov 2026 08:00:00 +0300' },
    ];
    fake.feeds.set('timeline', { items, lang: 'ar' });
    const acc = await feedAccount('timeline');
    fake.faults.push({ type: 'status', status: 503 }, { type: 'truncate' }, { type: 'reset' }, { type: 'delay', ms: 1000 });
    let r = await run([acc]);
    expect(r.errors).toEqual([]);
    expect(r.counts.inserted).toBe(3);

    // Nothing changed: the server answers 304 to the ETag, nothing is stored.
    fake.requests.length = 0;
    r = await run([acc]);
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ inserted: 0, unchanged: 0, edited: 0 });
    expect(fake.requests).toEqual([expect.objectContaining({ status: 304, ifModifiedSince: 'Thu, 19 Nov 2026 10:00:00 GMT' })]);
    expect(fake.requests[0].ifNoneMatch).toMatch(/^"[0-9a-f]{16}"$/);

    // A new item, an edit, and the oldest item falling off the feed (not a deletion: feeds keep the latest items).
    items.unshift({ guid: 'n-4', title: 'خبر رابع', html: '<p>جديد</p>', pubDate: 'Fri, 20 Nov 2026 07:00:00 +0300' });
    items[2].html = '<p>نص الخبر الثاني بعد التصحيح</p>';
    items.pop();
    fake.faults.push({ type: 'status', status: 502 });
    r = await run([acc]);
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ inserted: 1, edited: 1, deleted: 0 });
    const rows = await captured(acc);
    expect(rows.map((p) => [p.platform_post_id, p.text, p.deleted_at])).toEqual([
      ['n-4', 'خبر رابع\nجديد', null],
      ['n-3', 'خبر ثالث\nنص الخبر الثالث', null],
      ['n-2', 'خبر ثانٍ\nنص الخبر الثاني بعد التصحيح', null],
      ['n-1', 'خبر أول\nنص الخبر الأول', null],
    ]);
  });

  test('a malformed feed fails its own account with a message naming the problem; the run goes on', async () => {
    const good = rssFixture('rss2-arabic.xml').toString('utf8');
    fake.feeds.set('cut', { body: good.slice(0, good.indexOf('</item>') + 7) });
    fake.feeds.set('cdata', { body: good.replace(']]></description>', '</description>') });
    fake.feeds.set('bytes', { body: Buffer.concat([Buffer.from(good.slice(0, 200)), Buffer.from([0xc7, 0xe1, 0xd5]), Buffer.from(good.slice(200))]) });
    fake.feeds.set('unknown-encoding', { body: good.replace('encoding="UTF-8"', 'encoding="x-klingon"') });
    fake.feeds.set('html', { body: '<!DOCTYPE html><html><head><title>News</title></head><body><p>Not a feed</p></body></html>', contentType: 'text/html' });
    fake.feeds.set('fine', { items: [{ guid: 'ok-1', title: 'سليم', html: '<p>نص</p>', pubDate: 'Thu, 19 Nov 2026 08:00:00 +0300' }] });
    const names = ['cut', 'cdata', 'bytes', 'unknown-encoding', 'html', 'gone', 'fine'];
    const ids = await Promise.all(names.map(feedAccount));
    const r = await run(ids);
    const errors = Object.fromEntries(r.errors.map((e) => [e.handle, e.error]));
    const at = `${new URL(fake.url).host}/feeds`;
    expect(errors).toEqual({
      cut: `RSS: the feed ${at}/cut is malformed: the document is cut off: <rss>, <channel> never closed`,
      cdata: `RSS: the feed ${at}/cdata is malformed: a CDATA section opened on line 16 is never closed`,
      bytes: `RSS: the feed ${at}/bytes is malformed: the feed's bytes are not valid utf-8, the encoding it declares (near byte 201)`,
      'unknown-encoding': `RSS: the feed ${at}/unknown-encoding is malformed: the feed declares the encoding "x-klingon", which is not one this server can decode`,
      html: `RSS: the feed ${at}/html is malformed: not an RSS, Atom or RDF feed (it starts with "<!DOCTYPE html><html><head><title>News</title></head><body><")`,
      gone: `RSS: HTTP 404 for the feed ${at}/gone (check the account's feed URL)`,
    });
    expect((await captured(ids[6])).map((p) => p.platform_post_id)).toEqual(['ok-1']);
    const stored = await h.db.selectFrom('account').select(['handle', 'last_error']).where('id', 'in', ids).execute();
    expect(stored.find((s) => s.handle === 'cut')!.last_error).toContain('cut off');

    // Transient corruption is fetched again within the same run.
    fake.feeds.set('flaky', { items: [{ guid: 'f-1', title: 'عنوان', html: '<p>نص</p>', pubDate: 'Thu, 19 Nov 2026 08:00:00 +0300' }] });
    const flaky = await feedAccount('flaky');
    fake.faults.push({ type: 'brokenCdata' }, { type: 'badBytes' });
    const r2 = await run([flaky]);
    expect(r2.errors).toEqual([]);
    expect((await captured(flaky)).map((p) => p.text)).toEqual(['عنوان\nنص']);
  });

  test('429 with a distant Retry-After fails the account with the time; a feed without a URL says so', async () => {
    fake.feeds.set('busy', { items: [{ guid: 'b-1', title: 't', html: 'x', pubDate: 'Thu, 19 Nov 2026 08:00:00 +0300' }] });
    const busy = await feedAccount('busy');
    const noUrl = await upsertAccount(h.db, { entityId, platform: 'rss', connector: 'rss', handle: 'no-url', type: 'official' });
    fake.faults.push({ type: 'status', status: 429, retryAfter: '3600' });
    const r = await run([busy, noUrl]);
    const errors = Object.fromEntries(r.errors.map((e) => [e.handle, e.error]));
    expect(errors.busy).toMatch(/^RSS: rate limited until \d\d:\d\d UTC$/);
    expect(errors['no-url']).toBe(`RSS: account ${noUrl} (no-url) has no feed URL (set its url)`);
    clearRateLimitPauses();
    expect((await run([busy])).errors).toEqual([]);
  });
});
