import { sql, type Kysely } from 'kysely';

// Defects found by an independent probe (issue 6):
// - a job run is stale only when its owner stops beating, never because another process started;
// - an edit forces a rescore by comparing revisions, not clocks (an edit stamped with an import's
//   start time looked older than a score written meanwhile);
// - a published rulebook records the version it replaced.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('job_run').addColumn('owner', 'text').execute();
  await db.schema.alterTable('job_run').addColumn('heartbeat_at', 'timestamptz').execute();
  await sql`update job_run set heartbeat_at = coalesce(finished_at, started_at)`.execute(db);
  await db.schema.createIndex('job_run_running_idx').on('job_run').columns(['job', 'status']).where(sql.ref('status'), '=', 'running').execute();

  await db.schema.alterTable('post').addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('post_score').addColumn('post_revision', 'integer', (c) => c.notNull().defaultTo(1)).execute();

  await db.schema.alterTable('rulebook_version').addColumn('replaced', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('rulebook_version').dropColumn('replaced').execute();
  await db.schema.alterTable('post_score').dropColumn('post_revision').execute();
  await db.schema.alterTable('post').dropColumn('revision').execute();
  await db.schema.dropIndex('job_run_running_idx').ifExists().execute();
  await db.schema.alterTable('job_run').dropColumn('heartbeat_at').execute();
  await db.schema.alterTable('job_run').dropColumn('owner').execute();
}
