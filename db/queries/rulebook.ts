import type { Db } from '../client.ts';
import type { RuleInfo } from '../../jobs/scoring/types.ts';

/** Stores a rulebook version (idempotent) and makes it the one in force. */
export async function activateRulebookVersion(db: Db, rb: { version: string; sources: Record<string, string>; rules: RuleInfo[] }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('rulebook_version')
      .values({ version: rb.version, sources: JSON.stringify(rb.sources), rules: JSON.stringify(rb.rules) })
      .onConflict((oc) => oc.column('version').doNothing())
      .execute();
    await trx.updateTable('rulebook_version').set({ active: false }).where('active', '=', true).where('version', '<>', rb.version).execute();
    await trx.updateTable('rulebook_version').set({ active: true }).where('version', '=', rb.version).execute();
  });
}

export async function getActiveRulebook(db: Db): Promise<{ version: string; publishedAt: string; rules: RuleInfo[] } | undefined> {
  const row = await db.selectFrom('rulebook_version').select(['version', 'published_at', 'rules']).where('active', '=', true).executeTakeFirst();
  return row && { version: row.version, publishedAt: new Date(row.published_at).toISOString(), rules: row.rules as RuleInfo[] };
}

/** Rules of any stored version, by id (a post shows the rules of the version it was scored with). */
export async function getRulesOfVersion(db: Db, version: string): Promise<Map<string, RuleInfo>> {
  const row = await db.selectFrom('rulebook_version').select('rules').where('version', '=', version).executeTakeFirst();
  return new Map(((row?.rules ?? []) as RuleInfo[]).map((r) => [r.id, r]));
}
