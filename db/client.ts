// createDb(): PGlite (embedded default) or PostgreSQL through a pg Pool, as the same Kysely<Database>.
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect, type LogEvent, type PostgresPool } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import { PGliteDialect } from './pglite-driver.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;
export type DbKind = 'pglite' | 'postgres';

export interface DbConfig {
  /** PostgreSQL connection string; when unset, PGlite in dataDir. */
  databaseUrl?: string | null;
  /** PGlite data directory; 'memory://' for a throwaway in-memory database. */
  dataDir?: string;
  poolSize?: number;
  /** PostgreSQL: how long a query waits for a free connection before DatabaseBusyError (default 5 s). */
  connectTimeoutMs?: number;
  /** PostgreSQL: at most this many queries wait for a connection; one more is refused at once with DatabaseBusyError (default: no bound; the API sets one). */
  maxWaiting?: number;
  /** PostgreSQL: statement_timeout of every connection of this pool (unset: none); a cancelled statement fails with code 57014. */
  statementTimeoutMs?: number;
  /** PostgreSQL: false turns off parallel workers for this pool's queries (the API's; see apiPoolConfig). */
  parallelQueries?: boolean;
  /** Called with every query's SQL and parameters (benchmarks save the dashboard's query plans this way). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

// Both drivers return the same JS types: int8 and numeric as numbers, date as 'YYYY-MM-DD'.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
const parsers: Record<number, (value: string) => unknown> = {
  [INT8]: (v) => Number(v),
  [NUMERIC]: (v) => Number(v),
  [DATE]: (v) => v,
};

/**
 * The API's PostgreSQL pool: a query waits at most 2 s for a connection, at most 50 queries per connection wait
 * (an overview is 8 queries at once), and a statement stops after 5 s.
 */
export function apiPoolConfig(databaseUrl: string, poolSize: number): DbConfig {
  // Many short queries at once: on a few cores a query's parallel workers only compete with the other requests' queries
  // (a scorecard's most severe posts at 5M posts under load: 149 ms with two workers, 100 ms with none).
  return { databaseUrl, poolSize, connectTimeoutMs: 2000, maxWaiting: 50 * poolSize, statementTimeoutMs: 5000, parallelQueries: false };
}

export async function createDb(config: DbConfig): Promise<DbHandle> {
  if (config.databaseUrl) return createPostgres(config.databaseUrl, config);
  return createPGlite(config.dataDir ?? './data');
}

/**
 * The pool has no free connection within its connect timeout, or too many queries are already waiting:
 * the server answers 503 with Retry-After rather than queueing without end (server/app.ts).
 */
export class DatabaseBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseBusyError';
  }
}

/** Whether `err` is PostgreSQL's query_canceled (57014): statement_timeout fired (or the query was cancelled). */
export function isQueryCanceled(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === '57014';
}

async function createPostgres(url: string, config: DbConfig): Promise<DbHandle> {
  const max = config.poolSize ?? 10;
  const connectTimeoutMs = config.connectTimeoutMs ?? 5000;
  const maxWaiting = config.maxWaiting ?? Infinity;
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    ...(config.statementTimeoutMs ? { statement_timeout: config.statementTimeoutMs } : {}),
    ...(config.parallelQueries === false ? { options: '-c max_parallel_workers_per_gather=0' } : {}),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        parsers[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's network error must not crash the process.
  pool.on('error', (err) => console.error(`PostgreSQL connection error: ${err.message}`));
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(describeUrl(url), err as Error);
  }
  // A bounded line in front of the pool: past maxWaiting a query is refused at once, and one that waited
  // connectTimeoutMs is refused too; both as DatabaseBusyError (pg's own error is a plain "timeout exceeded").
  const gated: PostgresPool = {
    async connect() {
      if (pool.waitingCount >= maxWaiting) throw new DatabaseBusyError(`All ${max} database connections are busy and ${pool.waitingCount} queries are waiting`);
      try {
        return await pool.connect();
      } catch (err) {
        if (/timeout exceeded when trying to connect/i.test((err as Error).message)) {
          throw new DatabaseBusyError(`No database connection was free within ${connectTimeoutMs} ms (${max} in the pool)`);
        }
        throw err;
      }
    },
    end: () => pool.end(),
  };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: gated }), log: queryLog(config.onQuery) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

function queryLog(onQuery: DbConfig['onQuery']) {
  return onQuery && ((event: LogEvent) => {
    if (event.level === 'query') onQuery(event.query.sql, event.query.parameters);
  });
}

async function createPGlite(dataDir: string): Promise<DbHandle> {
  const inMemory = dataDir.startsWith('memory://');
  const dir = inMemory ? dataDir : path.resolve(dataDir);
  const unlock = inMemory ? () => {} : lockDataDir(dir);
  let client: PGlite;
  try {
    // pg_trgm backs the post search index (migration 0007).
    client = await PGlite.create(dir, { parsers, extensions: { pg_trgm } });
  } catch (err) {
    unlock();
    throw new Error(`Could not open the embedded database in ${dir}: ${(err as Error).message}`);
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  return {
    db,
    kind: 'pglite',
    async close() {
      await db.destroy();
      unlock();
    },
  };
}

export class DatabaseUnavailableError extends Error {
  constructor(target: string, cause: Error) {
    super(`Cannot connect to PostgreSQL at ${target}: ${cause.message || cause.name}. Check DATABASE_URL and that the server is running.`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** The URL without its password, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
