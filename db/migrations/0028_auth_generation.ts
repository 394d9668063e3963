import { sql, type Kysely } from 'kysely';

// A counter bumped by the database itself whenever who may do what changes: a user changed or removed, a user's
// entities changed, a session ended, an API token revoked or removed. The API keeps each caller's principal in memory
// for a short while (server/principal-cache.ts) under the counter's value read before looking it up, and drops it once
// the counter moves: triggers rather than the application's calls, so that a change made anywhere (the CLI, another
// server process, an administrator's psql) ends a cached sign-in within the API's re-read interval.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table auth_generation (id int primary key default 1 check (id = 1), n bigint not null default 0)`.execute(db);
  await sql`insert into auth_generation (id, n) values (1, 0)`.execute(db);
  await sql`
    create function mizan_auth_changed() returns trigger language plpgsql as $$
    begin
      update auth_generation set n = n + 1 where id = 1;
      return null;
    end $$`.execute(db);
  // Statement triggers: a bulk change bumps once. Sign-ins (new sessions and tokens) and the last-seen and last-used
  // marks change no one's rights and leave the counter alone.
  await sql`create trigger app_user_auth_changed after update or delete on app_user for each statement execute function mizan_auth_changed()`.execute(db);
  await sql`create trigger user_entity_auth_changed after insert or update or delete on user_entity for each statement execute function mizan_auth_changed()`.execute(db);
  await sql`create trigger user_session_auth_changed after delete on user_session for each statement execute function mizan_auth_changed()`.execute(db);
  await sql`create trigger api_token_auth_changed after update of revoked_at, scope, user_id, token_hash or delete on api_token for each statement execute function mizan_auth_changed()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists app_user_auth_changed on app_user`.execute(db);
  await sql`drop trigger if exists user_entity_auth_changed on user_entity`.execute(db);
  await sql`drop trigger if exists user_session_auth_changed on user_session`.execute(db);
  await sql`drop trigger if exists api_token_auth_changed on api_token`.execute(db);
  await sql`drop function if exists mizan_auth_changed()`.execute(db);
  await sql`drop table if exists auth_generation`.execute(db);
}
