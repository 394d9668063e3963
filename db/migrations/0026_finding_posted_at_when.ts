import { sql, type Kysely } from 'kysely';

// The scorer now gives each finding its post's posted_at (as it gives post_score its placement, 0025): the trigger of
// 0021 only fills it for writers that leave it out. A WHEN clause, as post_score_placed has, skips the function call
// for every finding that has it, instead of entering the function to find that out.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists finding_posted_at on finding`.execute(db);
  await sql`create trigger finding_posted_at before insert on finding for each row
    when (new.posted_at is null) execute function mizan_finding_posted_at()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists finding_posted_at on finding`.execute(db);
  await sql`create trigger finding_posted_at before insert on finding for each row execute function mizan_finding_posted_at()`.execute(db);
}
