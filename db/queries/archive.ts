// The capture archive's tamper evidence and engagement history.
//
// Every post_version row carries sha256 = SHA-256 of a canonical JSON of what was captured (account id,
// platform post id, kind, text, captured_at, raw) together with prev_sha256, the sha256 of the previous
// version row of the same account (null for an account's first). Each hash covers the previous one, so
// editing, removing or reordering any captured version breaks every later link of that account's chain;
// `npm run cli -- verify-archive` (jobs/archive.ts) recomputes the chains and names the first broken link.
// Rows are appended only under a per-account advisory lock, with their links computed by chainVersions from the
// head read after the lock is taken (savePostsPage's locked path, appendPostVersions), or from a head known
// beforehand that mizan_import_guard checks once the lock is held (savePostsPage's one-statement page of new posts,
// migration 0019), so two importers never fork a chain.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../client.ts';
import type { Database } from '../schema.ts';

export type VersionKind = 'original' | 'edit' | 'deleted';

/** What a version's hash covers. `raw` is the payload as the database returns it (parsed jsonb). */
export interface VersionContent {
  accountId: number;
  platformPostId: string;
  kind: VersionKind;
  text: string;
  capturedAt: Date;
  raw: unknown;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** Version 1 of the chained hash: SHA-256 (hex) of the canonical JSON of the content and the previous hash. */
export function versionSha256(content: VersionContent, prevSha256: string | null): string {
  const doc = {
    v: 1,
    account: content.accountId,
    platformPostId: content.platformPostId,
    kind: content.kind,
    text: content.text,
    capturedAt: content.capturedAt.toISOString(),
    raw: content.raw ?? null,
    prev: prevSha256,
  };
  return createHash('sha256').update(canonicalJson(doc), 'utf8').digest('hex');
}

/** Key class of the per-account archive lock (pg_advisory_xact_lock(class, account id)). */
export const ARCHIVE_LOCK_CLASS = 0x4d5a41; // 'MZA'

export interface NewVersion {
  postId: number;
  platformPostId: string;
  kind: VersionKind;
  text: string;
  /** The payload as stored: a JSON text (the database keeps it as jsonb). */
  rawJson: string;
  capturedAt: Date;
}

/**
 * The chain links of versions of one account appended, in this order, after `head` (the sha256 of the account's
 * last version, read under the account's archive lock): each with its sha256 and the previous one.
 */
export function chainVersions<V extends { platformPostId: string; kind: VersionKind; text: string; rawJson: string; capturedAt: Date }>(
  accountId: number,
  head: string | null,
  versions: V[],
): (V & { sha256: string; prevSha256: string | null })[] {
  let prev = head;
  return versions.map((v) => {
    const sha256 = versionSha256(
      { accountId, platformPostId: v.platformPostId, kind: v.kind, text: v.text, capturedAt: v.capturedAt, raw: JSON.parse(v.rawJson) },
      prev,
    );
    const link = { ...v, sha256, prevSha256: prev };
    prev = sha256;
    return link;
  });
}

/**
 * Appends versions of one account's posts, in the given order, to that account's hash chain. Must run in the
 * transaction that writes them: it takes the account's advisory lock until the transaction ends.
 */
export async function appendPostVersions(trx: Transaction<Database>, accountId: number, versions: NewVersion[]): Promise<void> {
  if (!versions.length) return;
  await sql`select pg_advisory_xact_lock(${ARCHIVE_LOCK_CLASS}::int4, ${accountId}::int4)`.execute(trx);
  const head = await trx
    .selectFrom('post_version')
    .select('sha256')
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  // Ids are taken first and given out in chain order, so insertion order (id) is the chain order.
  const ids = (
    await sql<{ id: number }>`select nextval(pg_get_serial_sequence('post_version', 'id'))::int8 as id from generate_series(1, ${versions.length}::int4)`.execute(trx)
  ).rows
    .map((r) => Number(r.id))
    .sort((a, b) => a - b);
  const rows = chainVersions(accountId, head?.sha256 ?? null, versions).map((v, i) => ({
    id: ids[i],
    post_id: v.postId,
    account_id: accountId,
    kind: v.kind,
    text: v.text,
    raw: v.rawJson,
    captured_at: v.capturedAt,
    sha256: v.sha256,
    prev_sha256: v.prevSha256,
  }));
  for (let i = 0; i < rows.length; i += 500) await trx.insertInto('post_version').values(rows.slice(i, i + 500)).execute();
}

export interface ChainRow {
  id: number;
  postId: number;
  accountId: number;
  /** The account of the post the version belongs to (differs from accountId only if a row was moved). */
  postAccountId: number | null;
  platformPostId: string | null;
  kind: VersionKind;
  text: string;
  raw: unknown;
  capturedAt: Date;
  sha256: string;
  prevSha256: string | null;
  /** The post's current text, to say what differs when a hash does not match. */
  postText: string | null;
}

/** One page of an account's chain, in insertion order, after version id `afterId`. */
export async function readChainPage(db: Db, accountId: number, afterId: number, limit: number): Promise<ChainRow[]> {
  const rows = await db
    .selectFrom('post_version as v')
    .leftJoin('post as p', 'p.id', 'v.post_id')
    .select([
      'v.id',
      'v.post_id as postId',
      'v.account_id as accountId',
      'p.account_id as postAccountId',
      'p.platform_post_id as platformPostId',
      'v.kind',
      'v.text',
      'v.raw',
      'v.captured_at as capturedAt',
      'v.sha256',
      'v.prev_sha256 as prevSha256',
      'p.text as postText',
    ])
    .where('v.account_id', '=', accountId)
    .where('v.id', '>', afterId)
    .orderBy('v.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, capturedAt: new Date(r.capturedAt) }));
}

/** Accounts that have captured versions (or the one asked for), by id. */
export async function listArchiveAccounts(db: Db, accountId?: number): Promise<{ id: number; handle: string; platform: string }[]> {
  return db
    .selectFrom('account')
    .select(['id', 'handle', 'platform'])
    .$if(accountId !== undefined, (qb) => qb.where('id', '=', accountId!))
    .orderBy('id')
    .execute();
}

/** Posts of an account that have no captured version at all (their versions were removed). */
export async function listPostsWithoutVersions(db: Db, accountId: number, limit = 10): Promise<{ id: number; platformPostId: string }[]> {
  return db
    .selectFrom('post as p')
    .select(['p.id', 'p.platform_post_id as platformPostId'])
    .where('p.account_id', '=', accountId)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('post_version as v').select('v.id').whereRef('v.post_id', '=', 'p.id'))))
    .orderBy('p.id')
    .limit(limit)
    .execute();
}

export interface EngagementSnapshot {
  capturedAt: string;
  likes: number;
  shares: number;
  replies: number;
  views: number;
}

/** A post's engagement counts over time, oldest first: one row per capture that saw them change. */
export async function listEngagementSnapshots(db: Db, postId: number): Promise<EngagementSnapshot[]> {
  const rows = await db
    .selectFrom('engagement_snapshot')
    .select(['captured_at as capturedAt', 'likes', 'shares', 'replies', 'views'])
    .where('post_id', '=', postId)
    .orderBy('captured_at')
    .execute();
  return rows.map((r) => ({ ...r, capturedAt: new Date(r.capturedAt).toISOString() }));
}
