// Each account's part of an import, with what it rejected: the record that makes a silent loss visible.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { RejectedSample } from '../schema.ts';
import { inScope, type EntityScope } from './scope.ts';

/** How many rejected records and notes a run keeps verbatim (the count is always exact). */
export const MAX_RUN_SAMPLES = 20;
const MAX_SAMPLE_CHARS = 500;

export type ImportRunStatus = 'ok' | 'partial' | 'failed';

export interface ImportRunTally {
  pages: number;
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  rejectedSamples: RejectedSample[];
  warnings: string[];
}

export const emptyTally = (): ImportRunTally => ({ pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, rejected: 0, rejectedSamples: [], warnings: [] });

/** Adds rejected records to a tally, keeping the first MAX_RUN_SAMPLES of them whole (samples cut at 500 characters). */
export function tallyRejected(t: ImportRunTally, records: RejectedSample[]): void {
  t.rejected += records.length;
  for (const r of records) {
    if (t.rejectedSamples.length >= MAX_RUN_SAMPLES) break;
    t.rejectedSamples.push({ ref: r.ref, reason: r.reason, ...(r.sample !== undefined ? { sample: [...r.sample].slice(0, MAX_SAMPLE_CHARS).join('') } : {}) });
  }
}

/**
 * ok: nothing was rejected and nothing failed; partial: some records were rejected (or the run stopped
 * on an error after storing something); failed: an error, or records came and every one was rejected.
 */
export function runStatus(t: ImportRunTally, error: string | null): ImportRunStatus {
  const stored = t.inserted + t.edited + t.deleted + t.unchanged;
  if (error) return stored > 0 ? 'partial' : 'failed';
  if (t.rejected > 0) return stored > 0 ? 'partial' : 'failed';
  return 'ok';
}

/** The one-line summary kept as the account's last error (what the accounts table shows). */
export function runSummary(t: ImportRunTally, error: string | null): string | null {
  const parts: string[] = [];
  if (error) parts.push(error);
  if (t.rejected > 0) {
    const first = t.rejectedSamples[0];
    parts.push(`${t.rejected} record(s) rejected${first ? `, first ${first.ref}: ${first.reason}` : ''}`);
  }
  return parts.length ? parts.join('; ') : null;
}

/**
 * Opens an account's run; also reads the head of the account's archive chain (the sha256 of its last captured version),
 * so that the run's first page can be written in one round trip (savePostsPage checks it under the lock).
 */
export async function startImportRun(db: Db, accountId: number, startedAt: Date, worker: string | null): Promise<{ id: number; head: string | null }> {
  const row = await db
    .insertInto('import_run')
    .values({ account_id: accountId, started_at: startedAt, worker })
    .returning(['id', sql<string | null>`(select sha256 from post_version where account_id = ${accountId} order by id desc limit 1)`.as('head')])
    .executeTakeFirstOrThrow();
  return { id: row.id, head: row.head };
}

/** A run stopped by a rate limit: until when the platform refuses, and its message. */
export interface RateLimitPause {
  until: Date;
  reason: string;
}

/**
 * Closes the run and records its outcome on the account, in one transaction: with `pause`, the account is paused until
 * then (a scheduled round skips it); any other outcome clears an earlier pause (this run got past it).
 */
export async function finishImportRun(
  db: Db,
  runId: number,
  accountId: number,
  t: ImportRunTally,
  error: string | null,
  at: Date,
  pause: RateLimitPause | null = null,
): Promise<ImportRunStatus> {
  const status = runStatus(t, error);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('import_run')
      .set({
        finished_at: new Date(),
        status,
        pages: t.pages,
        inserted: t.inserted,
        edited: t.edited,
        deleted: t.deleted,
        unchanged: t.unchanged,
        rejected: t.rejected,
        rejected_samples: JSON.stringify(t.rejectedSamples),
        warnings: JSON.stringify(t.warnings.slice(0, MAX_RUN_SAMPLES)),
        error,
      })
      .where('id', '=', runId)
      .execute();
    await trx
      .updateTable('account')
      .set({ last_run_at: at, last_run_status: status, last_error: runSummary(t, error), paused_until: pause?.until ?? null, pause_reason: pause?.reason ?? null })
      .where('id', '=', accountId)
      .execute();
  });
  return status;
}

export interface ImportRunView {
  id: number;
  accountId: number;
  handle: string;
  platform: string;
  entityId: number;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | ImportRunStatus;
  pages: number;
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  rejectedSamples: RejectedSample[];
  warnings: string[];
  error: string | null;
}

/** Newest first: one account's runs, or (problemsOnly) the runs that rejected records or failed. */
export async function listImportRuns(db: Db, scope: EntityScope, f: { accountId?: number; problemsOnly?: boolean; limit: number }): Promise<ImportRunView[]> {
  const rows = await db
    .selectFrom('import_run as r')
    .innerJoin('account as a', 'a.id', 'r.account_id')
    .select([
      'r.id',
      'r.account_id as accountId',
      'a.handle',
      'a.platform',
      'a.entity_id as entityId',
      'r.started_at as startedAt',
      'r.finished_at as finishedAt',
      'r.status',
      'r.pages',
      'r.inserted',
      'r.edited',
      'r.deleted',
      'r.unchanged',
      'r.rejected',
      'r.rejected_samples as rejectedSamples',
      'r.warnings',
      'r.error',
    ])
    .where(inScope('a.entity_id', scope))
    .$if(f.accountId !== undefined, (qb) => qb.where('r.account_id', '=', f.accountId!))
    .$if(f.problemsOnly === true, (qb) => qb.where('r.status', 'in', ['partial', 'failed']))
    .orderBy('r.started_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    startedAt: new Date(r.startedAt).toISOString(),
    finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
  }));
}

/** Runs left 'running' by a stopped process read as failed (the cursor kept every page they saved). */
export async function closeAbandonedImportRuns(db: Db, olderThan: Date): Promise<number> {
  const r = await db
    .updateTable('import_run')
    .set({ status: 'failed', finished_at: new Date(), error: sql<string>`coalesce(error, 'interrupted: the process stopped during this run; the next run resumes from the saved cursor')` })
    .where('status', '=', 'running')
    .where('started_at', '<', olderThan)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
