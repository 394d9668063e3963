// Writing an imported page: posts, their versions and the cursor, all in one transaction.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { MAX_POST_TEXT, type ImportedPost } from '../../jobs/connectors/types.ts';
import { appendPostVersions, ARCHIVE_LOCK_CLASS, chainVersions, type NewVersion, type VersionKind } from './archive.ts';
import { localDate } from './periods.ts';

export interface SavePageResult {
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  /** Records that could not be stored (each named in `warnings`); the rest of the page was saved. */
  skipped: number;
  warnings: string[];
}

/**
 * What the importer of an account knows between its pages: the archive chain's head after the last page it saved
 * (undefined: not known) and whether its pages have been new posts only so far. Updated by savePostsPage.
 */
export interface ChainHint {
  head?: string | null;
  fresh?: boolean;
}

const CHUNK = 500;

// A post's local day, with one date formatter per time zone (building one per post was a third of the import's CPU).
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function localDayIn(timeZone: string): (d: Date) => string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, f);
  }
  const format = f;
  return (d) => {
    let y = '';
    let m = '';
    let day = '';
    for (const part of format.formatToParts(d)) {
      if (part.type === 'year') y = part.value;
      else if (part.type === 'month') m = part.value;
      else if (part.type === 'day') day = part.value;
    }
    return `${y}-${m}-${day}`;
  };
}

// PostgreSQL refuses NUL in text and jsonb, and lone surrogates in jsonb: one such character would
// fail the whole page forever. They carry no meaning, so NUL is dropped and a lone surrogate becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function storableText(text: string): string {
  return text.replaceAll('\0', '').replace(LONE_SURROGATE, '\uFFFD');
}
const storableJson = (raw: unknown) => JSON.stringify(raw ?? null, (_key, value) => (typeof value === 'string' ? storableText(value) : value));

/** The first `max` characters (code points: a surrogate pair is never split) and the full length in code points. */
export function capText(text: string, max = MAX_POST_TEXT): { text: string; length: number; truncated: boolean } {
  let length = 0;
  let cut = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    length++;
    if (length === max) cut = i + 1;
  }
  return length > max ? { text: text.slice(0, cut), length, truncated: true } : { text, length, truncated: false };
}

// Dates outside these bounds are mistakes (a year typed as 9999, a zero timestamp) and break the periods
// and the posts cursor; a day of slack covers clock skew between the platform and us.
const EARLIEST_POST = Date.UTC(1990, 0, 1);
const CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

function dateProblem(name: string, d: unknown, now: Date): string | null {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) return `${name} is not a valid date`;
  if (d.getTime() < EARLIEST_POST) return `${name} ${d.toISOString()} is before 1990-01-01`;
  if (d.getTime() > now.getTime() + CLOCK_SKEW_MS) return `${name} ${d.toISOString()} is more than a day after the import time ${now.toISOString()}`;
  return null;
}

/** Why a post cannot be stored (a count that is not a non-negative safe integer, a date out of bounds, ...), or null. */
export function unstorableReason(p: ImportedPost, now: Date): string | null {
  if (typeof p.platformPostId !== 'string' || p.platformPostId.length === 0) return 'missing platform post id';
  if (typeof p.text !== 'string') return 'text is not a string';
  for (const k of ['likes', 'shares', 'replies', 'views'] as const) {
    const v: unknown = p.metrics?.[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      return `${k} ${typeof v === 'number' ? String(v) : JSON.stringify(v) ?? 'undefined'} is not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`;
    }
  }
  const posted = dateProblem('posted_at', p.postedAt, now);
  if (posted) return posted;
  if (p.editedAt != null) return dateProblem('edited_at', p.editedAt, now);
  return null;
}

/** How a warning names a record: its line in a file, else its platform id. */
function refOf(p: ImportedPost): string {
  if (p.ref) return p.ref;
  const id = String(p.platformPostId);
  return `post ${JSON.stringify(id.length > 100 ? `${id.slice(0, 100)}…` : id)}`;
}

