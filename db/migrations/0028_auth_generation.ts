import { sql, type Kysely } from 'kysely';

// A counter bumped by the database itself whenever who may do what changes: a user changed or removed, a user's
// entities changed, a session ended or changed, an API token revoked, changed or removed. The API keeps each caller's
// principal in memory for a short while (server/principal-cache.ts) under the counter's value read before looking it
// up, and drops it once the counter moves: triggers rather than the application's calls, so that a change made
// anywhere (the CLI, another server process, an administrator's psql) ends a cached sign-in within the API's re-read
// interval.
//
// The row triggers are deferred to commit and bump once per transaction: the counter's row lock is then the last lock a
// transaction takes, so two transactions that change rights (an administrator changing a role while that user signs
// out) never wait on each other in a cycle; and a statement that changes no row (signing out an unknown session)
// leaves the counter alone.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table auth_generation (id int primary key default 1 check (id = 1), n bigint not null default 0)`.execute(db);
  await sql`insert into auth_generation (id, n) values (1, 0)`.execute(db);
  await sql`
    create function mizan_auth_changed() returns trigger language plpgsql as $$
    begin
      if current_setting('mizan.auth_bumped', true) is distinct from 'yes' then
        perform set_config('mizan.auth_bumped', 'yes', true);
        update auth_generation set n = n + 1 where id = 1;
      end if;
      return null;
    end $$`.execute(db);
  // Sign-ins (new sessions and tokens) and the last-seen and last-used marks change no one's rights.
  const rowTriggers: [string, string, string][] = [
    ['app_user_auth_changed', 'app_user', 'update or delete'],
    ['user_entity_auth_changed', 'user_entity', 'insert or update or delete'],
    ['user_session_auth_changed', 'user_session', 'update of user_id, expires_at or delete'],
    ['api_token_auth_changed', 'api_token', 'update of revoked_at, scope, user_id, token_hash or delete'],
  ];
  for (const [name, table, events] of rowTriggers) {
    await sql`create constraint trigger ${sql.raw(name)} after ${sql.raw(events)} on ${sql.table(table)}
      deferrable initially deferred for each row execute function mizan_auth_changed()`.execute(db);
    // A truncate fires no row trigger (it locks the whole table anyway).
    await sql`create trigger ${sql.raw(`${name}_truncate`)} after truncate on ${sql.table(table)}
      for each statement execute function mizan_auth_changed()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name, table] of [
    ['app_user_auth_changed', 'app_user'],
    ['user_entity_auth_changed', 'user_entity'],
    ['user_session_auth_changed', 'user_session'],
    ['api_token_auth_changed', 'api_token'],
  ]) {
    await sql`drop trigger if exists ${sql.raw(name)} on ${sql.table(table)}`.execute(db);
    await sql`drop trigger if exists ${sql.raw(`${name}_truncate`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists mizan_auth_changed()`.execute(db);
  await sql`drop table if exists auth_generation`.execute(db);
}
