import type { Db, DbKind } from '../db/client.ts';
import type { EntityScope } from '../db/queries/scope.ts';
import type { Principal } from '../db/queries/users.ts';
import type { Config } from '../jobs/config.ts';
import type { JobDeps } from '../jobs/deps.ts';

export interface AppDeps {
  db: Db;
  dbKind: DbKind;
  config: Config;
  /** Injected clock, so tests and benchmarks are deterministic. */
  now?: () => Date;
  /** Called after a rulebook version is published through the API (starts the background rescoring). */
  onRulebookPublished?: (version: string) => void;
  /**
   * The connectors, rulebook and secret key of the jobs, for "test connection" and "import now" on an account
   * (POST /api/accounts/:id/test and /import). Without them those routes answer 503.
   */
  jobs?: JobDeps;
}

/** Hono env of every route: the signed-in caller and their entity scope are decided once, by middleware (server/auth.ts). */
export interface AppEnv {
  Variables: {
    scope: EntityScope;
    user: Principal;
    /** Set by the answer cache (server/dashboard-cache.ts): a part many answers need, computed once per data generation. */
    sharedPart?: <T>(key: string, compute: () => Promise<T>) => Promise<T>;
  };
}
