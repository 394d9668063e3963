import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../client.ts';
import type { AccountType } from '../vocabulary.ts';
import type { ImportRunView } from './import-runs.ts';
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
  lastRunStatus: 'ok' | 'partial' | 'failed' | null;
  lastError: string | null;
  /** Whether the account has a token of its own (stored encrypted; the token itself is never returned). */
  hasToken: boolean;
  findings: { rule: string; category: string; severity: string; match: string }[];
  /** Every post stored for the account (any date, deleted ones included). */
  postsCaptured: number;
  /** The account's own interval between imports (minutes), or null: every scheduled import. */
  importIntervalMinutes: number | null;
  /** A worker holds the account's import lease: an import of it is running. */
  importing: boolean;
  /** The latest import run (running or finished), or null. */
  lastRun: ImportRunView | null;
  /** When the last run stopped on a rate limit that has not reset yet: until when, and the platform's message. */
  pausedUntil: string | null;
  pauseReason: string | null;
  /** The next scheduled import that takes this account (only when the filter gives `nextSlot`); null when inactive. */
  nextRunAt?: string | null;
}

export interface AccountFilter {
  entityId?: number;
  accountId?: number;
  now: Date;
  /** The first slot of the import schedule at or after a time (jobs' MIZAN_IMPORT_CRON in its time zone); gives `nextRunAt`. */
  nextSlot?: (atOrAfter: Date) => Date | null;
  /** A page in id order (keyset on the primary key): the accounts after `afterId`, at most `limit`. */
  page?: { afterId: number; limit: number };
}

/**
 * The next scheduled import that takes an account: the first slot after now, after its own interval since its last
 * run, and at or after the end of its rate-limit pause.
 */
export function nextImportAt(
  a: { active: boolean; lastRunAt: Date | null; importIntervalMinutes: number | null; pausedUntil?: Date | null },
  now: Date,
  nextSlot: (atOrAfter: Date) => Date | null,
): Date | null {
  if (!a.active) return null;
  // A round takes an account whose last run is before the round and at or before the slot minus its interval.
  let from = now.getTime() + 1;
  if (a.lastRunAt) {
    from = Math.max(from, a.lastRunAt.getTime() + 1);
    if (a.importIntervalMinutes) from = Math.max(from, a.lastRunAt.getTime() + a.importIntervalMinutes * 60_000);
  }
  if (a.pausedUntil) from = Math.max(from, a.pausedUntil.getTime());
  return nextSlot(new Date(from));
}

/** The latest import run of each account, by account id. */
export async function latestImportRuns(db: Db, accountIds: number[]): Promise<Map<number, ImportRunView>> {
  if (accountIds.length === 0) return new Map();
  const { rows } = await sql<Omit<ImportRunView, 'startedAt' | 'finishedAt'> & { startedAt: Date | string; finishedAt: Date | string | null }>`
    select distinct on (r.account_id)
      r.id, r.account_id as "accountId", a.handle, a.platform, a.entity_id as "entityId",
      r.started_at as "startedAt", r.finished_at as "finishedAt", r.status, r.pages, r.inserted, r.edited, r.deleted,
      r.unchanged, r.rejected, r.rejected_samples as "rejectedSamples", r.warnings, r.error
    from import_run r join account a on a.id = r.account_id
    where r.account_id = any(${accountIds}::int[])
    order by r.account_id, r.started_at desc, r.id desc`.execute(db);
  return new Map(
    rows.map((r) => [
      r.accountId,
      { ...r, startedAt: new Date(r.startedAt).toISOString(), finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null } as ImportRunView,
    ]),
  );
}

/**
 * How many accounts there are and how many official ones are dormant (no post for DORMANT_DAYS): the
 * overview's two figures, in one aggregate instead of every account's activity, runs and post counts.
 */