interface StoredPost extends ImportedPost {
  textLength: number;
  textTruncated: boolean;
}

function toStored(p: ImportedPost): StoredPost {
  const capped = capText(storableText(p.text));
  return {
    ...p,
    platformPostId: storableText(p.platformPostId),
    text: capped.text,
    textLength: capped.length,
    textTruncated: capped.truncated,
    url: p.url && storableText(p.url),
  };
}

export class ConcurrentImportError extends Error {
  constructor(accountId: number) {
    super(`another import of account ${accountId} moved its cursor meanwhile; this page was not saved (the other import carries on)`);
    this.name = 'ConcurrentImportError';
  }
}

/**
 * Saves a page fetched from `fromCursor`; refuses (ConcurrentImportError) if another import moved the cursor meanwhile.
 * A post that cannot be stored is left out with a warning that names it; the rest of the page is saved.
 * Every captured version is appended to the account's hash chain (db/queries/archive.ts), and the engagement
 * counts of a post are snapshotted when it is first captured and whenever they change.
 */
export async function savePostsPage(
  db: Db,
  account: { id: number; entityId: number; timezone: string },
  posts: ImportedPost[],
  fromCursor: string | null,
  nextCursor: string | null,
  now: Date,
  chain: ChainHint = {},
): Promise<SavePageResult> {
  if (writePath === 'row') return savePostsPageByRow(db, account, posts, fromCursor, nextCursor, now);
  // Checked and prepared before the transaction: the locks are held only for the writes.
  const result: SavePageResult = { inserted: 0, edited: 0, deleted: 0, unchanged: 0, skipped: 0, warnings: [] };
  // The last occurrence of an id in a page wins (an edit re-emitted after its original).
  const byId = new Map<string, StoredPost & { rawJson: string }>();
  for (const p of posts) {
    const problem = unstorableReason(p, now);
    if (problem) {
      result.skipped++;
      result.warnings.push(`${refOf(p)}: ${problem}`);
      continue;
    }
    const stored = toStored(p);
    byId.set(stored.platformPostId, { ...stored, rawJson: storableJson(p.raw) });
  }
  const unique = [...byId.values()];
  const localDay = localDayIn(account.timezone);
  // One round trip when the page is new posts only and the chain's head is known (from the run's start or the
  // previous page): the versions are chained before the statement, whose guard checks that nothing moved.
  if (chain.head !== undefined && chain.fresh !== false && writePath !== 'locked') {
    const head = chain.head;
    const chained = chainVersions(
      account.id,
      head,
      unique.map((p) => ({ platformPostId: p.platformPostId, postId: null, kind: 'original' as const, text: p.text, rawJson: p.rawJson, capturedAt: now })),
    );
    const snapshots = unique.map((p) => ({ platformPostId: p.platformPostId, postId: null, m: p.metrics }));
    try {
      const written = await writePage(db, account, unique, [], chained, snapshots, now, nextCursor, localDay, { fromCursor, head });
      chain.head = chained.length ? chained[chained.length - 1].sha256 : head;
      return { ...result, inserted: written.inserted };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'MZ001') throw new ConcurrentImportError(account.id);
      // Posts stored already (an overlap, a re-import): the locked path below, and for the rest of this run.
      if (code === 'MZ003' || code === '23505') chain.fresh = false;
      else if (code !== 'MZ002') throw err;
      // MZ002: something else appended to the chain; the locked path reads its head.
    }
  }
  return db.transaction().execute(async (trx) => {
    // The account row is locked for the page, so two imports of one account cannot interleave; the archive lock
    // (db/queries/archive.ts) is taken with it, and the chain head is read after both are held.
    const { rows: locked } = await sql<{ import_cursor: string | null }>`
      select import_cursor, pg_advisory_xact_lock(${ARCHIVE_LOCK_CLASS}::int4, id) is not null as archive_locked
      from account where id = ${account.id} for update`.execute(trx);
    if (!locked.length || locked[0].import_cursor !== fromCursor) throw new ConcurrentImportError(account.id);
    if (!unique.length) {
      await trx.updateTable('account').set({ import_cursor: nextCursor }).where('id', '=', account.id).execute();
      return result;
    }
    // What is stored of these posts, and the head of the account's chain: one read.
    const { rows: read } = await sql<{
      id: number | null;
      platform_post_id: string;
      text: string;
      text_length: number | null;
      deleted_at: Date | null;
      likes: number;
      shares: number;
      replies: number;
      views: number;
      head: string | null;
    }>`
      select id, platform_post_id, text, text_length, deleted_at, likes, shares, replies, views, null::text as head
      from post where account_id = ${account.id} and platform_post_id = any(${unique.map((p) => p.platformPostId)}::text[])
      union all
      select null, null, null, null, null, null, null, null, null,
        (select sha256 from post_version where account_id = ${account.id} order by id desc limit 1)`.execute(trx);
    const known = new Map<string, (typeof read)[number]>();
    let head: string | null = null;
    for (const r of read) {
      if (r.id === null) head = r.head;
      else known.set(r.platform_post_id, r);
    }
    const fresh: typeof unique = [];
    // Posts already stored that change: a deletion, an edit (and maybe its counts), or the counts only.
    const changes: { id: number; kind: 'deleted' | 'edit' | 'counts'; p: (typeof unique)[number]; moved: boolean }[] = [];
    // Versions in chain order, by platform id (a new post's id is known only once it is inserted).
    const versions: { platformPostId: string; postId: number | null; kind: VersionKind; text: string; rawJson: string }[] = [];
    const snapshots: { platformPostId: string; postId: number | null; m: ImportedPost['metrics'] }[] = [];
    for (const p of unique) {
      const old = known.get(p.platformPostId);
      if (!old) {
        fresh.push(p);
        versions.push({ platformPostId: p.platformPostId, postId: null, kind: 'original', text: p.text, rawJson: p.rawJson });
        snapshots.push({ platformPostId: p.platformPostId, postId: null, m: p.metrics });
        continue;
      }
      const m = p.metrics;
      const moved = m.likes !== old.likes || m.shares !== old.shares || m.replies !== old.replies || m.views !== old.views;
      if (p.deleted && old.deleted_at === null) {
        // The archived text stays: only the deletion is recorded, as evidence.
        changes.push({ id: old.id!, kind: 'deleted', p, moved: false });
        versions.push({ platformPostId: p.platformPostId, postId: old.id, kind: 'deleted', text: old.text, rawJson: p.rawJson });
        result.deleted++;
      } else if (!p.deleted && (p.text !== old.text || (old.text_length !== null && p.textLength !== old.text_length))) {
        // A long text edited beyond the cap keeps its first characters: its length tells the edit.
        changes.push({ id: old.id!, kind: 'edit', p, moved });
        versions.push({ platformPostId: p.platformPostId, postId: old.id, kind: 'edit', text: p.text, rawJson: p.rawJson });
        if (moved) snapshots.push({ platformPostId: p.platformPostId, postId: old.id, m });
        result.edited++;
      } else {
        // Same text: only the engagement figures may have moved since the last capture.
        if (moved) {
          changes.push({ id: old.id!, kind: 'counts', p, moved });
          snapshots.push({ platformPostId: p.platformPostId, postId: old.id, m });
        }
        result.unchanged++;
      }
    }
    // The chain is computed here from the head read under the lock, and ids are taken in its order: as the
    // row-by-row path did, per CHUNK of the page the originals of new posts first, then edits and deletions.
    const order = new Map(unique.map((p, i) => [p.platformPostId, i]));
    const rank = (v: (typeof versions)[number]) => Math.floor(order.get(v.platformPostId)! / CHUNK) * 2 + (v.kind === 'original' ? 0 : 1);
    const inOrder = versions.map((v, i) => ({ v, i, r: rank(v) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.v);
    const chained = chainVersions(account.id, head, inOrder.map((v) => ({ ...v, capturedAt: now })));
    const written = await writePage(trx, account, fresh, changes, chained, snapshots, now, nextCursor, localDay, null);
    result.inserted = written.inserted;
    chain.head = chained.length ? chained[chained.length - 1].sha256 : head;
    return result;
  });
}

type PagePost = StoredPost & { rawJson: string };
type PageChange = { id: number; kind: 'deleted' | 'edit' | 'counts'; p: PagePost; moved: boolean };
type PageVersion = { platformPostId: string; postId: number | null; kind: VersionKind; text: string; rawJson: string; sha256: string; prevSha256: string | null };
type PageSnapshot = { platformPostId: string; postId: number | null; m: ImportedPost['metrics'] };

/**
 * The page's writes in one statement: new posts, updates of stored ones, the chained versions (ids taken in chain
 * order), engagement snapshots and the cursor. With `guard` (no transaction around it: the statement is one), it
 * first takes the page's locks and checks what was computed beforehand (mizan_import_guard, migration 0019).
 */
async function writePage(
  db: Db,
  account: { id: number; entityId: number },
  fresh: PagePost[],
  changes: PageChange[],
  chained: PageVersion[],
  snapshots: PageSnapshot[],
  now: Date,
  nextCursor: string | null,
  localDay: (d: Date) => string,
  guard: { fromCursor: string | null; head: string | null } | null,
): Promise<{ inserted: number }> {
  const at = now.toISOString();
  const guardCte = guard
    ? sql`guard as (select mizan_import_guard(${account.id}::int4, ${ARCHIVE_LOCK_CLASS}::int4, ${guard.fromCursor}::text, ${guard.head}::text,
        ${fresh.map((p) => p.platformPostId)}::text[]) as ok)`
    : sql`guard as (select 1 as ok)`;
  const { rows } = await sql<{ inserted: number }>`
    with
    ${guardCte},
    fresh as (
      insert into post (account_id, entity_id, platform_post_id, url, text, text_truncated, text_length, lang, posted_at, local_day,
        captured_at, updated_at, likes, shares, replies, views, is_reply, is_repost, raw, edited_at, deleted_at)
      select ${account.id}::int4, ${account.entityId}::int4, n.platform_post_id, n.url, n.text, n.text_truncated, n.text_length, n.lang, n.posted_at, n.local_day,
        ${at}::timestamptz, ${at}::timestamptz, n.likes, n.shares, n.replies, n.views, n.is_reply, n.is_repost, n.raw::jsonb, n.edited_at,
        case when n.deleted then ${at}::timestamptz end
      from unnest(${fresh.map((p) => p.platformPostId)}::text[], ${fresh.map((p) => p.url ?? null)}::text[], ${fresh.map((p) => p.text)}::text[],
        ${fresh.map((p) => p.textTruncated)}::bool[], ${fresh.map((p) => p.textLength)}::int4[], ${fresh.map((p) => p.lang ?? null)}::text[],
        ${fresh.map((p) => p.postedAt.toISOString())}::timestamptz[], ${fresh.map((p) => localDay(p.postedAt))}::date[],
        ${fresh.map((p) => p.metrics.likes)}::int8[], ${fresh.map((p) => p.metrics.shares)}::int8[], ${fresh.map((p) => p.metrics.replies)}::int8[],
        ${fresh.map((p) => p.metrics.views)}::int8[], ${fresh.map((p) => p.isReply)}::bool[], ${fresh.map((p) => p.isRepost)}::bool[],
        ${fresh.map((p) => p.rawJson)}::text[], ${fresh.map((p) => p.editedAt?.toISOString() ?? null)}::timestamptz[], ${fresh.map((p) => Boolean(p.deleted))}::bool[])
        as n(platform_post_id, url, text, text_truncated, text_length, lang, posted_at, local_day, likes, shares, replies, views, is_reply, is_repost, raw, edited_at, deleted)
        cross join guard
      returning id, platform_post_id),
    changed as (
      update post p set
        deleted_at = case when c.kind = 'deleted' then ${at}::timestamptz else p.deleted_at end,
        text = case when c.kind = 'edit' then c.text else p.text end,
        text_truncated = case when c.kind = 'edit' then c.text_truncated else p.text_truncated end,
        text_length = case when c.kind = 'edit' then c.text_length else p.text_length end,
        edited_at = case when c.kind = 'edit' then coalesce(c.edited_at, ${at}::timestamptz) else p.edited_at end,
        updated_at = case when c.kind = 'edit' then ${at}::timestamptz else p.updated_at end,
        raw = case when c.kind = 'edit' then c.raw::jsonb else p.raw end,
        revision = case when c.kind = 'edit' then p.revision + 1 else p.revision end,
        likes = case when c.moved then c.likes else p.likes end,
        shares = case when c.moved then c.shares else p.shares end,
        replies = case when c.moved then c.replies else p.replies end,
        views = case when c.moved then c.views else p.views end
      from unnest(${changes.map((c) => c.id)}::int8[], ${changes.map((c) => c.kind)}::text[], ${changes.map((c) => c.p.text)}::text[],
        ${changes.map((c) => c.p.textTruncated)}::bool[], ${changes.map((c) => c.p.textLength)}::int4[], ${changes.map((c) => c.p.editedAt?.toISOString() ?? null)}::timestamptz[],
        ${changes.map((c) => c.p.rawJson)}::text[], ${changes.map((c) => c.moved)}::bool[], ${changes.map((c) => c.p.metrics.likes)}::int8[],
        ${changes.map((c) => c.p.metrics.shares)}::int8[], ${changes.map((c) => c.p.metrics.replies)}::int8[], ${changes.map((c) => c.p.metrics.views)}::int8[])
        as c(id, kind, text, text_truncated, text_length, edited_at, raw, moved, likes, shares, replies, views)
      where p.id = c.id
      returning p.id),
    -- Version ids in chain order, whatever order nextval is evaluated in.
    ids as (
      select row_number() over (order by id) as ord, id
      from (select nextval(pg_get_serial_sequence('post_version', 'id')) as id from generate_series(1, ${chained.length}::int4)) g),
    versions as (
      insert into post_version (id, post_id, account_id, kind, text, raw, captured_at, sha256, prev_sha256)
      select ids.id, coalesce(v.post_id, f.id), ${account.id}::int4, v.kind, v.text, v.raw::jsonb, ${at}::timestamptz, v.sha256, v.prev_sha256
      from unnest(${chained.map((v) => v.platformPostId)}::text[], ${chained.map((v) => v.postId)}::int8[], ${chained.map((v) => v.kind)}::text[],
        ${chained.map((v) => v.text)}::text[], ${chained.map((v) => v.rawJson)}::text[], ${chained.map((v) => v.sha256)}::text[],
        ${chained.map((v) => v.prevSha256)}::text[]) with ordinality as v(platform_post_id, post_id, kind, text, raw, sha256, prev_sha256, ord)
      join ids on ids.ord = v.ord
      left join fresh f on v.post_id is null and f.platform_post_id = v.platform_post_id
      returning 1),
    snapshots as (
      insert into engagement_snapshot (post_id, captured_at, likes, shares, replies, views)
      select coalesce(s.post_id, f.id), ${at}::timestamptz, s.likes, s.shares, s.replies, s.views
      from unnest(${snapshots.map((s) => s.platformPostId)}::text[], ${snapshots.map((s) => s.postId)}::int8[], ${snapshots.map((s) => s.m.likes)}::int8[],
        ${snapshots.map((s) => s.m.shares)}::int8[], ${snapshots.map((s) => s.m.replies)}::int8[], ${snapshots.map((s) => s.m.views)}::int8[])
        as s(platform_post_id, post_id, likes, shares, replies, views)
      left join fresh f on s.post_id is null and f.platform_post_id = s.platform_post_id
      on conflict (post_id, captured_at) do update
        set likes = excluded.likes, shares = excluded.shares, replies = excluded.replies, views = excluded.views
      returning 1),
    moved_cursor as (update account set import_cursor = ${nextCursor}::text where id = ${account.id} and (select ok from guard) = 1 returning 1)
    select (select ok from guard) as guarded, (select count(*) from fresh)::int4 as inserted, (select count(*) from changed)::int4 as changed,
      (select count(*) from versions)::int4 as versions, (select count(*) from snapshots)::int4 as snapshots,
      (select count(*) from moved_cursor)::int4 as cursor`.execute(db);
  return rows[0];
}

/**
 * The row-by-row write path (a few statements per post): kept as the baseline of `npm run bench:import`
 * (setWritePath('row')).
 */
async function savePostsPageByRow(
  db: Db,
  account: { id: number; entityId: number; timezone: string },
  posts: ImportedPost[],
  fromCursor: string | null,
  nextCursor: string | null,
  now: Date,
): Promise<SavePageResult> {
  return db.transaction().execute(async (trx) => {
    // The account row is locked for the page, so two imports of one account cannot interleave.
    const current = await trx.selectFrom('account').select('import_cursor').where('id', '=', account.id).forUpdate().executeTakeFirst();
    if (!current || current.import_cursor !== fromCursor) throw new ConcurrentImportError(account.id);
    const result: SavePageResult = { inserted: 0, edited: 0, deleted: 0, unchanged: 0, skipped: 0, warnings: [] };
    // The last occurrence of an id in a page wins (an edit re-emitted after its original).
    const byId = new Map<string, StoredPost>();
    for (const p of posts) {
      const problem = unstorableReason(p, now);
      if (problem) {
        result.skipped++;
        result.warnings.push(`${refOf(p)}: ${problem}`);
        continue;
      }
      const stored = toStored(p);
      byId.set(stored.platformPostId, stored);
    }
    const unique = [...byId.values()];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      const existing = await trx
        .selectFrom('post')
        .select(['id', 'platform_post_id', 'text', 'text_length', 'deleted_at', 'likes', 'shares', 'replies', 'views'])
        .where('account_id', '=', account.id)
        .where('platform_post_id', 'in', chunk.map((p) => p.platformPostId))
        .execute();
      const known = new Map(existing.map((e) => [e.platform_post_id, e]));
      const fresh = chunk.filter((p) => !known.has(p.platformPostId));
      const versions: NewVersion[] = [];
      const snapshots: { post_id: number; captured_at: Date; likes: number; shares: number; replies: number; views: number }[] = [];
      const snapshot = (postId: number, m: ImportedPost['metrics']) =>
        snapshots.push({ post_id: postId, captured_at: now, likes: m.likes, shares: m.shares, replies: m.replies, views: m.views });
      if (fresh.length) {
        const rows = await trx
          .insertInto('post')
          .values(
            fresh.map((p) => ({
              account_id: account.id,
              entity_id: account.entityId,
              platform_post_id: p.platformPostId,
              url: p.url,
              text: p.text,
              text_truncated: p.textTruncated,
              text_length: p.textLength,
              lang: p.lang,
              posted_at: p.postedAt,
              local_day: localDate(p.postedAt, account.timezone),
              captured_at: now,
              updated_at: now,
              likes: p.metrics.likes,
              shares: p.metrics.shares,
              replies: p.metrics.replies,
              views: p.metrics.views,
              is_reply: p.isReply,
              is_repost: p.isRepost,
              raw: storableJson(p.raw),
              edited_at: p.editedAt ?? null,
              deleted_at: p.deleted ? now : null,
            })),
          )
          .onConflict((oc) => oc.columns(['account_id', 'platform_post_id']).doNothing())
          .returning(['id', 'platform_post_id'])
          .execute();
        result.inserted += rows.length;
        const ids = new Map(rows.map((r) => [r.platform_post_id, r.id]));
        for (const p of fresh) {
          const postId = ids.get(p.platformPostId);
          if (postId === undefined) continue;
          versions.push({ postId, platformPostId: p.platformPostId, kind: 'original', text: p.text, rawJson: storableJson(p.raw), capturedAt: now });
          snapshot(postId, p.metrics);
        }
      }
      for (const p of chunk) {
        const old = known.get(p.platformPostId);
        if (!old) continue;
        if (p.deleted && old.deleted_at === null) {
          // The archived text stays: only the deletion is recorded, as evidence.
          await trx.updateTable('post').set({ deleted_at: now }).where('id', '=', old.id).execute();
          versions.push({ postId: old.id, platformPostId: p.platformPostId, kind: 'deleted', text: old.text, rawJson: storableJson(p.raw), capturedAt: now });
          result.deleted++;
        } else if (!p.deleted && (p.text !== old.text || (old.text_length !== null && p.textLength !== old.text_length))) {
          // A long text edited beyond the cap keeps its first characters: its length tells the edit.
          const m = p.metrics;
          const moved = m.likes !== old.likes || m.shares !== old.shares || m.replies !== old.replies || m.views !== old.views;
          await trx
            .updateTable('post')
            .set({
              text: p.text,
              text_truncated: p.textTruncated,
              text_length: p.textLength,
              edited_at: p.editedAt ?? now,
              updated_at: now,
              raw: storableJson(p.raw),
              revision: sql<number>`revision + 1`,
              ...(moved ? { likes: m.likes, shares: m.shares, replies: m.replies, views: m.views } : {}),
            })
            .where('id', '=', old.id)
            .execute();
          versions.push({ postId: old.id, platformPostId: p.platformPostId, kind: 'edit', text: p.text, rawJson: storableJson(p.raw), capturedAt: now });
          if (moved) snapshot(old.id, m);
          result.edited++;
        } else {
          // Same text: only the engagement figures may have moved since the last capture.
          const m = p.metrics;
          if (m.likes !== old.likes || m.shares !== old.shares || m.replies !== old.replies || m.views !== old.views) {
            await trx.updateTable('post').set({ likes: m.likes, shares: m.shares, replies: m.replies, views: m.views }).where('id', '=', old.id).execute();
            snapshot(old.id, m);
          }
          result.unchanged++;
        }
      }
      await appendPostVersions(trx, account.id, versions);
      if (snapshots.length)
        await trx
          .insertInto('engagement_snapshot')
          .values(snapshots)
          .onConflict((oc) =>
            oc.columns(['post_id', 'captured_at']).doUpdateSet((eb) => ({
              likes: eb.ref('excluded.likes'),
              shares: eb.ref('excluded.shares'),
              replies: eb.ref('excluded.replies'),
              views: eb.ref('excluded.views'),
            })),
          )
          .execute();
    }
    await trx.updateTable('account').set({ import_cursor: nextCursor }).where('id', '=', account.id).execute();
    return result;
  });
}

export type WritePath = 'set' | 'locked' | 'row';
export let writePath: WritePath = 'set';
/**
 * Benchmarks only: 'row' writes a page post by post as before (the baseline of `npm run bench:import`); 'locked'
 * always takes the set-based locked path (five round trips a page), without the one-statement write of new posts.
 */
export function setWritePath(p: WritePath): void {
  writePath = p;
}
