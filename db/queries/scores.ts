// Reading posts to score and writing their findings and scores.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { writePath } from './imports.ts';
import type { AccountType, Finding, Severity, Verdict } from '../vocabulary.ts';
import type { ReviewStatus } from '../../jobs/scoring/formula.ts';
import type { ScoringProgress } from '../../server/api-types.ts';

export interface PostToScore {
  id: number;
  text: string;
  lang: string | null;
  accountType: AccountType;
  localDay: string;
  entityId: number;
  updatedAt: Date;
  /** The revision read: the score is written for it, so an edit landing meanwhile is scored again. */
  revision: number;
}

/** The columns of a post to score (the queue's read and the sweep's). */
const TO_SCORE = ['p.id', 'p.text', 'p.lang', 'a.type as accountType', 'p.local_day as localDay', 'p.entity_id as entityId', 'p.updated_at as updatedAt', 'p.revision'] as const;

/**
 * The next posts of the scoring queue (score_pending, kept by triggers on post: new posts and new revisions),
 * by id after `afterId`: a run pages through the queue by id. A rescoring after a publication reads post itself
 * instead (listStalePosts): the queue holds only what was imported or edited.
 */
export async function listPostsToScore(db: Db, limit: number, afterId = 0): Promise<PostToScore[]> {
  return db
    .selectFrom('score_pending as q')
    .innerJoin('post as p', 'p.id', 'q.post_id')
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .select(TO_SCORE)
    // The bound on both sides: PostgreSQL does not carry an inequality across the join, and a merge join then read
    // post from its first row for every batch (1.1 s per batch at 270,000 posts into a rescoring of 1M, growing:
    // the stall); with it, 24 ms.
    .$if(afterId > 0, (qb) => qb.where('q.post_id', '>', afterId).where('p.id', '>', afterId))
    .orderBy('q.post_id')
    .limit(limit)
    .execute();
}

/** The read of listStalePosts (exported for the plan that bench:scale prints). */
export function staleQuery(db: Db, version: string, limit: number, afterId: number) {
  return (
    db
      .selectFrom('post as p')
      .innerJoin('account as a', 'a.id', 'p.account_id')
      // The bound on both sides of the join, as in the queue's read: without it a merge join reads post_score from
      // its first row for every batch.
      .leftJoin('post_score as s', (j) => j.onRef('s.post_id', '=', 'p.id').on('s.post_id', '>', afterId))
      .select(TO_SCORE)
      .where('p.id', '>', afterId)
      .where((eb) => eb.or([eb('s.post_id', 'is', null), eb('s.rulebook_version', '<>', version), eb('s.post_revision', '<>', eb.ref('p.revision'))]))
      .orderBy('p.id')
      .limit(limit)
  );
}

/**
 * The next posts after `afterId` whose score is not for `version` at their current revision (or that have none):
 * a rescoring pages through post by id (keyset on its primary key joined to post_score's), so nothing is copied
 * before the first batch is scored. A post scored meanwhile (by another process) is no longer read.
 */
export async function listStalePosts(db: Db, version: string, limit: number, afterId: number): Promise<PostToScore[]> {
  return staleQuery(db, version, limit, afterId).execute();
}

/** What the scorers apply: the version last started, and where its sweep of post stands (null: none in progress). */
export interface ScoreQueueState {
  version: string | null;
  /** The last post id of the sweep's batches written: the next run resumes after it. */
  sweepAfter: number | null;
}

async function readQueueState(db: Db): Promise<ScoreQueueState> {
  const { rows } = await sql<{ version: string | null; sweep_after: string | null }>`
    select version, sweep_after from score_pending_version where id = 1`.execute(db);
  const r = rows[0];
  return { version: r?.version ?? null, sweepAfter: r?.sweep_after == null ? null : Number(r.sweep_after) };
}

