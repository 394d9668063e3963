import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { AccountType } from '../vocabulary.ts';
import { inScope, type EntityScope } from './scope.ts';

/** An official account with no post for this long is dormant (an activity signal, not a finding). */
export const DORMANT_DAYS = 30;

export interface AccountActivity {
  id: number;
  entityId: number;
  platform: string;
  handle: string;
  displayName: string | null;
  type: AccountType;
  active: boolean;
  profileText: string | null;
  url: string | null;
  posts: number;
  lastPostAt: string | null;
  dormant: boolean;
  lastRunAt: string | null;
  lastRunStatus: 'ok' | 'error' | null;
  lastError: string | null;
  findings: { rule: string; category: string; severity: string; match: string }[];
}

export interface AccountFilter {
  entityId?: number;
  accountId?: number;
  now: Date;
}

export async function listAccountActivity(db: Db, scope: EntityScope, f: AccountFilter): Promise<AccountActivity[]> {
  const rows = await db
    .selectFrom('account as a')
    .select([
      'a.id',
      'a.entity_id as entityId',
      'a.platform',
      'a.handle',
      'a.display_name as displayName',
      'a.type',
      'a.active',
      'a.profile_text as profileText',
      'a.url',
      'a.last_run_at as lastRunAt',
      'a.last_run_status as lastRunStatus',
      'a.last_error as lastError',
      sql<number>`(select coalesce(sum(r.posts), 0)::int from rollup_day r where r.account_id = a.id)`.as('posts'),
      sql<Date | null>`(select max(p.posted_at) from post p where p.account_id = a.id)`.as('lastPostAt'),
      sql<AccountActivity['findings']>`(
        select coalesce(json_agg(json_build_object('rule', f.rule_id, 'category', f.category, 'severity', f.severity, 'match', f.match) order by f.id), '[]'::json)
        from account_finding f join rulebook_version v on v.version = f.rulebook_version and v.active
        where f.account_id = a.id)`.as('findings'),
    ])
    .where(inScope('a.entity_id', scope))
    .$if(f.entityId !== undefined, (qb) => qb.where('a.entity_id', '=', f.entityId!))
    .$if(f.accountId !== undefined, (qb) => qb.where('a.id', '=', f.accountId!))
    .orderBy('a.entity_id')
    .orderBy('a.type')
    .orderBy('a.handle')
    .execute();
  const dormantBefore = f.now.getTime() - DORMANT_DAYS * 86_400_000;
  return rows.map((r) => {
    const last = r.lastPostAt ? new Date(r.lastPostAt) : null;
    return {
      ...r,
      lastPostAt: last ? last.toISOString() : null,
      lastRunAt: r.lastRunAt ? new Date(r.lastRunAt).toISOString() : null,
      dormant: r.type === 'official' && r.active && (!last || last.getTime() < dormantBefore),
    };
  });
}

export interface ImportAccount {
  id: number;
  entityId: number;
  platform: string;
  connector: string;
  handle: string;
  platformAccountId: string | null;
  type: AccountType;
  profileText: string | null;
  config: Record<string, unknown>;
  cursor: string | null;
  timezone: string;
}

/** Active accounts to import: the given ids, or every account that is due at `dueAt` (its own interval elapsed). */
export async function listImportAccounts(db: Db, filter: { accountIds?: number[]; dueAt?: Date } = {}): Promise<ImportAccount[]> {
  return db
    .selectFrom('account as a')
    .innerJoin('entity as e', 'e.id', 'a.entity_id')
    .select([
      'a.id',
      'a.entity_id as entityId',
      'a.platform',
      'a.connector',
      'a.handle',
      'a.platform_account_id as platformAccountId',
      'a.type',
      'a.profile_text as profileText',
      'a.config',
      'a.import_cursor as cursor',
      'e.timezone',
    ])
    .where('a.active', '=', true)
    .$if(filter.accountIds !== undefined, (qb) => qb.where('a.id', 'in', filter.accountIds!.length ? filter.accountIds! : [-1]))
    .$if(filter.dueAt !== undefined, (qb) =>
      qb.where(sql<boolean>`(a.import_interval_minutes is null or a.last_run_at is null
        or a.last_run_at <= ${filter.dueAt!}::timestamptz - make_interval(mins => a.import_interval_minutes))`),
    )
    .orderBy('a.id')
    .execute();
}

export interface NewAccount {
  entityId: number;
  platform: string;
  connector: string;
  handle: string;
  displayName?: string | null;
  type: AccountType;
  profileText?: string | null;
  url?: string | null;
  config?: Record<string, unknown>;
  importIntervalMinutes?: number | null;
}

export async function upsertAccount(db: Db, a: NewAccount): Promise<number> {
  const row = await db
    .insertInto('account')
    .values({
      entity_id: a.entityId,
      platform: a.platform,
      connector: a.connector,
      handle: a.handle,
      display_name: a.displayName ?? null,
      type: a.type,
      profile_text: a.profileText ?? null,
      url: a.url ?? null,
      config: JSON.stringify(a.config ?? {}),
      import_interval_minutes: a.importIntervalMinutes ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['platform', 'handle']).doUpdateSet((eb) => ({
        display_name: eb.ref('excluded.display_name'),
        profile_text: eb.ref('excluded.profile_text'),
        type: eb.ref('excluded.type'),
        config: eb.ref('excluded.config'),
        import_interval_minutes: eb.ref('excluded.import_interval_minutes'),
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function recordAccountRun(db: Db, accountId: number, at: Date, error: string | null): Promise<void> {
  await db
    .updateTable('account')
    .set({ last_run_at: at, last_run_status: error ? 'error' : 'ok', last_error: error })
    .where('id', '=', accountId)
    .execute();
}
