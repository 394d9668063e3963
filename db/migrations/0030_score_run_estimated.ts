import { sql, type Kysely } from 'kysely';

// A rescoring's total is estimated from the table's statistics past 50,000 posts (counting 5 million rows would cost
// seconds before the first batch): the run says so, and the progress bar shows "about" until the run has finished.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table score_run add column estimated boolean not null default false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table score_run drop column if exists estimated`.execute(db);
}