/**
 * Where the scoring of `version` stands, starting it when the scorers last applied another version (a publication,
 * a restore, a first run): a sweep of post from its first id (listStalePosts), recorded in score_pending_version
 * so that a run that stops is resumed after its last written batch (advanceScoreRun keeps the position, endSweep
 * ends it). Queued posts that no longer exist are forgotten. Nothing is copied: the start takes milliseconds at any size.
 */
export async function beginVersion(db: Db, version: string): Promise<ScoreQueueState> {
  const state = await readQueueState(db);
  if (state.version === version) return state;
  return db.transaction().execute(async (trx) => {
    // Under the scorers' lock: two processes do not start it twice (the second would send the first back to the start).
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score'))`.execute(trx);
    const again = await readQueueState(trx);
    if (again.version === version) return again;
    await sql`delete from score_pending q where not exists (select 1 from post p where p.id = q.post_id)`.execute(trx);
    await sql`insert into score_pending_version (id, version, sweep_after) values (1, ${version}::text, 0)
      on conflict (id) do update set version = excluded.version, sweep_after = excluded.sweep_after`.execute(trx);
    return { version, sweepAfter: 0 };
  });
}

/**
 * Ends the sweep for `version`: called once every batch it read has been written and a read past the last one found
 * nothing. Posts edited behind the sweep meanwhile are in score_pending (the run reads it next).
 */
export async function endSweep(db: Db, version: string): Promise<void> {
  await sql`update score_pending_version set sweep_after = null where id = 1 and version = ${version}::text`.execute(db);
}

/**
 * How many posts a sweep after `afterId` has before it, for the progress bar. Counted (the stale posts) when at most
 * 50,000 ids are left; otherwise estimated (`estimated`), without reading post: from the table's statistics and its
 * current size (the planner's own estimate) times the share of the id range left, or the id range itself when the
 * table was never analyzed. Counting 5 million rows would cost seconds before the first batch.
 */
export async function estimateSweep(db: Db, version: string, afterId: number): Promise<{ total: number; estimated: boolean }> {
  const { rows } = await sql<{ est: string | null; lo: string | null; hi: string | null }>`
    select (select case when c.relpages > 0 and c.reltuples > 0
        then (c.reltuples / c.relpages * (pg_relation_size(c.oid) / current_setting('block_size')::int))::int8 end
        from pg_class c where c.oid = 'post'::regclass) as est,
      (select min(id) from post) as lo, (select max(id) from post) as hi`.execute(db);
  const lo = Number(rows[0]?.lo ?? 0);
  const hi = Number(rows[0]?.hi ?? 0);
  const left = hi - Math.max(afterId, lo - 1);
  if (left <= 50_000) {
    const { rows: n } = await sql<{ n: number }>`
      select count(*)::int as n from post p left join post_score s on s.post_id = p.id
      where p.id > ${afterId}::int8 and (s.post_id is null or s.rulebook_version <> ${version}::text or s.post_revision <> p.revision)`.execute(db);
    return { total: n[0]?.n ?? 0, estimated: false };
  }
  const est = rows[0]?.est == null ? null : Number(rows[0].est);
  return { total: est === null ? left : Math.round(Math.min(left, est * (left / (hi - lo + 1)))), estimated: true };
}

