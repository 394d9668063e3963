// The whole path on a real database: seed, import (demo and file), score, roll up, then every endpoint.
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { countAccounts, listAccountActivity, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { ConcurrentImportError, savePostsPage } from '../../db/queries/imports.ts';
import { abandonStaleRuns, claimJobRun } from '../../db/queries/jobs.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import type { Connector, ImportedPost } from '../../jobs/connectors/types.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImport } from '../../jobs/import.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { runRollup } from '../../jobs/rollup.ts';
import { jobDefinitions, runJobSlot } from '../../jobs/schedule.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import type { AccountList, Overview, PostDetail, PostList, Scorecard } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const fixture = path.resolve('test/fixtures/integration-posts.jsonl');

/** A platform that serves posts from a list, two per page, and can be told to fail once. */
function listConnector(posts: () => ImportedPost[], failAtCursor?: { value: string | null }): Connector {
  return {
    platform: 'list',
    async fetchPage(_account, { cursor }) {
      if (failAtCursor && failAtCursor.value === cursor) {
        failAtCursor.value = '__used__';
        throw new Error('simulated crash');
      }
      const start = Number(cursor ?? 0);
      const all = posts();
      const page = all.slice(start, start + 2);
      const next = start + page.length;
      return { posts: page, nextCursor: String(next), done: next >= all.length };
    },
  };
}

function post(id: string, text: string, at: string, extra: Partial<ImportedPost> = {}): ImportedPost {
  return { platformPostId: id, url: null, text, lang: 'ar', postedAt: new Date(at), metrics: { likes: 1, shares: 0, replies: 0, views: 10 }, isReply: false, isRepost: false, raw: { id, text }, ...extra };
}

