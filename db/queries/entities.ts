import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { inScope, type EntityScope } from './scope.ts';

export interface EntityRow {
  id: number;
  slug: string;
  nameAr: string;
  nameEn: string;
  timezone: string;
  website: string | null;
  accounts: number;
}

function entityQuery(db: Db, scope: EntityScope) {
  return db
    .selectFrom('entity as e')
    .select([
      'e.id',
      'e.slug',
      'e.name_ar as nameAr',
      'e.name_en as nameEn',
      'e.timezone',
      'e.website',
      sql<number>`(select count(*)::int from account a where a.entity_id = e.id)`.as('accounts'),
    ])
    .where(inScope('e.id', scope));
}

export async function listEntities(db: Db, scope: EntityScope): Promise<EntityRow[]> {
  // Sorted in the application by English name: PGlite has no ICU collations.
  const rows = await entityQuery(db, scope).execute();
  return rows.sort((a, b) => a.nameEn.localeCompare(b.nameEn, 'en'));
}

export async function getEntity(db: Db, scope: EntityScope, id: number): Promise<EntityRow | undefined> {
  return entityQuery(db, scope).where('e.id', '=', id).executeTakeFirst();
}

export interface NewEntity {
  slug: string;
  nameAr: string;
  nameEn: string;
  timezone?: string;
  website?: string | null;
}

export async function upsertEntity(db: Db, e: NewEntity): Promise<number> {
  const row = await db
    .insertInto('entity')
    .values({ slug: e.slug, name_ar: e.nameAr, name_en: e.nameEn, timezone: e.timezone ?? 'Asia/Bahrain', website: e.website ?? null })
    .onConflict((oc) =>
      oc.column('slug').doUpdateSet((eb) => ({ name_ar: eb.ref('excluded.name_ar'), name_en: eb.ref('excluded.name_en'), website: eb.ref('excluded.website') })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
