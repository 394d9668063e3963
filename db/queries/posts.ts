import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { inScope, type EntityScope } from './scope.ts';

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
  cursor?: { postedAt: string; id: number };
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
  lang: string | null;
  postedAt: string;
  capturedAt: string;
  score: number | null;
  verdict: 'clean' | 'review' | 'violation' | null;
  rulebookVersion: string | null;
  categories: string[];
  maxSeverity: string | null;
  findings: number;
  isReply: boolean;
  isRepost: boolean;
  edited: boolean;
  deleted: boolean;
  metrics: { likes: number; shares: number; replies: number; views: number };
}

const SEVERITY_RANK = sql`case s.max_severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end`;

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
      'p.lang',
      'p.posted_at as postedAt',
      'p.captured_at as capturedAt',
      's.score',
      's.verdict',
      's.rulebook_version as rulebookVersion',
      's.categories',
      's.max_severity as maxSeverity',
      's.findings',
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
  const { editedAt, deletedAt, likes, shares, replies, views, ...rest } = r;
  return {
    ...rest,
    postedAt: new Date(r.postedAt).toISOString(),
    capturedAt: new Date(r.capturedAt).toISOString(),
    categories: r.categories ?? [],
    findings: r.findings ?? 0,
    edited: editedAt !== null,
    deleted: deletedAt !== null,
    metrics: { likes, shares, replies, views },
  };
}

/** Newest first with keyset pagination on (posted_at, id). */
export async function listPosts(db: Db, scope: EntityScope, f: PostFilter): Promise<{ items: PostRow[]; nextCursor: { postedAt: string; id: number } | null }> {
  const rows = await postQuery(db, scope)
    .$if(f.entityId !== undefined, (qb) => qb.where('p.entity_id', '=', f.entityId!))
    .$if(f.accountId !== undefined, (qb) => qb.where('p.account_id', '=', f.accountId!))
    .$if(f.platform !== undefined, (qb) => qb.where('a.platform', '=', f.platform!))
    .$if(f.verdict !== undefined, (qb) => qb.where('s.verdict', '=', f.verdict!))
    .$if(f.category !== undefined, (qb) => qb.where(sql<boolean>`s.categories @> array[${f.category!}]::text[]`))
    .$if(f.lang !== undefined, (qb) => qb.where('p.lang', '=', f.lang!))
    .$if(f.from !== undefined, (qb) => qb.where('p.local_day', '>=', f.from!))
    .$if(f.to !== undefined, (qb) => qb.where('p.local_day', '<=', f.to!))
    .$if(f.q !== undefined, (qb) =>
      qb.where(sql<boolean>`mizan_fold(p.text) like '%' || mizan_fold(${f.q!.replace(/[\\%_]/g, (c) => `\\${c}`)}) || '%'`),
    )
    .$if(f.cursor !== undefined, (qb) =>
      qb.where(sql<boolean>`(p.posted_at, p.id) < (${new Date(f.cursor!.postedAt)}::timestamptz, ${f.cursor!.id}::bigint)`),
    )
    .orderBy('p.posted_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(f.limit + 1)
    .execute();
  const items = rows.slice(0, f.limit).map(shapePost);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > f.limit && last ? { postedAt: last.postedAt, id: last.id } : null };
}

/** Flagged posts of the period, most severe and then newest first (the scorecard's "recent flagged"). */
export async function listFlaggedPosts(db: Db, scope: EntityScope, f: { entityId: number; from: string; to: string; limit: number }): Promise<PostRow[]> {
  const rows = await postQuery(db, scope)
    .where('p.entity_id', '=', f.entityId)
    .where('p.local_day', '>=', f.from)
    .where('p.local_day', '<=', f.to)
    .where('s.verdict', '<>', 'clean')
    .orderBy(SEVERITY_RANK, 'desc')
    .orderBy('p.posted_at', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map(shapePost);
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
