// Issue 11, data side: the pending-scores queue (score_pending, kept by triggers on post and filled once per
// rulebook version), the entity-grain rollups (rollup_entity_day) and the accounts' maintained summary
// (account_post_summary) give exactly what the direct aggregates over post / post_score / finding give.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { countAccounts, listAccountActivity, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { activateRulebookVersion } from '../../db/queries/rulebook.ts';
import { countPendingScores, listPostsToScore, recomputeDirtyRollups, recomputeRollups } from '../../db/queries/scores.ts';
import { getPeriodStats, getTrend, listEntitySparklines, listEntityStats } from '../../db/queries/stats.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook, parseRulebook } from '../../jobs/scoring/engine.ts';
import { AR, BAD, EN, rng } from '../bench/corpus.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { EXTRA_RULE } from '../helpers/rulebooks.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const ALL = 'all' as const;


/** Post i of an account: over ~60 days, Arabic or English, some with something to flag, some replies. */
function post(seed: number, i: number): ImportedPost {
  const r = rng(seed * 7919 + i);
  const arabic = r() < 0.6;
  const list = arabic ? AR : EN;
  let text = list[Math.floor(r() * list.length)];
  if (r() < 0.2) text += ` ${BAD[Math.floor(r() * BAD.length)]}`;
  return {
    platformPostId: `${seed}-${i}`,
    url: null,
    text,
    lang: arabic ? 'ar' : 'en',
    postedAt: new Date(NOW.getTime() - Math.floor(r() * 60 * 86_400_000) - 3_600_000),
    metrics: { likes: Math.floor(r() * 50), shares: Math.floor(r() * 5), replies: Math.floor(r() * 9), views: Math.floor(r() * 900) },
    isReply: r() < 0.1,
    isRepost: false,
    raw: { seed, i },
  };
}

