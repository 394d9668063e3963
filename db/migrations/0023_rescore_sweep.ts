import { sql, type Kysely } from 'kysely';

// A rescoring pages through post by id instead of copying every post into score_pending first (2 min 15 s at 5M
// posts before its first score). score_pending_version.sweep_after is where the sweep for `version` stands: the last
// post id whose batch was written (null: no sweep in progress). A scorer that stops (a crash, a deploy) leaves it
// there, and the next run resumes after it; new and edited posts keep going through score_pending.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table score_pending_version add column sweep_after bigint`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // A sweep in progress is left to the previous code's fill: the queue counts as filled for no version.
  await sql`update score_pending_version set version = null where sweep_after is not null`.execute(db);
  await sql`alter table score_pending_version drop column if exists sweep_after`.execute(db);
}
