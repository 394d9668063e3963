// npm run bench:api: every dashboard endpoint under load on PostgreSQL, at 10, 50 and 200 connections (autocannon),
// each endpoint on its own: p50/p95/p99, requests/s, errors and non-2xx answers; beside it the baseline, the same
// periods' figures computed straight from post/post_score (the SQL run directly, timed in the same run).
// The app runs as `npm run serve` builds it (the API pool of db/client.ts) in a child process on a real port, and the
// clients are sessions signed in through POST /api/auth/login, as a browser does.
//   npm run bench:api -- --duration 5 --connections 10,50,200 [--endpoints overview-180d,search] [--plans] [--cache-seconds 0]
// --plans also saves EXPLAIN (ANALYZE, BUFFERS) of every query each endpoint runs into test/bench/plans/<endpoint>.txt.
// Database: DATABASE_URL when it already holds posts (the scale database of `npm run bench:scale`; bench users are
// added for the run and removed after); otherwise a database of its own on TEST_DATABASE_URL's (or DATABASE_URL's)
// server, loaded with the demo data and dropped after.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import { apiPoolConfig, createDb } from '../../db/client.ts';
import { addDays } from '../../db/queries/periods.ts';
import { insertSession, insertUser } from '../../db/queries/users.ts';
import type { Role } from '../../db/schema.ts';
import { testConfig } from '../../jobs/config.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { SESSION_COOKIE } from '../../server/auth.ts';
import { hashPassword } from '../../server/passwords.ts';
import { testDb } from '../helpers/db.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10,50,200' },
    endpoints: { type: 'string' },
    plans: { type: 'boolean', default: false },
    'pool-size': { type: 'string', default: '20' },
    'baseline-runs': { type: 'string', default: '3' },
    /** The server's MIZAN_DASHBOARD_CACHE_SECONDS (0: every request computed, the figures before the answer cache). */
    'cache-seconds': { type: 'string', default: '30' },
    /** Internal: run as the server child on this database URL. */
    serve: { type: 'string' },
  },
});
const PASSWORD = 'bench-Password-2026!';
const PLANS_DIR = path.join(import.meta.dirname, 'plans');

/** The child: the app as `npm run serve` builds it (the API's pool: bounded wait, statement limit), on a free port of 127.0.0.1. */
async function serveChild(url: string) {
  const poolSize = Number(flags['pool-size']);
  const handle = await createDb(apiPoolConfig(url, poolSize));
  // Rate limits off: a few hundred sessions from one address and one machine would be throttled long before the server is.
  const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', DATABASE_POOL_SIZE: poolSize, MIZAN_DASHBOARD_CACHE_SECONDS: Number(flags['cache-seconds']) });
  const app = createApp({ db: handle.db, dbKind: handle.kind, config });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  server.once('listening', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
  // Requests still running when the load stops would find the pool closed: the process ends with them.
  process.once('SIGTERM', () => process.exit(0));
}

function startChild(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), '--import', 'tsx', new URL(import.meta.url).pathname, '--serve', url, '--pool-size', flags['pool-size'], '--cache-seconds', flags['cache-seconds']], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code} before listening`)));
  });
}

interface Session {
  role: Role;
  cookie: string;
  /** The entity whose scorecard and trend this client opens (a director's own). */
  entityId: number;
}

interface Endpoint {
  name: string;
  path: (s: Session) => string;
  /** Roles that may call it (every role when unset). */
  roles?: Role[];
  /** The baseline: the same figures straight from post/post_score. */
  baseline?: string;
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 0.5);
const fmt = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));

/** The baseline SQL for a period: totals by period, per entity, and by category, from the post tables without rollups. */
function baselineSql(from: string, to: string, interval: 'day' | 'week' | 'month') {
  return [
    `select date_trunc('${interval}', p.local_day) as period, count(*), avg(s.score), count(*) filter (where s.verdict = 'violation')
       from post p join post_score s on s.post_id = p.id where p.local_day between '${from}' and '${to}' group by 1`,
    `select p.entity_id, count(*), avg(s.score), count(*) filter (where s.verdict = 'violation')
       from post p join post_score s on s.post_id = p.id where p.local_day between '${from}' and '${to}' group by 1`,
    `select f.category, count(*) from finding f join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
       join post p on p.id = f.post_id where p.local_day between '${from}' and '${to}' group by 1`,
  ].join(';\n');
}

async function timeSql(url: string, statements: string, runs: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      for (const s of statements.split(';\n')) await client.query(s);
      times.push(performance.now() - t0);
    }
    return median(times);
  } finally {
    await client.end();
  }
}

/** The data set: an existing database with posts (DATABASE_URL), or a fresh one with the demo data. */
async function openData(): Promise<{ url: string; existing: boolean; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ any: boolean }>('select exists (select 1 from post) as any');
      if (rows[0].any) return { url, existing: true, close: async () => {} };
    } catch {
      // no such database or no post table: load the demo data
    } finally {
      await client.end().catch(() => {});
    }
  }
  const adminUrl = process.env.TEST_DATABASE_URL ?? url;
  if (!adminUrl) throw new Error('Set DATABASE_URL (a database with posts, such as the one npm run bench:scale loads) or TEST_DATABASE_URL (a server where a demo database is created and dropped)');
  process.env.TEST_DATABASE_URL = adminUrl;
  const h = await testDb('postgres');
  const t0 = performance.now();
  await seedDemo(h.db);
  const r = await runImportPipeline({ db: h.db, rulebook: loadRulebook(), connectors, log: () => {} }, { now: new Date() });
  if (r.errors.length) throw new Error(`demo import failed: ${JSON.stringify(r.errors)}`);
  // Statistics as autovacuum would have them by now, so that the plans are the ones a running server gets.
  await sql`analyze`.execute(h.db);
  console.log(`demo data imported, scored and rolled up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { url: h.url!, existing: false, close: () => h.close() };
}

