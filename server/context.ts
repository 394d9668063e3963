import type { Db, DbKind } from '../db/client.ts';
import type { EntityScope } from '../db/queries/scope.ts';
import type { Config } from '../jobs/config.ts';

export interface AppDeps {
  db: Db;
  dbKind: DbKind;
  config: Config;
  /** Injected clock, so tests and benchmarks are deterministic. */
  now?: () => Date;
  /** Called after a rulebook version is published through the API (starts the background rescoring). */
  onRulebookPublished?: (version: string) => void;
}

/** Hono env of every route: the caller's entity scope is decided once, by middleware. */
export interface AppEnv {
  Variables: { scope: EntityScope };
}
