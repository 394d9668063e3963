// The dashboard's data generation (migration 0022): bumped after anything the dashboard shows has changed, read by
// the API's answer cache (server/dashboard-cache.ts) to know whether its cached answers are still current.
import { sql } from 'kysely';
import type { Db } from '../client.ts';

// Caches of this process that read this database hear of its bumps at once; other processes see them at their next read.
const listeners = new WeakMap<Db, Set<() => void>>();

/** Calls `changed` after each bump of `db`'s generation by this process; returns the function that stops it. */
export function onDashboardBump(db: Db, changed: () => void): () => void {
  // An app built without a database (tests of the sign-in checks alone) has nothing to hear.
  if (typeof db !== 'object' || db === null) return () => {};
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(changed);
  return () => set.delete(changed);
}

export async function readDashboardGeneration(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`select n from dashboard_generation where id = 1`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Call after the change has committed: a reader that fetched the old number and then read the new data only caches
 * newer data under an older number, which the bump then retires. Returns the new number.
 */
export async function bumpDashboardGeneration(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`update dashboard_generation set n = n + 1 where id = 1 returning n`.execute(db);
  for (const changed of listeners.get(db) ?? []) changed();
  return Number(rows[0]?.n ?? 0);
}