/** How many posts wait in the scoring queue (new and edited posts; a rescoring's sweep is apart: estimateSweep). */
export async function countPendingScores(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from score_pending`.execute(db);
  return rows[0]?.n ?? 0;
}

export interface ScoreRun {
  version: string;
  /** Posts to score when the run started (a sweep's estimated past 50,000 posts: estimateSweep); the count once finished. */
  total: number;
  /** The total is an estimate (cleared when the run finishes). */
  estimated: boolean;
  done: number;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

/**
 * Records a scoring run that starts with `total` posts to score (the one row of score_run: the latest run);
 * `estimated` when that total is an estimate (a large rescoring's, see estimateSweep).
 */
export async function startScoreRun(db: Db, version: string, total: number, at: Date, estimated = false): Promise<void> {
  await sql`
    insert into score_run (id, version, total, done, started_at, updated_at, finished_at, estimated)
    values (1, ${version}::text, ${total}::int8, 0, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz, null, ${estimated})
    on conflict (id) do update set version = excluded.version, total = excluded.total, done = 0, started_at = excluded.started_at,
      updated_at = excluded.updated_at, finished_at = null, estimated = excluded.estimated`.execute(db);
}

/**
 * How far the run has come (after each batch), and when it finished; a finished run's total becomes the posts it
 * scored (a sweep's total is an estimate). `sweptTo`: the last post id of the sweep's batches written, kept in the
 * same statement, where the next run resumes if this one stops.
 */
export async function advanceScoreRun(
  db: Db,
  progress: { version: string; done: number; at: Date; finished?: boolean; sweptTo?: number },
): Promise<void> {
  await sql`
    with swept as (
      update score_pending_version set sweep_after = ${progress.sweptTo ?? null}::int8
      where id = 1 and version = ${progress.version}::text and sweep_after < ${progress.sweptTo ?? null}::int8)
    update score_run set version = ${progress.version}::text, done = ${progress.done}::int8,
      total = ${progress.finished ? sql`${progress.done}::int8` : sql`greatest(total, ${progress.done}::int8)`},
      estimated = ${progress.finished ? sql`false` : sql`estimated`},
      updated_at = ${progress.at.toISOString()}::timestamptz,
      finished_at = ${progress.finished ? progress.at.toISOString() : null}::timestamptz
    where id = 1`.execute(db);
}

/** The latest scoring run, if any. */
export async function getScoreRun(db: Db): Promise<ScoreRun | null> {
  const { rows } = await sql<{ version: string; total: string; done: string; estimated: boolean; started_at: Date; updated_at: Date; finished_at: Date | null }>`
    select version, total, done, estimated, started_at, updated_at, finished_at from score_run where id = 1`.execute(db);
  const r = rows[0];
  if (!r) return null;
  const date = (d: Date | string) => (d instanceof Date ? d : new Date(d));
  return {
    version: r.version,
    total: Number(r.total),
    estimated: r.estimated,
    done: Number(r.done),
    startedAt: date(r.started_at),
    updatedAt: date(r.updated_at),
    finishedAt: r.finished_at === null ? null : date(r.finished_at),
  };
}

/** Whether any post waits to be scored: queued, or a sweep in progress (cheap at any size, unlike a count). */
export async function hasPendingScores(db: Db): Promise<boolean> {
  const { rows } = await sql<{ yes: boolean }>`
    select exists (select 1 from score_pending) or exists (select 1 from score_pending_version where sweep_after is not null) as yes`.execute(db);
  return Boolean(rows[0]?.yes);
}

/** A run that has not written for this long is no longer running (its process ended; the next run resumes it). */
const RUN_SILENT_MS = 120_000;

/** Where the scoring of the rulebook in force stands (GET /api/rulebook/progress): four small reads, none a count. */
export async function getScoringProgress(db: Db, now: Date): Promise<ScoringProgress> {
  const run = await getScoreRun(db);
  const { rows } = await sql<{ active: string | null; queued_for: string | null; waiting: boolean }>`
    select (select version from rulebook_version where active) as active,
      (select version from score_pending_version where id = 1) as queued_for,
      exists (select 1 from score_pending) or exists (select 1 from score_pending_version where sweep_after is not null) as waiting`.execute(db);
  const { active, queued_for, waiting } = rows[0];
  const running = run !== null && run.finishedAt === null && now.getTime() - run.updatedAt.getTime() < RUN_SILENT_MS;
  const stalled = run !== null && run.finishedAt === null && !running;
  // Not applied yet: the scorers last started another version (a publication the scorer has not started on).
  const unapplied = active !== null && queued_for !== active && !(running && run.version === active);
  // New or edited posts queued after a finished run do not make it "waiting": they are scored at the next import's run.
  const state: ScoringProgress['state'] = running ? 'running' : stalled ? 'stalled' : unapplied || (waiting && !run) ? 'waiting' : run ? 'done' : 'idle';
  const seconds = run ? ((run.finishedAt ?? (running ? now : run.updatedAt)).getTime() - run.startedAt.getTime()) / 1000 : 0;
  const rate = run && run.done > 0 && seconds > 0 ? run.done / seconds : null;
  const pending = run && (running || stalled) ? Math.max(0, run.total - run.done) : 0;
  return {
    state,
    queued: waiting,
    activeVersion: active,
    version: run?.version ?? null,
    total: run?.total ?? 0,
    estimated: run?.estimated ?? false,
    done: run?.done ?? 0,
    pending,
    rate: rate === null ? null : Math.round(rate),
    etaSeconds: running && rate ? Math.round(pending / rate) : null,
    startedAt: run?.startedAt.toISOString() ?? null,
    updatedAt: run?.updatedAt.toISOString() ?? null,
    finishedAt: run?.finishedAt?.toISOString() ?? null,
  };
}

export interface ReviewDecision {
  postId: number;
  rule: string;
  match: string;
  status: ReviewStatus;
}

/**
 * What a reviewer's decision is kept by across rescoring: the rule and the matched words; for a model finding
 * (at most one per head and post) the rule alone, since a retrained model may weigh other words most.
 */
export function decisionMatch(rule: string, match: string): string {
  return rule.startsWith('model.') ? '' : match;
}

/**
 * Reviewers' decisions on earlier findings of these posts (the latest per rule and matched text, see decisionMatch).
 * The statuses are named (not `<> 'open'`): the index on (status, post_id) then serves it whatever the statistics;
 * without them (autovacuum off, a table never analyzed) the planner read all of finding, in parallel, for every batch
 * of a rescoring (0.5 s at 1M posts, growing with each version's findings).
 */
export async function listReviewDecisions(db: Db, postIds: number[]): Promise<ReviewDecision[]> {
  if (!postIds.length) return [];
  const { rows } = await sql<ReviewDecision>`
    select distinct on (post_id, rule_id, m) post_id as "postId", rule_id as rule, m as match, status
    from (select *, case when rule_id like 'model.%' then '' else match end as m
      from finding where post_id = any(${postIds}::bigint[]) and status in ('confirmed', 'dismissed')) f
    order by post_id, rule_id, m, id desc`.execute(db);
  return rows;
}

export interface ScoredPost {
  postId: number;
  entityId: number;
  localDay: string;
  /** The post's revision that was scored. */
  revision: number;
  /** Never earlier than the post's updated_at, so an edit stamped by a faster clock cannot loop the scorer. */
  scoredAt: Date;
  score: number;
  verdict: Verdict;
  findings: (Finding & { status: ReviewStatus })[];
}

/**
 * Writes findings and scores, and marks their days for the rollup, in one transaction. Returns false
 * (writing nothing) when another rulebook version came into force meanwhile: the caller re-resolves it.
 */
export async function saveScores(db: Db, version: string, scoredAsRead: ScoredPost[], now: Date): Promise<boolean> {
  if (!scoredAsRead.length) return true;
  if (writePath === 'row') return saveScoresByRow(db, version, scoredAsRead, now);
  const kept = (s: ScoredPost) => s.findings.filter((f) => f.status !== 'dismissed');
  const scores = JSON.stringify(
    scoredAsRead.map((s, ord) => ({
      ord,
      post_id: s.postId,
      entity_id: s.entityId,
      local_day: s.localDay,
      revision: s.revision,
      scored_at: s.scoredAt.toISOString(),
      score: s.score,
      verdict: s.verdict,
      categories: [...new Set(kept(s).map((f) => f.category))],
      max_severity: maxSeverity(kept(s).map((f) => f.severity)),
      findings: kept(s).length,
    })),
  );
  const findings = JSON.stringify(
    scoredAsRead.flatMap((s) => s.findings.map((f) => ({ post_id: s.postId, f }))).map(({ post_id, f }, ord) => ({
      ord,
      post_id, rule_id: f.rule,
      category: f.category,
      severity: f.severity,
      match: f.match,
      start_offset: f.start,
      end_offset: f.end,
      status: f.status,
      probability: f.probability ?? null,
      model_version: f.model ?? null,
      evidence: f.evidence ?? null,
    })),
  );
  return db.transaction().execute(async (trx) => {
    // One scorer writes at a time (an import job and a rescore after publishing may overlap). The commit does not wait
    // for its flush to disk (DERIVED_COMMIT): scores are recomputed from the stored posts.
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score')), ${DERIVED_COMMIT}`.execute(trx);
    const active = await trx.selectFrom('rulebook_version').select('version').where('active', '=', true).executeTakeFirst();
    if (active && active.version !== version) return false;
    // One statement: a post edited since it was read (another process imported meanwhile) keeps its place in the
    // queue (the score and the findings' offsets of its old text must not land on its new text); a post that changes
    // verdict under a new rulebook version is recorded; re-scoring with the same version replaces its findings (other
    // versions' findings stay as history); the scores are upserted and their days marked for the rollup.
    await sql`
      with
      input as (
        select x.* from jsonb_to_recordset(${scores}::jsonb) as x(post_id int8, entity_id int4, local_day date, revision int4,
          scored_at timestamptz, score int2, verdict text, categories text[], max_severity text, findings int4, ord int4)),
      -- The posts are share-locked: an edit being imported meanwhile waits for this transaction (then its trigger
      -- queues the post again), or this statement sees its new revision and leaves the post queued.
      cur as (select i.*, p.posted_at, p.entity_id as post_entity_id, p.local_day as post_local_day
        from input i join post p on p.id = i.post_id and p.revision = i.revision for share of p),
      changes as (
        insert into verdict_change (post_id, entity_id, from_version, to_version, from_verdict, to_verdict, from_score, to_score, changed_at)
        select c.post_id, c.entity_id, o.rulebook_version, ${version}::text, o.verdict, c.verdict, o.score, c.score, ${now.toISOString()}::timestamptz
        from cur c join post_score o on o.post_id = c.post_id
        where o.rulebook_version <> ${version}::text and o.verdict <> c.verdict
        order by c.ord),
      cleared as (delete from finding f using cur c where f.post_id = c.post_id and f.rulebook_version = ${version}::text),
      -- The post's posted_at (the review queue's order) is given here, read with the post: the finding's trigger
      -- (0021) would read the post again for each finding (7 µs each, measured at 1M posts).
      found as (
        insert into finding (post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset, status, created_at,
          probability, model_version, evidence, posted_at)
        select f.post_id, f.rule_id, f.category, f.severity, ${version}::text, f.match, f.start_offset, f.end_offset, f.status, ${now.toISOString()}::timestamptz,
          f.probability, f.model_version, f.evidence, c.posted_at
        from jsonb_to_recordset(${findings}::jsonb) as f(post_id int8, rule_id text, category text, severity text, match text,
          start_offset int4, end_offset int4, status text, probability real, model_version text, evidence jsonb, ord int4)
        join cur c on c.post_id = f.post_id
        order by f.ord),
      scored as (
        insert into post_score (post_id, rulebook_version, score, verdict, categories, max_severity, findings, scored_at, post_revision, entity_id, local_day, posted_at)
        select post_id, ${version}::text, score, verdict, categories, max_severity, findings, scored_at, revision, post_entity_id, post_local_day, posted_at from cur order by ord
        on conflict (post_id) do update set rulebook_version = excluded.rulebook_version, score = excluded.score, verdict = excluded.verdict,
          categories = excluded.categories, max_severity = excluded.max_severity, findings = excluded.findings, scored_at = excluded.scored_at,
          post_revision = excluded.post_revision, entity_id = excluded.entity_id, local_day = excluded.local_day, posted_at = excluded.posted_at),
      dirty as (insert into rollup_dirty (entity_id, day) select distinct entity_id, local_day from cur on conflict do nothing),
      dequeued as (delete from score_pending q using cur c where q.post_id = c.post_id)
      select 1`.execute(trx);
    return true;
  });
}

