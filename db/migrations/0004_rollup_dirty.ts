import type { Kysely } from 'kysely';

// Entity-days whose scores changed and whose rollups are not yet recomputed. Written in the same
// transaction as the scores, so a crash between scoring and rollup cannot leave a day stale.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rollup_dirty')
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_dirty_pkey', ['entity_id', 'day'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rollup_dirty').ifExists().execute();
}
