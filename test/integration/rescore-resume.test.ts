// Issue 11: a rescoring after a publication pages through post by id (nothing is copied into the queue first) and
// keeps its position in score_pending_version; a run that stops midway (a deploy, a crash) is resumed after its
// last written batch by the next run, and every stale post is scored exactly once, edits made meanwhile included.
// Two scorers sweeping at once (two processes) leave every post as one would.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { activateRulebookVersion } from '../../db/queries/rulebook.ts';
import { countPendingScores, getScoringProgress, hasPendingScores } from '../../db/queries/scores.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { runScoring, type ScoreProgress } from '../../jobs/score.ts';
import { loadRulebook, parseRulebook, scorePost } from '../../jobs/scoring/engine.ts';
import { AR, BAD, EN, rng } from '../bench/corpus.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { EXTRA_RULE } from '../helpers/rulebooks.ts';

const rulebook = loadRulebook();
const T0 = new Date('2026-11-20T09:00:00Z');
const T1 = new Date('2026-11-20T10:00:00Z');
const T2 = new Date('2026-11-20T11:00:00Z');
const PER_ACCOUNT = 200;

function post(account: number, i: number, edit = ''): ImportedPost {
  const r = rng(account * 7919 + i);
  const arabic = r() < 0.6;
  const list = arabic ? AR : EN;
  let text = list[Math.floor(r() * list.length)];
  if (r() < 0.3) text += ` ${BAD[Math.floor(r() * BAD.length)]}`;
  if (i % 4 === 0) text += arabic ? ' في المعرض' : ' at the exhibition';
  return {
    platformPostId: `${account}-${i}`,
    url: null,
    text: `${text}${edit}`,
    lang: arabic ? 'ar' : 'en',
    postedAt: new Date(T0.getTime() - (i + 1) * 3_600_000),
    metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
    isReply: false,
    isRepost: false,
    raw: { account, i },
  };
}

