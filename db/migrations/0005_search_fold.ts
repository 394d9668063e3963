import { sql, type Kysely } from 'kysely';

// Arabic-aware search: fold both the post text and the query the same way (no diacritics or tatweel,
// one alef, ى→ي, ة→ه, ؤ→و, ئ→ي, Arabic-Indic digits → 0-9, lower case), so «اعلان» finds «إعلان».
// An immutable SQL function, so that an expression index can be added when the archive grows.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function mizan_fold(t text) returns text
    language sql immutable parallel safe
    as $$
      select lower(translate(
        regexp_replace(t, '[\u064B-\u065F\u0670\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069]', '', 'g'),
        'أإآٱىةؤئ٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹',
        'اااايهوي01234567890123456789'))
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function if exists mizan_fold(text)`.execute(db);
}
