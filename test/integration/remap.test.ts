// Posts re-derived from their raw payloads without fetching: a mapping fix reaches every stored post,
// the evidence (raw, captured versions and their hash chain) stays as it was, changed texts are rescored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { verifyArchive } from '../../jobs/archive.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { remapPosts } from '../../jobs/remap.ts';
import { mapFeedDocument } from '../../jobs/connectors/rss.ts';
import { mapYouTubeFeed } from '../../jobs/connectors/youtube.ts';
import { parseContent } from '../../jobs/connectors/file.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const IBAN = 'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف';

// As an earlier, faulty mapping stored them: the retweet's own truncated text, the HTML left in.
const retweet = {
  data: { id: '1800000000000000009', text: 'RT @ministry: للتحويل: الحساب BH67…', created_at: '2026-11-19T08:00:00.000Z', lang: 'ar', referenced_tweets: [{ type: 'retweeted', id: '1800000000000000001' }], public_metrics: { like_count: 0, retweet_count: 3, reply_count: 0, quote_count: 0, impression_count: 10 } },
  includes: { tweets: [{ id: '1800000000000000001', text: IBAN, created_at: '2026-11-19T07:00:00.000Z', lang: 'ar' }] },
};
const status = { id: '109999', created_at: '2026-11-19T08:00:00.000Z', content: '<p>افتتاح &amp; تدشين مركز الخدمات</p>', spoiler_text: '', language: 'ar', visibility: 'public', url: 'https://social.example/@m/109999', replies_count: 0, reblogs_count: 0, favourites_count: 1, reblog: null, edited_at: null, in_reply_to_id: null, account: { id: '1', acct: 'm' } };

const stored = (id: string, text: string, raw: unknown): ImportedPost => ({
  platformPostId: id,
  url: null,
  text,
  lang: 'ar',
  postedAt: new Date('2026-11-19T08:00:00Z'),
  metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
  isReply: false,
  isRepost: false,
  raw,
});

