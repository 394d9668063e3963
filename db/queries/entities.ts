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

/** Where an entity's monthly reports are e-mailed (undefined: no such entity). */
export async function getReportRecipients(db: Db, id: number): Promise<string[] | undefined> {
  const row = await db.selectFrom('entity').select('report_recipients').where('id', '=', id).executeTakeFirst();
  return row?.report_recipients;
}

/** Replaces the entity's report recipients; false when there is no such entity. */
export async function setReportRecipients(db: Db, id: number, recipients: string[]): Promise<boolean> {
  const r = await db.updateTable('entity').set({ report_recipients: recipients }).where('id', '=', id).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface ReportRecipientsRow {
  id: number;
  slug: string;
  nameAr: string;
  nameEn: string;
  recipients: string[];
}

/** The entities whose monthly reports are e-mailed (some entities, or all). */
export async function listReportRecipients(db: Db, entityIds?: number[]): Promise<ReportRecipientsRow[]> {
  return db
    .selectFrom('entity')
    .select(['id', 'slug', 'name_ar as nameAr', 'name_en as nameEn', 'report_recipients as recipients'])
    .where(sql<boolean>`cardinality(report_recipients) > 0`)
    .$if(entityIds !== undefined, (q) => q.where('id', 'in', entityIds!.length ? entityIds! : [-1]))
    .orderBy('id')
    .execute();
}
