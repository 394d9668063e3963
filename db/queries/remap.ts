// Reading stored raw payloads and writing back what is derived from them (jobs/remap.ts).
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { capText } from './imports.ts';

export interface StoredPost {
  id: number;
  platformPostId: string;
  raw: unknown;
  text: string;
  lang: string | null;
  isReply: boolean;
  isRepost: boolean;
}

interface RemapAccount {
  id: number;
  connector: string;
  handle: string;
  config: Record<string, unknown>;
}

/** Every account's stored posts with their raw payloads, a thousand at a time. */
export async function* listRemapPosts(db: Db, accountIds?: number[]): AsyncGenerator<{ account: RemapAccount; posts: StoredPost[] }> {
  const accounts = await db
    .selectFrom('account')
    .select(['id', 'connector', 'handle', 'config'])
    .$if(accountIds !== undefined, (qb) => qb.where('id', 'in', accountIds!.length ? accountIds! : [-1]))
    .orderBy('id')
    .execute();
  for (const account of accounts) {
    let after = 0;
    for (;;) {
      const posts = await db
        .selectFrom('post')
        .select(['id', 'platform_post_id as platformPostId', 'raw', 'text', 'lang', 'is_reply as isReply', 'is_repost as isRepost'])
        .where('account_id', '=', account.id)
        .where('id', '>', after)
        .orderBy('id')
        .limit(1000)
        .execute();
      if (!posts.length) break;
      yield { account, posts };
      after = posts[posts.length - 1].id;
    }
  }
}

/** Writes what the raw payload now maps to; true when something changed (a new text raises the revision: rescored). */
export async function updateDerivedPost(db: Db, stored: StoredPost, mapped: ImportedPost, now: Date): Promise<boolean> {
  const capped = capText(mapped.text);
  const textChanged = capped.text !== stored.text;
  if (!textChanged && mapped.lang === stored.lang && mapped.isReply === stored.isReply && mapped.isRepost === stored.isRepost) return false;
  await db
    .updateTable('post')
    .set({
      text: capped.text,
      text_truncated: capped.truncated,
      text_length: capped.length,
      lang: mapped.lang,
      is_reply: mapped.isReply,
      is_repost: mapped.isRepost,
      updated_at: now,
      ...(textChanged ? { revision: sql<number>`revision + 1` } : {}),
    })
    .where('id', '=', stored.id)
    .execute();
  return true;
}