describe.each(BACKENDS)('a rescoring that stops midway on %s', (kind) => {
  let h: DbHandle;
  const accounts: { id: number; entityId: number; timezone: string }[] = [];

  beforeAll(async () => {
    h = await testDb(kind);
    const entityId = await upsertEntity(h.db, { slug: 'resume', nameAr: 'جهة', nameEn: 'Resume', timezone: 'Asia/Bahrain' });
    for (let a = 0; a < 3; a++) {
      const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: `resume_${a}`, type: 'official' });
      accounts.push({ id, entityId, timezone: 'Asia/Bahrain' });
      await savePostsPage(h.db, accounts[a], Array.from({ length: PER_ACCOUNT }, (_, i) => post(a, i)), null, 'a', T0);
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const state = async () =>
    (await sql<{ version: string | null; after: string | null }>`select version, sweep_after as after from score_pending_version`.execute(h.db)).rows[0];
  const scoredAt = async () =>
    (
      await sql<{ at: string; v: string; n: number }>`
        select (extract(epoch from s.scored_at) * 1000)::int8::text as at, s.rulebook_version as v, count(*)::int as n from post_score s join post p on p.id = s.post_id
        where s.post_revision = p.revision group by 1, 2 order by 1, 2`.execute(h.db)
    ).rows;

  test('resumes after its last written batch; each stale post is scored once, edits behind and ahead of it too', async () => {
    const total = accounts.length * PER_ACCOUNT;
    // The first run of a version is a sweep too (nothing is scored yet), then the queue is empty.
    expect((await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: T0, profiles: false })).counts.posts).toBe(total);
    expect(await state()).toEqual({ version: rulebook.version, after: null });
    expect(await countPendingScores(h.db)).toBe(0);

    const next = parseRulebook({ ...rulebook.sources, 'trial.yaml': EXTRA_RULE });
    await activateRulebookVersion(h.db, next, 'api');
    // The run is stopped (its signal, as on shutdown) once it has written about a third.
    const stop = new AbortController();
    const seen: ScoreProgress[] = [];
    const first = await runScoring(
      { db: h.db, rulebook: next, connectors: {}, log: () => {}, signal: stop.signal },
      {
        now: T1,
        profiles: false,
        batchSize: 50,
        onProgress: (p) => {
          seen.push(p);
          if (p.done >= 200) stop.abort();
        },
      },
    );
    const part = first.counts.posts;
    expect(part).toBeGreaterThanOrEqual(200);
    expect(part).toBeLessThan(total);
    // Nothing was copied into the queue; the run started with the count of stale posts (small table: counted).
    expect(await countPendingScores(h.db)).toBe(0);
    expect(seen[0]).toMatchObject({ version: next.version, total, done: 0 });
    // Its position is the last post of its last written batch, and it is not recorded as finished.
    const { rows: last } = await sql<{ id: string }>`select max(post_id) as id from post_score where rulebook_version = ${next.version}`.execute(h.db);
    expect(await state()).toEqual({ version: next.version, after: last[0].id });
    const stopped = await getScoringProgress(h.db, T1);
    expect(stopped).toMatchObject({ version: next.version, done: part, finishedAt: null, queued: true });
    expect(await hasPendingScores(h.db)).toBe(true);
    expect(await scoredAt()).toEqual([
      { at: String(T0.getTime()), v: rulebook.version, n: total - part },
      { at: String(T1.getTime()), v: next.version, n: part },
    ]);

    // A crash between a batch's write and the record of its position: the position lags by a batch.
    await sql`update score_pending_version set sweep_after = sweep_after - 50`.execute(h.db);
    // Meanwhile an edit behind the sweep (scored already) and one ahead of it.
    const { rows: ids } = await sql<{ behind: string; ahead: string }>`
      select (select min(id) from post) as behind, (select max(id) from post) as ahead`.execute(h.db);
    const { rows: edited } = await sql<{ account_id: number; raw: { account: number; i: number } }>`
      select account_id, raw from post where id in (${ids[0].behind}::int8, ${ids[0].ahead}::int8) order by id`.execute(h.db);
    for (const e of edited) {
      const account = accounts.find((a) => a.id === e.account_id)!;
      await savePostsPage(h.db, account, [post(e.raw.account, e.raw.i, ' (edited)')], 'a', 'b', T0);
    }
    expect(await countPendingScores(h.db)).toBe(2);

    // The next run resumes: the rest once, the edit behind once (from the queue, after the sweep), nothing twice.
    const progress: ScoreProgress[] = [];
    const second = await runScoring({ db: h.db, rulebook: next, connectors: {}, log: () => {} }, { now: T2, profiles: false, batchSize: 50, onProgress: (p) => progress.push(p) });
    expect(second.counts.posts).toBe(total - part + 1);
    expect(await scoredAt()).toEqual([
      { at: String(T1.getTime()), v: next.version, n: part - 1 },
      { at: String(T2.getTime()), v: next.version, n: total - part + 1 },
    ]);
    // It started with the stale posts after its position (the lag of a batch included: those are scored), and ended
    // with its count (the edit behind the sweep added).
    expect(progress[0]).toMatchObject({ version: next.version, done: 0, total: total - part });
    expect(progress.at(-1)).toMatchObject({ finished: true, total: total - part + 1, done: total - part + 1 });
    expect(await state()).toEqual({ version: next.version, after: null });
    expect(await countPendingScores(h.db)).toBe(0);
    expect(await getScoringProgress(h.db, T2)).toMatchObject({ state: 'done', queued: false, total: total - part + 1, done: total - part + 1 });
    // Every post has one score, for the new version at its current revision, and exactly the findings the engine
    // gives its current text (none left over from the text before the edit, none written twice).
    const { rows: check } = await sql<{ scores: number; stale: number }>`
      select (select count(*)::int from post_score) as scores,
        (select count(*)::int from post p join post_score s on s.post_id = p.id where s.rulebook_version <> ${next.version} or s.post_revision <> p.revision) as stale`.execute(h.db);
    expect(check[0]).toEqual({ scores: total, stale: 0 });
    const posts = await h.db.selectFrom('post').select(['id', 'text', 'lang']).orderBy('id').execute();
    const stored = await h.db
      .selectFrom('finding')
      .select(['post_id', 'rule_id', 'start_offset', 'end_offset', 'match'])
      .where('rulebook_version', '=', next.version)
      .orderBy('post_id')
      .orderBy('id')
      .execute();
    const key = (f: { rule: string; start: number; end: number; match: string }) => `${f.rule}|${f.start}|${f.end}|${f.match}`;
    const want = posts.flatMap((p) =>
      scorePost(next, { text: p.text, lang: p.lang === 'ar' || p.lang === 'en' ? p.lang : undefined, accountType: 'official' })
        .findings.map((f) => `${p.id}|${key(f)}`)
        .sort(),
    );
    const got = stored.map((f) => `${f.post_id}|${key({ rule: f.rule_id, start: f.start_offset, end: f.end_offset, match: f.match })}`);
    expect([...got].sort()).toEqual([...want].sort());
    expect(want.length).toBeGreaterThan(100);
    // The findings carry their post's date (the review queue's order), written with them.
    const { rows: dated } = await sql<{ n: number }>`
      select count(*)::int as n from finding f join post p on p.id = f.post_id where f.posted_at is distinct from p.posted_at`.execute(h.db);
    expect(dated[0].n).toBe(0);
    // Nothing left: the next run scores nothing and leaves the record alone.
    expect((await runScoring({ db: h.db, rulebook: next, connectors: {}, log: () => {} }, { now: T2, profiles: false })).counts.posts).toBe(0);
  });

  test('a rescoring writes each score on its own page (post_score keeps room: HOT updates, no index entries)', async () => {
    // Posts of their own, scored once: their scores are written as new rows are.
    const entityId = await upsertEntity(h.db, { slug: 'in-place', nameAr: 'جهة', nameEn: 'In place', timezone: 'Asia/Bahrain' });
    const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'in_place', type: 'official' });
    await savePostsPage(h.db, { id, entityId, timezone: 'Asia/Bahrain' }, Array.from({ length: 400 }, (_, i) => post(7, i)), null, 'a', T0);
    await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: T0, profiles: false });
    const blocks = async () =>
      new Map(
        (await sql<{ id: string; block: string }>`select s.post_id::text as id, split_part(trim(both '()' from s.ctid::text), ',', 1) as block from post_score s join post p on p.id = s.post_id where p.account_id = ${id}`.execute(h.db)).rows.map(
          (r) => [r.id, r.block],
        ),
      );
    const before = await blocks();
    const next = parseRulebook({ ...rulebook.sources, 'again.yaml': EXTRA_RULE.replace('reputation.test.exhibition', 'reputation.test.again') });
    await activateRulebookVersion(h.db, next, 'api');
    const run = await runScoring({ db: h.db, rulebook: next, connectors: {}, log: () => {} }, { now: T2, profiles: false });
    expect(run.counts.posts).toBeGreaterThanOrEqual(before.size);
    const after = await blocks();
    const kept = [...before].filter(([post, block]) => after.get(post) === block).length;
    // Rows a new finding made longer may move; nearly all stay.
    expect(kept / before.size).toBeGreaterThan(0.9);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('two scorers sweeping at once on PostgreSQL', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb('postgres');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('every post ends with one score and the findings of its text for the new version, the sweep ended once', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'resume2', nameAr: 'جهة', nameEn: 'Resume 2', timezone: 'Asia/Bahrain' });
    const accounts: { id: number; entityId: number; timezone: string }[] = [];
    for (let a = 0; a < 3; a++) {
      const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: `resume2_${a}`, type: 'official' });
      accounts.push({ id, entityId, timezone: 'Asia/Bahrain' });
      await savePostsPage(h.db, accounts[a], Array.from({ length: PER_ACCOUNT }, (_, i) => post(a, i)), null, 'a', T0);
    }
    const deps = (rb: typeof rulebook) => ({ db: h.db, rulebook: rb, connectors: {}, log: () => {} });
    await runScoring(deps(rulebook), { now: T0, profiles: false });
    const next = parseRulebook({ ...rulebook.sources, 'trial.yaml': EXTRA_RULE });
    await activateRulebookVersion(h.db, next, 'api');
    // A second copy of the scoring module: its own in-process queue, as another process has.
    vi.resetModules();
    const other = (await import('../../jobs/score.ts')).runScoring;
    expect(other).not.toBe(runScoring);
    const [a, b] = await Promise.all([
      runScoring(deps(next), { now: T1, profiles: false, batchSize: 40 }),
      other(deps(next), { now: T1, profiles: false, batchSize: 40 }),
    ]);
    const total = accounts.length * PER_ACCOUNT;
    // Together they scored every post (a batch both read before either wrote is written twice, with the same rows).
    expect(a.counts.posts + b.counts.posts).toBeGreaterThanOrEqual(total);
    const { rows } = await sql<{ scores: number; stale: number; changes: number; changed: number; after: string | null; queued: number }>`
      select (select count(*)::int from post_score where rulebook_version = ${next.version}) as scores,
        (select count(*)::int from post p join post_score s on s.post_id = p.id where s.rulebook_version <> ${next.version} or s.post_revision <> p.revision) as stale,
        (select count(*)::int from verdict_change where to_version = ${next.version}) as changes,
        (select count(distinct post_id)::int from verdict_change where to_version = ${next.version}) as changed,
        (select sweep_after::text from score_pending_version) as after,
        (select count(*)::int from score_pending) as queued`.execute(h.db);
    expect(rows[0]).toMatchObject({ scores: total, stale: 0, after: null, queued: 0 });
    // A change of verdict is recorded once per post.
    expect(rows[0].changes).toBe(rows[0].changed);
    const stored = await h.db.selectFrom('finding').select(['post_id', 'rule_id', 'start_offset', 'end_offset', 'match']).where('rulebook_version', '=', next.version).execute();
    const posts = await h.db.selectFrom('post').select(['id', 'text', 'lang']).execute();
    const want = posts.flatMap((p) =>
      scorePost(next, { text: p.text, lang: p.lang === 'ar' || p.lang === 'en' ? p.lang : undefined, accountType: 'official' }).findings.map(
        (f) => `${p.id}|${f.rule}|${f.start}|${f.end}|${f.match}`,
      ),
    );
    expect(stored.map((f) => `${f.post_id}|${f.rule_id}|${f.start_offset}|${f.end_offset}|${f.match}`).sort()).toEqual(want.sort());
  });

});
