import { sql, type Kysely } from 'kysely';

// Issue 8, alerts: what the alert job has already looked at, one row per alert (post and kind) with its webhook
// delivery state, and partial indexes so that each run reads only the critical findings and deletions that are new.
export async function up(db: Kysely<any>): Promise<void> {
  // The ids the alert job had read up to, and when (jobs/alerts.ts reads from the mark of a run at least an hour old,
  // so that rows of a transaction that committed after a run's read are still seen by a later run).
  await db.schema
    .createTable('alert_cursor')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('finding', 'deletion')`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_cursor_pkey', ['source', 'at'])
    .execute();
  // An existing database starts from what it holds now: its history is not announced as new alerts.
  await sql`insert into alert_cursor (source, at, last_id)
    select 'finding', timestamptz '1970-01-01T00:00:00Z', coalesce(max(id), 0) from finding
    union all select 'deletion', timestamptz '1970-01-01T00:00:00Z', coalesce(max(id), 0) from post_version`.execute(db);

  // One alert per post and kind (the notification rows are its copies per user); the webhook sends it once.
  await db.schema
    .createTable('alert')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('critical-finding', 'deleted-after-flagged')`))
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('rule_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // 'none': no webhook was configured when the alert was made (switching one on later does not replay history).
    .addColumn('webhook_state', 'text', (c) => c.notNull().defaultTo('none').check(sql`webhook_state in ('none', 'pending', 'sending', 'delivered', 'failed')`))
    .addColumn('webhook_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('webhook_at', 'timestamptz')
    .addColumn('webhook_error', 'text')
    .execute();
  await db.schema.createIndex('alert_once_idx').on('alert').columns(['kind', 'post_id']).unique().execute();
  await sql`create index alert_webhook_due_idx on alert (id) where webhook_state in ('pending', 'sending')`.execute(db);

  await sql`create index finding_critical_idx on finding (id) where severity = 'critical'`.execute(db);
  await sql`create index post_version_deleted_idx on post_version (id) where kind = 'deleted'`.execute(db);
  // The e-mail run reads notifications not yet e-mailed nor read.
  await sql`create index notification_unsent_idx on notification (user_id, id) where emailed_at is null and read_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists alert, alert_cursor`.execute(db);
  await sql`drop index if exists finding_critical_idx`.execute(db);
  await sql`drop index if exists post_version_deleted_idx`.execute(db);
  await sql`drop index if exists notification_unsent_idx`.execute(db);
}
