// A saturated pool or a statement past its time limit answers 503 `busy` with Retry-After, never 500; PGlite is unaffected.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiPoolConfig, createDb, DatabaseBusyError, type DbHandle } from '../../db/client.ts';
import { testConfig } from '../../jobs/config.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { testDb } from '../helpers/db.ts';

const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent' });

describe.runIf(process.env.TEST_DATABASE_URL)('PostgreSQL: a busy pool answers 503', () => {
  let h: Awaited<ReturnType<typeof testDb>>;
  let api: DbHandle;
  let client: TestClient;

  beforeAll(async () => {
    h = await testDb('postgres');
    // The API's pool, as apiPoolConfig builds it but tiny: 2 connections, 8 waiting (one overview's queries), 300 ms to get one, 500 ms per statement.
    api = await createDb({ ...apiPoolConfig(h.url!, 2), maxWaiting: 8, connectTimeoutMs: 300, statementTimeoutMs: 500 });
    const app = createApp({ db: api.db, dbKind: 'postgres', config });
    client = await signedIn(app, h.db, { role: 'oversight' });
  });
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  test('every connection held by slow queries: requests past the bounded wait get 503 busy with Retry-After, then it answers again', async () => {
    expect((await client.request('/api/overview')).status).toBe(200);
    // Two slow statements take both connections (with the statement limit lifted for them).
    const slow = Array.from({ length: 2 }, () =>
      api.db.transaction().execute(async (trx) => {
        await sql`set local statement_timeout = 0`.execute(trx);
        await sql`select pg_sleep(2)`.execute(trx);
      }),
    );
    await new Promise((r) => setTimeout(r, 100));
    // Twelve different overviews (a cached answer and the caller's kept sign-in need no connection).
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => client.request(`/api/overview?from=2026-01-${String(i + 1).padStart(2, '0')}`)));
    const bodies = await Promise.all(answers.map((r) => r.json() as Promise<{ error?: { code: string; message: string } }>));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(503));
    expect(bodies.map((b) => b.error?.code)).toEqual(Array(12).fill('busy'));
    expect(answers.map((r) => r.headers.get('retry-after'))).toEqual(Array(12).fill('1'));
    // Both kinds happened: refused at once (line full) and refused after waiting the connect timeout.
    const messages = bodies.map((b) => b.error!.message);
    expect(messages.some((m) => /queries are waiting/.test(m))).toBe(true);
    expect(messages.some((m) => /No database connection was free within 300 ms/.test(m))).toBe(true);
    await Promise.all(slow);
    expect((await client.request('/api/overview')).status).toBe(200);
  });

  test('the line is bounded in the pool itself: the query past it fails with DatabaseBusyError at once', async () => {
    const hold = Array.from({ length: 2 }, () => sql`select pg_sleep(0.2)`.execute(api.db));
    await new Promise((r) => setTimeout(r, 50));
    const waiting = Array.from({ length: 8 }, () => sql`select 1`.execute(api.db));
    await expect(sql`select 1`.execute(api.db)).rejects.toBeInstanceOf(DatabaseBusyError);
    await Promise.all(hold);
    // The eight in line either got a connection or timed out waiting, as DatabaseBusyError too.
    for (const r of await Promise.allSettled(waiting)) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(DatabaseBusyError);
  });

  test('a dashboard query stopped by the statement timeout answers 503 busy, not 500', async () => {
    // Another connection locks the entity table: the overview's query waits on the lock until statement_timeout cancels it.
    const locker = new pg.Client({ connectionString: h.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table entity in access exclusive mode');
      // An overview no earlier test asked for: a cached answer would not wait on the lock.
      const res = await client.request('/api/overview?interval=month');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'busy', message: expect.stringMatching(/took too long/) });
      await locker.query('rollback');
      expect((await client.request('/api/overview?interval=month')).status).toBe(200);
    } finally {
      await locker.end();
    }
  });

  test('the jobs pool keeps no statement limit', async () => {
    await expect(sql`select pg_sleep(0.7)`.execute(h.db)).resolves.toBeDefined();
  });
});

describe('PGlite is unaffected: one connection queues every request, none is refused', () => {
  test('12 concurrent overviews all answer 200', async () => {
    const h = await testDb('pglite');
    try {
      const app = createApp({ db: h.db, dbKind: h.kind, config });
      const client = await signedIn(app, h.db, { role: 'oversight' });
      const answers = await Promise.all(Array.from({ length: 12 }, () => client.request('/api/overview')));
      expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    } finally {
      await h.close();
    }
  });
});
