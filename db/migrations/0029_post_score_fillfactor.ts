import { sql, type Kysely } from 'kysely';

// A rescoring rewrites every post's score. With full pages each new row version goes to another page, and all three
// of post_score's indexes take a new entry for it; with room left on its page the update is heap-only (HOT: no index
// touched, since the indexed columns seldom change) and the old version is pruned in place. After its first rescoring
// the table is twice its packed size anyway (the old versions' space, freed by vacuum, is where the next rows go):
// keeping half of each page free costs no more than that, and makes every later rescoring HOT. Measured at 5M posts
// (bench:scale --rescore): the first rescoring after this migration 377.5 s (it lays the rows out, 650 MB → 1.56 GB),
// the next four 326.6–357.8 s with 99.9% of the updates HOT and the table no larger. No rewrite here: rows are laid
// out with room as they are next written (new scores, and the first rescoring).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table post_score set (fillfactor = 50)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table post_score reset (fillfactor)`.execute(db);
}
