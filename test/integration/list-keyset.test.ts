// Lists page by keyset: the review queue walked by cursor gives the same items in the same order as one long page,
// and search reads the trigram index on the stored folded text (EXPLAIN, on PGlite and PostgreSQL).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { testConfig } from '../../jobs/config.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { rollupDirty } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { ReviewQueue } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const TEXTS = [
  'اتصلوا على 36123456',
  'اتصلوا على 36123456 أو على 36123456',
  'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف',
  'You are an idiot',
  'افتتاح مركز الخدمات الجديد في المحرق',
  'You are an idiot, call 36123456',
];

const post = (id: string, text: string, at: string): ImportedPost => ({
  platformPostId: id,
  url: `https://x.com/i/${id}`,
  text,
  lang: /[a-z]/i.test(text) ? 'en' : 'ar',
  postedAt: new Date(at),
  metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
  isReply: false,
  isRepost: false,
  raw: { id, text },
});

describe.each(BACKENDS)('keyset lists on %s', (kind) => {
  let h: DbHandle;
  let oversight: TestClient;

  beforeAll(async () => {
    h = await testDb(kind);
    const entity = await upsertEntity(h.db, { slug: 'keyset', nameAr: 'جهة', nameEn: 'Entity' });
    const account = await upsertAccount(h.db, { entityId: entity, platform: 'x', connector: 'list', handle: 'keyset', type: 'official' });
    // 24 posts, some at the same instant (ties broken by id), with one, two or no findings each.
    const posts = Array.from({ length: 24 }, (_, i) => post(`k${i}`, TEXTS[i % TEXTS.length], `2026-11-${String(1 + Math.floor(i / 3)).padStart(2, '0')}T09:00:00Z`));
    await savePostsPage(h.db, { id: account, entityId: entity, timezone: 'Asia/Bahrain' }, posts, null, '1', NOW);
    await runScoring({ db: h.db, rulebook: loadRulebook(), connectors: {}, log: () => {} }, { now: NOW });
    await rollupDirty(h.db);
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW });
    oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  const queue = async (url: string) => {
    const res = await oversight.request(url);
    expect(res.status).toBe(200);
    return (await res.json()) as ReviewQueue;
  };

  test.each([1, 2, 5, 7])('the review queue walked by cursor, %i at a time, is the one long page', async (limit) => {
    const all = await queue('/api/findings?limit=200');
    expect(all.items.length).toBeGreaterThan(15);
    expect(all.nextCursor).toBeNull();
    const walked: number[] = [];
    let url = `/api/findings?limit=${limit}`;
    for (let pages = 0; pages < 100; pages++) {
      const page = await queue(url);
      walked.push(...page.items.map((i) => i.finding.id));
      expect(page.total).toBe(all.total);
      if (!page.nextCursor) break;
      expect(page.items).toHaveLength(limit);
      url = `/api/findings?limit=${limit}&cursor=${page.nextCursor}`;
    }
    expect(walked).toEqual(all.items.map((i) => i.finding.id));
    // Offsets still work alike for the pages that use them.
    const second = await queue(`/api/findings?limit=${limit}&offset=${limit}`);
    expect(second.items.map((i) => i.finding.id)).toEqual(all.items.slice(limit, 2 * limit).map((i) => i.finding.id));
  });

  test('a cursor with filters keeps to them; a forged cursor is a 400', async () => {
    const high = await queue('/api/findings?severity=high&limit=200');
    const first = await queue('/api/findings?severity=high&limit=1');
    const rest = await queue(`/api/findings?severity=high&limit=200&cursor=${first.nextCursor}`);
    expect([...first.items, ...rest.items].map((i) => i.finding.id)).toEqual(high.items.map((i) => i.finding.id));
    for (const bad of ['x', Buffer.from('{"r":9,"k":"0","p":1,"o":0,"f":1}').toString('base64url'), Buffer.from('{"r":1,"k":"soon","p":1,"o":0,"f":1}').toString('base64url')]) {
      const res = await oversight.request(`/api/findings?cursor=${bad}`);
      expect(res.status).toBe(400);
    }
  });

  test('search reads the trigram index on the stored folded text', async () => {
    // Enough rows that the planner weighs the index (a few thousand, written straight in SQL), then statistics.
    await sql`insert into post (account_id, entity_id, platform_post_id, text, lang, posted_at, local_day, raw)
      select a.id, a.entity_id, 'gen' || g, 'خبر رقم ' || g || ' عن افتتاح مركز الخدمات', 'ar', timestamptz '2026-10-01' + g * interval '1 minute', date '2026-10-01', '{}'::jsonb
      from account a, generate_series(1, 4000) g`.execute(h.db);
    await sql`analyze post`.execute(h.db);
    const folded = (await sql<{ f: string }>`select mizan_fold('زلزلة') as f`.execute(h.db)).rows[0].f;
    // At a few thousand rows reading everything is cheapest (a sequential scan, or walking the posted_at index):
    // with both off, what is left is whether the search's predicate can use the trigram index at all (it cannot
    // if the query folds the text itself instead of reading the stored column). The choice at 5M posts is in
    // the saved plans (npm run bench:api -- --plans, test/bench/plans/).
    const plan = await h.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_indexscan = off`.execute(trx);
      const { rows } = await sql<Record<string, string>>`explain select p.id from post p where p.text_folded like ${`%${folded}%`} order by p.posted_at desc, p.id desc limit 26`.execute(trx);
      return rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('post_text_folded_trgm_idx');
    expect(plan).not.toContain('post_posted_idx');
  });

  test('the queue counts up to 1,000 (then says there are more) and pages on past it; findings carry their post date for its index', async () => {
    const before = await queue('/api/findings?limit=200');
    expect(before.totalCapped).toBe(false);
    // 1,100 more open findings on one scored post, with the version in force.
    await sql`insert into finding (post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset)
      select s.post_id, 'test.bulk', 'abuse', 'low', s.rulebook_version, 'x', g, g + 1
      from post_score s, generate_series(1, 1100) g where s.post_id = (select min(post_id) from post_score)`.execute(h.db);
    const { rows } = await sql<{ missing: number }>`select count(*)::int as missing from finding f join post p on p.id = f.post_id
      where f.posted_at is distinct from p.posted_at`.execute(h.db);
    expect(rows[0].missing).toBe(0);
    const first = await queue('/api/findings?limit=50');
    expect(first.total).toBe(1000);
    expect(first.totalCapped).toBe(true);
    const deep = await queue('/api/findings?limit=50&offset=1050');
    expect(deep.items).toHaveLength(50);
    expect(deep.nextOffset).toBe(1100);
    const last = await queue(`/api/findings?limit=50&offset=${1100 + before.total - 10}`);
    expect(last.items).toHaveLength(10);
    expect(last.nextOffset).toBeNull();
    await sql`delete from finding where rule_id = 'test.bulk'`.execute(h.db);
    expect((await queue('/api/findings?limit=200')).total).toBe(before.total);
  });
});
