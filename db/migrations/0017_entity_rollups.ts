import { sql, type Kysely } from 'kysely';

// Rollups at the dashboard's grain: rollup_entity_day is rollup_day summed over an entity's accounts, recomputed
// with it (db/queries/scores.ts), so the overview, scorecard, trend and sparklines read one row per entity and day
// instead of one per account. post(entity_id, local_day): recomputing one entity-day reads that day's posts only.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table rollup_entity_day (
      entity_id integer not null references entity(id) on delete cascade,
      day date not null,
      posts integer not null,
      clean integer not null,
      review integer not null,
      violations integer not null,
      score_sum bigint not null,
      findings integer not null,
      replies integer not null,
      engagement bigint not null,
      primary key (entity_id, day))`.execute(db);
  await sql`create index rollup_entity_day_day_idx on rollup_entity_day (day)`.execute(db);
  await sql`
    insert into rollup_entity_day (entity_id, day, posts, clean, review, violations, score_sum, findings, replies, engagement)
    select entity_id, day, sum(posts), sum(clean), sum(review), sum(violations), sum(score_sum), sum(findings), sum(replies), sum(engagement)
    from rollup_day group by entity_id, day`.execute(db);
  await sql`create index post_entity_day_idx on post (entity_id, local_day)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists post_entity_day_idx`.execute(db);
  await sql`drop table if exists rollup_entity_day`.execute(db);
}
