import { sql, type Kysely } from 'kysely';

// Issue 9: the archive of monthly reports. The bytes live in the database (one backup, no shared disk between
// API processes). History is kept: a report is never overwritten; a new row is stored only when its figures differ
// from every stored version of the same month, entity, language and format (data_sha256), so a second run adds nothing.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('month', 'text', (c) => c.notNull().check(sql`month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('sector', 'entity')`))
    .addColumn('entity_id', 'integer', (c) => c.references('entity.id').onDelete('cascade'))
    .addColumn('lang', 'text', (c) => c.notNull().check(sql`lang in ('ar', 'en')`))
    .addColumn('format', 'text', (c) => c.notNull().check(sql`format in ('pdf', 'xlsx', 'csv')`))
    .addColumn('rulebook_versions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // SHA-256 (hex) of the file as stored and downloaded.
    .addColumn('sha256', 'text', (c) => c.notNull())
    // SHA-256 of the report's figures and options (not of its generation time): equal means the same report.
    .addColumn('data_sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('generated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('schedule', 'cli', 'api')`))
    .addColumn('generated_by', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
    .addCheckConstraint('report_kind_entity', sql`(kind = 'sector') = (entity_id is null)`)
    .execute();
  await sql`create unique index report_once_idx on report (month, coalesce(entity_id, 0), lang, format, data_sha256)`.execute(db);
  await sql`create index report_month_idx on report (month desc, entity_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('report').execute();
}
