import { sql, type Kysely } from 'kysely';

// Search without folding every post per query: the folded text is stored beside the text (a generated
// column, so every insert and update keeps it current, and existing rows are filled here) and indexed
// by trigrams, so `text_folded like '%…%'` reads the index instead of the whole table.
// pg_trgm is a trusted extension (PostgreSQL 13+: the database owner may create it); PGlite loads it
// through the `extensions` option of db/client.ts.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`alter table post add column text_folded text generated always as (mizan_fold(text)) stored`.execute(db);
  await sql`create index post_text_folded_trgm_idx on post using gin (text_folded gin_trgm_ops)`.execute(db);
}

// The extension stays: another schema object may use it, and keeping it is harmless.
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists post_text_folded_trgm_idx`.execute(db);
  await sql`alter table post drop column if exists text_folded`.execute(db);
}