/** The write of a few statements per kind of row (the baseline of `npm run bench:import`, setWritePath('row')). */
async function saveScoresByRow(db: Db, version: string, scoredAsRead: ScoredPost[], now: Date): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // One scorer writes at a time (an import job and a rescore after publishing may overlap).
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score'))`.execute(trx);
    const active = await trx.selectFrom('rulebook_version').select('version').where('active', '=', true).executeTakeFirst();
    if (active && active.version !== version) return false;
    // A post edited since it was read (another process imported meanwhile) keeps its place in the queue:
    // the score and the findings' offsets of its old text must not land on its new text.
    const current = await trx.selectFrom('post').select(['id', 'revision']).where('id', 'in', scoredAsRead.map((s) => s.postId)).forShare().execute();
    const revisionOf = new Map(current.map((p) => [p.id, p.revision]));
    const scored = scoredAsRead.filter((s) => revisionOf.get(s.postId) === s.revision);
    if (!scored.length) return true;
    const ids = scored.map((s) => s.postId);
    await trx.deleteFrom('score_pending').where('post_id', 'in', ids).execute();
    // A post that changes verdict under a new rulebook version is recorded: "what did this version change".
    const before = await trx.selectFrom('post_score').select(['post_id', 'rulebook_version', 'verdict', 'score']).where('post_id', 'in', ids).execute();
    const old = new Map(before.map((b) => [b.post_id, b]));
    const changes = scored
      .map((s) => ({ s, o: old.get(s.postId) }))
      .filter(({ s, o }) => o && o.rulebook_version !== version && o.verdict !== s.verdict)
      .map(({ s, o }) => ({
        post_id: s.postId,
        entity_id: s.entityId,
        from_version: o!.rulebook_version,
        to_version: version,
        from_verdict: o!.verdict,
        to_verdict: s.verdict,
        from_score: o!.score,
        to_score: s.score,
        changed_at: now,
      }));
    for (let i = 0; i < changes.length; i += 1000) await trx.insertInto('verdict_change').values(changes.slice(i, i + 1000)).execute();
    // Re-scoring with the same version replaces its findings; other versions' findings stay as history.
    await trx.deleteFrom('finding').where('post_id', 'in', ids).where('rulebook_version', '=', version).execute();
    const findings = scored.flatMap((s) =>
      s.findings.map((f) => ({
        post_id: s.postId,
        rule_id: f.rule,
        category: f.category,
        severity: f.severity,
        rulebook_version: version,
        match: f.match,
        start_offset: f.start,
        end_offset: f.end,
        status: f.status,
        created_at: now,
        probability: f.probability ?? null,
        model_version: f.model ?? null,
        evidence: f.evidence ? sql<Finding['evidence']>`${JSON.stringify(f.evidence)}::jsonb` : null,
      })),
    );
    for (let i = 0; i < findings.length; i += 1000) await trx.insertInto('finding').values(findings.slice(i, i + 1000)).execute();
    const scores = scored.map((s) => ({
      post_id: s.postId,
      rulebook_version: version,
      score: s.score,
      verdict: s.verdict,
      categories: sql<string[]>`${[...new Set(s.findings.filter((f) => f.status !== 'dismissed').map((f) => f.category))]}::text[]`,
      max_severity: maxSeverity(s.findings.filter((f) => f.status !== 'dismissed').map((f) => f.severity)),
      findings: s.findings.filter((f) => f.status !== 'dismissed').length,
      scored_at: s.scoredAt,
      post_revision: s.revision,
    }));
    for (let i = 0; i < scores.length; i += 1000) {
      await trx
        .insertInto('post_score')
        .values(scores.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.column('post_id').doUpdateSet((eb) => ({
            rulebook_version: eb.ref('excluded.rulebook_version'),
            score: eb.ref('excluded.score'),
            verdict: eb.ref('excluded.verdict'),
            categories: eb.ref('excluded.categories'),
            max_severity: eb.ref('excluded.max_severity'),
            findings: eb.ref('excluded.findings'),
            scored_at: eb.ref('excluded.scored_at'),
            post_revision: eb.ref('excluded.post_revision'),
          })),
        )
        .execute();
    }
    const dirty = [...new Map(scored.map((s) => [`${s.entityId}|${s.localDay}`, { entity_id: s.entityId, day: s.localDay }])).values()];
    for (let i = 0; i < dirty.length; i += 1000)
      await trx.insertInto('rollup_dirty').values(dirty.slice(i, i + 1000)).onConflict((oc) => oc.doNothing()).execute();
    return true;
  });
}

