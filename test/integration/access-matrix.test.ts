// The access matrix, generated from the app's own route list: every API route × every kind of caller (anonymous,
// each role, a read and an admin API token) × an object of the caller's entity and of another entity, with the status
// the ACCESS rule says. A route without a rule, a rule without a route, or a route whose path parameters this file
// cannot fill fails the suite, naming them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db, DbHandle } from '../../db/client.ts';
import type { Role } from '../../db/schema.ts';
import { insertApiToken } from '../../db/queries/users.ts';
import { testConfig } from '../../jobs/config.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { ACCESS, type AccessRule } from '../../server/auth.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();

/** The API routes the app registers ("METHOD /api/path"), handlers only (middleware is 'ALL'). */
export function apiRouteKeys(routes: readonly { method: string; path: string }[]): string[] {
  const keys = routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.includes('*')).map((r) => `${r.method} ${r.path}`);
  return [...new Set(keys)].sort();
}

// The route list is fixed when the app is built (no database is touched until a request arrives).
const routeKeys = apiRouteKeys(createApp({ db: null as unknown as Db, dbKind: 'pglite', config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) }).routes);

type Side = 'own' | 'other';
interface Objects {
  entity: Record<Side, number>;
  account: Record<Side, number>;
  post: Record<Side, number>;
  finding: Record<Side, number>;
  report: Record<Side, number>;
  user: number;
  token: number;
  version: string;
}

/**
 * How each path parameter is filled, keyed by the path up to the parameter. `entityBound`: the object belongs to an
 * entity, so a director (or scoped viewer) gets their own entity's object or another entity's.
 */
const PARAMS: Record<string, { entityBound: boolean; value: (o: Objects, side: Side) => string | number }> = {
  '/api/entities/:id': { entityBound: true, value: (o, s) => o.entity[s] },
  '/api/accounts/:id': { entityBound: true, value: (o, s) => o.account[s] },
  '/api/posts/:id': { entityBound: true, value: (o, s) => o.post[s] },
  '/api/findings/:id': { entityBound: true, value: (o, s) => o.finding[s] },
  '/api/reports/:id': { entityBound: true, value: (o, s) => o.report[s] },
  '/api/users/:id': { entityBound: false, value: (o) => o.user },
  '/api/tokens/:id': { entityBound: false, value: (o) => o.token },
  '/api/rulebook/versions/:version': { entityBound: false, value: (o) => o.version },
};

/** Bodies where a `{}` would be refused before the object is looked up (a 400 where a director must get 404). */
const BODIES: Record<string, unknown> = {
  'POST /api/findings/:id/review': { status: 'dismissed', reason: 'other', note: 'access matrix' },
  'POST /api/findings/:id/respond': { kind: 'explanation', note: 'access matrix' },
  'POST /api/findings/:id/appeal': { note: 'access matrix' },
  'POST /api/findings/:id/appeal-decision': { decision: 'rejected', note: 'access matrix' },
};

/** The parameters of a route path, each with its table entry (or null when the table has none). */
function paramsOf(path: string) {
  const segments = path.split('/');
  return segments.flatMap((s, i) => (s.startsWith(':') ? [{ name: s, prefix: segments.slice(0, i + 1).join('/'), fill: PARAMS[segments.slice(0, i + 1).join('/')] ?? null }] : []));
}

type Caller = 'anonymous' | 'admin' | 'oversight' | 'director' | 'viewer' | 'read-token' | 'admin-token';
const CALLERS: Caller[] = ['anonymous', 'admin', 'oversight', 'director', 'viewer', 'read-token', 'admin-token'];
/** Callers limited to one entity (the "own" one): another entity's object is a 404 to them. */
const SCOPED = new Set<Caller>(['director', 'viewer']);
const roleOf = (c: Exclude<Caller, 'anonymous'>): Role => (c === 'read-token' || c === 'admin-token' ? 'admin' : c);

type Expected = 'allowed' | 401 | 403 | 404;

/** The status the rule promises the caller (before any validation of the request itself). */
export function expectedStatus(rule: AccessRule, method: string, caller: Caller, side: Side | null): Expected {
  if (rule.who === 'public') return 'allowed';
  if (caller === 'anonymous') return 401;
  if (caller === 'read-token' && method !== 'GET') return 403;
  if (rule.sessionOnly && caller.endsWith('-token')) return 403;
  if (rule.who !== 'any' && !rule.who.includes(roleOf(caller))) return 403;
  if (SCOPED.has(caller) && side === 'other') return 404;
  return 'allowed';
}

test('every API route the app registers has an access rule', () => {
  const missing = routeKeys.filter((k) => !ACCESS[k]);
  expect(missing, `routes without a rule in server/auth.ts ACCESS (the middleware refuses them with 403 no-access-rule):\n${missing.join('\n')}`).toEqual([]);
});

test('every access rule names a route the app registers', () => {
  const stale = Object.keys(ACCESS).filter((k) => !routeKeys.includes(k));
  expect(stale, `ACCESS rules without a route (a misspelt rule leaves its real route without one):\n${stale.join('\n')}`).toEqual([]);
});

test('this file can fill the path parameters of every API route', () => {
  const unfilled = routeKeys.flatMap((k) => paramsOf(k.split(' ')[1]).filter((p) => !p.fill).map((p) => `${k} (${p.name}: add "${p.prefix}" to PARAMS)`));
  expect(unfilled, `routes whose path parameters the access matrix cannot fill:\n${unfilled.join('\n')}`).toEqual([]);
});

