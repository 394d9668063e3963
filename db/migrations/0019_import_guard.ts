import { sql, type Kysely } from 'kysely';

// A page of new posts written in one round trip (db/queries/imports.ts): the statement that writes it calls this
// guard first, which takes the same locks as the locked path (the account row, then its archive lock) and refuses
// with an error, so that nothing of the statement is kept, when what the importer computed beforehand is stale:
// MZ001 the cursor moved (another import saved a page), MZ002 the archive chain's head is not the one the versions
// were chained to, MZ003 a post of the page is stored already (an edit or a re-import: the locked path reads them).
// A plpgsql function reads with a fresh snapshot after each lock, so it sees what another import committed meanwhile.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function mizan_import_guard(p_account int4, p_lock_class int4, p_cursor text, p_head text, p_ids text[])
    returns int4 language plpgsql as $$
    declare
      cur text;
      head text;
    begin
      select import_cursor into cur from account where id = p_account for update;
      if not found or cur is distinct from p_cursor then
        raise exception 'the import cursor of account % moved', p_account using errcode = 'MZ001';
      end if;
      perform pg_advisory_xact_lock(p_lock_class, p_account);
      select sha256 into head from post_version where account_id = p_account order by id desc limit 1;
      if head is distinct from p_head then
        raise exception 'the archive chain of account % has a new head', p_account using errcode = 'MZ002';
      end if;
      if exists (select 1 from post where account_id = p_account and platform_post_id = any(p_ids)) then
        raise exception 'a post of this page of account % is stored already', p_account using errcode = 'MZ003';
      end if;
      return 1;
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists mizan_import_guard(int4, int4, text, text, text[])`.execute(db);
}
