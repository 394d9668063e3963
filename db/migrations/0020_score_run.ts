import { sql, type Kysely } from 'kysely';

// The progress of the latest scoring run (one row): the rulebook version it applies, how many posts were queued
// when it started and how many it has scored, and when it last wrote. The scorer updates it after each batch; the
// API (GET /api/rulebook/progress) and the web's progress bar read it, from any process.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table score_run (
      id int primary key default 1 check (id = 1),
      version text not null,
      total bigint not null,
      done bigint not null default 0,
      started_at timestamptz not null,
      updated_at timestamptz not null,
      finished_at timestamptz)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists score_run`.execute(db);
}