describe.each(BACKENDS)('scoring queue and entity rollups on %s', (kind) => {
  let h: DbHandle;
  const accounts: { id: number; entityId: number; timezone: string }[] = [];
  const deps = () => ({ db: h.db, rulebook, connectors: {}, log: () => {} });

  beforeAll(async () => {
    h = await testDb(kind);
    for (let e = 0; e < 3; e++) {
      const entityId = await upsertEntity(h.db, { slug: `scale-${e}`, nameAr: `جهة ${e}`, nameEn: `Scale ${e}`, timezone: e === 2 ? 'UTC' : 'Asia/Bahrain' });
      for (let a = 0; a < 3; a++) {
        const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: `scale_${e}_${a}`, type: a === 2 ? 'executive' : 'official' });
        accounts.push({ id, entityId, timezone: e === 2 ? 'UTC' : 'Asia/Bahrain' });
      }
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  // What the dashboard's figures are, straight from post and post_score.
  async function direct() {
    const { rows: days } = await sql<Record<string, unknown>>`
      select p.entity_id, p.local_day::text as day, count(*)::int as posts, (count(*) filter (where s.verdict = 'clean'))::int as clean,
        (count(*) filter (where s.verdict = 'review'))::int as review, (count(*) filter (where s.verdict = 'violation'))::int as violations,
        sum(s.score)::int as score_sum, sum(s.findings)::int as findings, (count(*) filter (where p.is_reply))::int as replies,
        sum(p.likes + p.shares + p.replies)::int as engagement
      from post p join post_score s on s.post_id = p.id group by 1, 2 order by 1, 2`.execute(h.db);
    const { rows: accountRows } = await sql<Record<string, unknown>>`
      select a.id as account_id, (select count(*)::int from post p where p.account_id = a.id) as posts_captured,
        (select max(p.posted_at) from post p where p.account_id = a.id) as last_post_at,
        (select count(*)::int from post p join post_score s on s.post_id = p.id where p.account_id = a.id) as posts
      from account a order by a.id`.execute(h.db);
    return { days, accounts: accountRows };
  }
  async function maintained() {
    const { rows: days } = await sql<Record<string, unknown>>`
      select entity_id, day::text as day, posts, clean, review, violations, score_sum::int as score_sum, findings, replies, engagement::int as engagement
      from rollup_entity_day order by 1, 2`.execute(h.db);
    const { rows: accountRows } = await sql<Record<string, unknown>>`
      select account_id, posts_captured, last_post_at, posts from account_post_summary order by account_id`.execute(h.db);
    return { days, accounts: accountRows };
  }

  test('imported posts are queued, scored once, and the entity rollups and account summary equal the direct sums', async () => {
    for (const [n, account] of accounts.entries()) {
      const posts = Array.from({ length: 40 + n * 7 }, (_, i) => post(account.id, i));
      await savePostsPage(h.db, account, posts, null, 'a', NOW);
    }
    const total = accounts.reduce((sum, _a, n) => sum + 40 + n * 7, 0);
    expect(await countPendingScores(h.db)).toBe(total);
    const first = await runScoring(deps(), { now: NOW, batchSize: 50 });
    expect(first.counts.posts).toBe(total);
    expect(await countPendingScores(h.db)).toBe(0);
    expect((await runScoring(deps(), { now: NOW })).counts.posts).toBe(0);
    await recomputeDirtyRollups(h.db);
    const want = await direct();
    expect(want.days.length).toBeGreaterThan(50);
    expect(await maintained()).toEqual(want);
    // The incremental path and a full rebuild agree.
    await recomputeRollups(h.db, 'all');
    expect(await maintained()).toEqual(want);
  });

  test('an edit queues its post again; new posts of a page raise the counts; the dashboard figures follow', async () => {
    const account = accounts[1];
    const edited = { ...post(account.id, 3), text: `${post(account.id, 3).text} ${BAD[6]}` };
    const later = { ...post(account.id, 1000), postedAt: new Date(NOW.getTime() - 60_000) };
    await savePostsPage(h.db, account, [edited, later], 'a', 'b', NOW);
    const queued = await listPostsToScore(h.db, 100);
    expect(queued.map((p) => p.revision).sort()).toEqual([1, 2]);
    expect((await runScoring(deps(), { now: NOW })).counts.posts).toBe(2);
    await recomputeDirtyRollups(h.db);
    const want = await direct();
    expect(await maintained()).toEqual(want);
    // The entity-grain reads equal the direct sums of a period.
    const from = '2026-09-01';
    const to = '2026-11-20';
    const { rows } = await sql<{ posts: number; violations: number; score_sum: number }>`
      select count(*)::int as posts, (count(*) filter (where s.verdict = 'violation'))::int as violations, sum(s.score)::int as score_sum
      from post p join post_score s on s.post_id = p.id where p.local_day between ${from} and ${to}`.execute(h.db);
    const stats = await getPeriodStats(h.db, ALL, { from, to });
    expect(stats).toMatchObject({ posts: rows[0].posts, violations: rows[0].violations, score: Math.round((rows[0].score_sum / rows[0].posts) * 10) / 10 });
    const entities = await listEntityStats(h.db, ALL, { from, to });
    expect(entities.reduce((s, e) => s + e.posts, 0)).toBe(rows[0].posts);
    const trend = await getTrend(h.db, ALL, { from, to, interval: 'week' });
    expect(trend.reduce((s, t) => s + t.posts, 0)).toBe(rows[0].posts);
    const lines = await listEntitySparklines(h.db, ALL, { from, to, interval: 'month' });
    expect(lines.size).toBe(3);
    // The accounts page: counts and last post from the summary.
    const activity = await listAccountActivity(h.db, ALL, { now: NOW });
    const byId = new Map(want.accounts.map((a) => [a.account_id, a]));
    for (const a of activity) {
      const d = byId.get(a.id)!;
      expect({ postsCaptured: a.postsCaptured, posts: a.posts, lastPostAt: a.lastPostAt }).toEqual({
        postsCaptured: d.posts_captured,
        posts: d.posts,
        lastPostAt: new Date(d.last_post_at as string).toISOString(),
      });
    }
    expect(activity.find((a) => a.id === account.id)!.lastPostAt).toBe(later.postedAt.toISOString());
    expect(await countAccounts(h.db, ALL, NOW)).toEqual({ accounts: 9, dormant: 0 });
    expect(await countAccounts(h.db, ALL, new Date(NOW.getTime() + 40 * 86_400_000))).toEqual({ accounts: 9, dormant: 6 });
  });

  test('a new rulebook version queues every post once, in one statement; the run rescores them all', async () => {
    const posts = Number((await sql<{ n: number }>`select count(*)::int as n from post`.execute(h.db)).rows[0].n);
    const next = parseRulebook({ ...rulebook.sources, 'trial.yaml': EXTRA_RULE });
    await activateRulebookVersion(h.db, next, 'api');
    const scored = await runScoring({ ...deps(), rulebook: next }, { now: NOW, batchSize: 100 });
    expect(scored).toMatchObject({ version: next.version, counts: { posts } });
    expect(await countPendingScores(h.db)).toBe(0);
    const { rows } = await sql<{ v: string; n: number }>`select rulebook_version as v, count(*)::int as n from post_score group by 1`.execute(h.db);
    expect(rows).toEqual([{ v: next.version, n: posts }]);
    await recomputeDirtyRollups(h.db);
    expect(await maintained()).toEqual(await direct());
    // The trial rule found the exhibition posts, in the category rollup too.
    const { rows: cats } = await sql<{ a: number; b: number }>`
      select (select coalesce(sum(findings), 0)::int from rollup_category_day where category = 'reputation') as a,
        (select count(*)::int from finding f join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
         where f.category = 'reputation' and f.status <> 'dismissed') as b`.execute(h.db);
    expect(cats[0].a).toBe(cats[0].b);
    expect(cats[0].a).toBeGreaterThan(0);
    // Back to the first version: queued again.
    await activateRulebookVersion(h.db, rulebook, 'files');
    expect((await runScoring(deps(), { now: NOW })).counts.posts).toBe(posts);
  });

  test('a post deleted from the archive (its account removed) leaves the queue and the counts', async () => {
    const account = accounts[8];
    await savePostsPage(h.db, account, [post(account.id, 2000)], 'a', 'c', NOW);
    expect(await countPendingScores(h.db)).toBe(1);
    await h.db.deleteFrom('post').where('account_id', '=', account.id).where('platform_post_id', '=', `${account.id}-0`).execute();
    const summary = await h.db.selectFrom('account_post_summary').selectAll().where('account_id', '=', account.id).executeTakeFirstOrThrow();
    const direct = await h.db.selectFrom('post').select(sql<number>`count(*)::int`.as('n')).where('account_id', '=', account.id).executeTakeFirstOrThrow();
    expect(summary.posts_captured).toBe(direct.n);
    await h.db.deleteFrom('account').where('id', '=', account.id).execute();
    // The queued post went with its account: a new version's fill sweeps it, and nothing is scored for it.
    const next = parseRulebook({ ...rulebook.sources, 'trial2.yaml': EXTRA_RULE.replace('reputation.test.exhibition', 'reputation.test.exhibition2') });
    await activateRulebookVersion(h.db, next, 'api');
    const posts = Number((await sql<{ n: number }>`select count(*)::int as n from post`.execute(h.db)).rows[0].n);
    expect((await runScoring({ ...deps(), rulebook: next }, { now: NOW })).counts.posts).toBe(posts);
    expect(await countPendingScores(h.db)).toBe(0);
  });
});