async function main() {
  const duration = Number(flags.duration);
  const levels = flags.connections.split(',').map(Number);
  const maxConnections = Math.max(...levels);
  const data = await openData();
  const handle = await createDb({ databaseUrl: data.url, poolSize: 4 });
  const db = handle.db;
  const runId = randomBytes(3).toString('hex');
  let child: ChildProcess | undefined;
  try {
    const facts = await db
      .selectFrom('post')
      .select((eb) => [eb.fn.max('local_day').as('last'), eb.fn.count<string>('entity_id').distinct().as('entities')])
      .executeTakeFirstOrThrow();
    const estimate = (await db.selectFrom('pg_class' as never).select('reltuples as n' as never).where('relname' as never, '=', 'post' as never).executeTakeFirst()) as { n: number } | undefined;
    const posts = Math.max(estimate?.n ?? 0, 0) > 100_000 ? Math.round(estimate!.n) : Number((await db.selectFrom('post').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const last = String(facts.last);
    console.log(
      `Mizan API load benchmark: ${os.cpus().length} cores, Node ${process.version}, PostgreSQL, ${data.existing ? 'existing database' : 'demo data'}: ` +
        `~${posts.toLocaleString('en')} posts of ${facts.entities} entities up to ${last}; ${levels.join(' / ')} connections, ${duration} s per endpoint and level, API pool ${flags['pool-size']}, answer cache ${flags['cache-seconds']} s\n`,
    );

    // Bench users of each role (two directors of different entities), removed at the end.
    const entities = (await db.selectFrom('entity').select('id').orderBy('id').execute()).map((e) => e.id);
    const hash = await hashPassword(PASSWORD);
    const roles: [Role, number[]][] = [['admin', []], ['oversight', []], ['viewer', []], ['director', [entities[0]]], ['director', [entities[1] ?? entities[0]]]];
    const users: { id: number; email: string; role: Role; entityId: number | null }[] = [];
    for (const [role, entityIds] of roles) {
      const u = await insertUser(db, { email: `bench-${runId}-${role}-${users.length}@bench.mizan`, role, entityIds, passwordHash: hash });
      users.push({ id: u.id, email: u.email, role, entityId: entityIds[0] ?? null });
    }

    const periods = {
      '30d': { from: addDays(last, -29), to: last, interval: 'day' },
      '180d': { from: addDays(last, -179), to: last, interval: 'week' },
      '2y': { from: addDays(last, -729), to: last, interval: 'month' },
    } as const;
    const q = (p: (typeof periods)[keyof typeof periods]) => `from=${p.from}&to=${p.to}&interval=${p.interval}`;
    const staff: Role[] = ['admin', 'oversight'];
    const all: Endpoint[] = [
      { name: 'overview-30d', path: () => `/api/overview?${q(periods['30d'])}`, baseline: baselineSql(periods['30d'].from, last, 'day') },
      { name: 'overview-180d', path: () => `/api/overview?${q(periods['180d'])}`, baseline: baselineSql(periods['180d'].from, last, 'week') },
      { name: 'overview-2y', path: () => `/api/overview?${q(periods['2y'])}`, baseline: baselineSql(periods['2y'].from, last, 'month') },
      { name: 'scorecard', path: (s) => `/api/entities/${s.entityId}?from=${periods['180d'].from}&to=${last}` },
      { name: 'trend', path: (s) => `/api/entities/${s.entityId}/trend?${q(periods['180d'])}` },
      { name: 'accounts', path: () => '/api/accounts' },
      { name: 'posts', path: () => '/api/posts?verdict=violation&limit=25' },
      { name: 'search', path: () => `/api/posts?q=${encodeURIComponent('الخدمات')}&limit=25` },
      { name: 'search-no-match', path: () => `/api/posts?q=${encodeURIComponent('زلزلة')}&limit=25` },
      { name: 'review-queue', path: () => '/api/findings?limit=50', roles: staff },
    ];
    const chosen = flags.endpoints ? all.filter((e) => flags.endpoints!.split(',').includes(e.name)) : all;
    if (!chosen.length) throw new Error(`no endpoint named ${flags.endpoints}; they are ${all.map((e) => e.name).join(', ')}`);

    if (flags.plans) await savePlans(data.url, db, users[0].id, chosen, posts, last);

    const started = await startChild(data.url);
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;

    // Sign-ins through the API, four at a time (scrypt is deliberately slow).
    let t0 = performance.now();
    const sessions: Session[] = [];
    const queue = Array.from({ length: maxConnections }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const u = users[i % users.length];
          const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: u.email, password: PASSWORD }) });
          if (res.status !== 200) throw new Error(`sign-in of ${u.email} answered ${res.status}: ${await res.text()}`);
          const cookie = res.headers.get('set-cookie')!.split(';')[0];
          sessions.push({ role: u.role, cookie, entityId: u.entityId ?? entities[i % entities.length] });
        }
      }),
    );
    console.log(`${sessions.length} clients signed in (distinct sessions: ${new Set(sessions.map((s) => s.cookie)).size}) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    // Warm-up (JIT, the database's caches): a few requests per endpoint, not measured.
    for (const e of chosen) {
      for (const s of sessions.filter((x) => !e.roles || e.roles.includes(x.role)).slice(0, 5)) {
        const res = await fetch(`${base}${e.path(s)}`, { headers: { cookie: s.cookie } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`warm-up: ${e.name} answered ${res.status}`);
      }
    }

    type Row = { endpoint: string; connections: number; rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: string };
    const rows: Row[] = [];
    for (const connections of levels) {
      for (const e of chosen) {
        const eligible = sessions.filter((x) => !e.roles || e.roles.includes(x.role));
        let next = 0;
        const latencies: number[] = [];
        const statuses = new Map<number, number>();
        t0 = performance.now();
        const result = await new Promise<autocannon.Result>((resolve, reject) => {
          const instance = autocannon(
            {
              url: base,
              connections,
              duration,
              timeout: 30,
              setupClient: (client: autocannon.Client) => {
                const s = eligible[next++ % eligible.length];
                // As a browser sends them: the session cookie and the encodings it takes.
                client.setRequests([{ method: 'GET', path: e.path(s), headers: { cookie: s.cookie, 'accept-encoding': 'gzip, deflate, br' } }]);
              },
            },
            (err, r) => (err ? reject(err) : resolve(r)),
          );
          instance.on('response', (_client, status, _bytes, ms) => {
            latencies.push(ms);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
          });
        });
        const seconds = (performance.now() - t0) / 1000;
        const sorted = latencies.sort((a, b) => a - b);
        const other = [...statuses].filter(([s]) => s < 200 || s > 299).map(([s, n]) => `${n}×${s}`);
        const row: Row = {
          endpoint: e.name,
          connections,
          rps: sorted.length / Math.max(seconds, duration),
          p50: pct(sorted, 0.5),
          p95: pct(sorted, 0.95),
          p99: pct(sorted, 0.99),
          errors: result.errors + result.timeouts,
          non2xx: other.length ? other.join(', ') : '0',
        };
        rows.push(row);
        console.log(`${String(connections).padStart(3)} conn  ${e.name.padEnd(16)} ${fmt(row.rps).padStart(7)} req/s  p50 ${fmt(row.p50).padStart(7)}  p95 ${fmt(row.p95).padStart(7)}  p99 ${fmt(row.p99).padStart(7)} ms  errors ${row.errors}  non-2xx ${row.non2xx}`);
      }
    }

    // The baseline, in the same run: each overview period's figures straight from the post tables.
    const runs = Number(flags['baseline-runs']);
    const baselines = new Map<string, number>();
    for (const e of chosen) if (e.baseline) baselines.set(e.name, await timeSql(data.url, e.baseline, runs));

    console.log(`\n| endpoint | ${levels.map((l) => `${l} conn: req/s · p50 / p95 / p99 ms · errors`).join(' | ')} | baseline (same figures from post/post_score, median of ${runs}) |`);
    console.log(`|---|${levels.map(() => '---').join('|')}|---|`);
    for (const e of chosen) {
      const cells = levels.map((l) => {
        const r = rows.find((x) => x.endpoint === e.name && x.connections === l)!;
        return `${fmt(r.rps)} · ${fmt(r.p50)} / ${fmt(r.p95)} / ${fmt(r.p99)} · ${r.errors}${r.non2xx === '0' ? '' : ` (${r.non2xx})`}`;
      });
      const b = baselines.get(e.name);
      console.log(`| \`${e.path(sessions[0]).split('?')[0]}\` ${e.name} | ${cells.join(' | ')} | ${b === undefined ? '' : `${fmt(b)} ms`} |`);
    }
    const errors = rows.reduce((n, r) => n + r.errors, 0);
    const bad = rows.filter((r) => r.non2xx !== '0').length;
    console.log(`\n${errors} errors; ${bad} endpoint/level runs with non-2xx answers (503 busy is the bounded queue refusing)`);
    if (errors) process.exitCode = 1;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (data.existing) await db.deleteFrom('app_user').where('email', 'like', `bench-${runId}-%@bench.mizan`).execute().catch((err) => console.error(`bench users left behind: ${(err as Error).message}`));
    await handle.close();
    await data.close();
  }
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of every query an endpoint runs (captured from the app in this process, signed in as
 * an admin; the sign-in's own queries left out), one file per endpoint under test/bench/plans/.
 */
async function savePlans(url: string, db: Awaited<ReturnType<typeof createDb>>['db'], adminId: number, endpoints: Endpoint[], posts: number, last: string) {
  let captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const traced = await createDb({ databaseUrl: url, poolSize: 4, onQuery: (sql, parameters) => captured.push({ sql, parameters }) });
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  fs.mkdirSync(PLANS_DIR, { recursive: true });
  try {
    // Without the answer cache: the plans are those of the queries that compute each answer.
    const app = createApp({ db: traced.db, dbKind: 'postgres', config: testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_DASHBOARD_CACHE_SECONDS: 0 }) });
    const token = await insertSession(db, adminId, { ip: null, userAgent: 'bench-plans', now: new Date(), times: { idleMinutes: 120, maxHours: 12 } });
    const session: Session = { role: 'admin', cookie: `${SESSION_COOKIE}=${token}`, entityId: (await db.selectFrom('entity').select('id').orderBy('id').executeTakeFirstOrThrow()).id };
    // The sign-in check's own queries: what a request to no route at all runs; left out of every endpoint's plans.
    captured = [];
    await (await app.request('/api/no-such-route', { headers: { cookie: session.cookie } })).arrayBuffer();
    const signIn = new Set(captured.map((c) => c.sql));
    for (const e of endpoints) {
      const url = e.path(session);
      await (await app.request(url, { headers: { cookie: session.cookie } })).arrayBuffer(); // warm
      captured = [];
      const res = await app.request(url, { headers: { cookie: session.cookie } });
      await res.arrayBuffer();
      const queries = captured.filter((c) => /^\s*(select|with)\b/i.test(c.sql) && !signIn.has(c.sql) && !/set_config|mizan_fold\(\$1\) as "?folded/.test(c.sql));
      let out = `# ${e.name}: GET ${url} (status ${res.status})\n# ${new Date().toISOString().slice(0, 10)}, PostgreSQL, ~${posts.toLocaleString('en')} posts up to ${last}; EXPLAIN (ANALYZE, BUFFERS) of the ${queries.length} queries it runs\n`;
      for (const [i, c] of queries.entries()) {
        const { rows } = await client.query(`explain (analyze, buffers) ${c.sql}`, c.parameters as unknown[]);
        out += `\n## query ${i + 1}\n${c.sql}\n-- parameters: ${JSON.stringify(c.parameters)}\n\n${rows.map((r) => r['QUERY PLAN']).join('\n')}\n`;
      }
      fs.writeFileSync(path.join(PLANS_DIR, `${e.name}.txt`), out);
      console.log(`plan of ${e.name}: ${queries.length} queries -> test/bench/plans/${e.name}.txt`);
    }
    console.log('');
  } finally {
    await client.end();
    await traced.close();
  }
}

if (flags.serve) void serveChild(flags.serve);
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
