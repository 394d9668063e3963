import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from '../db/client.ts';
import type { Connector } from './connectors/types.ts';
import type { Rulebook } from './scoring/engine.ts';

/** What every job needs, passed in (tests give their own connectors and a fixed clock). */
export interface JobDeps {
  db: Db;
  /** The default rulebook from the files; the one in force is resolved from the database (jobs/rulebook-store.ts). */
  rulebook: Rulebook;
  connectors: Record<string, Connector>;
  log: (message: string) => void;
  /** MIZAN_SECRET_KEY: decrypts an account's own token for its import (unset: accounts with a token fail with a message saying so). */
  secretKey?: string;
  /** Aborted when the process is shutting down: jobs stop between pages and batches, never inside one. */
  signal?: AbortSignal;
  /**
   * Accounts an import round imports at once in this process (jobs/pipeline.ts): 2 on PostgreSQL, where each has a
   * connection of its own and the server works on every core; 1 on PGlite, a single connection (see importLanesFor).
   */
  importLanes?: number;
}

export const importLanesFor = (kind: 'pglite' | 'postgres'): number => (kind === 'postgres' ? 2 : 1);

/** This process, as the owner of the job runs it claims and the account leases it holds. */
export const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** Whether `owner` (a PROCESS_OWNER) names a process of this host that no longer runs. */
export function isDeadLocalProcess(owner: string): boolean {
  const m = /^(.*):(\d+):[0-9a-f]{8}$/.exec(owner);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
