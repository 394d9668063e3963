import { sql, type Kysely } from 'kysely';

// The scoring queue and the accounts' post counters, kept by the database itself.
// - score_pending: the posts waiting to be scored. A statement trigger on post enqueues every inserted post and
//   every post whose revision changes (an imported edit, a remap), in the same transaction as the write, so a crash
//   cannot lose one; the scorer removes a post in the transaction that writes its score. A new rulebook version
//   enqueues every post once (score_pending_version: the version the queue was last filled for; null: never).
//   The scorer reads the queue by id instead of joining every post with its score for every batch.
// - account_post_summary: per account, the posts captured, the last post's time (trigger, one statement per
//   insert) and the scored posts (the rollup keeps it): the accounts page reads one row per account instead of
//   counting its posts.
// No foreign key on score_pending: a row check per queued post would cost the import; a post deleted meanwhile is
// skipped by the scorer's join and swept when the queue is refilled.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table score_pending (post_id bigint primary key)`.execute(db);
  await sql`create table score_pending_version (id int primary key default 1 check (id = 1), version text)`.execute(db);
  await sql`insert into score_pending_version (id, version) values (1, null)`.execute(db);
  await sql`
    create table account_post_summary (
      account_id integer primary key references account(id) on delete cascade,
      posts_captured integer not null default 0,
      last_post_at timestamptz,
      posts integer not null default 0)`.execute(db);
  await sql`
    insert into account_post_summary (account_id, posts_captured, last_post_at, posts)
    select a.id, coalesce(p.n, 0), p.last, coalesce(r.posts, 0)
    from account a
    left join (select account_id, count(*)::int as n, max(posted_at) as last from post group by account_id) p on p.account_id = a.id
    left join (select account_id, sum(posts)::int as posts from rollup_day group by account_id) r on r.account_id = a.id`.execute(db);
  await sql`
    create function mizan_post_inserted() returns trigger language plpgsql as $$
    begin
      insert into score_pending (post_id) select id from new_posts on conflict do nothing;
      insert into account_post_summary as s (account_id, posts_captured, last_post_at)
        select account_id, count(*), max(posted_at) from new_posts group by account_id
        on conflict (account_id) do update set posts_captured = s.posts_captured + excluded.posts_captured,
          last_post_at = greatest(s.last_post_at, excluded.last_post_at);
      return null;
    end $$`.execute(db);
  await sql`create trigger post_inserted after insert on post referencing new table as new_posts
    for each statement execute function mizan_post_inserted()`.execute(db);
  await sql`
    create function mizan_post_revised() returns trigger language plpgsql as $$
    begin
      insert into score_pending (post_id)
        select n.id from new_posts n join old_posts o on o.id = n.id where n.revision <> o.revision
        on conflict do nothing;
      return null;
    end $$`.execute(db);
  await sql`create trigger post_revised after update on post referencing old table as old_posts new table as new_posts
    for each statement execute function mizan_post_revised()`.execute(db);
  await sql`
    create function mizan_post_deleted() returns trigger language plpgsql as $$
    begin
      update account_post_summary s set posts_captured = (select count(*) from post p where p.account_id = s.account_id),
        last_post_at = (select max(posted_at) from post p where p.account_id = s.account_id)
      where s.account_id in (select distinct account_id from old_posts);
      return null;
    end $$`.execute(db);
  await sql`create trigger post_deleted after delete on post referencing old table as old_posts
    for each statement execute function mizan_post_deleted()`.execute(db);
  await sql`
    create function mizan_account_inserted() returns trigger language plpgsql as $$
    begin
      insert into account_post_summary (account_id) select id from new_accounts on conflict do nothing;
      return null;
    end $$`.execute(db);
  await sql`create trigger account_inserted after insert on account referencing new table as new_accounts
    for each statement execute function mizan_account_inserted()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists post_inserted on post`.execute(db);
  await sql`drop trigger if exists post_revised on post`.execute(db);
  await sql`drop trigger if exists post_deleted on post`.execute(db);
  await sql`drop trigger if exists account_inserted on account`.execute(db);
  await sql`drop function if exists mizan_post_inserted(), mizan_post_revised(), mizan_post_deleted(), mizan_account_inserted()`.execute(db);
  await sql`drop table if exists score_pending, score_pending_version, account_post_summary`.execute(db);
}
