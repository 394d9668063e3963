// Rollups recompute whole days from post_score and finding; safe to run any number of times.
import { addDays, localDate } from '../db/queries/periods.ts';
import { recomputeDirtyRollups, recomputeRollups } from '../db/queries/scores.ts';
import type { Db } from '../db/client.ts';
import { bumpDashboardGeneration } from '../db/queries/generations.ts';

// The API's cached dashboard answers follow the data (server/dashboard-cache.ts). While an import round rolls up after
// every account, the generation is bumped at most once per BUMP_MS (then once more when the wait is over), so that
// the dashboard keeps its cache between them; the end of a run and any explicit rollup bump at once.
const BUMP_MS = 2000;
let lastBump = 0;
let trailing: NodeJS.Timeout | null = null;

/** Retires the dashboard's cached answers in every API process: call after the change has committed. */
export async function retireDashboard(db: Db, opts: { now?: boolean } = {}): Promise<void> {
  const wait = lastBump + BUMP_MS - Date.now();
  if (opts.now || wait <= 0) {
    if (trailing) clearTimeout(trailing);
    trailing = null;
    lastBump = Date.now();
    await bumpDashboardGeneration(db);
    return;
  }
  trailing ??= setTimeout(() => {
    trailing = null;
    lastBump = Date.now();
    // The run may have ended and closed its database meanwhile: its own final bump then did the work.
    bumpDashboardGeneration(db).catch(() => {});
  }, wait).unref();
}

export async function runRollup(db: Db, opts: { days: string[] | 'all' }): Promise<{ rows: number; days: number | 'all' }> {
  const rows = await recomputeRollups(db, opts.days);
  await retireDashboard(db, { now: true });
  return { rows, days: opts.days === 'all' ? 'all' : opts.days.length };
}

/**
 * Recomputes the entity-days that scoring marked dirty (in the same transaction as the scores). `retire: 'soon'` (an
 * import round, after each account) bumps the dashboard's generation at most once per BUMP_MS; the round bumps at its end.
 */
export async function rollupDirty(db: Db, opts: { retire?: 'now' | 'soon' } = {}): Promise<number> {
  const { rows } = await recomputeDirtyRollups(db);
  if (rows > 0) await retireDashboard(db, { now: opts.retire !== 'soon' });
  return rows;
}

/** The scheduled rollup recomputes the last few local days, catching anything a crash left behind. */
export function recentDays(now: Date, timeZone: string, count: number): string[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(today, -i));
}
