import { sql, type Kysely } from 'kysely';
import type { Db } from '../client.ts';
import type { Database } from '../schema.ts';
import { inScope, type EntityScope } from './scope.ts';

/**
 * A keyset position: posted_at as `key` (see postedAtKey) and the post id. The key is exact for every
 * value a timestamptz column holds (microseconds, years 4713 BC to 294276, ±infinity), whatever the
 * JS Date can represent.
 */
export interface PostCursor {
  key: string;
  id: number;
}

export interface PostFilter {
  entityId?: number;
  accountId?: number;
  platform?: string;
  verdict?: 'clean' | 'review' | 'violation';
  category?: string;
  lang?: string;
  from?: string;
  to?: string;
  q?: string;
  limit: number;
  cursor?: PostCursor;
}

export interface PostRow {
  id: number;
  accountId: number;
  entityId: number;
  entityNameAr: string;
  entityNameEn: string;
  platform: string;
  handle: string;
  accountType: 'official' | 'executive' | 'employee';
  url: string | null;
  text: string;
  /** The stored text is the first 25,000 characters of a longer post (textLength characters in all). */
  textTruncated: boolean;
  textLength: number;
  lang: string | null;
  postedAt: string;
  capturedAt: string;
  score: number | null;
  verdict: 'clean' | 'review' | 'violation' | null;
  rulebookVersion: string | null;
  categories: string[];
  maxSeverity: string | null;
  findings: number;
  /** Of those findings, how many the trained model made (not dismissed). */
  modelFindings: number;
  isReply: boolean;
  isRepost: boolean;
  edited: boolean;
  deleted: boolean;
  metrics: { likes: number; shares: number; replies: number; views: number };
}


// posted_at as a cursor key: microseconds since 2000-01-01 UTC (PostgreSQL's own epoch, so every finite
// timestamptz is an exact int8), or 'infinity' / '-infinity'. Exact where a JS Date is not (microseconds,
// years outside ±275,760) and whatever the session's TimeZone and DateStyle.
export const POSTED_AT_KEY = sql<string>`case when isfinite(p.posted_at) then (extract(epoch from p.posted_at - timestamptz '2000-01-01 00:00:00+00') * 1000000)::int8::text else p.posted_at::text end`;

const US_PER_DAY = 86_400_000_000n;
// PostgreSQL's timestamptz range in the key's unit: 4714-11-24 00:00:00 UTC BC to 294276-12-31 23:59:59.999999 UTC.
const MIN_KEY = -211_813_488_000_000_000n;
const MAX_KEY = 9_223_371_331_199_999_999n;
const EPOCH_2000_MS = 946_684_800_000n;

/** Whether `key` is a posted_at cursor key that PostgreSQL can turn back into a timestamptz. */
export function isPostedAtKey(key: string): boolean {
  if (key === 'infinity' || key === '-infinity') return true;
  if (!/^-?\d{1,19}$/.test(key)) return false;
  const us = BigInt(key);
  return us >= MIN_KEY && us <= MAX_KEY;
}

/** The cursor key of a JS date (cursors issued before the key existed carried an ISO date). */
export function postedAtKeyOfDate(ms: number): string {
  return ((BigInt(ms) - EPOCH_2000_MS) * 1000n).toString();
}

const floorDiv = (a: bigint, b: bigint) => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

// The key back as a timestamptz, exactly: whole days, then the microseconds of the last day, on a
// timestamp without time zone (no daylight-saving steps), read as UTC.
export function postedAtOfKey(key: string) {
  if (!isPostedAtKey(key)) throw new RangeError(`not a posted_at cursor key: ${key}`);
  if (key === 'infinity' || key === '-infinity') return sql`${key}::timestamptz`;
  const us = BigInt(key);
  const days = floorDiv(us, US_PER_DAY);
  const usOfDay = us - days * US_PER_DAY;
  return sql`((timestamp '2000-01-01 00:00:00' + make_interval(days => ${Number(days)}::int4, secs => ${Number(usOfDay) / 1e6}::float8)) at time zone 'UTC')`;
}

// 400 Gregorian years repeat the calendar exactly: dates past a JS Date's end (year 275,760) are formatted
// 400-year cycles earlier and their year put back.
const MAX_DATE_MS = 8_640_000_000_000_000n;
const CYCLE_MS = 146_097n * 86_400_000n;

/** The API's postedAt (ISO 8601 in UTC, milliseconds, as Date.toISOString) of a cursor key. */
export function isoOfKey(key: string): string {
  if (key === 'infinity' || key === '-infinity') return key;
  let ms = floorDiv(BigInt(key), 1000n) + EPOCH_2000_MS;
  let cycles = 0n;
  for (; ms > MAX_DATE_MS; cycles++) ms -= CYCLE_MS;
  const iso = new Date(Number(ms)).toISOString();
  if (cycles === 0n) return iso;
  const [, year, rest] = /^([+-]?\d+)(-.*)$/.exec(iso)!;
  return `+${(BigInt(year) + cycles * 400n).toString().padStart(6, '0')}${rest}`;
}