describe.each(BACKENDS)('API and jobs on %s', (kind) => {
  let h: DbHandle;
  let deps: JobDeps;
  let app: TestClient;
  let listPosts: ImportedPost[] = [];
  const failAt = { value: '__none__' as string | null };
  const get = async <T>(url: string) => {
    const res = await app.request(url);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    h = await testDb(kind);
    deps = { db: h.db, rulebook, connectors: { ...connectors, list: listConnector(() => listPosts, failAt) }, log: () => {} };
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW }), h.db, { now: NOW });
    await seedDemo(h.db);
    // Three demo accounts keep the run short; 18 months of their posts.
    const ids = (await h.db.selectFrom('account').select('id').orderBy('id').limit(3).execute()).map((r) => r.id);
    const r = await runImportPipeline(deps, { now: NOW, accountIds: ids });
    expect(r.errors).toEqual([]);
    expect(r.counts.inserted).toBeGreaterThan(500);
    await h.db.updateTable('account').set({ active: false }).where('id', 'not in', ids).execute();
  });

  afterAll(async () => {
    await h?.close();
  });

  test('a second import at the same time adds nothing', async () => {
    const before = await count(h, 'post');
    const r = await runImportPipeline(deps, { now: NOW });
    expect(r.counts.inserted).toBe(0);
    expect(r.counts.scored).toBe(0);
    expect(await count(h, 'post')).toBe(before);
  });

  test('every post is scored with the rulebook in force', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from post p left join post_score s on s.post_id = p.id where s.post_id is null or s.rulebook_version <> ${rulebook.version}`.execute(h.db);
    expect(rows[0].n).toBe(0);
    const health = await get<object>('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
  });

  test('overview totals and categories equal direct counts', async () => {
    const { status, body } = await get<Overview>('/api/overview?from=2025-01-01&to=2026-11-20&interval=month');
    expect(status).toBe(200);
    const { rows } = await sql<{ posts: number; violations: number; review: number; score: number }>`
      select count(*)::int as posts, count(*) filter (where s.verdict = 'violation')::int as violations,
        count(*) filter (where s.verdict = 'review')::int as review, round(avg(s.score), 1)::float8 as score
      from post p join post_score s on s.post_id = p.id where p.local_day between '2025-01-01' and '2026-11-20'`.execute(h.db);
    expect(body.totals.posts).toBe(rows[0].posts);
    expect(body.totals.violations).toBe(rows[0].violations);
    expect(body.totals.review).toBe(rows[0].review);
    expect(body.totals.score).toBeCloseTo(rows[0].score, 1);
    expect(body.trend.reduce((n, p) => n + p.posts, 0)).toBe(rows[0].posts);
    expect(body.trend[0].period).toBe('2025-01-01');
    const { rows: cats } = await sql<{ category: string; n: number }>`
      select f.category, count(*)::int as n from finding f join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
      join post p on p.id = f.post_id where f.status <> 'dismissed' and p.local_day between '2025-01-01' and '2026-11-20' group by 1`.execute(h.db);
    for (const c of cats) expect(body.categories.find((x) => x.category === c.category)?.findings).toBe(c.n);
    expect(body.entities.length).toBeGreaterThan(0);
    expect(body.totals.accounts).toBeGreaterThan(0);
    // The overview's account figures are the counts of every account's activity (as the accounts list gives it).
    const activity = await listAccountActivity(h.db, 'all', { now: NOW });
    expect(body.totals.accounts).toBe(activity.length);
    expect(body.totals.dormantAccounts).toBe(activity.filter((a) => a.dormant).length);
    // And the same two figures on a later day, when some official accounts have gone quiet.
    const later = new Date('2027-06-01T00:00:00Z');
    const quiet = (await listAccountActivity(h.db, 'all', { now: later })).filter((a) => a.dormant).length;
    expect(quiet).toBeGreaterThan(0);
    expect(await countAccounts(h.db, 'all', later)).toEqual({ accounts: activity.length, dormant: quiet });
    // Rebuilding every rollup from scratch gives the figures the incremental rollups gave.
    await runRollup(h.db, { days: 'all' });
    expect((await get<Overview>('/api/overview?from=2025-01-01&to=2026-11-20&interval=month')).body).toEqual(body);
  });

  test('entity scorecard, trend and accounts', async () => {
    const overview = (await get<Overview>('/api/overview')).body;
    const withPosts = overview.entities.find((e) => e.posts > 0)!;
    const card = await get<Scorecard>(`/api/entities/${withPosts.id}`);
    expect(card.status).toBe(200);
    expect(card.body.entity.id).toBe(withPosts.id);
    expect(card.body.current.posts).toBe(withPosts.posts);
    expect(card.body.accounts.every((a) => a.entityId === withPosts.id)).toBe(true);
    // The sector median lies among the entities' own figures.
    const rates = overview.entities.filter((e) => e.posts > 0).map((e) => e.complianceRate!);
    expect(card.body.sector.medianComplianceRate).toBeGreaterThanOrEqual(Math.min(...rates));
    expect(card.body.sector.medianComplianceRate).toBeLessThanOrEqual(Math.max(...rates));
    const scores = overview.entities.filter((e) => e.posts > 0).map((e) => e.score!);
    expect(card.body.sector.medianScore).toBeGreaterThanOrEqual(Math.min(...scores));
    expect(card.body.sector.medianScore).toBeLessThanOrEqual(Math.max(...scores));
    const trend = await get<{ items: { period: string; posts: number }[] }>(`/api/entities/${withPosts.id}/trend?from=2026-11-01&to=2026-11-20&interval=day`);
    expect(trend.status).toBe(200);
    expect(trend.body.items).toHaveLength(20);
    const accounts = await get<{ items: { id: number }[] }>(`/api/accounts?entity=${withPosts.id}`);
    expect(accounts.body.items.length).toBe(card.body.accounts.length);
    const one = await get<{ id: number; entity: { id: number } }>(`/api/accounts/${accounts.body.items[0].id}`);
    expect(one.body.entity.id).toBe(withPosts.id);
    expect((await get('/api/entities')).body).toHaveProperty('items');
  });

  test('accounts: keyset pages in id order cover every account exactly once', async () => {
    const { rows } = await sql<{ id: number }>`select id from account order by id`.execute(h.db);
    expect(rows.length).toBeGreaterThan(3);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: { status: number; body: AccountList } = await get<AccountList>(`/api/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((a) => a.id));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(rows.map((r) => Number(r.id)));
    // The default page holds them all here (200), without a next one.
    const all = await get<AccountList>('/api/accounts');
    expect(all.body.items.map((a) => a.id)).toEqual(seen);
    expect(all.body.nextCursor).toBeNull();
  });

  test('posts: keyset pages cover the filter exactly once', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from post p join post_score s on s.post_id = p.id where s.verdict <> 'clean'`.execute(h.db);
    const seen = new Set<number>();
    let cursor: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const url: string = `/api/posts?verdict=review&limit=50${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: PostList } = await get<PostList>(url);
      for (const p of page.body.items) {
        expect(seen.has(p.id)).toBe(false);
        seen.add(p.id);
        expect(p.verdict).toBe('review');
      }
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    const violations = await sql<{ n: number }>`select count(*)::int as n from post_score where verdict = 'violation'`.execute(h.db);
    expect(seen.size).toBe(rows[0].n - violations.rows[0].n);
  });

  test('post detail has findings with offsets into its text and its versions', async () => {
    const list = await get<PostList>('/api/posts?verdict=violation&limit=5');
    expect(list.body.items.length).toBeGreaterThan(0);
    const detail = await get<PostDetail>(`/api/posts/${list.body.items[0].id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.findingsList.length).toBeGreaterThan(0);
    for (const f of detail.body.findingsList) {
      if (f.category !== 'disclaimer' && f.end > f.start) expect(detail.body.text.slice(f.start, f.end)).toBe(f.match);
      expect(f.title.en.length).toBeGreaterThan(0);
    }
    expect(detail.body.versions[0].kind).toBe('original');
  });

  test('file import reports malformed lines by number and imports the rest', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'file-drop', nameAr: 'جهة تجريبية', nameEn: 'File Drop Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'file_drop_test', type: 'employee', config: { path: fixture } });
    const r = await runImportPipeline(deps, { now: NOW, accountIds: [accountId] });
    expect(r.counts.inserted).toBe(4);
    expect(r.warnings.join('\n')).toMatch(/line 3/);
    expect(r.warnings.join('\n')).toMatch(/line 5/);
    expect(r.warnings.join('\n')).toMatch(/line 6/);
    const again = await runImportPipeline(deps, { now: NOW, accountIds: [accountId] });
    expect(again.counts.inserted).toBe(0);
    const posts = await get<PostList>(`/api/posts?account=${accountId}`);
    expect(posts.body.items.map((p) => p.text)).toContain('يا حمار انت ما تفهم شي');
    // Search folds Arabic spelling variants: «اطلاق» finds «إطلاق», «خدمه» finds «خدمة»; % is literal.
    for (const q of ['اطلاق', 'خدمه', 'إطلاق', 'NATIONAL DAY']) {
      const found = await get<PostList>(`/api/posts?account=${accountId}&q=${encodeURIComponent(q)}`);
      expect(found.body.items.length, q).toBe(1);
    }
    expect((await get<PostList>(`/api/posts?account=${accountId}&q=%25`)).body.items).toHaveLength(0);
    const insult = posts.body.items.find((p) => p.text.startsWith('يا حمار'))!;
    expect(insult.categories).toContain('abuse');
  });

  test('edits and deletions are kept as versions and rescored', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'list-entity', nameAr: 'جهة القائمة', nameEn: 'List Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'list_test', type: 'official' });
    listPosts = [
      post('a', 'خبر عادي عن افتتاح مركز صحي جديد', '2026-11-18T08:00:00Z'),
      post('b', 'منشور سيحذف لاحقاً', '2026-11-18T09:00:00Z'),
      post('c', 'منشور ثالث', '2026-11-18T10:00:00Z'),
    ];
    await runImportPipeline(deps, { now: NOW, accountIds: [accountId] });
    listPosts = [
      post('a', 'خبر عادي عن افتتاح مركز صحي جديد، يا حمار', '2026-11-18T08:00:00Z', { editedAt: new Date('2026-11-19T08:00:00Z') }),
      post('b', 'منشور سيحذف لاحقاً', '2026-11-18T09:00:00Z', { deleted: true }),
      post('c', 'منشور ثالث', '2026-11-18T10:00:00Z', { metrics: { likes: 50, shares: 7, replies: 3, views: 900 } }),
    ];
    await h.db.updateTable('account').set({ import_cursor: null }).where('id', '=', accountId).execute();
    const r = await runImportPipeline(deps, { now: new Date(NOW.getTime() + 60_000), accountIds: [accountId] });
    expect(r.counts).toMatchObject({ edited: 1, deleted: 1, inserted: 0, unchanged: 1 });
    const third = await h.db.selectFrom('post').select(['likes', 'views']).where('account_id', '=', accountId).where('platform_post_id', '=', 'c').executeTakeFirstOrThrow();
    expect(third).toEqual({ likes: 50, views: 900 });
    expect(r.counts.scored).toBe(1);
    const list = await get<PostList>(`/api/posts?account=${accountId}`);
    const edited = list.body.items.find((p) => p.text.includes('يا حمار'))!;
    expect(edited.edited).toBe(true);
    expect(edited.verdict).not.toBe('clean');
    const detail = await get<PostDetail>(`/api/posts/${edited.id}`);
    expect(detail.body.versions.map((v) => v.kind)).toEqual(['original', 'edit']);
    const deleted = list.body.items.find((p) => p.deleted)!;
    const deletedDetail = await get<PostDetail>(`/api/posts/${deleted.id}`);
    expect(deletedDetail.body.text).toBe('منشور سيحذف لاحقاً');
    expect(deletedDetail.body.versions.map((v) => v.kind)).toEqual(['original', 'deleted']);
  });

  test('NUL characters and lone surrogates do not block an account: the post is stored cleaned', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'nul-entity', nameAr: 'جهة', nameEn: 'NUL Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'nul_test', type: 'official' });
    listPosts = [post('n1', 'خبر\u0000 مهم \ud800 اليوم', '2026-11-18T08:00:00Z', { raw: { text: 'a\u0000b', bad: '\udc00' } })];
    const r = await runImportPipeline(deps, { now: NOW, accountIds: [accountId] });
    expect(r.errors).toEqual([]);
    expect(r.counts.inserted).toBe(1);
    const list = await get<PostList>(`/api/posts?account=${accountId}`);
    expect(list.body.items[0].text).toBe('خبر مهم \ufffd اليوم');
  });

  test('an import that crashes mid-way resumes without losing or duplicating posts', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'crash-entity', nameAr: 'جهة', nameEn: 'Crash Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'crash_test', type: 'official' });
    listPosts = Array.from({ length: 7 }, (_, i) => post(`c${i}`, `إعلان رقم ${i}`, `2026-11-1${i}T08:00:00Z`));
    failAt.value = '4';
    const first = await runImport(deps, { now: NOW, accountIds: [accountId] });
    expect(first.errors[0].error).toBe('simulated crash');
    expect(first.counts.inserted).toBe(4);
    const second = await runImport(deps, { now: NOW, accountIds: [accountId] });
    expect(second.errors).toEqual([]);
    expect(second.counts.inserted).toBe(3);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from post where account_id = ${accountId}`.execute(h.db);
    expect(rows[0].n).toBe(7);
    const account = await get<{ lastRunStatus: string }>(`/api/accounts/${accountId}`);
    expect(account.body.lastRunStatus).toBe('ok');
    // A second importer that fetched from an older cursor cannot save over the first one's progress.
    await expect(savePostsPage(h.db, { id: accountId, entityId, timezone: 'Asia/Bahrain' }, [], '4', '6', NOW)).rejects.toThrow(ConcurrentImportError);
  });

  test('a scheduled run imports an account only when its own interval has elapsed', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'interval-entity', nameAr: 'جهة', nameEn: 'Interval Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'interval_test', type: 'official', importIntervalMinutes: 60 });
    listPosts = [];
    const ran = async (minutes: number) => {
      const r = await runImportPipeline(deps, { now: new Date(NOW.getTime() + minutes * 60_000) });
      const row = await h.db.selectFrom('account').select('last_run_at').where('id', '=', accountId).executeTakeFirstOrThrow();
      return { accounts: r.counts.accounts, lastRunAt: row.last_run_at && new Date(row.last_run_at).getTime() };
    };
    const first = await ran(10);
    expect(first.lastRunAt).toBe(NOW.getTime() + 10 * 60_000);
    const soon = await ran(40);
    expect(soon.lastRunAt).toBe(first.lastRunAt);
    const later = await ran(71);
    expect(later.lastRunAt).toBe(NOW.getTime() + 71 * 60_000);
  });

  test('a job slot runs once even when two processes claim it', async () => {
    const def = jobDefinitions(testConfig()).find((d) => d.job === 'rollup')!;
    const slot = new Date('2026-11-20T08:17:00Z');
    expect(await runJobSlot(deps, def, slot, () => NOW)).toBe('ran');
    expect(await runJobSlot(deps, def, slot, () => NOW)).toBe('skipped');
    const jobs = await get<{ runs: { job: string; slot: string; status: string }[]; schedule: unknown[] }>('/api/jobs');
    expect(jobs.body.runs.filter((r) => r.job === 'rollup' && r.slot === slot.toISOString())).toHaveLength(1);
    expect(jobs.body.runs[0].status).toBe('ok');
    expect((jobs.body.schedule as { job: string }[]).map((j) => j.job).sort()).toEqual(['alert-digest', 'import', 'report', 'rollup']);
    // A live run (its owner beats) is never taken as failed, and no other slot of the job starts beside it.
    const live = await claimJobRun(h.db, 'import', '2026-11-19T00:00:00.000Z', new Date('2026-11-19T00:00:00Z'), 'process-a');
    expect(live).not.toBeNull();
    expect(await abandonStaleRuns(h.db)).toBe(0);
    expect(await claimJobRun(h.db, 'import', '2026-11-19T00:05:00.000Z', new Date('2026-11-19T00:05:00Z'), 'process-b')).toBeNull();
    // A run whose owner stopped beating (kill -9) is closed as an error, and the next claim runs.
    await sql`update job_run set heartbeat_at = now() - interval '10 minutes' where id = ${live}`.execute(h.db);
    expect(await claimJobRun(h.db, 'import', '2026-11-19T00:10:00.000Z', new Date('2026-11-19T00:10:00Z'), 'process-b')).not.toBeNull();
    const stale = await h.db.selectFrom('job_run').select(['status', 'error']).where('slot', '=', '2026-11-19T00:00:00.000Z').executeTakeFirstOrThrow();
    expect(stale.status).toBe('error');
    expect(stale.error).toMatch(/stopped before it finished/);
    // On the embedded database (one process holds it) every run left running at start is closed.
    expect(await abandonStaleRuns(h.db, { all: true })).toBe(1);
  });

  test.each([
    ['/api/overview?from=2026-13-01', 400, 'invalid-request'],
    ['/api/overview?from=2026-02-30', 400, 'invalid-request'],
    ['/api/overview?from=2026-05-01&to=2026-04-01', 400, 'invalid-request'],
    ['/api/overview?interval=year', 400, 'invalid-request'],
    ['/api/overview?from=2010-01-01&to=2026-01-01', 400, 'invalid-request'],
    ['/api/entities/abc', 400, 'invalid-request'],
    ['/api/entities/-3', 400, 'invalid-request'],
    ['/api/entities/999999', 404, 'not-found'],
    ['/api/entities/999999/trend', 404, 'not-found'],
    ['/api/accounts?entity=x', 400, 'invalid-request'],
    ['/api/accounts?limit=1001', 400, 'invalid-request'],
    ['/api/accounts?cursor=not-a-cursor', 400, 'invalid-request'],
    ['/api/accounts/424242', 404, 'not-found'],
    ['/api/posts?limit=1000', 400, 'invalid-request'],
    ['/api/posts?verdict=bad', 400, 'invalid-request'],
    ['/api/posts?category=rudeness', 400, 'invalid-request'],
    ['/api/posts?cursor=not-a-cursor', 400, 'invalid-request'],
    ['/api/posts?q=%E0%A4%A', 200, null],
    ['/api/posts/99999999999', 404, 'not-found'],
    ['/api/posts/1e400', 400, 'invalid-request'],
    ['/api/jobs?limit=0', 400, 'invalid-request'],
    ['/api/nothing-here', 404, 'not-found'],
    ['/api/entities/3000000000', 400, 'invalid-request'],
    ['/api/accounts/3000000000', 400, 'invalid-request'],
    ['/api/entities/3000000000/trend', 400, 'invalid-request'],
    ['/api/posts?q=%00', 400, 'invalid-request'],
    ['/api/overview?from=0001-01-01&to=0003-01-01', 400, 'invalid-request'],
    ['/api/posts?from=0000-01-01', 400, 'invalid-request'],
    [`/api/posts?cursor=${Buffer.from('{"t":"-200000-01-01T00:00:00Z","id":1}').toString('base64url')}`, 400, 'invalid-request'],
    ['/api/posts?limit=10&limit=20', 400, 'invalid-request'],
  ])('GET %s -> %i', async (url, status, code) => {
    const res = await app.request(url);
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error?: { code: string; message: string } };
    if (code) {
      expect(body.error?.code).toBe(code);
      expect(body.error?.message.length).toBeGreaterThan(5);
    }
  });
});

async function count(h: DbHandle, table: 'post'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(h.db);
  return rows[0].n;
}
