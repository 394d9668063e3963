import { sql, type Kysely } from 'kysely';

// A scorecard's most severe posts of the period read every post of the entity's period and its score (46–100 ms at
// 5M posts, the scorecard's slowest query). The score row now carries where and when its post is (entity, local day,
// posted_at; written by the scorer, else read from the post by a trigger) and a severity rank, so that an index on
// the flagged scores of an entity, most severe and newest first, answers it by reading ten rows.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table post_score add column entity_id int, add column local_day date, add column posted_at timestamptz,
    add column severity_rank smallint generated always as (
      case max_severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 when 'low' then 1 else 0 end) stored`.execute(db);
  await sql`update post_score s set entity_id = p.entity_id, local_day = p.local_day, posted_at = p.posted_at from post p where p.id = s.post_id`.execute(db);
  // Writers that do not give them (the row-by-row baseline, benchmarks writing straight into the table): read from the post.
  // The WHEN clause costs nothing when they are given (no function call).
  await sql`
    create function mizan_post_score_placed() returns trigger language plpgsql as $$
    begin
      select p.entity_id, p.local_day, p.posted_at into new.entity_id, new.local_day, new.posted_at from post p where p.id = new.post_id;
      return new;
    end $$`.execute(db);
  await sql`create trigger post_score_placed before insert or update on post_score for each row
    when (new.entity_id is null) execute function mizan_post_score_placed()`.execute(db);
  // A post that moves (its date corrected, its account moved to another entity) moves its score and findings along.
  await sql`drop trigger if exists post_dated on post`.execute(db);
  await sql`
    create or replace function mizan_post_dated() returns trigger language plpgsql as $$
    begin
      if old.posted_at is distinct from new.posted_at then
        update finding set posted_at = new.posted_at where post_id = new.id;
      end if;
      update post_score set entity_id = new.entity_id, local_day = new.local_day, posted_at = new.posted_at where post_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger post_dated after update of posted_at, local_day, entity_id on post for each row
    when (old.posted_at is distinct from new.posted_at or old.local_day is distinct from new.local_day or old.entity_id is distinct from new.entity_id)
    execute function mizan_post_dated()`.execute(db);
  await sql`create index post_score_flagged_idx on post_score (entity_id, severity_rank desc, posted_at desc) where verdict <> 'clean'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists post_score_flagged_idx`.execute(db);
  await sql`drop trigger if exists post_dated on post`.execute(db);
  await sql`
    create or replace function mizan_post_dated() returns trigger language plpgsql as $$
    begin
      update finding set posted_at = new.posted_at where post_id = new.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger post_dated after update of posted_at on post for each row
    when (old.posted_at is distinct from new.posted_at) execute function mizan_post_dated()`.execute(db);
  await sql`drop trigger if exists post_score_placed on post_score`.execute(db);
  await sql`drop function if exists mizan_post_score_placed()`.execute(db);
  await sql`alter table post_score drop column if exists severity_rank, drop column if exists entity_id, drop column if exists local_day, drop column if exists posted_at`.execute(db);
}