function postQuery(db: Db, scope: EntityScope) {
  return db
    .selectFrom('post as p')
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .innerJoin('entity as e', 'e.id', 'p.entity_id')
    .leftJoin('post_score as s', 's.post_id', 'p.id')
    .select([
      'p.id',
      'p.account_id as accountId',
      'p.entity_id as entityId',
      'e.name_ar as entityNameAr',
      'e.name_en as entityNameEn',
      'a.platform',
      'a.handle',
      'a.type as accountType',
      'p.url',
      'p.text',
      'p.text_truncated as textTruncated',
      // Rows written before the column (or straight into the table) have no length: the text's own.
      sql<number>`coalesce(p.text_length, char_length(p.text))`.as('textLength'),
      'p.lang',
      POSTED_AT_KEY.as('postedAtKey'),
      'p.captured_at as capturedAt',
      's.score',
      's.verdict',
      's.rulebook_version as rulebookVersion',
      's.categories',
      's.max_severity as maxSeverity',
      's.findings',
      // The card says how many findings came from the model; a few index probes on the page's rows only.
      sql<number>`(select count(*)::int from finding f where f.post_id = p.id and f.rulebook_version = s.rulebook_version and f.model_version is not null and f.status <> 'dismissed')`.as('modelFindings'),
      'p.is_reply as isReply',
      'p.is_repost as isRepost',
      'p.edited_at as editedAt',
      'p.deleted_at as deletedAt',
      'p.likes',
      'p.shares',
      'p.replies',
      'p.views',
    ])
    .where(inScope('p.entity_id', scope));
}

type RawPostRow = Awaited<ReturnType<ReturnType<typeof postQuery>['executeTakeFirstOrThrow']>>;

function shapePost(r: RawPostRow): PostRow {
  const { postedAtKey, editedAt, deletedAt, likes, shares, replies, views, ...rest } = r;
  return {
    ...rest,
    postedAt: isoOfKey(postedAtKey),
    capturedAt: new Date(r.capturedAt).toISOString(),
    categories: r.categories ?? [],
    findings: r.findings ?? 0,
    modelFindings: r.modelFindings ?? 0,
    edited: editedAt !== null,
    deleted: deletedAt !== null,
    metrics: { likes, shares, replies, views },
  };
}

/** A search that ran past its time limit; the database cancelled it. */
export class SearchTimeoutError extends Error {
  constructor(public readonly timeoutMs: number) {
    super(`The search took longer than ${timeoutMs / 1000} s and was stopped`);
    this.name = 'SearchTimeoutError';
  }
}

/** The statement time limit of one search query (PostgreSQL; PGlite cannot interrupt a statement). */
export const SEARCH_TIMEOUT_MS = 3000;

