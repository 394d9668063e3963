import { sql, type Kysely } from 'kysely';
import { versionSha256, type VersionKind } from '../queries/archive.ts';

// Issue 7, the archive and its accounts:
// - account.token_ciphertext: an account's own API token, AES-256-GCM encrypted (jobs/secrets.ts), never returned;
// - post_version.account_id, sha256, prev_sha256: each captured version hashed and chained per account
//   (db/queries/archive.ts); the versions already captured are hashed here, in insertion (id) order;
// - engagement_snapshot: a post's counts each time an import sees them change. Every post gets one snapshot
//   of the counts it has now, dated at its account's last run (when those counts were last read).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account').addColumn('token_ciphertext', 'text').execute();

  await db.schema
    .alterTable('post_version')
    .addColumn('account_id', 'integer', (c) => c.references('account.id').onDelete('cascade'))
    .addColumn('sha256', 'text')
    .addColumn('prev_sha256', 'text')
    .execute();
  await sql`update post_version v set account_id = p.account_id from post p where p.id = v.post_id`.execute(db);

  const heads = new Map<number, string>();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('post_version as v')
      .innerJoin('post as p', 'p.id', 'v.post_id')
      .select(['v.id', 'v.account_id', 'p.platform_post_id', 'v.kind', 'v.text', 'v.raw', 'v.captured_at'])
      .where('v.id', '>', after)
      .orderBy('v.id')
      .limit(2000)
      .execute();
    if (!rows.length) break;
    const updates = rows.map((r) => {
      const accountId = Number(r.account_id);
      const prev = heads.get(accountId) ?? null;
      const raw = typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw;
      const sha = versionSha256(
        { accountId, platformPostId: r.platform_post_id, kind: r.kind as VersionKind, text: r.text, capturedAt: new Date(r.captured_at), raw },
        prev,
      );
      heads.set(accountId, sha);
      return sql`(${Number(r.id)}::int8, ${sha}::text, ${prev}::text)`;
    });
    await sql`update post_version v set sha256 = x.sha, prev_sha256 = x.prev
      from (values ${sql.join(updates)}) as x(id, sha, prev) where v.id = x.id`.execute(db);
    after = Number(rows[rows.length - 1].id);
  }
  await sql`alter table post_version alter column account_id set not null, alter column sha256 set not null`.execute(db);
  await db.schema.createIndex('post_version_chain_idx').on('post_version').columns(['account_id', 'id']).execute();

  await db.schema
    .createTable('engagement_snapshot')
    .addColumn('post_id', 'bigint', (c) => c.notNull().references('post.id').onDelete('cascade'))
    .addColumn('captured_at', 'timestamptz', (c) => c.notNull())
    .addColumn('likes', 'bigint', (c) => c.notNull())
    .addColumn('shares', 'bigint', (c) => c.notNull())
    .addColumn('replies', 'bigint', (c) => c.notNull())
    .addColumn('views', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('engagement_snapshot_pkey', ['post_id', 'captured_at'])
    .execute();
  await sql`insert into engagement_snapshot (post_id, captured_at, likes, shares, replies, views)
    select p.id, greatest(p.captured_at, coalesce(a.last_run_at, p.updated_at)), p.likes, p.shares, p.replies, p.views
    from post p join account a on a.id = p.account_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('engagement_snapshot').ifExists().execute();
  await db.schema.dropIndex('post_version_chain_idx').ifExists().execute();
  await sql`alter table post_version drop column prev_sha256, drop column sha256, drop column account_id`.execute(db);
  await db.schema.alterTable('account').dropColumn('token_ciphertext').execute();
}
