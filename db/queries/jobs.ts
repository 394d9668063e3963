import { sql } from 'kysely';
import type { Db } from '../client.ts';

/** A running job run whose owner has not beaten for this long is taken as dead (beats come every 15 s). */
export const STALE_HEARTBEAT_SECONDS = 120;

/**
 * The run coordinator's election: the first process to insert (job, slot) runs it, and only while no
 * live run of the same job is going on elsewhere (one import at a time across processes). A running
 * run is closed as abandoned only when its owner stopped beating, never because another process started.
 * Returns the run id, or null when this process must not run it.
 */
export async function claimJobRun(db: Db, job: string, slot: string, now: Date, owner = 'unknown'): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    // Claims of one job are serialized, so two processes cannot both see "nothing running".
    await sql`select pg_advisory_xact_lock(hashtext(${'mizan:job:' + job}))`.execute(trx);
    await closeDeadRuns(trx, job);
    const live = await trx.selectFrom('job_run').select('id').where('job', '=', job).where('status', '=', 'running').executeTakeFirst();
    if (live) return null;
    const row = await trx
      .insertInto('job_run')
      .values({ job, slot, started_at: now, owner, heartbeat_at: sql<Date>`now()` })
      .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  });
}

/** The owner of a run says it is alive (the database's clock: processes on several machines may disagree). */
export async function beatJobRun(db: Db, id: number): Promise<void> {
  await db.updateTable('job_run').set({ heartbeat_at: sql<Date>`now()` }).where('id', '=', id).where('status', '=', 'running').execute();
}

async function closeDeadRuns(db: Db, job?: string): Promise<number> {
  const r = await db
    .updateTable('job_run')
    .set({ status: 'error', finished_at: sql<Date>`now()`, error: 'the process running this job stopped before it finished' })
    .where('status', '=', 'running')
    .$if(job !== undefined, (q) => q.where('job', '=', job!))
    .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', sql<Date>`now() - make_interval(secs => ${STALE_HEARTBEAT_SECONDS})`)]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function finishJobRun(db: Db, id: number, r: { finishedAt: Date; counts: Record<string, number>; error: string | null }): Promise<void> {
  await db
    .updateTable('job_run')
    .set({ finished_at: r.finishedAt, status: r.error ? 'error' : 'ok', counts: JSON.stringify(r.counts), error: r.error })
    .where('id', '=', id)
    .execute();
}

export async function getLatestJobRun(db: Db, job: string): Promise<{ slot: string; status: string } | undefined> {
  return db.selectFrom('job_run').select(['slot', 'status']).where('job', '=', job).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function listJobRuns(db: Db, limit: number) {
  const rows = await db
    .selectFrom('job_run')
    .select(['id', 'job', 'slot', 'started_at as startedAt', 'finished_at as finishedAt', 'status', 'counts', 'error'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    ...r,
    startedAt: new Date(r.startedAt).toISOString(),
    finishedAt: r.finishedAt ? new Date(r.finishedAt).toISOString() : null,
  }));
}

/**
 * Closes the runs left 'running' by a process that stopped (crash, kill -9): those whose owner stopped
 * beating or, with `all` (the embedded database, which one process holds), every one of them.
 */
export async function abandonStaleRuns(db: Db, opts: { all?: boolean } = {}): Promise<number> {
  if (!opts.all) return closeDeadRuns(db);
  const r = await db
    .updateTable('job_run')
    .set({ status: 'error', finished_at: sql<Date>`now()`, error: 'the process running this job stopped before it finished' })
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