const ORDER: Severity[] = ['low', 'medium', 'high', 'critical'];
function maxSeverity(list: Severity[]): Severity | null {
  let best = -1;
  for (const s of list) best = Math.max(best, ORDER.indexOf(s));
  return best < 0 ? null : ORDER[best];
}

export async function replaceAccountFindings(
  db: Db,
  accountId: number,
  version: string,
  findings: Pick<Finding, 'rule' | 'category' | 'severity' | 'match'>[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('account_finding').where('account_id', '=', accountId).where('rulebook_version', '=', version).execute();
    if (findings.length)
      await trx
        .insertInto('account_finding')
        .values(findings.map((f) => ({ account_id: accountId, rule_id: f.rule, category: f.category, severity: f.severity, rulebook_version: version, match: f.match })))
        .execute();
  });
}

/** replaceAccountFindings for many accounts at once: one delete and one insert in one transaction. */
export async function replaceAccountsFindings(
  db: Db,
  version: string,
  accounts: { accountId: number; findings: Pick<Finding, 'rule' | 'category' | 'severity' | 'match'>[] }[],
): Promise<void> {
  if (!accounts.length) return;
  const rows = accounts
    .flatMap((a) => a.findings.map((f) => ({ account_id: a.accountId, rule_id: f.rule, category: f.category, severity: f.severity, match: f.match })))
    .map((r, ord) => ({ ...r, ord }));
  await db.transaction().execute(async (trx) => {
    await sql`delete from account_finding where rulebook_version = ${version}::text and account_id = any(${accounts.map((a) => a.accountId)}::int4[])`.execute(trx);
    if (rows.length)
      await sql`
        insert into account_finding (account_id, rule_id, category, severity, rulebook_version, match)
        select x.account_id, x.rule_id, x.category, x.severity, ${version}::text, x.match
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(account_id int4, rule_id text, category text, severity text, match text, ord int4)
        order by x.ord`.execute(trx);
  });
}

