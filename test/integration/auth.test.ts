// Sign-in, sessions, API tokens, CSRF, the login throttle, users and the audit log, through the HTTP API.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { testConfig, type Config } from '../../jobs/config.ts';
import { DEMO_USERS, seedDemoUsers } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { hashPassword, passwordProblem } from '../../server/passwords.ts';
import { insertUser } from '../../db/queries/users.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const PASSWORD = 'quiet harbour lantern 42';

describe.each(BACKENDS)('sign-in and users on %s', (kind) => {
  let h: DbHandle;
  let clock = new Date('2026-11-20T09:00:00Z');
  let config: Config;
  let app: ReturnType<typeof createApp>;
  let entityA: number;
  let entityB: number;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test reads of known JSON answers
  const j = async (res: Response | Promise<Response>): Promise<any> => (await res).json();
  const json = (body: unknown, headers: Record<string, string> = {}) => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  const cookieOf = (res: Response) => /mizan_session=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  const withCookie = (cookie: string, init: RequestInit = {}) => ({ ...init, headers: { ...(init.headers as Record<string, string>), cookie: `mizan_session=${cookie}` } });
  const login = (email: string, password = PASSWORD, headers: Record<string, string> = {}, target = app) => target.request('/api/auth/login', json({ email, password }, headers));
  async function addUser(email: string, role: 'admin' | 'oversight' | 'director' | 'viewer', entityIds: number[] = []) {
    return insertUser(h.db, { email, role, entityIds, passwordHash: await hashPassword(PASSWORD) });
  }
  async function signIn(email: string) {
    const res = await login(email);
    expect(res.status).toBe(200);
    return cookieOf(res)!;
  }

  beforeAll(async () => {
    h = await testDb(kind);
    config = testConfig({ MIZAN_WEB_DIR: '/nonexistent' });
    app = createApp({ db: h.db, dbKind: h.kind, config, now: () => clock });
    entityA = await upsertEntity(h.db, { slug: 'alpha', nameAr: 'ألف', nameEn: 'Alpha', timezone: 'Asia/Bahrain' });
    entityB = await upsertEntity(h.db, { slug: 'beta', nameAr: 'باء', nameEn: 'Beta', timezone: 'Asia/Bahrain' });
    await addUser('admin@test.bh', 'admin');
    await addUser('Director@Test.bh', 'director', [entityA]);
    await addUser('viewer@test.bh', 'viewer');
  }, 60_000);
  afterAll(async () => h.close());

  test('without a session every API route but health and login answers 401 in the one error shape', async () => {
    for (const path of ['/api/overview', '/api/entities', '/api/posts', '/api/users', '/api/auth/me', '/api/no-such-route']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(401);
      expect((await j(res)).error.code).toBe('unauthenticated');
    }
    expect(await j(app.request('/api/health'))).toEqual({ status: 'ok' });
    expect((await app.request('/api/auth/login')).status).toBe(200);
  });

  test('sign-in sets an HttpOnly SameSite=Strict cookie (Secure over HTTPS) and /me names the user', async () => {
    const res = await login('director@test.bh');
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toMatch(/Secure/);
    const me = await j(app.request('/api/auth/me', withCookie(cookieOf(res)!)));
    expect(me.user).toMatchObject({ email: 'Director@Test.bh', role: 'director', entityIds: [entityA], via: 'session' });
    expect(JSON.stringify(me)).not.toMatch(/scrypt|password_hash|passwordHash/);

    const https = await app.request('https://localhost/api/auth/login', json({ email: 'viewer@test.bh', password: PASSWORD }));
    expect(https.headers.get('set-cookie')).toMatch(/Secure/);
  });

  test('a wrong password or an unknown e-mail gives the same 401, and both are audited', async () => {
    const wrong = await login('viewer@test.bh', 'not the password at all');
    const unknown = await login('nobody@test.bh', 'not the password at all');
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect((await j(res)).error).toEqual({ code: 'invalid-credentials', message: expect.any(String) });
    }
    const { rows } = await sql<{ object_id: string; after: { reason: string } }>`select object_id, after from audit_log where action = 'auth.login-failed' order by id`.execute(h.db);
    expect(rows.map((r) => [r.object_id, r.after.reason])).toEqual([
      ['viewer@test.bh', 'wrong password'],
      ['nobody@test.bh', 'unknown e-mail'],
    ]);
  });

  test('five failures for one account throttle it with 429, Retry-After and a clear message; the window passes', async () => {
    await addUser('throttled@test.bh', 'viewer');
    for (let i = 0; i < 5; i++) expect((await login('throttled@test.bh', 'wrong wrong wrong')).status).toBe(401);
    const res = await login('throttled@test.bh');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await j(res)).error.message).toMatch(/Too many failed sign-ins for this account: try again in \d+ minutes?/);
    clock = new Date(clock.getTime() + 16 * 60_000);
    expect((await login('throttled@test.bh')).status).toBe(200);
  });

  test('failures from one address across many accounts throttle that address (behind a trusted proxy)', async () => {
    const proxied = createApp({ db: h.db, dbKind: h.kind, config: { ...config, MIZAN_TRUST_PROXY: true }, now: () => clock });
    const from = { 'x-forwarded-for': '203.0.113.9' };
    for (let i = 0; i < 20; i++) expect((await login(`spray${i}@test.bh`, 'wrong wrong wrong', from, proxied)).status).toBe(401);
    const res = await login('admin@test.bh', PASSWORD, from, proxied);
    expect(res.status).toBe(429);
    expect((await j(res)).error.message).toMatch(/from your address/);
    expect((await login('admin@test.bh', PASSWORD, { 'x-forwarded-for': '203.0.113.10' }, proxied)).status).toBe(200);
    clock = new Date(clock.getTime() + 16 * 60_000);
  });

  test('sign-in rotates the session; sign-out ends it; sign-out everywhere ends them all', async () => {
    const first = await signIn('viewer@test.bh');
    const rotated = cookieOf(await app.request('/api/auth/login', { ...json({ email: 'viewer@test.bh', password: PASSWORD }), headers: { 'content-type': 'application/json', cookie: `mizan_session=${first}` } }))!;
    expect(rotated).not.toBe(first);
    expect((await app.request('/api/auth/me', withCookie(first))).status).toBe(401);
    expect((await app.request('/api/auth/me', withCookie(rotated))).status).toBe(200);
    expect((await app.request('/api/auth/logout', withCookie(rotated, { method: 'POST' }))).status).toBe(200);
    expect((await app.request('/api/auth/me', withCookie(rotated))).status).toBe(401);

    const a = await signIn('viewer@test.bh');
    const b = await signIn('viewer@test.bh');
    const out = await app.request('/api/auth/logout', withCookie(a, json({ everywhere: true })));
    expect(out.status).toBe(200);
    expect((await app.request('/api/auth/me', withCookie(b))).status).toBe(401);
  });

  test('a session ends after the idle time, and at its absolute expiry however busy', async () => {
    const idle = await signIn('viewer@test.bh');
    clock = new Date(clock.getTime() + (config.MIZAN_SESSION_IDLE_MINUTES + 1) * 60_000);
    expect((await app.request('/api/auth/me', withCookie(idle))).status).toBe(401);

    const busy = await signIn('viewer@test.bh');
    for (let hours = 0; hours < config.MIZAN_SESSION_MAX_HOURS; hours++) {
      clock = new Date(clock.getTime() + 60 * 60_000);
      const status = (await app.request('/api/auth/me', withCookie(busy))).status;
      expect(status).toBe(hours + 1 < config.MIZAN_SESSION_MAX_HOURS ? 200 : 401);
    }
  });

  test('a state-changing request with a session from another site is refused (CSRF); same site and programs pass', async () => {
    const cookie = await signIn('viewer@test.bh');
    const post = (headers: Record<string, string>) => app.request('/api/tokens', withCookie(cookie, json({ name: 'x', scope: 'read' }, headers)));
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await post({})).status).toBe(201);
  });

  test('API tokens: shown once, stored hashed, read scope only reads, revocable; admin scope only for admins', async () => {
    const viewer = await signIn('viewer@test.bh');
    expect((await app.request('/api/tokens', withCookie(viewer, json({ name: 'ci', scope: 'admin' })))).status).toBe(403);
    const created = await app.request('/api/tokens', withCookie(viewer, json({ name: 'ci', scope: 'read' })));
    expect(created.status).toBe(201);
    const { token, item } = await j(created);
    expect(token).toMatch(/^mzn_/);
    const stored = await h.db.selectFrom('api_token').selectAll().where('id', '=', item.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    expect(JSON.stringify(await j(app.request('/api/tokens', withCookie(viewer))))).not.toContain(token);

    const bearer = { authorization: `Bearer ${token}` };
    expect((await app.request('/api/entities', { headers: bearer })).status).toBe(200);
    expect((await app.request('/api/tokens', json({ name: 'x' }, bearer))).status).toBe(403);
    expect((await app.request(`/api/tokens/${item.id}`, withCookie(viewer, { method: 'DELETE' }))).status).toBe(200);
    expect((await app.request('/api/entities', { headers: bearer })).status).toBe(401);
    expect((await app.request('/api/entities', { headers: { authorization: 'Bearer mzn_forged' } })).status).toBe(401);

    const admin = await signIn('admin@test.bh');
    const adminToken = (await j(app.request('/api/tokens', withCookie(admin, json({ name: 'ops', scope: 'admin' }))))).token;
    const res = await app.request('/api/users', json({ email: 'bot-made@test.bh', role: 'viewer' }, { authorization: `Bearer ${adminToken}` }));
    expect(res.status).toBe(201);
  });

  test('roles: a director sees their entity only, and another entity is a 404; admin-only routes are 403 for others', async () => {
    const director = await signIn('director@test.bh');
    const entities = await j(app.request('/api/entities', withCookie(director)));
    expect(entities.items.map((e: { id: number }) => e.id)).toEqual([entityA]);
    expect((await app.request(`/api/entities/${entityA}`, withCookie(director))).status).toBe(200);
    const other = await app.request(`/api/entities/${entityB}`, withCookie(director));
    expect(other.status).toBe(404);
    expect((await app.request('/api/users', withCookie(director))).status).toBe(403);
    const viewer = await signIn('viewer@test.bh');
    expect((await j(app.request('/api/entities', withCookie(viewer)))).items).toHaveLength(2);
    expect((await app.request('/api/rulebook/try', withCookie(viewer, json({ text: 'x' })))).status).toBe(403);
  });

  test('users: invite with a one-time password, duplicates refused, directors need an entity, disabling ends sessions', async () => {
    const admin = await signIn('admin@test.bh');
    const invited = await app.request('/api/users', withCookie(admin, json({ email: 'new.director@test.bh', role: 'director', entityIds: [entityB] })));
    expect(invited.status).toBe(201);
    const { user, oneTimePassword } = await j(invited);
    expect(user).toMatchObject({ role: 'director', entityIds: [entityB], mustChangePassword: true });
    expect(passwordProblem(oneTimePassword)).toBeNull();
    expect((await app.request('/api/users', withCookie(admin, json({ email: 'NEW.director@test.bh', role: 'viewer' })))).status).toBe(409);
    const noEntity = await app.request('/api/users', withCookie(admin, json({ email: 'd2@test.bh', role: 'director' })));
    expect(noEntity.status).toBe(400);
    expect((await j(noEntity)).error.message).toMatch(/at least one entity/);
    const weak = await app.request('/api/users', withCookie(admin, json({ email: 'd3@test.bh', role: 'viewer', password: 'short' })));
    expect(weak.status).toBe(400);

    const theirs = cookieOf(await login('new.director@test.bh', oneTimePassword))!;
    expect((await app.request('/api/auth/me', withCookie(theirs))).status).toBe(200);
    const disabled = await app.request(`/api/users/${user.id}`, withCookie(admin, { method: 'PATCH', body: JSON.stringify({ disabled: true }), headers: { 'content-type': 'application/json' } }));
    expect((await j(disabled)).disabled).toBe(true);
    expect((await app.request('/api/auth/me', withCookie(theirs))).status).toBe(401);
    expect((await login('new.director@test.bh', oneTimePassword)).status).toBe(401);

    const me = (await j(app.request('/api/auth/me', withCookie(admin)))).user;
    const self = await app.request(`/api/users/${me.id}`, withCookie(admin, { method: 'PATCH', body: JSON.stringify({ disabled: true }), headers: { 'content-type': 'application/json' } }));
    expect(self.status).toBe(409);
  });

  test('changing the password checks the current one and the policy, and signs out the other sessions', async () => {
    await addUser('changer@test.bh', 'viewer');
    const a = await signIn('changer@test.bh');
    const b = await signIn('changer@test.bh');
    const change = (body: unknown) => app.request('/api/auth/password', withCookie(a, json(body)));
    expect((await change({ currentPassword: 'wrong', newPassword: 'a much better secret 7' })).status).toBe(400);
    expect((await change({ currentPassword: PASSWORD, newPassword: 'changer@test.bh is me' })).status).toBe(400);
    const ok = await change({ currentPassword: PASSWORD, newPassword: 'a much better secret 7' });
    expect(ok.status).toBe(200);
    expect((await app.request('/api/auth/me', withCookie(b))).status).toBe(401);
    expect((await app.request('/api/auth/me', withCookie(cookieOf(ok)!))).status).toBe(200);
    expect((await login('changer@test.bh', 'a much better secret 7')).status).toBe(200);
  });

  test('the audit log is append-only in the database, searchable and exported as CSV with a byte-order mark', async () => {
    await expect(sql`update audit_log set action = 'x'`.execute(h.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(h.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(h.db)).rejects.toThrow(/append-only/);
    const admin = await signIn('admin@test.bh');
    const found = await j(app.request('/api/audit?action=auth.login-failed&q=nobody', withCookie(admin)));
    expect(found.items.map((r: { objectId: string }) => r.objectId)).toEqual(['nobody@test.bh']);
    const csv = await app.request('/api/audit/export?action=user.created', withCookie(admin));
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('new.director@test.bh');
    const viewer = await signIn('viewer@test.bh');
    expect((await app.request('/api/audit', withCookie(viewer))).status).toBe(403);
  });

  test('the demo users: one per role, the director directs community-health, the given password works', async () => {
    await upsertEntity(h.db, { slug: 'community-health', nameAr: 'الصحة المجتمعية', nameEn: 'Community Health', timezone: 'Asia/Bahrain' });
    const printed = await seedDemoUsers(h.db);
    expect(new Set(printed.map((u) => u.password)).size).toBe(DEMO_USERS.length);
    const chosen = await seedDemoUsers(h.db, 'demo password for tests');
    expect(chosen.map((u) => [u.email, u.role])).toEqual([
      ['admin@mizan.local', 'admin'],
      ['oversight@mizan.local', 'oversight'],
      ['director@mizan.local', 'director'],
      ['viewer@mizan.local', 'viewer'],
    ]);
    const res = await login('director@mizan.local', 'demo password for tests');
    expect(res.status).toBe(200);
    const entities = await j(app.request('/api/entities', withCookie(cookieOf(res)!)));
    expect(entities.items.map((e: { slug: string }) => e.slug)).toEqual(['community-health']);
    expect((await login('admin@mizan.local', printed[0].password)).status).toBe(401);
  });
});
