// Writing an imported page: posts, their versions and the cursor, all in one transaction.
import type { Db } from '../client.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { localDate } from './periods.ts';

export interface SavePageResult {
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
}

const CHUNK = 500;

// PostgreSQL refuses NUL in text and jsonb, and lone surrogates in jsonb: one such character would
// fail the whole page forever. They carry no meaning, so NUL is dropped and a lone surrogate becomes U+FFFD.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
export function storableText(text: string): string {
  return text.replaceAll('\0', '').replace(LONE_SURROGATE, '\uFFFD');
}
const storableJson = (raw: unknown) => JSON.stringify(raw ?? null, (_key, value) => (typeof value === 'string' ? storableText(value) : value));

export class ConcurrentImportError extends Error {
  constructor(accountId: number) {
    super(`another import of account ${accountId} moved its cursor meanwhile; this page was not saved (the other import carries on)`);
    this.name = 'ConcurrentImportError';
  }
}

/** Saves a page fetched from `fromCursor`; refuses (ConcurrentImportError) if another import moved the cursor meanwhile. */
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
    const result: SavePageResult = { inserted: 0, edited: 0, deleted: 0, unchanged: 0 };
    // The last occurrence of an id in a page wins (an edit re-emitted after its original).
    const byId = new Map<string, ImportedPost>();
    for (const p of posts) byId.set(storableText(p.platformPostId), { ...p, platformPostId: storableText(p.platformPostId), text: storableText(p.text), url: p.url && storableText(p.url) });
    const unique = [...byId.values()];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const chunk = unique.slice(i, i + CHUNK);
      const existing = await trx
        .selectFrom('post')
        .select(['id', 'platform_post_id', 'text', 'deleted_at', 'likes', 'shares', 'replies', 'views'])
        .where('account_id', '=', account.id)
        .where('platform_post_id', 'in', chunk.map((p) => p.platformPostId))
        .execute();
      const known = new Map(existing.map((e) => [e.platform_post_id, e]));
      const fresh = chunk.filter((p) => !known.has(p.platformPostId));
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
        const versions = fresh
          .filter((p) => ids.has(p.platformPostId))
          .map((p) => ({ post_id: ids.get(p.platformPostId)!, kind: 'original' as const, text: p.text, raw: storableJson(p.raw), captured_at: now }));
        if (versions.length) await trx.insertInto('post_version').values(versions).execute();
      }
      for (const p of chunk) {
        const old = known.get(p.platformPostId);
        if (!old) continue;
        if (p.deleted && old.deleted_at === null) {
          // The archived text stays: only the deletion is recorded, as evidence.
          await trx.updateTable('post').set({ deleted_at: now }).where('id', '=', old.id).execute();
          await trx.insertInto('post_version').values({ post_id: old.id, kind: 'deleted', text: old.text, raw: storableJson(p.raw), captured_at: now }).execute();
          result.deleted++;
        } else if (!p.deleted && p.text !== old.text) {
          await trx
            .updateTable('post')
            .set({ text: p.text, edited_at: p.editedAt ?? now, updated_at: now, raw: storableJson(p.raw) })
            .where('id', '=', old.id)
            .execute();
          await trx.insertInto('post_version').values({ post_id: old.id, kind: 'edit', text: p.text, raw: storableJson(p.raw), captured_at: now }).execute();
          result.edited++;
        } else {
          // Same text: only the engagement figures may have moved since the last capture.
          const m = p.metrics;
          if (m.likes !== old.likes || m.shares !== old.shares || m.replies !== old.replies || m.views !== old.views)
            await trx.updateTable('post').set({ likes: m.likes, shares: m.shares, replies: m.replies, views: m.views }).where('id', '=', old.id).execute();
          result.unchanged++;
        }
      }
    }
    await trx.updateTable('account').set({ import_cursor: nextCursor }).where('id', '=', account.id).execute();
    return result;
  });
}