export async function countAccounts(db: Db, scope: EntityScope, now: Date): Promise<{ accounts: number; dormant: number }> {
  const dormantBefore = new Date(now.getTime() - DORMANT_DAYS * 86_400_000);
  // The last post's time is kept per account (account_post_summary), not looked up in post.
  return db
    .selectFrom('account as a')
    .leftJoin('account_post_summary as ps', 'ps.account_id', 'a.id')
    .select([
      sql<number>`count(*)::int`.as('accounts'),
      sql<number>`(count(*) filter (where a.type = 'official' and a.active
        and (ps.last_post_at is null or ps.last_post_at < ${dormantBefore}::timestamptz)))::int`.as('dormant'),
    ])
    .where(inScope('a.entity_id', scope))
    .executeTakeFirstOrThrow();
}

export async function listAccountActivity(db: Db, scope: EntityScope, f: AccountFilter): Promise<AccountActivity[]> {
  // Counts from the maintained summary (account_post_summary) and the findings in one GROUP BY: no query per account.
  const rows = await db
    .selectFrom('account as a')
    .leftJoin('account_post_summary as ps', 'ps.account_id', 'a.id')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('account_finding as f')
          .innerJoin('rulebook_version as v', (j) => j.onRef('v.version', '=', 'f.rulebook_version').on('v.active', '=', true))
          .select([
            'f.account_id',
            sql<AccountActivity['findings']>`json_agg(json_build_object('rule', f.rule_id, 'category', f.category, 'severity', f.severity, 'match', f.match) order by f.id)`.as('list'),
          ])
          .groupBy('f.account_id')
          .as('af'),
      (j) => j.onRef('af.account_id', '=', 'a.id'),
    )
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
      'a.import_interval_minutes as importIntervalMinutes',
      'a.paused_until as pausedUntil',
      'a.pause_reason as pauseReason',
      sql<boolean>`a.token_ciphertext is not null`.as('hasToken'),
      sql<number>`coalesce(ps.posts_captured, 0)`.as('postsCaptured'),
      sql<boolean>`coalesce(a.lease_until > now(), false)`.as('importing'),
      sql<number>`coalesce(ps.posts, 0)`.as('posts'),
      sql<Date | null>`ps.last_post_at`.as('lastPostAt'),
      sql<AccountActivity['findings']>`coalesce(af.list, '[]'::json)`.as('findings'),
    ])
    .where(inScope('a.entity_id', scope))
    .$if(f.entityId !== undefined, (qb) => qb.where('a.entity_id', '=', f.entityId!))
    .$if(f.accountId !== undefined, (qb) => qb.where('a.id', '=', f.accountId!))
    .$if(f.page !== undefined, (qb) => qb.where('a.id', '>', f.page!.afterId).orderBy('a.id').limit(f.page!.limit))
    .$if(f.page === undefined, (qb) => qb.orderBy('a.entity_id').orderBy('a.type').orderBy('a.handle'))
    .execute();
  const dormantBefore = f.now.getTime() - DORMANT_DAYS * 86_400_000;
  const runs = await latestImportRuns(db, rows.map((r) => r.id));
  // One schedule question per distinct start (most accounts share "the next slot after now").
  const slots = new Map<number, Date | null>();
  const ask = f.nextSlot;
  const nextSlot =
    ask &&
    ((t: Date) => {
      if (!slots.has(t.getTime())) slots.set(t.getTime(), ask(t));
      return slots.get(t.getTime()) ?? null;
    });
  return rows.map((r) => {
    const last = r.lastPostAt ? new Date(r.lastPostAt) : null;
    const lastRunAt = r.lastRunAt ? new Date(r.lastRunAt) : null;
    const lastRun = runs.get(r.id) ?? null;
    // A pause that has ended is not shown (its message stays as the last error until the next run).
    const paused = r.pausedUntil && new Date(r.pausedUntil).getTime() > f.now.getTime() ? new Date(r.pausedUntil) : null;
    return {
      ...r,
      lastPostAt: last ? last.toISOString() : null,
      lastRunAt: lastRunAt ? lastRunAt.toISOString() : null,
      dormant: r.type === 'official' && r.active && (!last || last.getTime() < dormantBefore),
      lastRun,
      pausedUntil: paused ? paused.toISOString() : null,
      pauseReason: paused ? r.pauseReason : null,
      ...(nextSlot ? { nextRunAt: nextImportAt({ active: r.active, lastRunAt, importIntervalMinutes: r.importIntervalMinutes, pausedUntil: paused }, f.now, nextSlot)?.toISOString() ?? null } : {}),
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
  url: string | null;
  cursor: string | null;
  timezone: string;
}

/**
 * Active accounts to import: the given ids, or every account that is due at `dueAt` (its own interval elapsed, no
 * rate-limit pause after it); `includeInactive` for a connection test.
 */
export async function listImportAccounts(db: Db, filter: { accountIds?: number[]; dueAt?: Date; includeInactive?: boolean } = {}): Promise<ImportAccount[]> {
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
      'a.url',
      'a.import_cursor as cursor',
      'e.timezone',
    ])
    .$if(filter.includeInactive !== true, (qb) => qb.where('a.active', '=', true))
    .$if(filter.accountIds !== undefined, (qb) => qb.where('a.id', 'in', filter.accountIds!.length ? filter.accountIds! : [-1]))
    .$if(filter.dueAt !== undefined, (qb) =>
      qb.where(sql<boolean>`(a.import_interval_minutes is null or a.last_run_at is null
        or a.last_run_at <= ${filter.dueAt!}::timestamptz - make_interval(mins => a.import_interval_minutes))
        and (a.paused_until is null or a.paused_until <= ${filter.dueAt!}::timestamptz)`),
    )
    .orderBy('a.id')
    .execute();
}

