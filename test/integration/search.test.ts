// Post search (/api/posts?q=…): the stored folded text and its trigram index, the same answers as before
// for short and long queries, the statement time limit and the cap on concurrent searches.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { listPosts, SearchTimeoutError } from '../../db/queries/posts.ts';
import type { PostList } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const TEXTS = [
  'وزارة الصحة تعلن إطلاق خدمة التطعيم الجديدة',
  'الإعلان عن نتائج المسابقة في مؤتمر صحفي',
  'شُكْرًا لكم على المشاركة في اليوم الوطني',
  'مسؤول الهيئة يزور المدرسة ٢٠٢٦',
  'Ministry of Health: new VACCINE service for 100% of residents',
  'Road_works on the main road today',
  'in case of rain, stay home',
];

describe.each(BACKENDS)('post search on %s', (kind) => {
  let h: DbHandle;
  let app: TestClient;
  let accountId: number;
  const search = async (q: string, extra = '') => {
    const res = await app.request(`/api/posts?account=${accountId}&q=${encodeURIComponent(q)}${extra}`);
    return { status: res.status, headers: res.headers, body: (await res.json()) as PostList & { error?: { code: string; message: string } } };
  };
  const texts = async (q: string) => (await search(q)).body.items.map((p) => p.text);

  beforeAll(async () => {
    h = await testDb(kind);
    // Half the test pool for searches, as on a server with DATABASE_POOL_SIZE=4.
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent', DATABASE_POOL_SIZE: 4 }) }), h.db);
    const entityId = await upsertEntity(h.db, { slug: 'search-test', nameAr: 'جهة البحث', nameEn: 'Search Entity' });
    accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'search_test', type: 'official' });
    for (const [i, text] of TEXTS.entries()) {
      await h.db
        .insertInto('post')
        .values({ account_id: accountId, entity_id: entityId, platform_post_id: `s${i}`, text, posted_at: new Date(Date.UTC(2026, 0, 10 - i)), local_day: `2026-01-${String(10 - i).padStart(2, '0')}`, raw: '{}' })
        .execute();
    }
  });

  afterAll(async () => {
    await h?.close();
  });

  test('the folded text is stored and kept current by the database', async () => {
    const folded = await sql<{ same: boolean }>`select bool_and(text_folded = mizan_fold(text)) as same from post`.execute(h.db);
    expect(folded.rows[0].same).toBe(true);
    const post = await h.db.selectFrom('post').select(['id', 'text_folded']).where('platform_post_id', '=', 's0').executeTakeFirstOrThrow();
    expect(post.text_folded).toBe('وزاره الصحه تعلن اطلاق خدمه التطعيم الجديده');
    await h.db.updateTable('post').set({ text: 'إعلانٌ جديد' }).where('id', '=', post.id).execute();
    expect((await h.db.selectFrom('post').select('text_folded').where('id', '=', post.id).executeTakeFirstOrThrow()).text_folded).toBe('اعلان جديد');
    await h.db.updateTable('post').set({ text: TEXTS[0] }).where('id', '=', post.id).execute();
  });

  test('a search of three or more letters can read the trigram index', async () => {
    // With the other plans switched off, the planner still finds one: the index serves `text_folded like '%…%'`.
    const plan = await h.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_indexscan = off`.execute(trx);
      return (await sql<{ 'QUERY PLAN': string }>`explain select id from post where text_folded like ${'%تطعيم%'}`.execute(trx)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('post_text_folded_trgm_idx');
  });

  test.each([
    ['اعلان', ['الإعلان عن نتائج المسابقة في مؤتمر صحفي']],
    ['الاعلان عن', ['الإعلان عن نتائج المسابقة في مؤتمر صحفي']],
    ['خدمه التطعيم', ['وزارة الصحة تعلن إطلاق خدمة التطعيم الجديدة']],
    ['شكرا لكم', ['شُكْرًا لكم على المشاركة في اليوم الوطني']],
    ['مسوول', ['مسؤول الهيئة يزور المدرسة ٢٠٢٦']],
    ['2026', ['مسؤول الهيئة يزور المدرسة ٢٠٢٦']],
    ['vaccine', ['Ministry of Health: new VACCINE service for 100% of residents']],
    ['100%', ['Ministry of Health: new VACCINE service for 100% of residents']],
    ['road_', ['Road_works on the main road today']],
    ['ROAD', ['Road_works on the main road today']],
    ['برتقالة', []],
    ['xylophone', []],
    // One or two characters: no trigram to look up, the posts are read in date order (see listPosts).
    ['في', ['الإعلان عن نتائج المسابقة في مؤتمر صحفي', 'شُكْرًا لكم على المشاركة في اليوم الوطني']],
    ['ra', ['in case of rain, stay home']],
    ['%', ['Ministry of Health: new VACCINE service for 100% of residents']],
    ['_', ['Road_works on the main road today']],
    ['\\', []],
    ['zq', []],
    // Diacritics fold away: three code points, two letters.
    ['فِي', ['الإعلان عن نتائج المسابقة في مؤتمر صحفي', 'شُكْرًا لكم على المشاركة في اليوم الوطني']],
  ])('q=%s', async (q, expected) => {
    expect(await texts(q)).toEqual(expected);
  });

  test('search results page with the cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: PostList } = await search('e', `&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.items.map((p) => p.text));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(TEXTS.filter((t) => t.toLowerCase().includes('e')));
  });

  test('many searches at once: some wait, the rest get a 503 with Retry-After, and health still answers', async () => {
    const health = async () => (await app.request('/api/health')).status;
    // Forty different searches (one identical search is computed once for all who ask: the answer cache).
    const [searches, healthStatus] = await Promise.all([Promise.all(Array.from({ length: 40 }, (_, i) => search('الصحة', `&limit=${i + 1}`))), health()]);
    const busy = searches.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(searches.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(busy.length + searches.filter((r) => r.status === 200).length).toBe(40);
    for (const r of busy) {
      expect(r.headers.get('retry-after')).toBe('1');
      expect(r.body.error?.code).toBe('search-busy');
    }
    expect(healthStatus).toBe(200);
    // Every slot was given back.
    const after = await Promise.all(Array.from({ length: 3 }, (_, i) => search('الصحة', `&limit=${50 + i}`)));
    expect(after.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  // PGlite runs a statement to its end: statement_timeout needs a timer signal its WASM build lacks.
  test.skipIf(kind === 'pglite')('a search past its time limit is stopped and answered with a 504', async () => {
    const release = holdPostLock(h, 4500);
    await new Promise((r) => setTimeout(r, 200));
    await expect(listPosts(h.db, 'all', { q: 'الصحة', limit: 5 }, { searchTimeoutMs: 200 })).rejects.toBeInstanceOf(SearchTimeoutError);
    const t0 = Date.now();
    const res = await search('الصحة');
    expect(Date.now() - t0).toBeLessThan(4500);
    expect(res.status).toBe(504);
    expect(res.body.error?.code).toBe('search-timeout');
    expect(res.body.error?.message).toMatch(/longer than 3 s/);
    await release;
    // The limit was local to the search's transaction: no pooled connection keeps it.
    const settings = await Promise.all(Array.from({ length: 4 }, () => sql<{ v: string }>`select current_setting('statement_timeout') as v, pg_sleep(0.05)`.execute(h.db)));
    expect(settings.map((s) => s.rows[0].v)).toEqual(['0', '0', '0', '0']);
    expect((await search('الصحة')).status).toBe(200);
  });
});

/** Holds an exclusive lock on post for `ms` on a connection of its own (readers of post wait). */
function holdPostLock(h: DbHandle, ms: number): Promise<void> {
  return h.db.transaction().execute(async (trx) => {
    await sql`lock table post in access exclusive mode`.execute(trx);
    await sql`select pg_sleep(${ms / 1000})`.execute(trx);
  });
}
