import { sql, type Kysely } from 'kysely';

// Each account can be imported less often than the import job runs (rate-limited platforms, quiet feeds).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('account')
    .addColumn('import_interval_minutes', 'integer', (c) => c.check(sql`import_interval_minutes > 0`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account').dropColumn('import_interval_minutes').execute();
}
