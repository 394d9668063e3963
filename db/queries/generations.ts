// Counters that tell every process its in-memory copies are stale, one row each:
// - dashboard_generation (migration 0022): bumped by the application after anything the dashboard shows has changed;
//   the API's answer cache (server/dashboard-cache.ts) keeps answers per value.
// - auth_generation (migration 0028): bumped by triggers whenever a user, their entities, a session or a token changes;
//   the API's principal cache (server/principal-cache.ts) keeps sign-ins per value.
import { sql } from 'kysely';
import type { Db } from '../client.ts';

export type Generation = 'dashboard_generation' | 'auth_generation';

// Caches of this process that read this database hear of its changes at once; other processes see them at their next read.
const listeners = new WeakMap<Db, Map<Generation, Set<() => void>>>();

/** Calls `changed` after each change of `db`'s counter made by this process; returns the function that stops it. */
export function onGenerationChange(db: Db, counter: Generation, changed: () => void): () => void {
  // An app built without a database (tests of the sign-in checks alone) has nothing to hear.
  if (typeof db !== 'object' || db === null) return () => {};
  let byCounter = listeners.get(db);
  if (!byCounter) listeners.set(db, (byCounter = new Map()));
  let set = byCounter.get(counter);
  if (!set) byCounter.set(counter, (set = new Set()));
  set.add(changed);
  return () => set.delete(changed);
}

/** Tells this process's caches that the counter moved (a trigger moved it in the database, or a bump below). */
export function announceGenerationChange(db: Db, counter: Generation): void {
  for (const changed of listeners.get(db)?.get(counter) ?? []) changed();
}

export async function readGeneration(db: Db, counter: Generation): Promise<number> {
  const { rows } = await sql<{ n: number }>`select n from ${sql.table(counter)} where id = 1`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Call after the change has committed: a reader that fetched the old number and then read the new data only caches
 * newer data under an older number, which the bump then retires. Returns the new number.
 */
export async function bumpDashboardGeneration(db: Db): Promise<number> {
  const { rows } = await sql<{ n: number }>`update dashboard_generation set n = n + 1 where id = 1 returning n`.execute(db);
  announceGenerationChange(db, 'dashboard_generation');
  return Number(rows[0]?.n ?? 0);
}

/** How long a process trusts its read of a counter: another process's change shows within this. */
export const GENERATION_TRUST_MS = 250;

/** A process's view of one counter: read again at most every `trustMs`, at once after a change made by this process. */
export interface GenerationWatch {
  /** The counter's value, from memory when read less than `trustMs` ago (concurrent callers share one read). */
  current(): number | Promise<number>;
  /** A value this process learnt otherwise (its own bump's): the view only moves forward. */
  learn(n: number): number;
}

export function watchGeneration(db: Db, counter: Generation, trustMs = GENERATION_TRUST_MS): GenerationWatch {
  let known = { value: 0, at: -Infinity };
  let reading: Promise<number> | null = null;
  // Each change this process hears of starts a new epoch: a read begun before it may return the older number, which is
  // then given to the callers that were already waiting but never trusted for the next ones.
  let epoch = 0;
  // The counter only grows: a read that started before a change must not bring the older number back.
  const learn = (n: number, at = performance.now()) => {
    known = { value: Math.max(known.value, n), at: Math.max(known.at, at) };
    return known.value;
  };
  onGenerationChange(db, counter, () => {
    epoch++;
    reading = null;
    known = { ...known, at: -Infinity };
  });
  return {
    learn,
    current() {
      if (performance.now() - known.at < trustMs) return known.value;
      if (!reading) {
        const at = performance.now();
        const started = epoch;
        const read: Promise<number> = readGeneration(db, counter)
          .then((n) => (started === epoch ? learn(n, at) : Math.max(known.value, n)))
          .finally(() => {
            if (reading === read) reading = null;
          });
        reading = read;
      }
      return reading;
    },
  };
}
