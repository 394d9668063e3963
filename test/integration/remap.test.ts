// Posts re-derived from their raw payloads without fetching: a mapping fix reaches every stored post,
// the evidence (raw, captured versions and their hash chain) stays as it was, changed texts are rescored.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { verifyArchive } from '../../jobs/archive.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { remapPosts } from '../../jobs/remap.ts';
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
});
