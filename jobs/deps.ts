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
  /** Aborted when the process is shutting down: jobs stop between pages and batches, never inside one. */
  signal?: AbortSignal;
}
