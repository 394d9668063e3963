import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { RuleInfo } from '../vocabulary.ts';
import { inScope, type EntityScope } from './scope.ts';

export type RulebookOrigin = 'files' | 'api';

/** Stores a rulebook version (idempotent) and makes it the one in force; returns the version it replaced. */
export async function activateRulebookVersion(
  db: Db,
  rb: { version: string; sources: Record<string, string>; rules: RuleInfo[] },
  origin: RulebookOrigin = 'files',
  note: string | null = null,
): Promise<{ replaced: string | null }> {
  return db.transaction().execute(async (trx) => {
    // One activation at a time, so that "what it replaced" is exact.
    await sql`select pg_advisory_xact_lock(hashtext('mizan:rulebook'))`.execute(trx);
    const before = await trx.selectFrom('rulebook_version').select('version').where('active', '=', true).executeTakeFirst();
    const replaced = before && before.version !== rb.version ? before.version : null;
    await trx
      .insertInto('rulebook_version')
      .values({ version: rb.version, sources: JSON.stringify(rb.sources), rules: JSON.stringify(rb.rules), origin, note, replaced })
      // Re-activating a stored version records how it came back into force, and what it replaced then.
      .onConflict((oc) => oc.column('version').doUpdateSet(replaced ? { origin, note: note ?? null, replaced, published_at: sql`now()` } : { origin, note: note ?? null }))
      .execute();
    await trx.updateTable('rulebook_version').set({ active: false }).where('active', '=', true).where('version', '<>', rb.version).execute();
    await trx.updateTable('rulebook_version').set({ active: true }).where('version', '=', rb.version).execute();
    return { replaced };
  });
}

export interface StoredRulebook {
  version: string;
  publishedAt: string;
  origin: RulebookOrigin;
  rules: RuleInfo[];
  sources: Record<string, string>;
}

export async function getActiveRulebook(db: Db): Promise<StoredRulebook | undefined> {
  const row = await db
    .selectFrom('rulebook_version')
    .select(['version', 'published_at', 'origin', 'rules', 'sources'])
    .where('active', '=', true)
    .executeTakeFirst();
  return row && { version: row.version, publishedAt: new Date(row.published_at).toISOString(), origin: row.origin, rules: row.rules as RuleInfo[], sources: row.sources };
}

/** Rules of any stored version, by id (a post shows the rules of the version it was scored with). */
export async function getRulesOfVersion(db: Db, version: string): Promise<Map<string, RuleInfo>> {
  const row = await db.selectFrom('rulebook_version').select('rules').where('version', '=', version).executeTakeFirst();
  return new Map(((row?.rules ?? []) as RuleInfo[]).map((r) => [r.id, r]));
}

export async function listRulebookVersions(db: Db) {
  const { rows } = await sql<{ version: string; published_at: Date; active: boolean; origin: RulebookOrigin; note: string | null; replaced: string | null; rules: number; scored: number }>`
    select v.version, v.published_at, v.active, v.origin, v.note, v.replaced, jsonb_array_length(v.rules)::int as rules,
      (select count(*)::int from post_score s where s.rulebook_version = v.version) as scored
    from rulebook_version v order by v.published_at desc, v.version`.execute(db);
  return rows.map((r) => ({
    version: r.version,
    publishedAt: new Date(r.published_at).toISOString(),
    active: r.active,
    origin: r.origin,
    note: r.note,
    replaced: r.replaced,
    rules: r.rules,
    scoredPosts: r.scored,
  }));
}

export async function rulebookVersionExists(db: Db, version: string): Promise<boolean> {
  return (await db.selectFrom('rulebook_version').select('version').where('version', '=', version).executeTakeFirst()) !== undefined;
}

/** What a version changed: verdict moves per entity, and the posts that moved (newest first). */
export async function getVerdictChanges(db: Db, scope: EntityScope, version: string, limit: number) {
  const { rows: entities } = await sql<{ entity_id: number; name_ar: string; name_en: string; from_verdict: string; to_verdict: string; n: number }>`
    select c.entity_id, e.name_ar, e.name_en, c.from_verdict, c.to_verdict, count(*)::int as n
    from verdict_change c join entity e on e.id = c.entity_id
    where c.to_version = ${version} and ${inScope('c.entity_id', scope)}
    group by 1, 2, 3, 4, 5`.execute(db);
  const posts = await db
    .selectFrom('verdict_change as c')
    .innerJoin('post as p', 'p.id', 'c.post_id')
    .select(['c.post_id as postId', 'c.entity_id as entityId', 'c.from_version as fromVersion', 'c.from_verdict as fromVerdict', 'c.to_verdict as toVerdict', 'c.from_score as fromScore', 'c.to_score as toScore', 'p.text', 'p.lang'])
    .where('c.to_version', '=', version)
    .where(inScope('c.entity_id', scope))
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  return { entities, posts };
}
