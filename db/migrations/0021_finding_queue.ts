import { sql, type Kysely } from 'kysely';

// The review queue at millions of posts: most severe first, then the oldest post. Its order needs the post's
// posted_at beside the finding, so the queue's first page walks one partial index of the open findings instead of
// sorting all of them (6.9 s at 5M posts with 900,000 open findings). finding.posted_at is copied from the post by
// a trigger on insert (the scorer's statement stays as it is) and follows a change of the post's date (a remap).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table finding add column posted_at timestamptz`.execute(db);
  await sql`update finding f set posted_at = p.posted_at from post p where p.id = f.post_id`.execute(db);
  await sql`
    create function mizan_finding_posted_at() returns trigger language plpgsql as $$
    begin
      if new.posted_at is null then
        select p.posted_at into new.posted_at from post p where p.id = new.post_id;
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger finding_posted_at before insert on finding for each row execute function mizan_finding_posted_at()`.execute(db);
  await sql`
    create function mizan_post_dated() returns trigger language plpgsql as $$
    begin
      update finding set posted_at = new.posted_at where post_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger post_dated after update of posted_at on post for each row
    when (old.posted_at is distinct from new.posted_at) execute function mizan_post_dated()`.execute(db);
  // The queue's sort key, as db/queries/reviews.ts orders it: most severe first (a stored column, since the planner
  // did not match an index on the CASE expression to the query's ORDER BY), then the oldest post.
  await sql`alter table finding add column queue_rank smallint generated always as (
      case severity when 'critical' then 0 when 'high' then 1 when 'medium' then 2 when 'low' then 3 else 4 end) stored`.execute(db);
  await sql`create index finding_open_queue_idx on finding (queue_rank, posted_at, post_id, start_offset, id) where status = 'open'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists finding_open_queue_idx`.execute(db);
  await sql`drop trigger if exists post_dated on post`.execute(db);
  await sql`drop function if exists mizan_post_dated()`.execute(db);
  await sql`drop trigger if exists finding_posted_at on finding`.execute(db);
  await sql`drop function if exists mizan_finding_posted_at()`.execute(db);
  await sql`alter table finding drop column if exists queue_rank, drop column if exists posted_at`.execute(db);
}
