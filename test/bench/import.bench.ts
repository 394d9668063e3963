// Import throughput end to end: `npm run bench:import`
// A fake X API v2 (test/fakes/x.ts, generated timelines; in a process of its own, test/bench/fake-x-process.ts, its pages
// rendered before the clock starts) serves BENCH_ACCOUNTS accounts (20) with BENCH_POSTS posts
// (200,000) in all over loopback; runImportPipeline fetches, maps, stores (posts, hash-chained versions, engagement
// snapshots, cursor), scores and rolls them up into a scratch database (`mizan_import_bench` on the server of
// DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; DATABASE_URL=pglite for the embedded one), which is
// dropped at the end. Prints posts/s overall and per stage, peak RSS (sampled every 100 ms) and RSS at 25/50/75/100%
// of the posts, then a baseline in the same run: the old row-by-row write path (MIZAN_WRITE_PATH=row) on 1/10 of the
// posts (BENCH_BASELINE_POSTS; 0 skips it; BENCH_BASELINE_PATH=locked: the set-based path without the one-statement
// write of new pages), and the ratio.
import pg from 'pg';
import { sql } from 'kysely';
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { createDb, type DbHandle } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { setWritePath, type WritePath } from '../../db/queries/imports.ts';
import { createXConnector } from '../../jobs/connectors/x.ts';
import type { Connector } from '../../jobs/connectors/types.ts';
import { importLanesFor, type JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const POSTS = Number(process.env.BENCH_POSTS ?? 200_000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20);
const BASELINE_POSTS = Number(process.env.BENCH_BASELINE_POSTS ?? Math.round(POSTS / 10));
// The baseline's write path: row (post by post, the default) or locked (set-based, five round trips a page).
const BASELINE_PATH: WritePath = process.env.BENCH_BASELINE_PATH === 'locked' ? 'locked' : 'row';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PGLITE = DATABASE_URL === 'pglite';
const DB_NAME = 'mizan_import_bench';
// Accounts imported at once (BENCH_LANES; default what a PostgreSQL deployment runs, importLanesFor).
const LANES = Number(process.env.BENCH_LANES ?? importLanesFor(PGLITE ? 'pglite' : 'postgres'));
const TOKEN = 'bench-x-token';
const NOW = new Date('2026-11-20T09:00:00Z');
const ENTITIES = Math.max(1, Math.ceil(ACCOUNTS / 4));


// ---------------------------------------------------------------------------------------------------------------
// Stage clock: the time of the run is given to the stage in progress. fetch+map is the connector's fetchPage;
// store runs from its return to the import's progress callback (savePostsPage: one transaction per page); score
// and rollup start at their first query; the rest (leases, run records) is "other".
type Stage = 'other' | 'fetch' | 'store' | 'score' | 'rollup';
const clock = { stage: 'other' as Stage, at: 0, spent: { other: 0, fetch: 0, store: 0, score: 0, rollup: 0 } as Record<Stage, number> };
function enter(stage: Stage) {
  const t = performance.now();
  clock.spent[clock.stage] += t - clock.at;
  clock.stage = stage;
  clock.at = t;
}
function resetClock() {
  clock.stage = 'other';
  clock.at = performance.now();
  for (const k of Object.keys(clock.spent) as Stage[]) clock.spent[k] = 0;
}

const SCORE_TABLES = new Set(['post_score', 'finding', 'rulebook_version', 'verdict_change', 'account_finding']);
const ROLLUP_TABLES = new Set(['rollup_day', 'rollup_category_day']);
function tablesOf(node: RootOperationNode): { tables: string[]; raw: string } {
  const names: string[] = [];
  const table = (n: OperationNode | undefined) => {
    if (n && n.kind === 'TableNode') names.push((n as unknown as { table: { identifier: { name: string } } }).table.identifier.name);
    if (n && n.kind === 'AliasNode') table((n as unknown as { node: OperationNode }).node);
  };
  const any = node as unknown as Record<string, unknown>;
  if (node.kind === 'RawNode') return { tables: [], raw: (any.sqlFragments as string[]).join(' ') };
  if (node.kind === 'InsertQueryNode') table(any.into as OperationNode);
  if (node.kind === 'UpdateQueryNode') table(any.table as OperationNode);
  for (const f of ((any.from as { froms?: OperationNode[] } | undefined)?.froms ?? [])) table(f);
  for (const j of (any.joins as { table: OperationNode }[] | undefined) ?? []) table(j.table);
  return { tables: names, raw: '' };
}
const stagePlugin: KyselyPlugin = {
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    const { tables, raw } = tablesOf(node);
    if (raw.includes('mizan:rollup') || tables.some((t) => ROLLUP_TABLES.has(t))) enter('rollup');
    else if (raw.includes('mizan:score') || raw.includes('from finding') || tables.some((t) => SCORE_TABLES.has(t))) enter('score');
    else if (raw.includes('lease_owner')) enter('other');
    return node;
  },
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  },
};

