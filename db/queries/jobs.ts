import type { Db } from '../client.ts';

/** The run coordinator's election: the first process to insert (job, slot) runs it. */
export async function claimJobRun(db: Db, job: string, slot: string, now: Date): Promise<number | null> {
  const row = await db
    .insertInto('job_run')
    .values({ job, slot, started_at: now })
    .onConflict((oc) => oc.columns(['job', 'slot']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id ?? null;
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

/** Runs left 'running' by a process that stopped (crash, kill) are closed as errors after a grace period. */
export async function abandonStaleRuns(db: Db, startedBefore: Date, now: Date): Promise<number> {
  const r = await db
    .updateTable('job_run')
    .set({ status: 'error', finished_at: now, error: 'the process running this job stopped before it finished' })
    .where('status', '=', 'running')
    .where('started_at', '<', startedBefore)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
