// npm run bench:api: the dashboard under load on PostgreSQL. Seeds the demo data set through the normal path (demo
// connector, scoring, rollups), starts the app on a real port in a child process (so the load generator does not
// share its event loop), signs in 200 clients through POST /api/auth/login (distinct sessions of users of every role),
// then holds 200 connections on the overview, an entity scorecard, an entity trend and the posts list for 60 s.
// Prints per endpoint: throughput, p50/p95/p99 latency, errors and non-2xx answers (target: 0 errors).
//   npm run bench:api -- --duration 10 --connections 200
// PostgreSQL from TEST_DATABASE_URL or DATABASE_URL (a database of its own is created and dropped).
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { createDb } from '../../db/client.ts';
import { insertUser } from '../../db/queries/users.ts';
import { testConfig } from '../../jobs/config.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { hashPassword } from '../../server/passwords.ts';
import { testDb } from '../helpers/db.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '200' },
    /** Internal: run as the server child on this database URL. */
    serve: { type: 'string' },
  },
});
const PASSWORD = 'bench-Password-2026!';

/** The child: the app as `npm run serve` builds it (production rate limits), on a free port of 127.0.0.1. */
async function serveChild(url: string) {
  const handle = await createDb({ databaseUrl: url, poolSize: 20 });
  // Production limits for signed-in callers; the sign-in of 200 clients from one address needs a higher anonymous one.
  const config = { ...testConfig({ MIZAN_WEB_DIR: '/nonexistent', DATABASE_POOL_SIZE: 20 }), MIZAN_RATE_LIMIT: 20, MIZAN_RATE_BURST: 100, MIZAN_RATE_LIMIT_ANONYMOUS: 1000, MIZAN_RATE_BURST_ANONYMOUS: 1000 };
  const app = createApp({ db: handle.db, dbKind: handle.kind, config });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  server.once('listening', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
  // Requests still running when the load stops would find the pool closed: the process ends with them (the parent drops the database).
  process.once('SIGTERM', () => process.exit(0));
}

function startChild(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', url], { stdio: ['ignore', 'pipe', 'inherit'] });
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
  role: string;
  cookie: string;
  /** The entity whose scorecard and trend this client opens (a director's own). */
  entityId: number;
}

const pct = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN);

async function main() {
  const duration = Number(flags.duration);
  const connections = Number(flags.connections);
  const adminUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('Set TEST_DATABASE_URL or DATABASE_URL to a PostgreSQL server (a database of its own is created and dropped)');
  process.env.TEST_DATABASE_URL = adminUrl;
  console.log(`Mizan API load benchmark: ${os.cpus().length} cores, Node ${process.version}, PostgreSQL, ${connections} connections for ${duration} s\n`);

  const h = await testDb('postgres');
  let child: ChildProcess | undefined;
  try {
    let t0 = performance.now();
    await seedDemo(h.db);
    const r = await runImportPipeline({ db: h.db, rulebook: loadRulebook(), connectors, log: () => {} }, { now: new Date() });
    if (r.errors.length) throw new Error(`demo import failed: ${JSON.stringify(r.errors)}`);
    const counts = await h.db
      .selectFrom('post')
      .select((eb) => [eb.fn.countAll<string>().as('posts'), eb.fn.count<string>('entity_id').distinct().as('entities')])
      .executeTakeFirstOrThrow();
    console.log(`data: ${counts.posts} demo posts of ${counts.entities} entities imported, scored and rolled up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // A few users of each role; directors of two different entities.
    const entities = (await h.db.selectFrom('entity').select(['id', 'slug']).orderBy('id').execute()).map((e) => e.id);
    const hash = await hashPassword(PASSWORD);
    const users: { email: string; role: string; entityId: number | null }[] = [];
    for (const [role, entityIds] of [['admin', []], ['oversight', []], ['viewer', []], ['director', [entities[0]]], ['director', [entities[1]]]] as const) {
      const u = await insertUser(h.db, { email: `${role}-${users.length}@bench.mizan`, role, entityIds: [...entityIds], passwordHash: hash });
      users.push({ email: u.email, role, entityId: entityIds[0] ?? null });
    }

    const started = await startChild(h.url!);
    child = started.child;
    const base = `http://127.0.0.1:${started.port}`;

    // 200 sign-ins through the API, four at a time (scrypt is deliberately slow).
    t0 = performance.now();
    const sessions: Session[] = [];
    const queue = Array.from({ length: connections }, (_, i) => i);
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

    const endpoints: Record<string, (s: Session) => string> = {
      'GET /api/overview': () => '/api/overview',
      'GET /api/entities/:id (scorecard)': (s) => `/api/entities/${s.entityId}`,
      'GET /api/entities/:id/trend': (s) => `/api/entities/${s.entityId}/trend?interval=week`,
      'GET /api/posts (one page)': () => '/api/posts?verdict=violation&limit=25',
    };
    const names = Object.keys(endpoints);
    // Warm-up (JIT, lazily loaded modules, the database's caches): a few requests per endpoint and role, not measured.
    for (const name of names) {
      for (const s of sessions.slice(0, 20)) {
        const res = await fetch(`${base}${endpoints[name](s)}`, { headers: { cookie: s.cookie } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`warm-up: ${name} answered ${res.status}`);
      }
    }
    // Each endpoint gets a quarter of the connections, each connection a session of its own.
    let next = 0;
    const runs = names.map((name, i) => {
      const conns = Math.floor(connections / names.length) + (i < connections % names.length ? 1 : 0);
      const latencies: number[] = [];
      const statuses = new Map<number, number>();
      return new Promise<{ name: string; result: autocannon.Result; latencies: number[]; statuses: Map<number, number> }>((resolve, reject) => {
        const instance = autocannon(
          {
            url: base,
            connections: conns,
            duration,
            timeout: 30,
            setupClient: (client: autocannon.Client) => {
              const s = sessions[next++ % sessions.length];
              client.setRequests([{ method: 'GET', path: endpoints[name](s), headers: { cookie: s.cookie } }]);
            },
          },
          (err, result) => (err ? reject(err) : resolve({ name, result, latencies, statuses })),
        );
        instance.on('response', (_client, status, _bytes, ms) => {
          latencies.push(ms);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        });
      });
    });
    const results = await Promise.all(runs);

    const rows = results.map(({ name, result, latencies, statuses }) => {
      const sorted = latencies.sort((a, b) => a - b);
      const other = [...statuses].filter(([s]) => s < 200 || s > 299).map(([s, n]) => `${n}×${s}`);
      return {
        endpoint: name,
        'req/s': Math.round(sorted.length / duration),
        requests: sorted.length,
        'p50 ms': pct(sorted, 0.5).toFixed(1),
        'p95 ms': pct(sorted, 0.95).toFixed(1),
        'p99 ms': pct(sorted, 0.99).toFixed(1),
        errors: result.errors + result.timeouts,
        'non-2xx': result.non2xx + (other.length ? ` (${other.join(', ')})` : ''),
      };
    });
    console.table(rows);
    const total = rows.reduce((n, r) => n + r.requests, 0);
    const errors = results.reduce((n, r) => n + r.result.errors + r.result.timeouts, 0);
    const non2xx = results.reduce((n, r) => n + r.result.non2xx, 0);
    console.log(`\nall endpoints: ${Math.round(total / duration)} requests/s, ${total} requests, ${errors} errors, ${non2xx} non-2xx (target 0 errors)`);
    if (errors || non2xx) process.exitCode = 1;
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await h.close();
  }
}

if (flags.serve) void serveChild(flags.serve);
else
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