/** Recomputes (never increments) the daily rollups of the given local days, or of every day. */
export async function recomputeRollups(db: Db, days: string[] | 'all'): Promise<number> {
  if (days !== 'all' && days.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await lockRollups(trx);
    return recomputeIn(trx, days === 'all' ? { all: true } : { days });
  });
}

/** Recomputes every entity-day marked dirty by scoring, and clears the marks, in one transaction. */
export async function recomputeDirtyRollups(db: Db): Promise<{ days: number; rows: number }> {
  return db.transaction().execute(async (trx) => {
    await lockRollups(trx);
    const dirty = await trx.deleteFrom('rollup_dirty').returning(['entity_id', 'day']).execute();
    if (!dirty.length) return { days: 0, rows: 0 };
    const rows = await recomputeIn(trx, { entityDays: { entities: dirty.map((d) => d.entity_id), days: dirty.map((d) => d.day) } });
    return { days: dirty.length, rows };
  });
}

/**
 * For the transactions that write only what can be computed again from the stored posts (scores, findings, rollups):
 * their commit does not wait for the disk (synchronous_commit off for the transaction). A crash of the server can lose
 * the last fraction of a second of them, never a post; what was lost is lost whole (the sweep's position and the
 * queue with the scores), and the next run computes it again. Saves a flush per batch (1.4 ms here).
 */
