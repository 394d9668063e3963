import { sql, type Kysely } from 'kysely';

// A counter that every process bumps after it changes what the dashboard shows (a rollup recomputed, an import run
// finished, a write through the API). The API caches its dashboard answers per counter value (server/dashboard-cache.ts):
// one row read tells every server process, behind any load balancer, that its cached answers are stale.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table dashboard_generation (id int primary key default 1 check (id = 1), n bigint not null default 0)`.execute(db);
  await sql`insert into dashboard_generation (id, n) values (1, 0)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists dashboard_generation`.execute(db);
}
