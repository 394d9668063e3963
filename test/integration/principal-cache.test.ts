// Sign-ins kept in memory (server/principal-cache.ts) under the auth generation that triggers bump (migration 0028):
// reads use them, writes read the database, and any change of a user, their entities, a session or a token ends them,
// at once when made through this process and within a quarter second when made elsewhere.
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { readGeneration } from '../../db/queries/generations.ts';
import { insertApiToken, insertSession, insertUser, sha256Hex, updateUser } from '../../db/queries/users.ts';
import { testConfig } from '../../jobs/config.ts';
import { createApp } from '../../server/app.ts';
import { hashPassword } from '../../server/passwords.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const PASSWORD = 'quiet harbour lantern 42';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(BACKENDS)('sign-ins kept in memory on %s', (kind) => {
  let h: DbHandle;
  let clock = new Date('2026-11-20T09:00:00Z');
  let app: ReturnType<typeof createApp>;
  let entityA: number;
  let entityB: number;

  const cookieOf = (res: Response) => /mizan_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  const as = (cookie: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), cookie: `mizan_session=${cookie}` } });
  async function signIn(email: string, target = app) {
    const res = await target.request('/api/auth/login', { method: 'POST', body: JSON.stringify({ email, password: PASSWORD }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    return cookieOf(res)!;
  }
  async function addUser(email: string, role: 'admin' | 'oversight' | 'director' | 'viewer', entityIds: number[] = []) {
    return insertUser(h.db, { email, role, entityIds, passwordHash: await hashPassword(PASSWORD) });
  }
  // The session row's triggers off: a change the cache cannot hear of, to tell a kept sign-in from a read one.
  async function withoutTrigger(change: () => Promise<unknown>) {
    await sql`alter table user_session disable trigger user_session_auth_changed`.execute(h.db);
    try {
      await change();
    } finally {
      await sql`alter table user_session enable trigger user_session_auth_changed`.execute(h.db);
    }
  }
  const status = async (res: Response | Promise<Response>) => (await res).status;
  /** Polls until the status is `want` (a change made elsewhere shows within the generation's re-read interval). */
  async function eventually(request: () => Response | Promise<Response>, want: number) {
    const started = Date.now();
    let got = 0;
    while (Date.now() - started < 3000) {
      got = (await request()).status;
      if (got === want) return Date.now() - started;
      await sleep(50);
    }
    throw new Error(`still ${got} after 3 s, wanted ${want}`);
  }

  beforeAll(async () => {
    h = await testDb(kind);
    app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => clock });
    entityA = await upsertEntity(h.db, { slug: 'alpha', nameAr: 'ألف', nameEn: 'Alpha', timezone: 'Asia/Bahrain' });
    entityB = await upsertEntity(h.db, { slug: 'beta', nameAr: 'باء', nameEn: 'Beta', timezone: 'Asia/Bahrain' });
    await addUser('admin@cache.bh', 'admin');
    await addUser('director@cache.bh', 'director', [entityA]);
    await addUser('viewer@cache.bh', 'viewer');
  }, 60_000);
  afterAll(async () => h.close());

  test('the counter moves on changes of rights only: not on a sign-in or a last-seen mark', async () => {
    const n0 = await readGeneration(h.db, 'auth_generation');
    const cookie = await signIn('viewer@cache.bh');
    clock = new Date(clock.getTime() + 61_000);
    expect(await status(app.request('/api/auth/me', as(cookie)))).toBe(200); // marks the session seen
    const token = await insertApiToken(h.db, (await addUser('tokens@cache.bh', 'viewer')).id, 'ci', 'read');
    expect(await status(app.request('/api/overview', { headers: { authorization: `Bearer ${token.token}` } }))).toBe(200); // marks it used
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n0);
    const n1 = n0;
    await sql`update app_user set name = 'V' where email = 'viewer@cache.bh'`.execute(h.db);
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 1);
    await sql`update api_token set revoked_at = now() where id = ${token.view.id}`.execute(h.db);
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 2);
    // A statement that changes no row leaves it alone (signing out an unknown session).
    await sql`delete from user_session where id = 'none'`.execute(h.db);
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 2);
    await sql`update user_session set expires_at = expires_at - interval '1 minute'`.execute(h.db);
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 3);
    await sql`insert into user_entity (user_id, entity_id) select id, ${entityB} from app_user where email = 'viewer@cache.bh'`.execute(h.db);
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 4);
    // Once per transaction, however many rows and tables it changes.
    await h.db.transaction().execute(async (trx) => {
      await sql`delete from user_entity where entity_id = ${entityB}`.execute(trx);
      await sql`update app_user set name = null`.execute(trx);
    });
    expect(await readGeneration(h.db, 'auth_generation')).toBe(n1 + 5);
  });

  test('a read uses the kept sign-in; a write reads the session from the database', async () => {
    const cookie = await signIn('admin@cache.bh');
    expect(await status(app.request('/api/auth/me', as(cookie)))).toBe(200);
    // The session is gone from the database, without the trigger telling anyone.
    await withoutTrigger(() => sql`delete from user_session`.execute(h.db));
    expect(await status(app.request('/api/auth/me', as(cookie)))).toBe(200);
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(200);
    const write = await app.request('/api/auth/logout', as(cookie, { method: 'POST' }));
    expect(write.status).toBe(401);
  });

  test('signing out ends the sign-in at once, here and in another app on the same database', async () => {
    const other = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => clock });
    const cookie = await signIn('viewer@cache.bh');
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(200);
    expect(await status(other.request('/api/overview', as(cookie)))).toBe(200);
    expect(await status(app.request('/api/auth/logout', as(cookie, { method: 'POST' })))).toBe(200);
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(401);
    expect(await status(other.request('/api/overview', as(cookie)))).toBe(401);
  });

  test('a new role or entity list applies to the next read', async () => {
    const director = (await h.db.selectFrom('app_user').select('id').where('email', '=', 'director@cache.bh').executeTakeFirstOrThrow()).id;
    const cookie = await signIn('director@cache.bh');
    expect(await status(app.request(`/api/entities/${entityB}`, as(cookie)))).toBe(404);
    await updateUser(h.db, director, { entityIds: [entityA, entityB] });
    expect(await status(app.request(`/api/entities/${entityB}`, as(cookie)))).toBe(200);
    await updateUser(h.db, director, { entityIds: [entityA] });
    expect(await status(app.request(`/api/entities/${entityB}`, as(cookie)))).toBe(404);
  });

  test('a change made elsewhere (psql, the CLI, another server) ends kept sign-ins within a quarter second', async () => {
    const cookie = await signIn('viewer@cache.bh');
    const user = await addUser('bearer@cache.bh', 'viewer');
    const { token } = await insertApiToken(h.db, user.id, 'ci', 'read');
    const bearer = () => app.request('/api/overview', { headers: { authorization: `Bearer ${token}` } });
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(200);
    expect(await status(bearer())).toBe(200);
    await sql`update app_user set disabled = true where email = 'viewer@cache.bh'`.execute(h.db);
    await sql`update api_token set revoked_at = now() where user_id = ${user.id}`.execute(h.db);
    expect(await eventually(() => app.request('/api/overview', as(cookie)), 401)).toBeLessThan(600);
    expect(await eventually(bearer, 401)).toBeLessThan(600);
    await sql`update app_user set disabled = false where email = 'viewer@cache.bh'`.execute(h.db);
  });

  test('expiry and the idle limit are checked on a kept sign-in', async () => {
    const cookie = await signIn('admin@cache.bh');
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(200);
    // Past the idle limit, nothing in the database changed: the kept sign-in is not trusted past its own limit.
    clock = new Date(clock.getTime() + 24 * 3_600_000);
    expect(await status(app.request('/api/overview', as(cookie)))).toBe(401);
    // A session 30 s from its absolute expiry (kept with the trigger off, so nothing tells the cache): refused once past it.
    const last = await signIn('admin@cache.bh');
    await withoutTrigger(() => sql`update user_session set expires_at = ${new Date(clock.getTime() + 30_000)} where last_seen_at = ${clock}`.execute(h.db));
    expect(await status(app.request('/api/overview', as(last)))).toBe(200);
    clock = new Date(clock.getTime() + 20_000);
    expect(await status(app.request('/api/overview', as(last)))).toBe(200);
    clock = new Date(clock.getTime() + 15_000);
    expect(await status(app.request('/api/overview', as(last)))).toBe(401);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('the auth counter on PostgreSQL', () => {
  let h: Awaited<ReturnType<typeof testDb>>;
  beforeAll(async () => {
    h = await testDb('postgres');
  });
  afterAll(async () => h?.close());

  test('an administrator changing a role while that user signs out: both finish, neither waits on the other in a cycle', async () => {
    const user = await insertUser(h.db, { email: 'both@cache.bh', role: 'viewer', passwordHash: await hashPassword(PASSWORD) });
    const times = { idleMinutes: 60, maxHours: 8 };
    const token = await insertSession(h.db, user.id, { ip: null, userAgent: null, now: new Date(), times });
    const admin = new pg.Client({ connectionString: h.url });
    const signOut = new pg.Client({ connectionString: h.url });
    await admin.connect();
    await signOut.connect();
    try {
      const before = await readGeneration(h.db, 'auth_generation');
      // The role change (updateUser's statements), with the sign-out of one of its sessions landing in between.
      await admin.query('begin');
      await admin.query(`update app_user set role = 'oversight' where id = $1`, [user.id]);
      const out = signOut.query('delete from user_session where id = $1', [sha256Hex(token)]);
      await new Promise((r) => setTimeout(r, 200));
      await admin.query('delete from user_session where user_id = $1', [user.id]);
      await admin.query('commit');
      await out;
      expect(await readGeneration(h.db, 'auth_generation')).toBe(before + 2);
    } finally {
      await admin.end();
      await signOut.end();
    }
  });
});
