// Writing an imported page: posts, their versions and the cursor, all in one transaction.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { MAX_POST_TEXT, type ImportedPost } from '../../jobs/connectors/types.ts';
import { appendPostVersions, type NewVersion } from './archive.ts';
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

const CHUNK = 500;

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
