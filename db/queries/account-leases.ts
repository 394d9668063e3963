// Several workers share a round of imports: each takes the next account nobody holds with a lease that
// it extends page by page. A worker that dies stops extending, and its account is taken over once the
// lease runs out. `for update skip locked` lets workers pick at the same moment without waiting on
// each other. (Our own ~50 lines rather than pg-boss or graphile-worker: the same SQL runs on the
// embedded database, where those need a server, and a round is a plain question over `account`.)
import { sql } from 'kysely';
import type { Db } from '../client.ts';

/** How long a lease holds without being extended (the worker extends it every LEASE_SECONDS / 4 while it imports). */
export const LEASE_SECONDS = 120;

export interface LeaseFilter {
  /** The round: an account whose last run is at or after it was imported in this round already. */
  round: Date;
  /** Only these accounts (an explicit import); otherwise every active account. */
  accountIds?: number[];
  /** A scheduled round takes only the accounts whose own import interval has elapsed by then, and whose rate-limit pause has ended. */
  dueAt?: Date;
}

/** Takes the next account of the round that no live worker holds; null when none is left. */
export async function leaseNextAccount(db: Db, owner: string, f: LeaseFilter, leaseSeconds = LEASE_SECONDS): Promise<number | null> {
  const ids = f.accountIds ? (f.accountIds.length ? f.accountIds : [-1]) : null;
  const { rows } = await sql<{ id: number }>`
    update account set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseSeconds})
    where id = (
      select a.id from account a
      where a.active
        and (a.lease_until is null or a.lease_until < now())
        and (a.last_run_at is null or a.last_run_at < ${f.round}::timestamptz)
        and (${ids === null} or a.id = any(${ids ?? [-1]}::int[]))
        and (${f.dueAt === undefined} or a.import_interval_minutes is null or a.last_run_at is null
             or a.last_run_at <= ${f.dueAt ?? f.round}::timestamptz - make_interval(mins => a.import_interval_minutes))
        and (${f.dueAt === undefined} or a.paused_until is null or a.paused_until <= ${f.dueAt ?? f.round}::timestamptz)
      order by a.id
      limit 1
      for update skip locked)
    returning id`.execute(db);
  return rows[0]?.id ?? null;
}

/** Extends the lease; false when this worker no longer holds it (it ran out and another worker took the account). */
export async function extendAccountLease(db: Db, accountId: number, owner: string, leaseSeconds = LEASE_SECONDS): Promise<boolean> {
  const r = await db
    .updateTable('account')
    .set({ lease_until: sql`now() + make_interval(secs => ${leaseSeconds})` })
    .where('id', '=', accountId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseAccountLease(db: Db, accountId: number, owner: string): Promise<void> {
  await db.updateTable('account').set({ lease_owner: null, lease_until: null }).where('id', '=', accountId).where('lease_owner', '=', owner).execute();
}

/** Workers holding a lease now (for the check that frees the leases of a process that died on this host). */
export async function listLeaseOwners(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('account').select('lease_owner').distinct().where('lease_owner', 'is not', null).where('lease_until', '>', sql<Date>`now()`).execute();
  return rows.map((r) => r.lease_owner!);
}

/** Frees every lease of a worker known to be gone, and closes its open import runs as interrupted. */
export async function releaseLeasesOf(db: Db, owner: string): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const r = await trx.updateTable('account').set({ lease_owner: null, lease_until: null }).where('lease_owner', '=', owner).executeTakeFirst();
    await trx
      .updateTable('import_run')
      .set({ status: 'failed', finished_at: new Date(), error: 'interrupted: the worker stopped during this run; the next run resumes from the saved cursor' })
      .where('worker', '=', owner)
      .where('status', '=', 'running')
      .execute();
    return Number(r.numUpdatedRows);
  });
}
