// The review of findings: oversight's decisions, directors' responses and appeals (finding_event), the review queue,
// a director's inbox, and the decisions as labelled examples. A finding counts when it belongs to the rulebook
// version of its post's score; events are keyed by post, rule and matched text so they outlive a rescoring.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../client.ts';
import type { Database, FindingEventKind } from '../schema.ts';
import type { Category, Severity, Verdict } from '../vocabulary.ts';
import type { AppealState, FindingResponse, ResponseKind, ReviewEvent, ReviewEventItem, ReviewQueueItem } from '../../server/api-types.ts';
import { computeScore, type ReviewStatus } from '../../jobs/scoring/formula.ts';
import { appendAudit } from './audit.ts';
import { recomputeDirtyRollups } from './scores.ts';
import { isoOfKey, POSTED_AT_KEY, postedAtOfKey } from './posts.ts';
import { inScope, type EntityScope } from './scope.ts';

export type { AppealState, FindingResponse, ResponseKind };

export interface Actor {
  id: number;
  email: string;
  ip: string | null;
}

/** A current finding in the caller's scope, with what the workflow needs to decide on it. */
export interface ReviewTarget {
  id: number;
  postId: number;
  entityId: number;
  localDay: string;
  rule: string;
  match: string;
  status: ReviewStatus;
  appeal: AppealState | null;
}

const SEVERITY_RANK = sql<number>`case f.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end`;
// The queue's order as finding_open_queue_idx (migration 0021) has it: queue_rank = 4 - the severity rank, ascending
// is most severe first.
/** The queue's total is counted up to this many (then shown as "1,000+"): an exact count of every open finding costs seconds at millions of posts. */
export const QUEUE_COUNT_CAP = 1000;

// The events of the same rule on the same words of the post as the finding aliased f (a model finding: the same
// rule, whatever words it weighed most; see decisionMatch in scores.ts).
const sameGroup = (e: string) =>
  sql.raw(`${e}.post_id = f.post_id and ${e}.rule_id = f.rule_id and (${e}.match = f.match or f.rule_id like 'model.%')`);

const APPEAL_STATE = sql<AppealState | null>`(
  select case e.kind when 'appealed' then 'pending' when 'appeal-upheld' then 'upheld' when 'appeal-rejected' then 'rejected' end
  from finding_event e where ${sameGroup('e')} and e.kind in ('appealed', 'appeal-upheld', 'appeal-rejected')
  order by e.id desc limit 1)`;

const LATEST_RESPONSE = sql<{ kind: ResponseKind; note: string | null; at: string; actorEmail: string | null } | null>`(
  select json_build_object('kind', e.response_kind, 'note', e.note, 'at', e.at, 'actorEmail', u.email)
  from finding_event e left join app_user u on u.id = e.actor_id
  where ${sameGroup('e')} and e.kind = 'responded' order by e.id desc limit 1)`;

const AWAITING_RESPONSE = sql<boolean>`not exists (
  select 1 from finding_event r where ${sameGroup('r')} and r.kind = 'responded'
    and r.id > coalesce((select max(c.id) from finding_event c where ${sameGroup('c')} and c.kind = 'confirmed'), 0))`;

const shapeResponse = (r: { kind: ResponseKind; note: string | null; at: string; actorEmail: string | null } | null): FindingResponse | null =>
  r && { kind: r.kind, note: r.note, at: new Date(r.at).toISOString(), actorEmail: r.actorEmail };

// Current findings (of the version the post was scored with) joined with their post, in the scope.
function currentFindings(db: Kysely<Database>, scope: EntityScope) {
  return db
    .selectFrom('finding as f')
    .innerJoin('post_score as s', (j) => j.onRef('s.post_id', '=', 'f.post_id').onRef('s.rulebook_version', '=', 'f.rulebook_version'))
    .innerJoin('post as p', 'p.id', 'f.post_id')
    .where(inScope('p.entity_id', scope));
}

/** Current findings with these ids in the scope; an id replaced by a rescoring, or another entity's, is absent. */
export async function getReviewTargets(db: Kysely<Database>, scope: EntityScope, ids: number[]): Promise<ReviewTarget[]> {
  if (!ids.length) return [];
  return currentFindings(db, scope)
    .select([
      'f.id',
      'f.post_id as postId',
      'p.entity_id as entityId',
      'p.local_day as localDay',
      'f.rule_id as rule',
      'f.match',
      'f.status',
      APPEAL_STATE.as('appeal'),
    ])
    .where('f.id', 'in', ids)
    .orderBy('f.id')
    .execute();
}

