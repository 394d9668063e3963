// npm run bench: start-up time to the first signed-in 200 from /api/overview, the first chart drawn in a browser,
// and latency of the overview and an entity trend on PGlite and PostgreSQL with the full demo data. Baseline, in
// the same run: the same period's totals computed straight from post and post_score (what the rollups save us).
//   npm run bench -- --only startup,chart     (parts: startup, chart, latency; all by default)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { sql } from 'kysely';
import type { DbHandle, DbKind } from '../../db/client.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import { createApp } from '../../server/app.ts';
import { insertSession, insertUser } from '../../db/queries/users.ts';
import { SESSION_COOKIE } from '../../server/auth.ts';
import { testConfig } from '../../jobs/config.ts';
import { testDb } from '../helpers/db.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);
const { values: flags } = parseArgs({ options: { only: { type: 'string', default: 'startup,chart,latency' }, 'chart-runs': { type: 'string', default: '7' } } });
const parts = new Set(flags.only.split(','));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The flags of the browser tests (test/e2e/harness.ts).
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const pgUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), p95: at(0.95), n: s.length };
}
const ms = (n: number) => `${n.toFixed(1)} ms`;

const DEMO_PASSWORD = 'bench demo password 1';

/** Signs in as the demo admin as soon as the server answers, then waits for a 200 from `url` with that session. */
async function waitFor200(url: string, timeoutMs: number): Promise<{ at: number; cookie: string }> {
  const t0 = performance.now();
  let cookie: string | null = null;
  while (performance.now() - t0 < timeoutMs) {
    try {
      if (!cookie) {
        const login = await fetch(new URL('/api/auth/login', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'admin@mizan.local', password: DEMO_PASSWORD }) });
        cookie = login.status === 200 ? (login.headers.get('set-cookie') ?? '').split(';')[0] : null;
        if (!cookie) throw new Error('not signed in yet');
      }
      const res = await fetch(url, { headers: { cookie } });
      if (res.status === 200) return { at: performance.now(), cookie };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no 200 from ${url} within ${timeoutMs} ms`);
}

/** Runs `npm start` (web build when its sources changed included) and times process start -> first 200 from the overview; `whileUp` runs before it is stopped. */
async function timeStartup(dataDir: string, port: number, waitForPosts: boolean, whileUp?: (base: string, cookie: string) => Promise<void>) {
  const t0 = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: String(port), MIZAN_DATA_DIR: dataDir, DATABASE_URL: '', MIZAN_DEMO_PASSWORD: DEMO_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  try {
    const first = await waitFor200(`http://127.0.0.1:${port}/api/overview`, 120_000);
    const first200 = first.at - t0;
    let withData = first200;
    if (waitForPosts) {
      for (;;) {
        const body = (await (await fetch(`http://127.0.0.1:${port}/api/jobs`, { headers: { cookie: first.cookie } })).json()) as { runs: { job: string; status: string }[] };
        if (body.runs.some((r) => r.job === 'import' && r.status !== 'running')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      withData = performance.now() - t0;
    }
    if (whileUp) await whileUp(`http://127.0.0.1:${port}`, first.cookie);
    return { first200, withData };
  } finally {
    // npm starts the server as a child: stop the whole process group.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      // npm exits before the server it started has closed the database: wait for the whole group to be gone.
      for (;;) {
        try {
          process.kill(-child.pid!, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } else {
      console.error(`npm start exited early (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 500));
    if (child.exitCode && child.exitCode !== 0 && !output.includes('shutting down')) console.error(output);
  }
}

/**
 * The first chart drawn after navigation: a fresh browser context (empty cache) signed in with `cookie` opens the
 * overview; the time is the page's own clock (from navigation start) when the first chart reports it has rendered.
 */
async function timeFirstChart(base: string, cookie: string, runs: number) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const [name, value] = cookie.split('=');
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs + 1; i++) {
      const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
      await context.addCookies([{ name, value, url: base }]);
      const page = await context.newPage();
      const drawnAt = async () => {
        const handle = await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-chart-ready="true"]') ? performance.now() : false), undefined, { polling: 'raf', timeout: 30_000 });
        return (await handle.jsonValue()) as number;
      };
      await page.goto(`${base}/?lang=en`);
      const first = await drawnAt();
      // The first run warms the server (and the page cache of the files); it is not counted.
      if (i > 0) cold.push(first);
      // The same context again: the browser's cache holds the hashed files (immutable).
      await page.goto(`${base}/?lang=ar`);
      const again = await drawnAt();
      if (i > 0) warm.push(again);
      await context.close();
    }
    return { cold: stats(cold), warm: stats(warm) };
  } finally {
    await browser.close();
  }
}

async function loadDemo(h: DbHandle) {
  const t0 = performance.now();
  await seedDemo(h.db);
  const r = await runImportPipeline({ db: h.db, rulebook: loadRulebook(), connectors, log: () => {} }, { now: new Date() });
  return { posts: r.counts.inserted, seconds: (performance.now() - t0) / 1000 };
}

async function latency(kind: DbKind) {
  const h = await testDb(kind);
  try {
    const loaded = await loadDemo(h);
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    // A signed-in oversight user's session, sent as the browser sends it.
    const user = await insertUser(h.db, { email: 'bench@mizan.local', role: 'oversight', passwordHash: null });
    const cookie = `${SESSION_COOKIE}=${await insertSession(h.db, user.id, { ip: null, userAgent: 'bench', now: new Date(), times: { idleMinutes: 120, maxHours: 12 } })}`;
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as { port: number }).port;
    const entity = (await h.db.selectFrom('entity').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const endpoints: Record<string, string> = {
      overview: '/api/overview',
      'overview 18 months': '/api/overview?interval=month&from=2025-05-24&to=2026-11-24',
      'entity trend': `/api/entities/${entity}/trend?interval=week`,
      'entity scorecard': `/api/entities/${entity}`,
      'posts page': '/api/posts?verdict=violation&limit=25',
    };
    const results: Record<string, ReturnType<typeof stats>> = {};
    for (const [name, url] of Object.entries(endpoints)) {
      for (let i = 0; i < 10; i++) await (await fetch(`http://127.0.0.1:${port}${url}`, { headers: { cookie } })).arrayBuffer(); // warm-up
      const samples: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        const res = await fetch(`http://127.0.0.1:${port}${url}`, { headers: { cookie } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url} -> ${res.status}`);
        samples.push(performance.now() - t0);
      }
      results[name] = stats(samples);
    }
    // Baseline: the 180-day totals and trend straight from the post tables, without rollups.
    const baseline: number[] = [];
    for (let i = 0; i < Math.min(ROUNDS, 50); i++) {
      const t0 = performance.now();
      await sql`select date_trunc('week', p.local_day) as period, count(*), avg(s.score), count(*) filter (where s.verdict = 'violation')
        from post p join post_score s on s.post_id = p.id where p.local_day > current_date - 180 group by 1`.execute(h.db);
      await sql`select p.entity_id, count(*), avg(s.score) from post p join post_score s on s.post_id = p.id where p.local_day > current_date - 180 group by 1`.execute(h.db);
      await sql`select f.category, count(*) from finding f join post p on p.id = f.post_id where p.local_day > current_date - 180 group by 1`.execute(h.db);
      baseline.push(performance.now() - t0);
    }
    server.close();
    return { loaded, results, baseline: stats(baseline) };
  } finally {
    await h.close();
  }
}

async function main() {
  console.log(`Mizan API benchmark — ${os.cpus().length} cores, Node ${process.version}, ${ROUNDS} requests per endpoint\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-bench-'));
  try {
    if (parts.has('startup')) {
      // Baseline in the same run: a start whose web sources "changed" (the stored hash removed), so the web app is rebuilt.
      fs.rmSync('dist/web.source-hash', { force: true });
      const rebuildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-bench-rebuild-'));
      const rebuild = await timeStartup(rebuildDir, 39_099, false).finally(() => fs.rmSync(rebuildDir, { recursive: true, force: true }));
      console.log(`start-up with a web build (sources changed), empty data dir: first 200 from /api/overview after ${ms(rebuild.first200)}`);
      const fresh = await timeStartup(dir, 39_100, true);
      console.log(`start-up, web app unchanged, empty data dir: first 200 from /api/overview after ${ms(fresh.first200)} (target ≤ 8 s); first demo import (18 months) done after ${(fresh.withData / 1000).toFixed(1)} s`);
      const warm: number[] = [];
      for (let i = 0; i < 3; i++) warm.push((await timeStartup(dir, 39_101 + i, false)).first200);
      console.log(`start-up, web app unchanged, demo data already there (3 runs): median ${ms(stats(warm).median)} to the first 200 (target ≤ 4 s)\n`);
    }
    if (parts.has('chart')) {
      const runs = Number(flags['chart-runs']);
      await timeStartup(dir, 39_110, !parts.has('startup'), async (base, cookie) => {
        const chart = await timeFirstChart(base, cookie, runs);
        console.log(`first chart drawn after navigation to the overview (demo data, Chromium headless, ${runs} runs): median ${ms(chart.cold.median)} with an empty cache (p95 ${ms(chart.cold.p95)}), ${ms(chart.warm.median)} with the files cached (target ≤ 1 s)\n`);
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!parts.has('latency')) return;

  const kinds: DbKind[] = ['pglite'];
  try {
    const c = new (await import('pg')).default.Client({ connectionString: pgUrl });
    await c.connect();
    await c.end();
    process.env.TEST_DATABASE_URL = pgUrl;
    kinds.push('postgres');
  } catch {
    console.log(`PostgreSQL at ${pgUrl} is not reachable: measuring PGlite only\n`);
  }
  for (const kind of kinds) {
    const r = await latency(kind);
    console.log(`${kind}: ${r.loaded.posts} demo posts imported and scored in ${r.loaded.seconds.toFixed(1)} s`);
    for (const [name, s] of Object.entries(r.results)) console.log(`  ${name.padEnd(20)} median ${ms(s.median).padStart(9)}   p95 ${ms(s.p95).padStart(9)}`);
    console.log(`  baseline (same totals from the post tables, no rollups, no HTTP): median ${ms(r.baseline.median)} — overview is ${(r.baseline.median / r.results.overview.median).toFixed(1)}x faster\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
