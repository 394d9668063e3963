// Reading posts to score and writing their findings and scores.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { writePath } from './imports.ts';
import type { AccountType, Finding, Severity, Verdict } from '../vocabulary.ts';
import type { ReviewStatus } from '../../jobs/scoring/formula.ts';

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

/**
 * Posts never scored, scored with another rulebook version, or edited since they were scored, by id after `afterId`:
 * a run pages through the queue by id, so each batch reads on from where the last one stopped instead of joining
 * every post with its score again.
 */
export async function listPostsToScore(db: Db, version: string, limit: number, afterId = 0): Promise<PostToScore[]> {
  return db
    .selectFrom('post as p')
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .leftJoin('post_score as s', 's.post_id', 'p.id')
    .select(['p.id', 'p.text', 'p.lang', 'a.type as accountType', 'p.local_day as localDay', 'p.entity_id as entityId', 'p.updated_at as updatedAt', 'p.revision'])
    // Revisions, not clocks: an edit stamped with an import's start time can look older than a score written meanwhile.
    .where((eb) => eb.or([eb('s.post_id', 'is', null), eb('s.rulebook_version', '<>', version), eb('s.post_revision', '<>', eb.ref('p.revision'))]))
    .$if(afterId > 0, (qb) => qb.where('p.id', '>', afterId))
    .orderBy('p.id')
    .limit(limit)
    .execute();
}

export interface ReviewDecision {
  postId: number;
  rule: string;
  match: string;
  status: ReviewStatus;
}

/** Reviewers' decisions on earlier findings of these posts (the latest per rule and matched text). */
export async function listReviewDecisions(db: Db, postIds: number[]): Promise<ReviewDecision[]> {
  if (!postIds.length) return [];
  const { rows } = await sql<ReviewDecision>`
    select distinct on (post_id, rule_id, match) post_id as "postId", rule_id as rule, match, status
    from finding where post_id = any(${postIds}::bigint[]) and status <> 'open'
    order by post_id, rule_id, match, id desc`.execute(db);
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
    })),
  );
  return db.transaction().execute(async (trx) => {
    // One scorer writes at a time (an import job and a rescore after publishing may overlap).
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score'))`.execute(trx);
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
      cur as (select i.* from input i join post p on p.id = i.post_id and p.revision = i.revision),
      changes as (
        insert into verdict_change (post_id, entity_id, from_version, to_version, from_verdict, to_verdict, from_score, to_score, changed_at)
        select c.post_id, c.entity_id, o.rulebook_version, ${version}::text, o.verdict, c.verdict, o.score, c.score, ${now.toISOString()}::timestamptz
        from cur c join post_score o on o.post_id = c.post_id
        where o.rulebook_version <> ${version}::text and o.verdict <> c.verdict
        order by c.ord),
      cleared as (delete from finding f using cur c where f.post_id = c.post_id and f.rulebook_version = ${version}::text),
      found as (
        insert into finding (post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset, status, created_at)
        select f.post_id, f.rule_id, f.category, f.severity, ${version}::text, f.match, f.start_offset, f.end_offset, f.status, ${now.toISOString()}::timestamptz
        from jsonb_to_recordset(${findings}::jsonb) as f(post_id int8, rule_id text, category text, severity text, match text,
          start_offset int4, end_offset int4, status text, ord int4)
        where f.post_id in (select post_id from cur)
        order by f.ord),
      scored as (
        insert into post_score (post_id, rulebook_version, score, verdict, categories, max_severity, findings, scored_at, post_revision)
        select post_id, ${version}::text, score, verdict, categories, max_severity, findings, scored_at, revision from cur order by ord
        on conflict (post_id) do update set rulebook_version = excluded.rulebook_version, score = excluded.score, verdict = excluded.verdict,
          categories = excluded.categories, max_severity = excluded.max_severity, findings = excluded.findings, scored_at = excluded.scored_at,
          post_revision = excluded.post_revision),
      dirty as (insert into rollup_dirty (entity_id, day) select distinct entity_id, local_day from cur on conflict do nothing)
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
    const current = await trx.selectFrom('post').select(['id', 'revision']).where('id', 'in', scoredAsRead.map((s) => s.postId)).execute();
    const revisionOf = new Map(current.map((p) => [p.id, p.revision]));
    const scored = scoredAsRead.filter((s) => revisionOf.get(s.postId) === s.revision);
    if (!scored.length) return true;
    const ids = scored.map((s) => s.postId);
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

/** Recomputes (never increments) the daily rollups of the given local days, or of every day. */
export async function recomputeRollups(db: Db, days: string[] | 'all'): Promise<number> {
  if (days !== 'all' && days.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await lockRollups(trx);
    return recomputeIn(trx, days);
  });
}

/** Recomputes every entity-day marked dirty by scoring, and clears the marks, in one transaction. */
export async function recomputeDirtyRollups(db: Db): Promise<{ days: number; rows: number }> {
  return db.transaction().execute(async (trx) => {
    await lockRollups(trx);
    const dirty = await trx.deleteFrom('rollup_dirty').returning(['entity_id', 'day']).execute();
    const byEntity = new Map<number, string[]>();
    for (const d of dirty) byEntity.set(d.entity_id, [...(byEntity.get(d.entity_id) ?? []), d.day]);
    let rows = 0;
    for (const [entityId, days] of byEntity) rows += await recomputeIn(trx, days, entityId);
    return { days: dirty.length, rows };
  });
}

// Concurrent recomputes of one day would collide on the primary key under READ COMMITTED.
async function lockRollups(trx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('mizan:rollup'))`.execute(trx);
}

/** Deletes and rebuilds the rollup rows of some days (or all), of one entity or of all. */
async function recomputeIn(trx: Db, days: string[] | 'all', entityId?: number): Promise<number> {
  const where = (day: string, entity: string) =>
    sql.join(
      [days === 'all' ? sql`true` : sql`${sql.ref(day)} = any(${days}::date[])`, entityId === undefined ? sql`true` : sql`${sql.ref(entity)} = ${entityId}`],
      sql` and `,
    );
  const ofPost = where('p.local_day', 'p.entity_id');
  const ofRow = where('day', 'entity_id');
  await sql`delete from rollup_day where ${ofRow}`.execute(trx);
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
  await sql`
    insert into rollup_category_day (entity_id, day, category, findings, posts)
    select p.entity_id, p.local_day, f.category, count(*), count(distinct f.post_id)
    from finding f
    join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
    join post p on p.id = f.post_id
    where f.status <> 'dismissed' and ${ofPost}
    group by p.entity_id, p.local_day, f.category`.execute(trx);
  return Number(inserted.numAffectedRows ?? 0);
}
