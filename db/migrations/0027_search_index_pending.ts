import { sql, type Kysely } from 'kysely';

// The trigram index of the folded text takes new posts into its pending list (GIN's fast update) and merges the list
// into the index when it passes gin_pending_list_limit: the merge is cheap per post when it is large, dear when small
// (4 MB, the default, is about 2,400 posts here). A larger list costs searches a read of it while it is not merged:
// the import merges it at the end of each round (jobs/pipeline.ts), so a search seldom meets a full one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter index post_text_folded_trgm_idx set (gin_pending_list_limit = 16384)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter index post_text_folded_trgm_idx reset (gin_pending_list_limit)`.execute(db);
}