/** Whether a worker holds the account's import lease now (an import of it is running). */
export async function accountLeaseHeld(db: Db, accountId: number): Promise<boolean> {
  const row = await db
    .selectFrom('account')
    .select(sql<boolean>`coalesce(lease_until > now(), false)`.as('held'))
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.held === true;
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

// ---------------------------------------------------------------------------------------------------------
// Registering accounts (CLI `account add`, POST /api/accounts) and their encrypted tokens (jobs/secrets.ts).

/** Platforms an account can be registered on; each is imported by the connector of the same name. */
export const ACCOUNT_PLATFORMS = ['x', 'facebook', 'instagram', 'youtube', 'mastodon', 'bluesky', 'rss'] as const;
export type AccountPlatform = (typeof ACCOUNT_PLATFORMS)[number];
export const ACCOUNT_TYPES = ['official', 'executive', 'employee'] as const satisfies readonly AccountType[];

// Control characters and bidirectional formatting characters have no place in a handle or an address.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const HANDLE_RULES: Record<AccountPlatform, { pattern: RegExp; message: string; normalize?: (h: string) => string }> = {
  x: { pattern: /^@?[A-Za-z0-9_]{1,15}$/, message: 'must be an X username: 1 to 15 letters, digits or _ (without the URL)', normalize: (h) => h.replace(/^@/, '') },
  facebook: {
    pattern: /^(\d{1,25}|[A-Za-z0-9.]{5,50})$/,
    message: "must be the Facebook page id (digits, under the page's About › Page transparency) or the page's user name",
  },
  instagram: {
    pattern: /^\d{1,25}$/,
    message: "must be the Instagram professional account's user id (digits, the Graph API's instagram_business_account id), not the @username",
  },
  youtube: {
    pattern: /^UC[A-Za-z0-9_-]{10,62}$/,
    message: 'must be the YouTube channel id (UC followed by 22 letters, digits, - or _), not the @handle or the channel name',
  },
  mastodon: {
    pattern: /^@?[A-Za-z0-9_]{1,30}(@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?$/,
    message: 'must be a Mastodon user name such as ministry or ministry@example.social (the instance goes in url)',
    normalize: (h) => h.replace(/^@/, ''),
  },
  bluesky: {
    pattern: /^@?((([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?)|did:(plc|web):[a-z0-9._:%-]{1,200})$/i,
    message: 'must be a Bluesky handle such as ministry.bsky.social or a DID such as did:plc:…',
    normalize: (h) => (h.startsWith('did:') ? h : h.replace(/^@/, '').toLowerCase()),
  },
  rss: { pattern: /^\S{1,200}$/, message: 'must be a short name for the feed without spaces (the feed address goes in url)' },
};

const httpUrl = (v: string) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol);

/** The input of `account add` and POST /api/accounts, checked per platform; `entity` is an id or a slug. */
export const accountInputSchema = z
  .object({
    entity: z.union([z.number().int().positive().max(2_147_483_647), z.string().trim().min(1, 'must be an entity id or slug').max(200)], {
      error: 'must be an entity id or slug',
    }),
    platform: z.enum(ACCOUNT_PLATFORMS, { error: `must be one of ${ACCOUNT_PLATFORMS.join(', ')}` }),
    handle: z.string({ error: 'is required' }).trim().min(1, 'is required').max(200, 'is longer than 200 characters'),
    url: z
      .string({ error: 'must be a string' })
      .trim()
      .max(2000, 'is longer than 2000 characters')
      .optional()
      .transform((v) => v || undefined),
    type: z.enum(ACCOUNT_TYPES, { error: `must be one of ${ACCOUNT_TYPES.join(', ')}` }).default('official'),
    displayName: z
      .string({ error: 'must be a string' })
      .trim()
      .max(200, 'is longer than 200 characters')
      .optional()
      .transform((v) => v || undefined),
    token: z.string({ error: 'must be a string' }).max(8192, 'is longer than 8192 characters').optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const rule = HANDLE_RULES[a.platform];
    if (HIDDEN.test(a.handle)) ctx.addIssue({ code: 'custom', path: ['handle'], message: 'contains control or bidirectional formatting characters' });
    else if (!rule.pattern.test(a.handle)) ctx.addIssue({ code: 'custom', path: ['handle'], message: `${rule.message} (got ${JSON.stringify(a.handle)})` });
    // eslint-disable-next-line no-control-regex
    if (a.displayName !== undefined && /[\u0000-\u001f\u007f]/.test(a.displayName))
      ctx.addIssue({ code: 'custom', path: ['displayName'], message: 'contains control characters' });
    if (a.url !== undefined && (HIDDEN.test(a.url) || !httpUrl(a.url))) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http:// or https:// address' });
    else if (a.url === undefined && a.platform === 'mastodon')
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for mastodon: the instance, such as https://mastodon.social' });
    else if (a.url === undefined && a.platform === 'rss') ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required for rss: the address of the RSS or Atom feed' });
  })
  .transform((a) => ({
    ...a,
    handle: HANDLE_RULES[a.platform].normalize?.(a.handle) ?? a.handle,
    // A Mastodon account lives on its instance: keep the instance's origin only.
    url: a.url && a.platform === 'mastodon' ? new URL(a.url).origin : a.url,
  }));

export type AccountInput = z.input<typeof accountInputSchema>;
export type ValidAccountInput = z.output<typeof accountInputSchema>;

/** A request to register an account that cannot be met: `field` names the input at fault. */
export class AccountRegistrationError extends Error {
  constructor(
    public readonly kind: 'unknown-entity' | 'account-exists',
    public readonly field: 'entity' | 'handle',
    message: string,
    public readonly accountId?: number,
  ) {
    super(message);
    this.name = 'AccountRegistrationError';
  }
}

/** The entity of an id or slug; throws AccountRegistrationError listing the known slugs when there is none. */
export async function resolveEntity(db: Db, scope: EntityScope, ref: number | string): Promise<{ id: number; slug: string }> {
  const asId = typeof ref === 'number' ? ref : /^\d{1,9}$/.test(ref) ? Number(ref) : null;
  const rows = await db
    .selectFrom('entity')
    .select(['id', 'slug'])
    .where(inScope('id', scope))
    .where((eb) => (asId !== null ? eb.or([eb('id', '=', asId), eb('slug', '=', String(ref))]) : eb('slug', '=', String(ref))))
    .execute();
  // A slug that is all digits wins over the id it spells.
  const row = rows.find((r) => r.slug === String(ref)) ?? rows[0];
  if (row) return row;
  const known = await db.selectFrom('entity').select('slug').where(inScope('id', scope)).orderBy('slug').limit(101).execute();
  const list = known.length ? known.slice(0, 100).map((k) => k.slug).join(', ') + (known.length > 100 ? ', …' : '') : 'none yet';
  throw new AccountRegistrationError('unknown-entity', 'entity', `no entity ${JSON.stringify(String(ref))}; known entities: ${list}`);
}

// X, Mastodon and Bluesky names are case-insensitive: "Ministry" and "ministry" are one account.
const CASE_INSENSITIVE: readonly string[] = ['x', 'mastodon', 'bluesky'];

/** The account registered under platform + handle (case-insensitive where the platform is), if any. */
export async function findAccountByHandle(db: Db, platform: string, handle: string): Promise<{ id: number; entityId: number; handle: string } | undefined> {
  return db
    .selectFrom('account')
    .select(['id', 'entity_id as entityId', 'handle'])
    .where('platform', '=', platform)
    .where((eb) => (CASE_INSENSITIVE.includes(platform) ? eb(eb.fn('lower', ['handle']), '=', handle.toLowerCase()) : eb('handle', '=', handle)))
    .orderBy('id')
    .executeTakeFirst();
}

/**
 * Registers a validated account (connector = platform). An account already registered on the platform under that
 * handle is refused (`account-exists`), unless `ifExists: 'update'` and it belongs to the same entity: then its
 * url, type and display name are updated with the values given.
 */
export async function registerAccount(
  db: Db,
  scope: EntityScope,
  input: ValidAccountInput,
  opts: { ifExists?: 'error' | 'update' } = {},
): Promise<{ id: number; entityId: number; created: boolean }> {
  const entity = await resolveEntity(db, scope, input.entity);
  const existing = await findAccountByHandle(db, input.platform, input.handle);
  if (existing) {
    if (opts.ifExists !== 'update' || existing.entityId !== entity.id) {
      const owner = existing.entityId === entity.id ? 'of this entity' : `of another entity (id ${existing.entityId})`;
      throw new AccountRegistrationError(
        'account-exists',
        'handle',
        `the ${input.platform} account ${JSON.stringify(existing.handle)} is already registered (account ${existing.id}, ${owner})`,
        existing.id,
      );
    }
    await db
      .updateTable('account')
      .set({
        type: input.type,
        ...(input.url !== undefined ? { url: input.url } : {}),
        ...(input.displayName !== undefined ? { display_name: input.displayName } : {}),
      })
      .where('id', '=', existing.id)
      .execute();
    return { id: existing.id, entityId: entity.id, created: false };
  }
  const row = await db
    .insertInto('account')
    .values({
      entity_id: entity.id,
      platform: input.platform,
      connector: input.platform,
      handle: input.handle,
      display_name: input.displayName ?? null,
      type: input.type,
      url: input.url ?? null,
      config: JSON.stringify({}),
    })
    .onConflict((oc) => oc.columns(['platform', 'handle']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) {
    // Registered by someone else between the check and the insert.
    const other = await findAccountByHandle(db, input.platform, input.handle);
    throw new AccountRegistrationError('account-exists', 'handle', `the ${input.platform} account ${JSON.stringify(input.handle)} is already registered`, other?.id);
  }
  return { id: row.id, entityId: entity.id, created: true };
}

/** The stored (encrypted) token of an account, or null; jobs/secrets.ts decrypts it. */
export async function readAccountTokenCiphertext(db: Db, accountId: number): Promise<string | null> {
  const row = await db.selectFrom('account').select('token_ciphertext').where('id', '=', accountId).executeTakeFirst();
  return row?.token_ciphertext ?? null;
}

/** Stores (or with null, removes) an account's encrypted token; false when the account does not exist. */
export async function writeAccountTokenCiphertext(db: Db, accountId: number, ciphertext: string | null): Promise<boolean> {
  const r = await db.updateTable('account').set({ token_ciphertext: ciphertext }).where('id', '=', accountId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