export interface ReviewOutcome {
  /** The finding ids whose status was set (the reviewed ones and their twins: same post, rule and words). */
  findingIds: number[];
  posts: { id: number; score: number; verdict: Verdict; findings: number }[];
}

/** Why a step cannot be taken now (a 409 for the API). */
export interface ReviewConflict {
  conflict: string;
}

interface Step {
  target: ReviewTarget;
  kind: FindingEventKind;
  /** The status to set on the finding and its twins; undefined leaves it. */
  status?: 'confirmed' | 'dismissed';
  reason?: string | null;
  note?: string | null;
  responseKind?: ResponseKind | null;
  /** Whether the step may be taken, read once the post is locked. */
  check?: (t: ReviewTarget) => string | null;
  audit: string;
}

/**
 * Applies review steps in one transaction: locks the posts' scores, sets the status on each finding and on its
 * twins, records a finding_event and an audit entry per step, recomputes the post scores with the one formula and
 * marks their entity-days; then recomputes those rollups at once (the marks stay for the rollup job if that fails).
 * Returns null when a target is no longer current (rescored meanwhile).
 */
async function applySteps(db: Db, scope: EntityScope, steps: Step[], actor: Actor, now: Date): Promise<ReviewOutcome | ReviewConflict | null> {
  const outcome = await db.transaction().execute(async (trx): Promise<ReviewOutcome | ReviewConflict | null> => {
    // After the scorer's lock: a rescoring cannot replace these findings while they are decided on.
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score'))`.execute(trx);
    const postIds = [...new Set(steps.map((s) => s.target.postId))].sort((a, b) => a - b);
    await trx.selectFrom('post_score').select('post_id').where('post_id', 'in', postIds).orderBy('post_id').forUpdate().execute();
    const fresh = new Map((await getReviewTargets(trx, scope, steps.map((s) => s.target.id))).map((t) => [t.id, t]));
    if (steps.some((s) => !fresh.has(s.target.id))) return null;
    // Checked under the lock (nothing is written yet): a concurrent step may have changed what the caller saw.
    for (const step of steps) {
      const refused = step.check?.(fresh.get(step.target.id)!);
      if (refused) return { conflict: refused };
    }
    const changed = new Set<number>();
    for (const step of steps) {
      const t = fresh.get(step.target.id)!;
      const before = { status: t.status, appeal: t.appeal };
      if (step.status) {
        const version = trx.selectFrom('post_score').select('rulebook_version').where('post_id', '=', t.postId);
        const rows = await trx
          .updateTable('finding')
          .set({ status: step.status })
          .where('post_id', '=', t.postId)
          .where('rule_id', '=', t.rule)
          .where('match', '=', t.match)
          .where('rulebook_version', '=', version)
          .returning('id')
          .execute();
        for (const r of rows) changed.add(r.id);
        // Twins reviewed later in the same batch see the new status.
        for (const other of fresh.values()) if (other.postId === t.postId && other.rule === t.rule && other.match === t.match) other.status = step.status;
      }
      await trx
        .insertInto('finding_event')
        .values({
          finding_id: t.id,
          post_id: t.postId,
          rule_id: t.rule,
          match: t.match,
          kind: step.kind,
          reason: step.reason ?? null,
          note: step.note ?? null,
          response_kind: step.responseKind ?? null,
          actor_id: actor.id,
          at: now,
        })
        .execute();
      await appendAudit(trx, {
        actorId: actor.id,
        actorEmail: actor.email,
        action: step.audit,
        objectType: 'finding',
        objectId: t.id,
        ip: actor.ip,
        at: now,
        before,
        after: {
          status: step.status ?? t.status,
          event: step.kind,
          ...(step.reason ? { reason: step.reason } : {}),
          ...(step.note ? { note: step.note } : {}),
          ...(step.responseKind ? { responseKind: step.responseKind } : {}),
          postId: t.postId,
          rule: t.rule,
        },
      });
    }
    const rescored = [...new Set(steps.filter((s) => s.status).map((s) => s.target.postId))];
    const posts = [];
    for (const postId of rescored) posts.push(await rescorePost(trx, postId));
    const days = [...new Map(steps.filter((s) => s.status).map((s) => [`${s.target.entityId}|${s.target.localDay}`, s.target])).values()];
    if (days.length)
      await trx
        .insertInto('rollup_dirty')
        .values(days.map((t) => ({ entity_id: t.entityId, day: t.localDay })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    return { findingIds: [...changed].sort((a, b) => a - b), posts };
  });
  // The figures follow in the same request; the marks written above survive if this fails.
  if (outcome && 'posts' in outcome && outcome.posts.length) await recomputeDirtyRollups(db);
  return outcome;
}

/** The post's score again from its current findings and their statuses (the scorer's formula and columns). */
async function rescorePost(trx: Kysely<Database>, postId: number) {
  const findings = await trx
    .selectFrom('finding as f')
    .innerJoin('post_score as s', (j) => j.onRef('s.post_id', '=', 'f.post_id').onRef('s.rulebook_version', '=', 'f.rulebook_version'))
    .select(['f.category', 'f.severity', 'f.status'])
    .where('f.post_id', '=', postId)
    .execute();
  const { score, verdict } = computeScore(findings);
  const kept = findings.filter((f) => f.status !== 'dismissed');
  const order: Severity[] = ['low', 'medium', 'high', 'critical'];
  const max = kept.reduce((best, f) => Math.max(best, order.indexOf(f.severity)), -1);
  await trx
    .updateTable('post_score')
    .set({
      score,
      verdict,
      categories: sql<string[]>`${[...new Set(kept.map((f) => f.category))]}::text[]`,
      max_severity: max < 0 ? null : order[max],
      findings: kept.length,
    })
    .where('post_id', '=', postId)
    .execute();
  return { id: postId, score, verdict, findings: kept.length };
}

export interface ReviewInput {
  status: 'confirmed' | 'dismissed';
  reason?: string | null;
  note?: string | null;
}

/**
 * Oversight's decision on findings (and their twins). A later decision replaces an earlier one (the event is
 * `confirmed` or `dismissed` again). Returns the ids not found (rescored or unknown) beside the outcome.
 */
export async function reviewFindings(db: Db, scope: EntityScope, ids: number[], input: ReviewInput, actor: Actor, now: Date): Promise<{ outcome: ReviewOutcome | ReviewConflict | null; missing: number[] }> {
  const targets = await getReviewTargets(db, scope, [...new Set(ids)]);
  const found = new Set(targets.map((t) => t.id));
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  if (!targets.length) return { outcome: null, missing };
  // One decision per post, rule and words: twins in the same batch would only repeat it.
  const seen = new Set<string>();
  const steps: Step[] = [];
  for (const target of targets) {
    const key = `${target.postId}\u0000${target.rule}\u0000${target.match}`;
    if (seen.has(key)) continue;
    seen.add(key);
    steps.push({ target, kind: input.status, status: input.status, reason: input.reason, note: input.note, audit: 'finding.reviewed' });
  }
  return { outcome: await applySteps(db, scope, steps, actor, now), missing };
}

/** A director's response on a finding of their entity, whatever its status. */
export async function respondToFinding(db: Db, scope: EntityScope, target: ReviewTarget, input: { kind: ResponseKind; note?: string | null }, actor: Actor, now: Date) {
  return applySteps(db, scope, [{ target, kind: 'responded', responseKind: input.kind, note: input.note, audit: 'finding.responded' }], actor, now);
}

const appealable = (t: ReviewTarget) =>
  t.status !== 'confirmed' ? `Only a confirmed finding can be appealed; this one is ${t.status}` : t.appeal === 'pending' ? 'This finding already has a pending appeal' : null;

/** A director's appeal of a confirmed finding (one pending appeal at a time). */
export async function appealFinding(db: Db, scope: EntityScope, target: ReviewTarget, input: { note?: string | null }, actor: Actor, now: Date) {
  return applySteps(db, scope, [{ target, kind: 'appealed', note: input.note, check: appealable, audit: 'finding.appealed' }], actor, now);
}

const pending = (t: ReviewTarget) => (t.appeal === 'pending' ? null : 'This finding has no pending appeal');

/** Oversight decides a pending appeal: upheld dismisses the finding (the score follows), rejected leaves it confirmed. */
export async function decideAppeal(db: Db, scope: EntityScope, target: ReviewTarget, input: { decision: 'upheld' | 'rejected'; note?: string | null }, actor: Actor, now: Date) {
  const upheld = input.decision === 'upheld';
  return applySteps(
    db,
    scope,
    [{ target, kind: upheld ? 'appeal-upheld' : 'appeal-rejected', status: upheld ? 'dismissed' : undefined, note: input.note, check: pending, audit: 'finding.appeal-decided' }],
    actor,
    now,
  );
}

// ---- The review queue ----

export interface QueueFilter {
  entityId?: number;
  accountId?: number;
  platform?: string;
  category?: string;
  severity?: Severity;
  /** 'all' for every status. */
  status: ReviewStatus | 'all';
  appeal?: 'pending';
  minAgeDays?: number;
  maxAgeDays?: number;
  /** Confirmed findings without a director's response since their confirmation. */
  awaitingResponse?: boolean;
  limit: number;
  offset: number;
  /** Keyset position after which the page starts (instead of an offset): the last item's sort key. */
  cursor?: QueueCursor;
}

/** The queue's sort key of an item: severity rank (descending), then posted_at as a posts.ts cursor key, post id, start offset and finding id (ascending). */
export interface QueueCursor {
  rank: number;
  key: string;
  postId: number;
  start: number;
  id: number;
}

/** A queue item as the API shows one (server/api-types.ts ReviewQueueItem) before the route adds the rule's title. */
export type QueueItem = Omit<ReviewQueueItem, 'finding'> & { finding: Omit<ReviewQueueItem['finding'], 'title'> };

function queueQuery(db: Db, scope: EntityScope, f: Omit<QueueFilter, 'limit' | 'offset' | 'cursor'>, now: Date) {
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
  return currentFindings(db, scope)
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .innerJoin('entity as e', 'e.id', 'p.entity_id')
    .$if(f.status !== 'all', (q) => q.where('f.status', '=', f.status as ReviewStatus))
    .$if(f.entityId !== undefined, (q) => q.where('p.entity_id', '=', f.entityId!))
    .$if(f.accountId !== undefined, (q) => q.where('p.account_id', '=', f.accountId!))
    .$if(f.platform !== undefined, (q) => q.where('a.platform', '=', f.platform!))
    .$if(f.category !== undefined, (q) => q.where('f.category', '=', f.category!))
    .$if(f.severity !== undefined, (q) => q.where('f.severity', '=', f.severity!))
    .$if(f.appeal === 'pending', (q) => q.where(sql<boolean>`${APPEAL_STATE} = 'pending'`))
    // Age of the post: at least minAgeDays old, at most maxAgeDays old.
    .$if(f.minAgeDays !== undefined, (q) => q.where('p.posted_at', '<=', daysAgo(f.minAgeDays!)))
    .$if(f.maxAgeDays !== undefined, (q) => q.where('p.posted_at', '>=', daysAgo(f.maxAgeDays!)))
    .$if(f.awaitingResponse === true, (q) => q.where(AWAITING_RESPONSE));
}

/** The queue: most severe first, then the oldest post, then the finding's place in it. */
export async function listReviewQueue(db: Db, scope: EntityScope, f: QueueFilter, now: Date): Promise<{ total: number; totalCapped: boolean; items: QueueItem[]; nextCursor: QueueCursor | null }> {
  const c = f.cursor;
  const [rows, total] = await Promise.all([
    queueQuery(db, scope, f, now)
      // Keyset: a lower rank, or the same rank and a later (posted_at, post, start, finding).
      .$if(c !== undefined, (q) =>
        q.where(sql<boolean>`(f.queue_rank, f.posted_at, f.post_id, f.start_offset, f.id) > (${4 - c!.rank}::int2, ${postedAtOfKey(c!.key)}, ${c!.postId}::bigint, ${c!.start}::int, ${c!.id}::bigint)`),
      )
      .select([
        SEVERITY_RANK.as('rank'),
        POSTED_AT_KEY.as('postedAtKey'),
        'f.id',
        'f.rule_id as rule',
        'f.category',
        'f.severity',
        'f.match',
        'f.start_offset as start',
        'f.end_offset as end',
        'f.status',
        'f.rulebook_version as rulebookVersion',
        APPEAL_STATE.as('appeal'),
        LATEST_RESPONSE.as('response'),
        'f.probability',
        'f.model_version as modelVersion',
        'f.evidence',
        'p.id as postId',
        'p.text',
        'p.lang',
        'p.url',
        'a.platform',
        'a.handle',
        'p.account_id as accountId',
        'p.entity_id as entityId',
        'e.name_ar as entityNameAr',
        'e.name_en as entityNameEn',
        'p.posted_at as postedAt',
        'p.deleted_at as deletedAt',
        'p.edited_at as editedAt',
        sql<number>`(select count(*)::int from post_version v where v.post_id = p.id)`.as('versions'),
        's.score',
        's.verdict',
      ])
      .orderBy('f.queue_rank')
      .orderBy('f.posted_at')
      .orderBy('f.post_id')
      .orderBy('f.start_offset')
      .orderBy('f.id')
      .limit(f.limit + 1)
      .$if(c === undefined, (q) => q.offset(f.offset))
      .execute(),
    db
      .selectFrom(queueQuery(db, scope, f, now).select(sql`1`.as('one')).limit(QUEUE_COUNT_CAP + 1).as('t'))
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  return {
    total: Math.min(Number(total.n), QUEUE_COUNT_CAP),
    totalCapped: Number(total.n) > QUEUE_COUNT_CAP,
    nextCursor: rows.length > f.limit && last ? { rank: last.rank, key: last.postedAtKey, postId: last.postId, start: last.start, id: last.id } : null,
    items: page.map((r) => ({
      finding: {
        id: r.id,
        rule: r.rule,
        category: r.category as Category,
        severity: r.severity,
        match: r.match,
        start: r.start,
        end: r.end,
        status: r.status,
        rulebookVersion: r.rulebookVersion,
        appeal: r.appeal,
        response: shapeResponse(r.response),
        probability: r.probability,
        modelVersion: r.modelVersion,
        evidence: r.evidence,
      },
      post: {
        id: r.postId,
        text: r.text,
        lang: r.lang,
        url: r.url,
        platform: r.platform,
        handle: r.handle,
        accountId: r.accountId,
        entityId: r.entityId,
        entityNameAr: r.entityNameAr,
        entityNameEn: r.entityNameEn,
        postedAt: isoOfKey(r.postedAtKey),
        deleted: r.deletedAt !== null,
        edited: r.editedAt !== null,
        versions: r.versions,
        score: r.score,
        verdict: r.verdict,
      },
    })),
  };
}

// ---- The director's inbox ----

/** A review step as the inbox lists one (server/api-types.ts ReviewEventItem). */
export type ReviewEventRow = ReviewEventItem;

/** Review events of the scope's posts since a time, newest first. */
export async function listRecentEvents(db: Db, scope: EntityScope, kinds: FindingEventKind[], since: Date, limit: number): Promise<ReviewEventRow[]> {
  const rows = await db
    .selectFrom('finding_event as ev')
    .innerJoin('post as p', 'p.id', 'ev.post_id')
    .innerJoin('entity as e', 'e.id', 'p.entity_id')
    .leftJoin('app_user as u', 'u.id', 'ev.actor_id')
    .select([
      'ev.id',
      'ev.finding_id as findingId',
      'ev.post_id as postId',
      'p.entity_id as entityId',
      'e.name_ar as entityNameAr',
      'e.name_en as entityNameEn',
      'p.text',
      'ev.rule_id as rule',
      'ev.match',
      'ev.kind',
      'ev.reason',
      'ev.note',
      'ev.response_kind as responseKind',
      'u.email as actorEmail',
      'ev.at',
    ])
    .where(inScope('p.entity_id', scope))
    .where('ev.kind', 'in', kinds)
    .where('ev.at', '>=', since)
    .orderBy('ev.at', 'desc')
    .orderBy('ev.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}

/** Confirmed current findings with no response since their confirmation: a director's "responses due". */
export async function listAwaitingResponse(db: Db, scope: EntityScope, limit: number, now: Date): Promise<{ total: number; totalCapped: boolean; items: QueueItem[] }> {
  return listReviewQueue(db, scope, { status: 'confirmed', awaitingResponse: true, limit, offset: 0 }, now);
}

// ---- The post page ----

/** Appeal state and latest response of a post's findings, by finding id. */
export async function listFindingStates(db: Db, postId: number, rulebookVersion: string): Promise<Map<number, { appeal: AppealState | null; response: FindingResponse | null }>> {
  const rows = await db
    .selectFrom('finding as f')
    .select(['f.id', APPEAL_STATE.as('appeal'), LATEST_RESPONSE.as('response')])
    .where('f.post_id', '=', postId)
    .where('f.rulebook_version', '=', rulebookVersion)
    .execute();
  return new Map(rows.map((r) => [r.id, { appeal: r.appeal, response: shapeResponse(r.response) }]));
}

/** A step on a post's finding as the post page shows one (server/api-types.ts ReviewEvent). */
export type PostReviewEvent = ReviewEvent;

/** Every review step on a post's findings, oldest first (the post page's timeline). */
export async function listPostReviewEvents(db: Db, postId: number): Promise<PostReviewEvent[]> {
  const rows = await db
    .selectFrom('finding_event as ev')
    .leftJoin('app_user as u', 'u.id', 'ev.actor_id')
    .select(['ev.kind', 'ev.reason', 'ev.note', 'ev.response_kind as responseKind', 'u.email as actorEmail', 'ev.at', 'ev.rule_id as rule', 'ev.match', 'ev.finding_id as findingId'])
    .where('ev.post_id', '=', postId)
    .orderBy('ev.at')
    .orderBy('ev.id')
    .execute();
  // response_kind holds only the kinds the respond route validates.
  return rows.map((r) => ({ ...r, responseKind: r.responseKind as ResponseKind | null, at: new Date(r.at).toISOString() }));
}

// ---- Decisions as labelled examples ----

export interface DecisionExample {
  postId: number;
  text: string;
  lang: string | null;
  rule: string;
  category: Category;
  severity: Severity;
  match: string;
  start: number;
  end: number;
  decision: 'confirmed' | 'dismissed';
  reason: string | null;
  decidedAt: string;
  rulebookVersion: string;
  /** What made the finding: a rule of the rulebook, or the trained model (a dismissed one is the most useful negative). */
  source: 'rulebook' | 'model';
}

/**
 * Reviewers' decisions as labelled examples for the detection models: one per post, rule and matched words, with
 * its latest decision (an upheld appeal is a dismissal, a rejected one a confirmation), and the finding's place
 * in the text from its newest row. Oldest decision first.
 */
export async function listDecisionExamples(db: Db, scope: EntityScope = 'all'): Promise<DecisionExample[]> {
  const { rows } = await sql<Omit<DecisionExample, 'decidedAt'> & { decidedAt: Date }>`
    with latest as (
      select distinct on (ev.post_id, ev.rule_id, ev.match) ev.post_id, ev.rule_id, ev.match, ev.kind, ev.reason, ev.at
      from finding_event ev
      where ev.kind in ('confirmed', 'dismissed', 'appeal-upheld', 'appeal-rejected')
      order by ev.post_id, ev.rule_id, ev.match, ev.id desc)
    select l.post_id as "postId", p.text, p.lang, l.rule_id as rule, f.category, f.severity, l.match,
      f.start_offset as start, f.end_offset as "end",
      case when l.kind in ('confirmed', 'appeal-rejected') then 'confirmed' else 'dismissed' end as decision,
      coalesce(l.reason, case l.kind when 'appeal-upheld' then 'appeal-upheld' when 'appeal-rejected' then 'appeal-rejected' end) as reason,
      l.at as "decidedAt", f.rulebook_version as "rulebookVersion",
      case when f.model_version is null then 'rulebook' else 'model' end as source
    from latest l
    join post p on p.id = l.post_id
    join lateral (
      select f.category, f.severity, f.start_offset, f.end_offset, f.rulebook_version, f.model_version from finding f
      where f.post_id = l.post_id and f.rule_id = l.rule_id and f.match = l.match order by f.id desc limit 1) f on true
    where ${inScope('p.entity_id', scope)}
    order by l.at, l.post_id, l.rule_id, l.match`.execute(db);
  return rows.map((r) => ({ ...r, decidedAt: new Date(r.decidedAt).toISOString() }));
}
