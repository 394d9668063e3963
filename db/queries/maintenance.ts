import { sql } from 'kysely';
import type { Db } from '../client.ts';

/**
 * Vacuums and analyzes the given tables as autovacuum would, when the server runs without it. Rescoring rewrites every
 * row of post_score and the rollups rewrite their days: with autovacuum on, PostgreSQL keeps those tables compact;
 * with it off (the project's own test machine runs so), each rescoring leaves millions of dead rows that the next one
 * reads through, and the dashboard's rollups grow with every import round. Same thresholds as autovacuum's defaults: a vacuum when dead
 * rows pass 50 + 20% of the live ones, an analyze when changes since the last one pass 50 + 10%. Returns what it did.
 */
export async function tendTables(db: Db, tables: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ table: string; vacuum: boolean; analyze: boolean }>`
    select relname as "table", n_dead_tup > 50 + 0.2 * n_live_tup as vacuum, n_mod_since_analyze > 50 + 0.1 * n_live_tup as analyze
    from pg_stat_user_tables
    where relname = any(${tables}::text[]) and schemaname = current_schema() and current_setting('autovacuum') = 'off'
    order by relname`.execute(db);
  const done: string[] = [];
  for (const r of rows) {
    // Outside a transaction (VACUUM cannot run in one): each statement on its own connection of the pool.
    if (r.vacuum) await sql`vacuum (analyze) ${sql.table(r.table)}`.execute(db);
    else if (r.analyze) await sql`analyze ${sql.table(r.table)}`.execute(db);
    else continue;
    done.push(`${r.vacuum ? 'vacuum' : 'analyze'} ${r.table}`);
  }
  return done;
}
