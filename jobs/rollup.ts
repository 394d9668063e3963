// Rollups recompute whole days from post_score and finding; safe to run any number of times.
import { addDays, localDate } from '../db/queries/periods.ts';
import { recomputeRollups } from '../db/queries/scores.ts';
import type { Db } from '../db/client.ts';

/** Local days whose posts were (re)scored, per entity. */
export type TouchedDays = Map<number, Set<string>>;

export async function runRollup(db: Db, opts: { days: string[] | 'all'; entityId?: number }): Promise<{ rows: number; days: number | 'all' }> {
  const rows = await recomputeRollups(db, opts.days, opts.entityId);
  return { rows, days: opts.days === 'all' ? 'all' : opts.days.length };
}

/** Recomputes just the entity-days that scoring touched. */
export async function rollupTouched(db: Db, touched: TouchedDays): Promise<number> {
  let rows = 0;
  for (const [entityId, days] of touched) rows += (await runRollup(db, { days: [...days], entityId })).rows;
  return rows;
}

/** The scheduled rollup recomputes the last few local days, catching anything a crash left behind. */
export function recentDays(now: Date, timeZone: string, count: number): string[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: count }, (_, i) => addDays(today, -i));
}
