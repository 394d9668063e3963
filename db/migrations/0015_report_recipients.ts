import { sql, type Kysely } from 'kysely';

// Issue 9: monthly reports e-mailed to each entity's recipients. One report_delivery row per entity and month
// records the one e-mail (sent_at) or its last failure (error), so a second run of the job sends nothing again
// and a failed send is tried again by a later run.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('entity').addColumn('report_recipients', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`)).execute();
  await db.schema
    .createTable('report_delivery')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('recipients', sql`text[]`, (c) => c.notNull())
    .addColumn('report_ids', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addColumn('error', 'text')
    .addUniqueConstraint('report_delivery_once', ['entity_id', 'month'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report_delivery').execute();
  await db.schema.alterTable('entity').dropColumn('report_recipients').execute();
}
