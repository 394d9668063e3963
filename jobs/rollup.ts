// Rollups recompute whole days from post_score and finding; safe to run any number of times.
import { addDays, localDate } from '../db/queries/periods.ts';
import { recomputeDirtyRollups, recomputeRollups } from '../db/queries/scores.ts';
import type { Db } from '../db/client.ts';

export async function runRollup(db: Db, opts: { days: string[] | 'all' }): Promise<{ rows: number; days: number | 'all' }> {
  const rows = await recomputeRollups(db, opts.days);
  return { rows, days: opts.days === 'all' ? 'all' : opts.days.length };
}

/** Recomputes the entity-days that scoring marked dirty (in the same transaction as the scores). */
export async function rollupDirty(db: Db): Promise<number> {
  return (await recomputeDirtyRollups(db)).rows;
}

/** The scheduled rollup recomputes the last few local days, catching anything a crash left behind. */
export function recentDays(now: Date, timeZone: string, count: number): string[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(today, -i));
}