describe.each(BACKENDS)('access matrix on %s', (kind) => {
  let h: DbHandle;
  let app: ReturnType<typeof createApp>;
  let objects: Objects;

  beforeAll(async () => {
    h = await testDb(kind);
    await seedDemo(h.db);
    // Real posts and findings in two entities, through the normal import and scoring path (demo connector).
    const entities = await h.db.selectFrom('entity').select(['id', 'slug']).orderBy('id').execute();
    const own = entities.find((e) => e.slug === 'community-health')!.id;
    const other = entities.find((e) => e.id !== own)!.id;
    const accountOf = async (entityId: number) =>
      (await h.db.selectFrom('account').select('id').where('entity_id', '=', entityId).where('platform', '=', 'x').orderBy('id').executeTakeFirstOrThrow()).id;
    const account = { own: await accountOf(own), other: await accountOf(other) };
    const deps: JobDeps = { db: h.db, rulebook, connectors, log: () => {} };
    const r = await runImportPipeline(deps, { now: NOW, accountIds: [account.own, account.other] });
    expect(r.errors).toEqual([]);
    // Inactive: "import now" answers 409 instead of starting an import in the background while the matrix runs.
    await h.db.updateTable('account').set({ active: false }).execute();
    const findingOf = async (entityId: number) =>
      h.db
        .selectFrom('finding as f')
        .innerJoin('post as p', 'p.id', 'f.post_id')
        .select(['f.id as findingId', 'p.id as postId'])
        .where('p.entity_id', '=', entityId)
        .orderBy('f.id')
        .executeTakeFirstOrThrow();
    const [fOwn, fOther] = [await findingOf(own), await findingOf(other)];
    app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW, jobs: deps });
    const someone = await signedIn(app, h.db, { role: 'viewer', now: NOW });
    const { view } = await insertApiToken(h.db, someone.user.id, 'someone else', 'read');
    // Monthly reports of both entities, generated through the API as an admin would.
    const slugOf = (id: number) => entities.find((e) => e.id === id)!.slug;
    const admin = await signedIn(app, h.db, { role: 'admin', now: NOW });
    const generated = await admin.request('/api/reports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ month: '2026-10', entities: [slugOf(own), slugOf(other)], formats: ['csv'], langs: ['en'] }) });
    expect(generated.status, await generated.clone().text()).toBeLessThan(300);
    const reportOf = async (entityId: number) => (await h.db.selectFrom('report').select('id').where('entity_id', '=', entityId).orderBy('id').executeTakeFirstOrThrow()).id;
    const version = (await h.db.selectFrom('rulebook_version').select('version').orderBy('published_at', 'desc').executeTakeFirst())?.version ?? rulebook.version;
    objects = {
      entity: { own, other },
      account,
      post: { own: Number(fOwn.postId), other: Number(fOther.postId) },
      finding: { own: Number(fOwn.findingId), other: Number(fOther.findingId) },
      report: { own: await reportOf(own), other: await reportOf(other) },
      user: someone.user.id,
      token: view.id,
      version,
    };
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  /** A fresh caller for each request: a sign-out or a password change must not spoil the next case. */
  async function client(caller: Caller): Promise<TestClient | null> {
    if (caller === 'anonymous') return null;
    const entityIds = SCOPED.has(caller) ? [objects.entity.own] : [];
    const token = caller === 'read-token' ? 'read' : caller === 'admin-token' ? 'admin' : undefined;
    return signedIn(app, h.db, { role: roleOf(caller), entityIds, now: NOW, token });
  }

  test.each(routeKeys.filter((k) => ACCESS[k]))('%s', async (key) => {
    const [method, path] = key.split(' ');
    const rule = ACCESS[key];
    const params = paramsOf(path);
    const bound = params.some((p) => p.fill?.entityBound);
    const problems: string[] = [];
    for (const caller of CALLERS) {
      const sides: (Side | null)[] = bound && SCOPED.has(caller) ? ['own', 'other'] : [bound ? 'own' : null];
      for (const side of sides) {
        const url = params.reduce((u, p) => u.replace(p.name, encodeURIComponent(String(p.fill!.value(objects, side ?? 'own')))), path);
        const init: RequestInit = { method };
        if (method !== 'GET' && method !== 'DELETE') init.body = JSON.stringify(BODIES[key] ?? {});
        if (init.body) init.headers = { 'content-type': 'application/json' };
        const who = await client(caller);
        const res = await (who ? who.request(url, init) : app.request(url, init));
        const body = await res.text();
        const want = expectedStatus(rule, method, caller, side);
        const label = `${caller}${side ? ` (${side} entity's object)` : ''}: ${method} ${url} answered ${res.status}`;
        if (res.status >= 500) problems.push(`${label}, a server error: ${body.slice(0, 300)}`);
        else if (want === 'allowed' && (res.status === 401 || res.status === 403)) problems.push(`${label}, expected to be let through: ${body.slice(0, 200)}`);
        else if (want !== 'allowed' && res.status !== want) problems.push(`${label}, expected ${want}: ${body.slice(0, 200)}`);
        else if (want === 'allowed' && side === 'own' && SCOPED.has(caller) && res.status === 404) problems.push(`${label}: their own entity's object is not found`);
        // A read of objects that exist, with no query, has nothing to refuse.
        else if (want === 'allowed' && method === 'GET' && (res.status < 200 || res.status > 299)) problems.push(`${label}, expected a 2xx: ${body.slice(0, 200)}`);
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });
});