/** Newest first with keyset pagination on (posted_at, id); `q` searches the folded text. */
export async function listPosts(
  db: Db,
  scope: EntityScope,
  f: PostFilter,
  opts: { searchTimeoutMs?: number } = {},
): Promise<{ items: PostRow[]; nextCursor: PostCursor | null }> {
  if (f.q === undefined) return listPage(db, scope, f, null);
  const q = f.q;
  const timeoutMs = opts.searchTimeoutMs ?? SEARCH_TIMEOUT_MS;
  try {
    // `set local` ends with the transaction, so the pooled connection goes back with its usual limit.
    return await db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(trx);
      const { rows } = await sql<{ folded: string }>`select mizan_fold(${q}) as folded`.execute(trx);
      return listPage(trx, scope, f, `%${rows[0].folded.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    });
  } catch (err) {
    // 57014 query_canceled: the statement timeout fired.
    if ((err as { code?: unknown }).code === '57014') throw new SearchTimeoutError(timeoutMs);
    throw err;
  }
}

/**
 * Merges the search index's pending list (new posts' trigrams, migration 0027) into the index: after an import round,
 * so that searches do not read the list post by post until the next round fills it past its limit.
 */
export async function mergeSearchIndex(db: Db): Promise<void> {
  try {
    await sql`select gin_clean_pending_list('post_text_folded_trgm_idx'::regclass)`.execute(db);
  } catch (err) {
    // Only the index's owner may (a deployment whose jobs run as another role than its migrations): the list is then
    // merged when it passes its limit, or by autovacuum. A speed-up, never a reason to fail the round.
    if ((err as { code?: unknown }).code !== '42501') throw err;
  }
}

async function listPage(db: Kysely<Database>, scope: EntityScope, f: PostFilter, pattern: string | null) {
  const rows = await postQuery(db, scope)
    .$if(f.entityId !== undefined, (qb) => qb.where('p.entity_id', '=', f.entityId!))
    .$if(f.accountId !== undefined, (qb) => qb.where('p.account_id', '=', f.accountId!))
    .$if(f.platform !== undefined, (qb) => qb.where('a.platform', '=', f.platform!))
    .$if(f.verdict !== undefined, (qb) => qb.where('s.verdict', '=', f.verdict!))
    .$if(f.category !== undefined, (qb) => qb.where(sql<boolean>`s.categories @> array[${f.category!}]::text[]`))
    .$if(f.lang !== undefined, (qb) => qb.where('p.lang', '=', f.lang!))
    .$if(f.from !== undefined, (qb) => qb.where('p.local_day', '>=', f.from!))
    .$if(f.to !== undefined, (qb) => qb.where('p.local_day', '<=', f.to!))
    // The pattern is folded beforehand, so the planner sees its value and weighs the trigram index against walking posted_at.
    .$if(pattern !== null, (qb) => qb.where('p.text_folded', 'like', pattern!))
    .$if(f.cursor !== undefined, (qb) => qb.where(sql<boolean>`(p.posted_at, p.id) < (${postedAtOfKey(f.cursor!.key)}, ${f.cursor!.id}::bigint)`))
    .orderBy('p.posted_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: page.map(shapePost), nextCursor: rows.length > f.limit && last ? { key: last.postedAtKey, id: last.id } : null };
}

/** Flagged posts of the period, most severe and then newest first (the scorecard's "recent flagged"). */
export async function listFlaggedPosts(db: Db, scope: EntityScope, f: { entityId: number; from: string; to: string; limit: number }): Promise<PostRow[]> {
  const rows = await postQuery(db, scope)
    // On the score's copy of the post's entity, day and date: post_score_flagged_idx reads the first rows in this order.
    .where('s.entity_id', '=', f.entityId)
    .where('s.local_day', '>=', f.from)
    .where('s.local_day', '<=', f.to)
    .where('s.verdict', '<>', 'clean')
    .orderBy('s.severity_rank', 'desc')
    .orderBy('s.posted_at', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map(shapePost);
}

/**
 * Posts of the period deleted from the platform after Mizan flagged them (a finding not dismissed,
 * recorded before the deletion was noticed): newest deletion first, with how many there are.
 */
export async function listDeletedAfterFlagged(db: Db, scope: EntityScope, f: { entityId: number; from: string; to: string; limit: number }): Promise<{ count: number; items: PostRow[] }> {
  const flaggedThenDeleted = (qb: ReturnType<typeof postQuery>) =>
    qb
      .where('p.entity_id', '=', f.entityId)
      .where('p.local_day', '>=', f.from)
      .where('p.local_day', '<=', f.to)
      .where('p.deleted_at', 'is not', null)
      .where(sql<boolean>`exists (select 1 from finding fd where fd.post_id = p.id and fd.status <> 'dismissed' and fd.created_at <= p.deleted_at)`);
  const [rows, total] = await Promise.all([
    flaggedThenDeleted(postQuery(db, scope)).orderBy('p.deleted_at', 'desc').orderBy('p.id', 'desc').limit(f.limit).execute(),
    flaggedThenDeleted(postQuery(db, scope)).clearSelect().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { count: Number(total.n), items: rows.map(shapePost) };
}

export async function getPost(db: Db, scope: EntityScope, id: number): Promise<PostRow | undefined> {
  const row = await postQuery(db, scope).where('p.id', '=', id).executeTakeFirst();
  return row && shapePost(row);
}

export interface FindingRow {
  id: number;
  rule: string;
  category: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  start: number;
  end: number;
  match: string;
  status: 'open' | 'confirmed' | 'dismissed';
  rulebookVersion: string;
  /** Model findings only (null on rule findings): calibrated probability, model version, evidence spans. */
  probability: number | null;
  modelVersion: string | null;
  evidence: { start: number; end: number; weight: number }[] | null;
}

export async function listPostFindings(db: Db, postId: number, rulebookVersion: string): Promise<FindingRow[]> {
  return db
    .selectFrom('finding')
    .select([
      'id',
      'rule_id as rule',
      'category',
      'severity',
      'start_offset as start',
      'end_offset as end',
      'match',
      'status',
      'rulebook_version as rulebookVersion',
      'probability',
      'model_version as modelVersion',
      'evidence',
    ])
    .where('post_id', '=', postId)
    .where('rulebook_version', '=', rulebookVersion)
    .orderBy('start_offset')
    .orderBy('id')
    .execute();
}

export async function listPostVersions(db: Db, postId: number) {
  const rows = await db
    .selectFrom('post_version')
    .select(['id', 'text', 'captured_at as capturedAt', 'kind'])
    .where('post_id', '=', postId)
    .orderBy('captured_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, capturedAt: new Date(r.capturedAt).toISOString() }));
}

/** The newest posts with their current verdicts, for trying a draft rulebook before publishing. */
export async function listRecentPostsForTrial(db: Db, scope: EntityScope, limit: number) {
  return db
    .selectFrom('post as p')
    .innerJoin('account as a', 'a.id', 'p.account_id')
    .leftJoin('post_score as s', 's.post_id', 'p.id')
    .select(['p.id', 'p.entity_id as entityId', 'p.text', 'p.lang', 'a.type as accountType', 's.verdict', 's.score'])
    .where(inScope('p.entity_id', scope))
    .orderBy('p.posted_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit)
    .execute();
}
