// The dashboard's answer cache (server/dashboard-cache.ts): the same answer is computed once and served from memory
// until something the dashboard shows changes: a write through the API, an import and rollup in this process, or a
// change made by another process (another app on the same database). Scopes and roles never share an answer.
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { bumpDashboardGeneration } from '../../db/queries/generations.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { recomputeRollups } from '../../db/queries/scores.ts';
import { testConfig, type Config } from '../../jobs/config.ts';
import { rollupDirty } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { Overview, PostList, ReviewQueue, Scorecard } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const PERIOD = 'from=2026-11-01&to=2026-11-30';

describe.each(BACKENDS)('dashboard answer cache on %s', (kind) => {
  let h: DbHandle;
  let entityA: number;
  let entityB: number;
  let accountA: number;
  let oversight: TestClient;
  let directorA: TestClient;
  let directorB: TestClient;
  let n = 0;
  let cursor: string | null = null;
  const deps = () => ({ db: h.db, rulebook, connectors: {}, log: () => {} });
  const makeApp = (config: Partial<Config> = {}) => createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent', ...config }), now: () => NOW });
  const get = async (client: TestClient, url: string) => {
    const res = await client.request(url);
    return { status: res.status, cache: res.headers.get('x-mizan-cache'), body: (await res.json()) as any };
  };
  /** Imports, scores and rolls up posts of entity A as the scheduled job does, in this process. */
  const importPosts = async (...texts: string[]) => {
    const posts = texts.map((t) => importedPost(`p${++n}`, t, { lang: /[a-z]/i.test(t) ? 'en' : 'ar', postedAt: new Date(`2026-11-${10 + (n % 9)}T09:00:00Z`) }));
    await savePostsPage(h.db, { id: accountA, entityId: entityA, timezone: 'Asia/Bahrain' }, posts, cursor, String(n), NOW);
    cursor = String(n);
    await runScoring(deps(), { now: NOW });
    await rollupDirty(h.db);
  };

  beforeAll(async () => {
    h = await testDb(kind);
    entityA = await upsertEntity(h.db, { slug: 'cache-a', nameAr: 'جهة أ', nameEn: 'Entity A' });
    entityB = await upsertEntity(h.db, { slug: 'cache-b', nameAr: 'جهة ب', nameEn: 'Entity B' });
    accountA = await upsertAccount(h.db, { entityId: entityA, platform: 'x', connector: 'list', handle: 'cache_a', type: 'official' });
    const accountB = await upsertAccount(h.db, { entityId: entityB, platform: 'x', connector: 'list', handle: 'cache_b', type: 'official' });
    await savePostsPage(h.db, { id: accountB, entityId: entityB, timezone: 'Asia/Bahrain' }, [importedPost('b1', 'اتصلوا على 36123456')], null, '1', NOW);
    await importPosts('افتتاح مركز الخدمات الجديد في المحرق');
    const app = makeApp();
    oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
    directorA = await signedIn(app, h.db, { role: 'director', entityIds: [entityA], now: NOW });
    directorB = await signedIn(app, h.db, { role: 'director', entityIds: [entityB], now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the same answer is computed once, then served from memory byte for byte', async () => {
    const first = await get(oversight, `/api/overview?${PERIOD}`);
    const second = await get(oversight, `/api/overview?${PERIOD}`);
    expect(first.status).toBe(200);
    expect(first.cache).toBe('miss');
    expect(second.cache).toBe('hit');
    expect(second.body).toEqual(first.body);
    // Another period is another answer.
    expect((await get(oversight, '/api/overview?from=2026-10-01&to=2026-10-31')).cache).toBe('miss');
  });

  test('a browser that takes gzip gets the same answer gzipped, computed or cached', async () => {
    const url = `/api/overview?${PERIOD}&interval=week`;
    const plain = await get(oversight, url);
    for (const how of ['hit', 'hit']) {
      const res = await oversight.request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
      expect(res.headers.get('x-mizan-cache')).toBe(how);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString('utf8'))).toEqual(plain.body);
    }
    await bumpDashboardGeneration(h.db);
    const fresh = await oversight.request(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(fresh.headers.get('x-mizan-cache')).toBe('miss');
    expect(fresh.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await fresh.arrayBuffer())).toString('utf8'))).toEqual(plain.body);
    // gzip;q=0 refuses it.
    const refused = await oversight.request(url, { headers: { 'accept-encoding': 'gzip;q=0' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    expect(await refused.json()).toEqual(plain.body);
  });

  test('concurrent requests for one answer wait for a single computation', async () => {
    await bumpDashboardGeneration(h.db);
    const answers = await Promise.all(Array.from({ length: 12 }, () => get(oversight, `/api/entities/${entityA}?${PERIOD}`)));
    expect(answers.filter((a) => a.cache === 'miss')).toHaveLength(1);
    expect(answers.filter((a) => a.cache === 'hit')).toHaveLength(11);
    for (const a of answers) expect(a.body).toEqual(answers[0].body);
  });

  test("the sector's figures are computed once per period for every entity's scorecard, and again after a change", async () => {
    await bumpDashboardGeneration(h.db);
    const a = (await get(oversight, `/api/entities/${entityA}?${PERIOD}`)).body as Scorecard;
    // Changed in the database without a bump: the part computed for A's scorecard in this generation is shared with
    // B's (a miss of its own), not read again.
    await sql`update rollup_entity_day set violations = posts, clean = 0 where entity_id = ${entityB}`.execute(h.db);
    const b = await get(oversight, `/api/entities/${entityB}?${PERIOD}`);
    expect(b.cache).toBe('miss');
    expect((b.body as Scorecard).sector).toEqual(a.sector);
    await bumpDashboardGeneration(h.db);
    const changed = (await get(oversight, `/api/entities/${entityB}?${PERIOD}`)).body as Scorecard;
    expect(changed.sector).not.toEqual(a.sector);
    await recomputeRollups(h.db, 'all');
    await bumpDashboardGeneration(h.db);
    expect(((await get(oversight, `/api/entities/${entityB}?${PERIOD}`)).body as Scorecard).sector).toEqual(a.sector);
  });

  test('an import and rollup in this process shows at the next request', async () => {
    const before = (await get(directorA, `/api/overview?${PERIOD}`)).body as Overview;
    expect((await get(directorA, `/api/overview?${PERIOD}`)).cache).toBe('hit');
    await importPosts('You are an idiot', 'افتتاح حديقة عامة جديدة');
    const after = await get(directorA, `/api/overview?${PERIOD}`);
    expect(after.cache).toBe('miss');
    expect((after.body as Overview).totals.posts).toBe(before.totals.posts + 2);
    expect((after.body as Overview).totals.violations).toBe(before.totals.violations + 1);
  });

  test('a write through the API retires the answers: a dismissed finding leaves the queue at once', async () => {
    const queue = (await get(oversight, '/api/findings')).body as ReviewQueue;
    expect((await get(oversight, '/api/findings')).cache).toBe('hit');
    const target = queue.items[0];
    const res = await oversight.request(`/api/findings/${target.finding.id}/review`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'dismissed', note: 'a quotation, not an insult' }),
    });
    expect(res.status).toBe(200);
    const after = await get(oversight, '/api/findings');
    expect(after.cache).toBe('miss');
    expect((after.body as ReviewQueue).items.map((i) => i.finding.id)).not.toContain(target.finding.id);
    expect((after.body as ReviewQueue).total).toBe(queue.total - 1);
  });

  test('a change made by another process shows once its bump is read (within a quarter second)', async () => {
    const other = makeApp();
    const client = await signedIn(other, h.db, { role: 'oversight', now: NOW });
    const url = `/api/posts?${PERIOD}&limit=100`;
    const before = (await get(client, url)).body as PostList;
    expect((await get(client, url)).cache).toBe('hit');
    // Another process: a row written straight to the database and a bump, as the jobs process does after its rollup.
    await h.db.updateTable('entity').set({ name_en: 'Entity A (renamed)' }).where('id', '=', entityA).execute();
    await sql`update dashboard_generation set n = n + 1`.execute(h.db);
    await new Promise((r) => setTimeout(r, 300));
    const after = await get(client, url);
    expect(after.cache).toBe('miss');
    expect((after.body as PostList).items.length).toBe(before.items.length);
    expect((after.body as PostList).items.find((p) => p.entityId === entityA)?.entityNameEn).toBe('Entity A (renamed)');
  });

  test('scopes and roles never share an answer', async () => {
    const url = `/api/overview?${PERIOD}`;
    const a = await get(directorA, url);
    const b = await get(directorB, url);
    expect(b.cache).toBe('miss');
    expect((a.body as Overview).entities.map((e) => e.id)).toEqual([entityA]);
    expect((b.body as Overview).entities.map((e) => e.id)).toEqual([entityB]);
    // Staff see the report recipients on a scorecard, a director of the entity does not: one URL, two answers.
    const card = `/api/entities/${entityA}?${PERIOD}`;
    expect(((await get(oversight, card)).body as Scorecard).reportRecipients).toEqual([]);
    const own = await get(directorA, card);
    expect(own.status).toBe(200);
    expect((own.body as Scorecard).reportRecipients).toBeUndefined();
    // Another entity's scorecard stays a 404 for a director, cached or not.
    expect((await get(directorB, card)).status).toBe(404);
    expect((await get(directorB, card)).status).toBe(404);
  });

  test('errors are not cached, and MIZAN_DASHBOARD_CACHE_SECONDS=0 turns the cache off', async () => {
    expect((await get(oversight, '/api/entities/999999')).status).toBe(404);
    expect((await get(oversight, '/api/entities/999999')).cache).toBeNull();
    const off = makeApp({ MIZAN_DASHBOARD_CACHE_SECONDS: 0 });
    const client = await signedIn(off, h.db, { role: 'oversight', now: NOW });
    expect((await get(client, `/api/overview?${PERIOD}`)).cache).toBeNull();
    expect((await get(client, `/api/overview?${PERIOD}`)).cache).toBeNull();
  });
});
