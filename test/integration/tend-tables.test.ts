// Where the server runs without autovacuum, Mizan vacuums what its rescoring and rollups rewrote (db/queries/maintenance.ts),
// with autovacuum's own thresholds; where autovacuum runs, it leaves that to the server.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { tendTables } from '../../db/queries/maintenance.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

describe.each(BACKENDS)('tending tables on %s', (kind) => {
  let h: DbHandle;
  let autovacuum: string;
  beforeAll(async () => {
    h = await testDb(kind);
    autovacuum = (await sql<{ v: string }>`select current_setting('autovacuum') as v`.execute(h.db)).rows[0].v;
    await sql`create table tend_probe (id int primary key, n int)`.execute(h.db);
    await sql`insert into tend_probe select g, 0 from generate_series(1, 2000) g`.execute(h.db);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** The statistics as the server has them, once they show `ready` (they are flushed a moment after a transaction ends). */
  async function stats(ready: (s: { dead: number; vacuumed: boolean }) => boolean) {
    let s = { dead: 0, vacuumed: false };
    for (let i = 0; i < 100; i++) {
      if (kind === 'postgres') await sql`select pg_stat_clear_snapshot()`.execute(h.db);
      const { rows } = await sql<{ dead: number; vacuumed: boolean }>`
        select n_dead_tup::int as dead, last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = 'tend_probe'`.execute(h.db);
      s = rows[0] ?? s;
      if (ready(s)) return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    return s;
  }

  test('a table whose dead rows pass 50 + 20% of its rows is vacuumed when autovacuum is off; one under it is left alone', async () => {
    // 100 of 2,000 rows rewritten: under the threshold (450).
    await sql`update tend_probe set n = 1 where id <= 100`.execute(h.db);
    if (kind === 'postgres') await stats((s) => s.dead >= 100);
    expect(await tendTables(h.db, ['tend_probe'])).toEqual(autovacuum === 'off' && kind === 'postgres' ? ['analyze tend_probe'] : expect.any(Array));
    // Every row rewritten: past it.
    await sql`update tend_probe set n = 2`.execute(h.db);
    if (kind === 'postgres') await stats((s) => s.dead >= 2000);
    const done = await tendTables(h.db, ['tend_probe']);
    if (autovacuum === 'off' && kind === 'postgres') {
      expect(done).toEqual(['vacuum tend_probe']);
      const after = await stats((s) => s.vacuumed);
      expect(after).toEqual({ dead: 0, vacuumed: true });
    } else {
      // Autovacuum runs (or the embedded database keeps no such statistics): nothing to do here, and no error.
      expect(done.every((d) => d.endsWith('tend_probe'))).toBe(true);
    }
  });
});
