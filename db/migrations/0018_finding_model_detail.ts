import { sql, type Kysely } from 'kysely';

// A model finding keeps what explains it (issue 10): the calibrated probability, the model version and the
// evidence spans (the words that pushed the model most). Rule findings leave them null.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table finding add column probability real, add column model_version text, add column evidence jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table finding drop column if exists probability, drop column if exists model_version, drop column if exists evidence`.execute(db);
}
