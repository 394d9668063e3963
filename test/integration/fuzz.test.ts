// Generated input (fast-check) at every API route, signed in (admin, director) and not: malformed JSON, wrong types,
// 1 MB strings, unicode tricks and path tricks in the path, the query and the body. Every answer is below 500, every
// 4xx has the one error shape, no answer shows a stack trace or a file path, and the app still answers afterwards.
// Also the security headers.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Db, DbHandle } from '../../db/client.ts';
import { testConfig } from '../../jobs/config.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { ACCESS } from '../../server/auth.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
/** Generated requests per route and caller, on top of the fixed cases: enough to vary, short enough for < 60 s. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);

const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent' });
const routes = [
  ...new Set(
    createApp({ db: null as unknown as Db, dbKind: 'pglite', config })
      .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/') && !r.path.includes('*'))
      .map((r) => `${r.method} ${r.path}`),
  ),
].sort();

const MB = 'ب'.repeat(512 * 1024); // 1 MB of UTF-8
/** Strings that have broken parsers: direction overrides, NUL, lone surrogates, stacked combining marks, numbers in disguise. */
const TRICKS = [
  '\u202eevil\u202c',
  '\u2066x\u2069\u200f',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  'e' + '\u0301'.repeat(200),
  '\ufeff',
  '١٢٣',
  '-1',
  '0',
  '1.5',
  '1e3',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  ' 7 ',
  '9'.repeat(400),
  '9007199254740993',
  "' or 1=1 --",
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '{}',
  '[]',
  'null',
  'true',
  '',
];
/** Path segments as an attacker would send them (not encoded again). */
const PATH_TRICKS = ['..', '%2e%2e', '%ed%a0%80', '..%2f..%2fetc%2fpasswd', '%00', '%2500', '%ff', '%', '%e2%80%ae', '-1', '1.5', '1e3', '0', '9'.repeat(1000), '%20', '.', '~'];
const FIELDS = ['email', 'password', 'name', 'scope', 'status', 'reason', 'note', 'kind', 'decision', 'ids', 'entityIds', 'entityId', 'role', 'disabled', 'alertDigest', 'text', 'lastPosts', 'draft', 'lang', 'accountType', 'token', 'handle', 'platform', 'type', 'everywhere', 'currentPassword', 'newPassword', 'month', 'entity', 'from', 'to', '__proto__', 'constructor'];
const QUERY_KEYS = ['from', 'to', 'interval', 'entity', 'account', 'platform', 'verdict', 'category', 'severity', 'status', 'lang', 'q', 'limit', 'cursor', 'before', 'actor', 'action', 'age', 'appeal', 'month', 'page', '__proto__'];
const MALFORMED = ['{', '{"a":', 'not json', '[1,2', '{"a":1}}', '\u0000', 'null', '"text"', '1e999', '{"__proto__":{"admin":true}}', "{'single':'quotes'}", '{"a":NaN}', '\ud800', '[]'.repeat(5000), '['.repeat(100_000)];

const anyString = fc.oneof(fc.constantFrom(...TRICKS), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 20 }));
const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(anyString, fc.integer()), { maxLength: 4 }),
  fc.dictionary(anyString, anyString, { maxKeys: 3 }),
);
const body = fc.oneof(
  fc.constantFrom(...MALFORMED),
  fc.dictionary(fc.constantFrom(...FIELDS), jsonValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v)),
);
const query = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), anyString), anyString, { maxKeys: 4 });
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined);

interface Req {
  params: string[];
  query: Record<string, string>;
  body: string;
  contentType: string | undefined;
}

/** The path with each :param replaced by the request's values (raw path tricks, or encoded strings). */
function urlOf(path: string, req: Req): string {
  let i = 0;
  const filled = path.replace(/:[a-zA-Z]+/g, () => req.params[i++] ?? '1');
  const qs = new URLSearchParams(req.query).toString();
  return qs ? `${filled}?${qs}` : filled;
}

const LEAK = [/\n\s+at /, /node_modules/, /\.(ts|js|mjs):\d+/, /file:\/\//, new RegExp(process.cwd().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))];

/** What is wrong with an answer (null: nothing). */
async function problemOf(res: Response): Promise<string | null> {
  const text = await res.text();
  if (res.status >= 500) return `answered ${res.status}: ${text.slice(0, 300)}`;
  const leak = LEAK.find((re) => re.test(text));
  if (leak) return `answered ${res.status} with ${leak} in its body: ${text.slice(0, 300)}`;
  if (res.status >= 400) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `answered ${res.status} without JSON: ${text.slice(0, 200)}`;
    }
    const e = (parsed as { error?: Record<string, unknown> })?.error;
    const shaped =
      parsed !== null && typeof parsed === 'object' && Object.keys(parsed).length === 1 && e && typeof e === 'object' && typeof e.code === 'string' && typeof e.message === 'string' && Object.keys(e).every((k) => ['code', 'message', 'details'].includes(k));
    if (!shaped) return `answered ${res.status} without the error shape: ${text.slice(0, 200)}`;
  }
  return null;
}