export const DERIVED_COMMIT = sql`set_config('synchronous_commit', 'off', true)`;

// Concurrent recomputes of one day would collide on the primary key under READ COMMITTED.
async function lockRollups(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('mizan:rollup')), ${DERIVED_COMMIT}`.execute(trx);
}

type RollupTarget = { all: true } | { days: string[] } | { entityDays: { entities: number[]; days: string[] } };

/**
 * Deletes and rebuilds the rollup rows of some days (or all), or of some entity-days, one statement per table:
 * per account (rollup_day), per entity (rollup_entity_day, summed from the account rows just written), per entity
 * and category (rollup_category_day), then the scored-post counts of the accounts of the entities touched.
 */
async function recomputeIn(trx: Db, target: RollupTarget): Promise<number> {
  const where = (day: string, entity: string) =>
    'all' in target
      ? sql`true`
      : 'days' in target
        ? sql`${sql.ref(day)} = any(${target.days}::date[])`
        : sql`(${sql.ref(entity)}, ${sql.ref(day)}) in (select e, d from unnest(${target.entityDays.entities}::int4[], ${target.entityDays.days}::date[]) as t(e, d))`;
  const ofPost = where('p.local_day', 'p.entity_id');
  const ofRow = where('day', 'entity_id');
  await sql`delete from rollup_day where ${ofRow}`.execute(trx);
  await sql`delete from rollup_entity_day where ${ofRow}`.execute(trx);
  await sql`delete from rollup_category_day where ${ofRow}`.execute(trx);
  const inserted = await sql`
    insert into rollup_day (account_id, entity_id, day, posts, clean, review, violations, score_sum, findings, replies, engagement)
    select p.account_id, p.entity_id, p.local_day, count(*),
      count(*) filter (where s.verdict = 'clean'), count(*) filter (where s.verdict = 'review'),
      count(*) filter (where s.verdict = 'violation'), sum(s.score), sum(s.findings),
      count(*) filter (where p.is_reply), sum(p.likes + p.shares + p.replies)
    from post p join post_score s on s.post_id = p.id
    where ${ofPost}
    group by p.account_id, p.entity_id, p.local_day`.execute(trx);
  const r = where('r.day', 'r.entity_id');
  await sql`
    insert into rollup_entity_day (entity_id, day, posts, clean, review, violations, score_sum, findings, replies, engagement)
    select r.entity_id, r.day, sum(r.posts), sum(r.clean), sum(r.review), sum(r.violations), sum(r.score_sum), sum(r.findings),
      sum(r.replies), sum(r.engagement)
    from rollup_day r
    where ${r}
    group by r.entity_id, r.day`.execute(trx);
  await sql`
    insert into rollup_category_day (entity_id, day, category, findings, posts)
    select p.entity_id, p.local_day, f.category, count(*), count(distinct f.post_id)
    from finding f
    join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
    join post p on p.id = f.post_id
    where f.status <> 'dismissed' and ${ofPost}
    group by p.entity_id, p.local_day, f.category`.execute(trx);
  // The accounts' scored posts (all days): a range of rollup_day's primary key per account of the entities touched.
  const accounts =
    'entityDays' in target
      ? sql`s.account_id in (select a.id from account a where a.entity_id = any(${[...new Set(target.entityDays.entities)]}::int4[]))`
      : sql`true`;
  await sql`
    update account_post_summary s set posts = coalesce((select sum(r.posts)::int from rollup_day r where r.account_id = s.account_id), 0)
    where ${accounts}`.execute(trx);
  return Number(inserted.numAffectedRows ?? 0);
}
