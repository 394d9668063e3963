import { sql, type Kysely } from 'kysely';

// Written for PostgreSQL 15 and PGlite (PostgreSQL 18) alike.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('entity')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name_ar', 'text', (c) => c.notNull())
    .addColumn('name_en', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('Asia/Bahrain'))
    .addColumn('website', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('account')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('platform', 'text', (c) => c.notNull())
    // Which connector imports it (registry key): 'demo', 'file', later 'x', 'mastodon', ...
    .addColumn('connector', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('platform_account_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('official', 'executive', 'employee')`))
    .addColumn('profile_text', 'text')
    .addColumn('url', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('import_cursor', 'text')
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_run_status', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('account_platform_handle_key', ['platform', 'handle'])
    .execute();
  await db.schema.createIndex('account_entity_idx').on('account').column('entity_id').execute();

  await db.schema
    .createTable('post')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('platform_post_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('lang', 'text')
    .addColumn('posted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('local_day', 'date', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('likes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('shares', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('replies', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('views', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_reply', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('is_repost', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('edited_at', 'timestamptz')
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('post_account_platform_post_key', ['account_id', 'platform_post_id'])
    .execute();
  // Keyset pagination and scoped listing walk (posted_at desc, id desc).
  await db.schema.createIndex('post_entity_posted_idx').on('post').columns(['entity_id', 'posted_at desc', 'id desc']).execute();
  await db.schema.createIndex('post_posted_idx').on('post').columns(['posted_at desc', 'id desc']).execute();
  await db.schema.createIndex('post_account_posted_idx').on('post').columns(['account_id', 'posted_at desc']).execute();

  await db.schema
    .createTable('post_version')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('original', 'edit', 'deleted')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('post_version_post_idx').on('post_version').column('post_id').execute();

  await db.schema
    .createTable('rulebook_version')
    .addColumn('version', 'text', (c) => c.primaryKey())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('sources', 'jsonb', (c) => c.notNull())
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('finding')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('rulebook_version', 'text', (c) => c.notNull().references('rulebook_version.version'))
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('start_offset', 'integer', (c) => c.notNull())
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open').check(sql`status in ('open', 'confirmed', 'dismissed')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('finding_post_idx').on('finding').columns(['post_id', 'rulebook_version']).execute();

  await db.schema
    .createTable('post_score')
    .addColumn('post_id', 'bigint', (c) => c.primaryKey().references('post.id').onDelete('cascade'))
    .addColumn('rulebook_version', 'text', (c) => c.notNull().references('rulebook_version.version'))
    .addColumn('score', 'smallint', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull().check(sql`verdict in ('clean', 'review', 'violation')`))
    .addColumn('categories', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('max_severity', 'text')
    .addColumn('findings', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('scored_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('post_score_verdict_idx').on('post_score').columns(['verdict']).execute();

  await db.schema
    .createTable('account_finding')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('rulebook_version', 'text', (c) => c.notNull().references('rulebook_version.version'))
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('job_run')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('running'))
    .addColumn('counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('error', 'text')
    // One row per job and slot: the insert is the run coordinator's election.
    .addUniqueConstraint('job_run_job_slot_key', ['job', 'slot'])
    .execute();
  await db.schema.createIndex('job_run_started_idx').on('job_run').columns(['started_at desc']).execute();

  await db.schema
    .createTable('rollup_day')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('account.id').onDelete('cascade'))
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('posts', 'integer', (c) => c.notNull())
    .addColumn('clean', 'integer', (c) => c.notNull())
    .addColumn('review', 'integer', (c) => c.notNull())
    .addColumn('violations', 'integer', (c) => c.notNull())
    .addColumn('score_sum', 'bigint', (c) => c.notNull())
    .addColumn('findings', 'integer', (c) => c.notNull())
    .addColumn('replies', 'integer', (c) => c.notNull())
    .addColumn('engagement', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_day_pkey', ['account_id', 'day'])
    .execute();
  await db.schema.createIndex('rollup_day_entity_day_idx').on('rollup_day').columns(['entity_id', 'day']).execute();
  await db.schema.createIndex('rollup_day_day_idx').on('rollup_day').columns(['day']).execute();

  await db.schema
    .createTable('rollup_category_day')
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('findings', 'integer', (c) => c.notNull())
    .addColumn('posts', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rollup_category_day_pkey', ['entity_id', 'day', 'category'])
    .execute();
  await db.schema.createIndex('rollup_category_day_day_idx').on('rollup_category_day').columns(['day']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['rollup_category_day', 'rollup_day', 'job_run', 'account_finding', 'post_score', 'finding', 'rulebook_version', 'post_version', 'post', 'account', 'entity']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
