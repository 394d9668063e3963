import { sql, type Kysely } from 'kysely';

// Issue 8: users and their entities, server-side sessions, API tokens, the review history of findings,
// in-app notifications and the append-only audit log.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('app_user')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'oversight', 'director', 'viewer')`))
    // scrypt$N$r$p$salt$hash (server/passwords.ts); null for a user who signs in only through OpenID Connect.
    .addColumn('password_hash', 'text')
    .addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('oidc_subject', 'text', (c) => c.unique())
    .addColumn('alert_digest', 'text', (c) => c.notNull().defaultTo('immediate').check(sql`alert_digest in ('immediate', 'daily', 'weekly', 'off')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index app_user_email_idx on app_user (lower(email))`.execute(db);

  // A director's entities; a viewer's when limited (a viewer with none sees every entity).
  await db.schema
    .createTable('user_entity')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('user_entity_pkey', ['user_id', 'entity_id'])
    .execute();

  // The cookie holds a random token; the table holds its SHA-256 only.
  await db.schema
    .createTable('user_session')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('user_session_user_idx').on('user_session').column('user_id').execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('read', 'admin')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  // Every review step on a finding. Keyed by post, rule and matched text as well as the finding's id: a rescoring
  // replaces finding rows, and the decision follows the same rule on the same words (jobs/score.ts).
  await db.schema
    .createTable('finding_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('finding_id', 'bigint', (c) => c.notNull())
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('match', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('confirmed', 'dismissed', 'reopened', 'responded', 'appealed', 'appeal-upheld', 'appeal-rejected')`),
    )
    .addColumn('reason', 'text')
    .addColumn('note', 'text')
    .addColumn('response_kind', 'text')
    .addColumn('actor_id', 'integer', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('finding_event_post_idx').on('finding_event').columns(['post_id', 'rule_id', 'match', 'id']).execute();
  await db.schema.createIndex('finding_event_at_idx').on('finding_event').columns(['at']).execute();
  await db.schema.createIndex('finding_status_idx').on('finding').columns(['status', 'post_id']).execute();

  await db.schema
    .createTable('notification')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('critical-finding', 'deleted-after-flagged')`))
    .addColumn('entity_id', 'integer', (c) => c.notNull().references('entity.id').onDelete('cascade'))
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('rule_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('read_at', 'timestamptz')
    .addColumn('emailed_at', 'timestamptz')
    .execute();
  // One notification per user, kind, post and rule: the alert job can run again without repeating itself.
  await sql`create unique index notification_once_idx on notification (user_id, kind, post_id, coalesce(rule_id, ''))`.execute(db);
  await db.schema.createIndex('notification_user_idx').on('notification').columns(['user_id', 'id']).execute();

  // Append-only: who, what, when, from where, the object, before and after.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('actor_id', 'integer')
    .addColumn('actor_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('object_type', 'text')
    .addColumn('object_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .execute();
  await db.schema.createIndex('audit_log_at_idx').on('audit_log').columns(['at']).execute();
  await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'at']).execute();
  await sql`
    create function mizan_audit_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op;
    end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function mizan_audit_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function mizan_audit_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists audit_log, notification, finding_event, api_token, user_session, user_entity, app_user cascade`.execute(db);
  await sql`drop function if exists mizan_audit_append_only()`.execute(db);
  await sql`drop index if exists finding_status_idx`.execute(db);
}
