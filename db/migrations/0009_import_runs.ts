import { sql, type Kysely } from 'kysely';

// One row per account per import: what was fetched, stored and rejected, so that a rejected record is
// never lost silently (its reason and the start of the record stay on the run), and a run that stored
// nothing and rejected everything reads 'failed', not 'ok'. And a lease per account, so that several
// workers share a round of imports without polling an account twice at once, and a dead worker's
// accounts are taken over when its lease runs out.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('import_run')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('running').check(sql`status in ('running', 'ok', 'partial', 'failed')`))
    .addColumn('pages', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('inserted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edited', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('unchanged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'integer', (c) => c.notNull().defaultTo(0))
    // The first rejected records ({ ref, reason, sample }) and the connector's notes, bounded.
    .addColumn('rejected_samples', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('warnings', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('error', 'text')
    .addColumn('worker', 'text')
    .execute();
  await db.schema
    .alterTable('account')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'timestamptz')
    .execute();
  await db.schema.createIndex('import_run_account_idx').on('import_run').columns(['account_id', 'started_at']).execute();
  await db.schema.createIndex('import_run_problem_idx').on('import_run').column('started_at').where(sql.ref('status'), 'in', ['partial', 'failed']).execute();
  // An account's last run reads ok, partial or failed (it was ok or error).
  await sql`update account set last_run_status = 'failed' where last_run_status = 'error'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update account set last_run_status = 'error' where last_run_status in ('failed', 'partial')`.execute(db);
  await db.schema.dropTable('import_run').ifExists().execute();
  await db.schema.alterTable('account').dropColumn('lease_owner').dropColumn('lease_until').execute();
}
