import { sql, type Kysely } from 'kysely';

// Engagement counts go past 2^31 (views on a popular video; likes on a viral post), and the rollup sums
// them: 64-bit columns. Post texts are capped when stored (the raw payload keeps the full text), so the
// post records whether its text was cut and how long the original was, in characters (code points).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table post
      alter column likes type bigint,
      alter column shares type bigint,
      alter column replies type bigint,
      alter column views type bigint,
      add column text_truncated boolean not null default false,
      add column text_length integer`.execute(db);
  await sql`update post set text_length = char_length(text)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table post
      drop column text_length,
      drop column text_truncated,
      alter column likes type integer,
      alter column shares type integer,
      alter column replies type integer,
      alter column views type integer`.execute(db);
}
