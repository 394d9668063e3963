import type { Kysely } from 'kysely';

// An account's pause after a rate limit, stored by the import (jobs/import.ts) instead of read back from the text of
// its last error: until when, and the platform's message. A scheduled round skips the account until then.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account').addColumn('paused_until', 'timestamptz').addColumn('pause_reason', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('account').dropColumn('paused_until').dropColumn('pause_reason').execute();
}