describe.each(BACKENDS)('generated input on every API route on %s', (kind) => {
  let h: DbHandle;
  let app: ReturnType<typeof createApp>;
  let realIds: string[];

  beforeAll(async () => {
    h = await testDb(kind);
    await seedDemo(h.db);
    const rulebook = loadRulebook();
    const deps: JobDeps = { db: h.db, rulebook, connectors, log: () => {} };
    const account = await h.db.selectFrom('account').select('id').where('platform', '=', 'x').orderBy('id').executeTakeFirstOrThrow();
    expect((await runImportPipeline(deps, { now: NOW, accountIds: [account.id] })).errors).toEqual([]);
    await h.db.updateTable('account').set({ active: false }).execute();
    app = createApp({ db: h.db, dbKind: h.kind, config, now: () => NOW, jobs: deps });
    // Ids that exist, so that some generated requests get past the lookups.
    const finding = await h.db.selectFrom('finding').select(['id', 'post_id']).orderBy('id').executeTakeFirstOrThrow();
    realIds = [String(account.id), String(finding.id), String(finding.post_id), '1', '2', rulebook.version];
  }, 120_000);

  afterAll(async () => {
    await h?.close();
  });

  const caller = async (who: 'anonymous' | 'admin' | 'director'): Promise<TestClient['request']> => {
    if (who === 'anonymous') return async (url, init) => app.request(url, init);
    const entity = await h.db.selectFrom('entity').select('id').where('slug', '=', 'community-health').executeTakeFirstOrThrow();
    return (await signedIn(app, h.db, { role: who, entityIds: who === 'director' ? [entity.id] : [], now: NOW })).request;
  };

  const send = (request: TestClient['request'], method: string, path: string, req: Req) => {
    const init: RequestInit = { method };
    if (method !== 'GET' && method !== 'HEAD') init.body = req.body;
    if (req.contentType) init.headers = { 'content-type': req.contentType };
    return request(urlOf(path, req), init);
  };

  /** The same tricks every time, so each kind of input reaches each route whatever the generator draws. */
  const fixedCases = (method: string, paramCount: number): Req[] => {
    const p = (v: string) => Array.from({ length: paramCount }, () => v);
    const json = 'application/json';
    const cases: Req[] = [
      { params: p('1'), query: Object.fromEntries(QUERY_KEYS.map((k) => [k, '\u202e\u0000\ud800'])), body: '{}', contentType: json },
      { params: p('1'), query: { q: MB.slice(0, 20_000), from: '9999-99-99', to: '2026-02-30', limit: '1e309', cursor: MB.slice(0, 5000), entity: '-1', before: '1.5' }, body: '{}', contentType: json },
    ];
    if (paramCount) cases.push(...PATH_TRICKS.map((t) => ({ params: p(t), query: {}, body: '{}', contentType: json })));
    if (method !== 'GET' && method !== 'DELETE') {
      cases.push(
        ...MALFORMED.map((b) => ({ params: p('1'), query: {}, body: b, contentType: json })),
        { params: p('1'), query: {}, body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, MB.slice(0, 4096)]))), contentType: json },
        { params: p('1'), query: {}, body: JSON.stringify({ email: MB, password: MB, name: MB, text: MB, note: MB, token: MB }), contentType: json },
        { params: p('1'), query: {}, body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, [{ nested: [1, null, {}] }]]))), contentType: json },
        { params: p('1'), query: {}, body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, -1.5e308]))), contentType: json },
        { params: p('1'), query: {}, body: JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, TRICKS[0] + TRICKS[2] + TRICKS[3] + TRICKS[5]]))), contentType: json },
        { params: p('1'), query: {}, body: '{"a":1}', contentType: 'text/plain' },
        { params: p('1'), query: {}, body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
      );
    }
    return cases;
  };

  describe.each(['anonymous', 'admin', 'director'] as const)('as %s', (who) => {
    test.each(routes)('%s', async (key) => {
      const [method, path] = key.split(' ');
      const paramCount = (path.match(/:[a-zA-Z]+/g) ?? []).length;
      const request = await caller(who);
      const problems: string[] = [];
      // Without a session every route but the public ones answers 401 before reading anything: fewer cases there.
      const isPublic = ACCESS[key]?.who === 'public';
      for (const req of who === 'anonymous' && !isPublic ? fixedCases(method, paramCount).slice(0, 3) : fixedCases(method, paramCount)) {
        const problem = await problemOf(await send(request, method, path, req));
        if (problem) problems.push(`${method} ${urlOf(path, req).slice(0, 200)} (body ${req.body.slice(0, 60)}): ${problem}`);
      }
      const param = fc.oneof(fc.constantFrom(...PATH_TRICKS, ...realIds), anyString.map((v) => encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\ufffd'))), fc.integer().map(String), fc.double().map(String));
      const generated = fc.record({ params: fc.array(param, { minLength: paramCount, maxLength: paramCount }), query, body, contentType });
      await fc.assert(
        fc.asyncProperty(generated, async (req) => {
          const problem = await problemOf(await send(request, method, path, req));
          if (problem) throw new Error(`${method} ${urlOf(path, req).slice(0, 200)} (body ${req.body.slice(0, 60)}): ${problem}`);
        }),
        { numRuns: who === 'anonymous' && !isPublic ? Math.ceil(RUNS / 4) : RUNS },
      );
      expect(problems, problems.join('\n')).toEqual([]);
    });
  });

  test('the app still answers afterwards', async () => {
    expect((await app.request('/api/health')).status).toBe(200);
    const admin = await caller('admin');
    expect((await admin('/api/overview')).status).toBe(200);
  });

  test('security headers: a strict CSP, no framing, no referrer, no sniffing, HSTS', async () => {
    for (const res of [await app.request('/api/health'), await app.request('/api/overview'), await app.request('/api/posts/%ff')]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'self'"]);
      expect(csp).not.toMatch(/unsafe-eval|\*/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
