// The database layer on both engines: migrations, driver types, transactions, the data-dir lock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';
import { DataDirLockedError, lockDataDir } from '../../db/data-dir-lock.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { loadConfig, ConfigError } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

describe.each(BACKENDS)('database on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('migrations are idempotent', async () => {
    expect(await migrateToLatest(h.db)).toEqual([]);
  });

  test('post_score keeps half of each page free, so that a rescoring updates its rows in place (HOT)', async () => {
    const { rows } = await sql<{ options: string[] | null }>`select reloptions as options from pg_class where oid = 'post_score'::regclass`.execute(h.db);
    expect(rows[0].options).toContain('fillfactor=50');
  });

  test('both drivers return the same JS types', async () => {
    const { rows } = await sql<{ c: unknown; big: unknown; n: unknown; d: unknown; ts: unknown; j: unknown }>`
      select count(*) as c, 9007199254740::int8 as big, 1.5::numeric as n, date '2026-11-24' as d,
        timestamptz '2026-11-24T10:00:00Z' as ts, '{"a":1}'::jsonb as j`.execute(h.db);
    expect(rows[0]).toEqual({ c: 1, big: 9007199254740, n: 1.5, d: '2026-11-24', ts: new Date('2026-11-24T10:00:00Z'), j: { a: 1 } });
  });

  test('a failed transaction rolls back, nested savepoints work', async () => {
    const id = (await h.db.insertInto('entity').values({ slug: 'tx-test', name_ar: 'أ', name_en: 'A' }).returning('id').executeTakeFirstOrThrow()).id;
    await expect(
      h.db.transaction().execute(async (trx) => {
        await trx.updateTable('entity').set({ name_en: 'changed' }).where('id', '=', id).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const row = await h.db.selectFrom('entity').select('name_en').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.name_en).toBe('A');
    const trx = await h.db.startTransaction().execute();
    await trx.updateTable('entity').set({ name_en: 'B' }).where('id', '=', id).execute();
    const sp = await trx.savepoint('inner').execute();
    await sp.updateTable('entity').set({ name_en: 'C' }).where('id', '=', id).execute();
    await sp.rollbackToSavepoint('inner').execute();
    await trx.commit().execute();
    expect((await h.db.selectFrom('entity').select('name_en').where('id', '=', id).executeTakeFirstOrThrow()).name_en).toBe('B');
  });

  test('concurrent queries are serialized safely', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sql<{ v: number }>`select ${i}::int as v`.execute(h.db)));
    expect(results.map((r) => r.rows[0].v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('PGlite data directory', () => {
  test('a second opener is refused with a clear message, and the lock is released on close', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-lock-'));
    try {
      const first = await createDb({ dataDir: dir });
      await expect(createDb({ dataDir: dir })).rejects.toThrow(/in use by another Mizan process.*DATABASE_URL/s);
      await first.close();
      const again = await createDb({ dataDir: dir });
      await again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a stale lock of a dead process is taken over', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-lock-'));
    fs.writeFileSync(path.join(dir, '.mizan.lock'), '999999999');
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    release();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('configuration and connection errors', () => {
  test('every bad variable is reported at once', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', MIZAN_DEMO: 'maybe' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/PORT/);
      expect(msg).toMatch(/DATABASE_URL: must start with postgres/);
      expect(msg).toMatch(/MIZAN_DEMO/);
    }
  });

  test('an unreachable PostgreSQL server gives a clear message without the password', async () => {
    await expect(createDb({ databaseUrl: 'postgres://mizan:secret@127.0.0.1:1/mizan' })).rejects.toThrow(/Cannot connect to PostgreSQL at postgres:\/\/mizan:\*\*\*@127\.0\.0\.1:1\/mizan.*Check DATABASE_URL/s);
  });
});
