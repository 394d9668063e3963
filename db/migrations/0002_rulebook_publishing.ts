import { sql, type Kysely } from 'kysely';

// Rulebook versions published through the API, and the verdict changes a new version caused.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('rulebook_version')
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('files').check(sql`origin in ('files', 'api')`))
    .execute();
  await db.schema.alterTable('rulebook_version').addColumn('note', 'text').execute();

  await db.schema
    .createTable('verdict_change')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('from_version', 'text', (c) => c.notNull())
    .addColumn('to_version', 'text', (c) => c.notNull())
    .addColumn('from_verdict', 'text', (c) => c.notNull())
    .addColumn('to_verdict', 'text', (c) => c.notNull())
    .addColumn('from_score', 'smallint', (c) => c.notNull())
    .addColumn('to_score', 'smallint', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('verdict_change_version_idx').on('verdict_change').columns(['to_version', 'entity_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verdict_change').ifExists().execute();
  await db.schema.alterTable('rulebook_version').dropColumn('note').execute();
  await db.schema.alterTable('rulebook_version').dropColumn('origin').execute();
}