// BENCH_TRACE=1: the time of each kind of statement (its first 70 characters), printed after the run.
const trace = new Map<string, { n: number; ms: number }>();
if (process.env.BENCH_TRACE) {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?');
    const t = performance.now();
    const out = query.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function') {
      void (out as Promise<unknown>).then(
        () => {
          const key = text.replace(/\s+/g, ' ').slice(0, 70);
          const e = trace.get(key) ?? { n: 0, ms: 0 };
          e.n++;
          e.ms += performance.now() - t;
          trace.set(key, e);
        },
        () => {},
      );
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function scratchDb(name: string): Promise<DbHandle> {
  if (PGLITE) {
    const h = await createDb({ dataDir: 'memory://' });
    await migrateToLatest(h.db);
    return h;
  }
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  const h = await createDb({ databaseUrl: url.toString(), poolSize: 4 });
  await migrateToLatest(h.db);
  // Diagnosis only: what the post search index (trigrams of the folded text) costs the import.
  if (process.env.BENCH_WITHOUT_SEARCH_INDEX) await sql`drop index post_text_folded_trgm_idx`.execute(h.db);
  if (process.env.BENCH_GIN_PENDING_KB) await sql.raw(`alter index post_text_folded_trgm_idx set (gin_pending_list_limit = ${Number(process.env.BENCH_GIN_PENDING_KB)})`).execute(h.db);
  return {
    ...h,
    async close() {
      await h.close();
      if (process.env.BENCH_KEEP) return;
      const dropper = new pg.Client({ connectionString: DATABASE_URL });
      await dropper.connect();
      await dropper.query(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

interface RunFigures {
  posts: number;
  seconds: number;
  stages: Record<Stage, number>;
  peakRss: number;
  rssAt: number[];
  counts: Record<string, number>;
  errors: number;
}

/** The fake X API in its own process (test/bench/fake-x-process.ts), its pages rendered before the clock starts. */
async function startFakeX(posts: number, accounts: number): Promise<{ url: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fake-x-process.ts', import.meta.url).pathname, String(posts), String(accounts), TOKEN, NOW.toISOString()], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake X process exited (${code}) before serving`)));
  });
  const { url, pages } = JSON.parse(first) as { url: string; pages: number };
  console.error(`  fake X API: ${pages} pages rendered, at ${url}`);
  return {
    url,
    async close() {
      child.kill();
      await exited;
    },
  };
}

async function run(label: string, posts: number, accounts: number, path: WritePath): Promise<RunFigures> {
  setWritePath(path);
  const h = await scratchDb(label === 'main' ? DB_NAME : `${DB_NAME}_base`);
  const served = await startFakeX(posts, accounts);
  try {
    const perAccount = Math.floor(posts / accounts);
    const total = perAccount * accounts;
    const entityIds: number[] = [];
    for (let e = 0; e < Math.max(1, Math.ceil(accounts / 4)); e++) {
      entityIds.push(await upsertEntity(h.db, { slug: `bench-${e}`, nameAr: `جهة ${e}`, nameEn: `Entity ${e}` }));
    }
    const ids: number[] = [];
    for (let a = 0; a < accounts; a++) {
      ids.push(await upsertAccount(h.db, { entityId: entityIds[a % entityIds.length], platform: 'x', connector: 'x', handle: `bench_${a}`, type: a % 5 === 4 ? 'executive' : 'official' }));
    }
    const x = createXConnector({ baseUrl: served.url, bearerToken: TOKEN });
    const timed: Connector = {
      ...x,
      async fetchPage(account, ctx) {
        enter('fetch');
        try {
          return await x.fetchPage(account, ctx);
        } finally {
          enter('store');
        }
      },
    };
    const deps: JobDeps = { db: h.db.withPlugin(stagePlugin), rulebook: loadRulebook(), connectors: { x: timed }, log: (m) => console.error(`  ${m}`), importLanes: LANES };

    let stored = 0;
    const lastStored = new Map<string, number>();
    let peakRss = process.memoryUsage().rss;
    const marks = [0.25, 0.5, 0.75, 1];
    const rssAt: number[] = [];
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    resetClock();
    const t0 = performance.now();
    const result = await runImportPipeline(deps, {
      now: NOW,
      accountIds: ids,
      maxPagesPerAccount: 100_000,
      onProgress(p) {
        enter('other');
        stored += p.stored - (lastStored.get(p.handle) ?? 0);
        lastStored.set(p.handle, p.stored);
        while (rssAt.length < marks.length && stored >= marks[rssAt.length] * total) {
          const rss = process.memoryUsage().rss;
          peakRss = Math.max(peakRss, rss);
          rssAt.push(rss);
        }
      },
    }).finally(() => clearInterval(sampler));
    enter('other');
    const seconds = (performance.now() - t0) / 1000;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const { counts } = result;
    if (result.errors.length) console.error(`  errors: ${result.errors.map((e) => `${e.handle}: ${e.error}`).join('; ')}`);
    if (counts.inserted !== total) console.error(`  expected ${total} posts, stored ${counts.inserted}`);
    return { posts: counts.inserted, seconds, stages: { ...clock.spent }, peakRss, rssAt, counts, errors: result.errors.length };
  } finally {
    await served.close();
    await h.close();
  }
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const rate = (n: number, ms: number) => (ms > 0 ? Math.round(n / (ms / 1000)).toLocaleString('en') : '–');

function print(label: string, f: RunFigures) {
  console.log(`${label}: ${f.posts.toLocaleString('en')} posts in ${f.seconds.toFixed(1)} s = ${rate(f.posts, f.seconds * 1000)} posts/s`);
  for (const s of ['fetch', 'store', 'score', 'rollup', 'other'] as Stage[]) {
    console.log(`  ${s.padEnd(10)} ${(f.stages[s] / 1000).toFixed(1).padStart(7)} s  ${rate(f.posts, f.stages[s]).padStart(9)} posts/s`);
  }
  console.log(`  peak RSS ${mb(f.peakRss)}; RSS at 25/50/75/100% of the posts: ${f.rssAt.map(mb).join(' / ')}`);
  console.log(`  counts: ${JSON.stringify(f.counts)}`);
}

async function main() {
  console.log(`import bench: ${POSTS.toLocaleString('en')} posts, ${ACCOUNTS} accounts, ${ENTITIES} entities, ${PGLITE ? 'PGlite (in memory)' : 'PostgreSQL'}, ${LANES} account(s) at once (stage times add up only with 1)`);
  const main = await run('main', POSTS, ACCOUNTS, 'set');
  print('set-based write path', main);
  if (BASELINE_POSTS > 0) {
    const base = await run('baseline', BASELINE_POSTS, Math.max(1, Math.round(ACCOUNTS / 10)), BASELINE_PATH);
    print(`baseline: ${BASELINE_PATH === 'row' ? 'row-by-row' : 'set-based locked'} write path`, base);
    console.log(`ratio: ${(main.posts / main.seconds / (base.posts / base.seconds)).toFixed(1)}×`);
  }
  if (trace.size) {
    console.log('statements (all runs), by total time:');
    for (const [k, e] of [...trace].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`  ${e.ms.toFixed(0).padStart(7)} ms ${String(e.n).padStart(6)}×  ${k}`);
  }
}

await main();