describe.each(BACKENDS)('remap from raw on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('X and Mastodon posts are re-derived; versions and the chain are untouched; the changed text is rescored', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'remap', nameAr: 'جهة', nameEn: 'Remap' });
    const x = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'x', handle: 'ministry', type: 'official' });
    const m = await upsertAccount(h.db, { entityId, platform: 'mastodon', connector: 'mastodon', handle: 'm', type: 'official', url: 'https://social.example' });
    await savePostsPage(h.db, { id: x, entityId, timezone: 'Asia/Bahrain' }, [stored('1800000000000000009', retweet.data.text, retweet), stored('1800000000000000010', 'broken', { data: { id: 'not-digits' } })], null, '1', NOW);
    await savePostsPage(h.db, { id: m, entityId, timezone: 'Asia/Bahrain' }, [stored('109999', '<p>افتتاح &amp; تدشين مركز الخدمات</p>', status)], null, '1', NOW);
    const deps = { db: h.db, rulebook, connectors: {}, log: () => {} };
    await runScoring(deps, { now: NOW });
    const versionsBefore = await h.db.selectFrom('post_version').selectAll().orderBy('id').execute();

    const report = await remapPosts(h.db, { now: NOW });
    expect(report).toMatchObject({ accounts: 2, posts: 3, changed: 2, unchanged: 0 });
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0].reason).toMatch(/not a string of digits/);

    const rt = await h.db.selectFrom('post').select(['text', 'is_repost', 'revision']).where('platform_post_id', '=', '1800000000000000009').executeTakeFirstOrThrow();
    expect(rt).toEqual({ text: IBAN, is_repost: true, revision: 2 });
    const toot = await h.db.selectFrom('post').select(['text', 'revision']).where('platform_post_id', '=', '109999').executeTakeFirstOrThrow();
    expect(toot).toEqual({ text: 'افتتاح & تدشين مركز الخدمات', revision: 2 });
    // The evidence is as it was captured.
    expect(await h.db.selectFrom('post_version').selectAll().orderBy('id').execute()).toEqual(versionsBefore);
    expect((await verifyArchive(h.db, {})).broken).toEqual([]);
    // The repost now reads as the IBAN it endorsed.
    await runScoring(deps, { now: NOW });
    const score = await h.db.selectFrom('post_score as s').innerJoin('post as p', 'p.id', 's.post_id').select(['s.categories', 's.post_revision']).where('p.platform_post_id', '=', '1800000000000000009').executeTakeFirstOrThrow();
    expect(score).toEqual({ categories: ['personal_data'], post_revision: 2 });
    // A second remap changes nothing.
    expect(await remapPosts(h.db, { now: NOW })).toMatchObject({ changed: 0, unchanged: 2 });
  });

  // The feeds' own fixtures (test/fixtures/platforms/rss/SOURCES.md, youtube/SOURCES.md) as the import maps them.
  test('RSS and YouTube feed posts are re-derived from their raw items alone, the feed language included', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'remap-feeds', nameAr: 'جهة الخلاصات', nameEn: 'Remap feeds' });
    const rssId = await upsertAccount(h.db, { entityId, platform: 'rss', connector: 'rss', handle: 'moh-news', type: 'official', url: 'https://www.health.gov.example/ar/rss.xml' });
    const ytId = await upsertAccount(h.db, { entityId, platform: 'youtube', connector: 'youtube', handle: 'UCq1a2B3c4D5e6F7g8H9i0Jk', type: 'official' });
    const feed = mapFeedDocument(readFileSync('test/fixtures/platforms/rss/rss2-arabic.xml', 'utf8'), { now: NOW });
    const yt = mapYouTubeFeed(readFileSync('test/fixtures/platforms/youtube/feed.xml', 'utf8'));
    expect(feed.posts.length).toBeGreaterThan(1);
    expect(yt.posts.length).toBeGreaterThan(1);
    // As a faulty mapping would have stored them: a stale text and no language. The first YouTube post keeps the
    // bare entry that earlier captures stored (before the feed's language was kept beside it).
    const faulty = (p: ImportedPost): ImportedPost => ({ ...p, text: 'stale', lang: null });
    const bare = { ...yt.posts[0], raw: (yt.posts[0].raw as { entry: unknown }).entry, lang: 'ar' };
    await savePostsPage(h.db, { id: rssId, entityId, timezone: 'Asia/Bahrain' }, feed.posts.map(faulty), null, '1', NOW);
    await savePostsPage(h.db, { id: ytId, entityId, timezone: 'Asia/Bahrain' }, [{ ...bare, text: 'stale' }, ...yt.posts.slice(1).map(faulty)], null, '1', NOW);

    const report = await remapPosts(h.db, { accountIds: [rssId, ytId], now: NOW });
    expect(report.skippedAccounts).toEqual([]);
    expect(report.failed).toEqual([]);
    expect(report).toMatchObject({ accounts: 2, posts: feed.posts.length + yt.posts.length, changed: feed.posts.length + yt.posts.length });
    const rows = await h.db.selectFrom('post').select(['account_id', 'platform_post_id', 'text', 'lang', 'revision']).where('account_id', 'in', [rssId, ytId]).execute();
    const byId = new Map(rows.map((r) => [`${r.account_id}:${r.platform_post_id}`, r]));
    for (const p of feed.posts) expect(byId.get(`${rssId}:${p.platformPostId}`)).toMatchObject({ text: p.text, lang: p.lang, revision: 2 });
    for (const p of yt.posts) expect(byId.get(`${ytId}:${p.platformPostId}`)).toMatchObject({ text: p.text, lang: p === yt.posts[0] ? 'ar' : p.lang, revision: 2 });
    // The Arabic feed's items fall back to its <language>: kept in the raw payload, so remap gives it back.
    expect(feed.posts.some((p) => p.lang === 'ar-BH')).toBe(true);
    expect(await remapPosts(h.db, { accountIds: [rssId, ytId], now: NOW })).toMatchObject({ changed: 0, unchanged: feed.posts.length + yt.posts.length });
  });

  // test/fixtures/archives/twarc2.jsonl (SOURCES.md there): X API v2 response pages as twarc2 writes them.
  test('twarc posts are re-derived from the envelope they keep: the retweeted text from its includes', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'remap-twarc', nameAr: 'جهة تويرك', nameEn: 'Remap twarc' });
    const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'DemoServicesBH', type: 'official' });
    await h.db.updateTable('account').set({ config: JSON.stringify({ path: 'test/fixtures/archives/twarc2.jsonl', format: 'twarc' }) as never }).where('id', '=', id).execute();
    const loaded = parseContent(readFileSync('test/fixtures/archives/twarc2.jsonl', 'utf8'), 'twarc');
    const posts = loaded.parsed.entries.flatMap((e) => e.posts);
    const retweet = posts.find((p) => p.isRepost)!;
    expect(retweet.text).not.toMatch(/^RT @/);
    await savePostsPage(h.db, { id, entityId, timezone: 'Asia/Bahrain' }, posts.map((p) => ({ ...p, text: p.isRepost ? 'RT @DemoHealthBH: حملة التطعيم…' : p.text })), null, '1', NOW);
    const report = await remapPosts(h.db, { accountIds: [id], now: NOW });
    expect(report).toMatchObject({ accounts: 1, posts: posts.length, changed: 1, unchanged: posts.length - 1, failed: [] });
    const row = await h.db.selectFrom('post').select(['text', 'is_repost']).where('account_id', '=', id).where('platform_post_id', '=', retweet.platformPostId).executeTakeFirstOrThrow();
    expect(row).toEqual({ text: retweet.text, is_repost: true });
  });
});
