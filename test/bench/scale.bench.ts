// A whole public sector in one database: `DATABASE_URL=postgres://…/mizan_scale npm run bench:scale -- --posts N`
// Creates the database if needed, migrates it, registers 100 entities and 1,000 accounts (file connector, one JSONL
// file per account under --files, default $TMPDIR/mizan-scale-files) with N posts over the last two years (Arabic and
// English government texts, ~12% with something the rulebook flags; test/bench/corpus.ts), then runs the REAL
// import (runImportPipeline's workers: leases, fetch, map, savePostsPage), the scoring job (runScoring) and the rollup
// of the dirty days (rollupDirty), one stage after the other, and prints posts/s of each stage and peak RSS. The
// data stays there (`DATABASE_URL=… npm run serve` serves it; users: `npm run cli -- user add …`).
//   --workers W       import workers (as W scheduler processes sharing a round through the account leases; default 2)
//   --baseline N      the same stages on N posts (default 10,000; 0 skips) in a scratch database, with the previous
//                     write path (row by row: a few statements per post, setWritePath('row')), for the ratio
//   --grow M          then grows the data to M posts in SQL (copies of the posts with new ids and a few seconds
//                     earlier, with their scores and findings; not through the import), rebuilds every rollup and
//                     prints the time; for the API measurements (npm run bench:api)
//   --reset           drops the database first (otherwise a database that already has posts is only grown)
//   --rescore         then publishes a changed rulebook and rescores every post (as after a publication) three times: the
//                     previous path (every post copied into the queue first; the baseline), this code's sweep of post by id
//                     with the worker pool, and the same with the engine in the main thread; prints the time to start and
//                     posts/s of each, the ratios, peak RSS, load average, and EXPLAIN (ANALYZE) of a sweep's batch half-way
//   --rescore-modes L which of those (comma-separated: previous,pool,main; default all)
//   --score-workers N the pool's worker threads (default: every core but one)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CompiledQuery, sql } from 'kysely';
import { createDb, type DbHandle } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { setWritePath, type WritePath } from '../../db/queries/imports.ts';
import { staleQuery } from '../../db/queries/scores.ts';
import { fileConnector } from '../../jobs/connectors/file.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importNextLeased, type ImportResult } from '../../jobs/import.ts';
import { rollupDirty, runRollup } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook, parseRulebook, readRulebookSources } from '../../jobs/scoring/engine.ts';
import { publishRulebook } from '../../jobs/rulebook-store.ts';
import { defaultScoreWorkers } from '../../jobs/score-pool.ts';
import { generatedText, rng } from './corpus.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(String(process.argv[i + 1]).replace(/_/g, ''));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} needs a number`);
  return v;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const POSTS = arg('posts', 200_000);
const GROW = arg('grow', 0);
const WORKERS = Math.max(1, arg('workers', 2));
const BASELINE = arg('baseline', 10_000);
const SCORE_WORKERS = arg('score-workers', defaultScoreWorkers());
const FILES = (() => {
  const i = process.argv.indexOf('--files');
  return i >= 0 ? process.argv[i + 1] : join(tmpdir(), 'mizan-scale-files');
})();
const ENTITIES = 100;
const ACCOUNTS = 1000;
const DAYS = 730;
const DATABASE_URL = process.env.DATABASE_URL;
if (!DATABASE_URL || !/^postgres(ql)?:\/\//.test(DATABASE_URL)) {
  console.error('bench:scale needs DATABASE_URL=postgres://…/<database> (PostgreSQL; created if missing)');
  process.exit(2);
}
// The posts end an hour before the run, so that the dashboard's recent periods have data.
const NOW = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);

// ---------------------------------------------------------------------------------------------------------------

/** Post i of account a: 80–280 characters, 60% Arabic, ~12% with something to flag, some replies; within two years. */
function record(a: number, i: number, perAccount: number, prefix: string) {
  const r = rng(a * 1_000_003 + i);
  const { text, lang } = generatedText(r, 0.12);
  // Evenly spread over the two years, oldest first (as a file drop of an archive is), with some jitter.
  const span = DAYS * 86_400_000;
  const at = NOW.getTime() - 3_600_000 - span + Math.floor(((i + r() * 0.9) / perAccount) * span);
  const views = Math.floor(r() * 50_000);
  return {
    id: `${prefix}${a}-${i}`,
    text,
    posted_at: new Date(at).toISOString(),
    lang,
    likes: Math.floor(views * r() * 0.05),
    shares: Math.floor(r() * 40),
    replies: Math.floor(r() * 25),
    views,
    is_reply: r() < 0.05,
  };
}

function writeFiles(dir: string, accounts: number, posts: number, prefix: string): number[] {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const counts: number[] = [];
  for (let a = 0; a < accounts; a++) {
    // Spread unevenly: some accounts post much more than others (0.25× to 1.75× the mean).
    const n = Math.max(1, Math.round((posts / accounts) * (0.25 + (1.5 * ((a * 7919) % accounts)) / accounts)));
    counts.push(n);
  }
  // Exactly `posts` in all.
  let diff = posts - counts.reduce((s, n) => s + n, 0);
  for (let a = 0; diff !== 0; a = (a + 1) % accounts) {
    const d = diff > 0 ? 1 : counts[a] > 1 ? -1 : 0;
    counts[a] += d;
    diff -= d;
  }
  for (let a = 0; a < accounts; a++) {
    const lines: string[] = [];
    for (let i = 0; i < counts[a]; i++) lines.push(JSON.stringify(record(a, i, counts[a], prefix)));
    writeFileSync(join(dir, `account-${a}.jsonl`), `${lines.join('\n')}\n`);
  }
  return counts;
}

async function openDb(url: string, reset: boolean): Promise<DbHandle> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use lower-case letters, digits and _`);
  const adminUrl = new URL(url);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  if (reset) await admin.query(`drop database if exists ${name} with (force)`);
  const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (!exists.rowCount) await admin.query(`create database ${name}`);
  await admin.end();
  const h = await createDb({ databaseUrl: url, poolSize: Math.max(4, WORKERS + 2) });
  await migrateToLatest(h.db);
  return h;
}

async function dropDb(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
sampler.unref();
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const perS = (n: number, s: number) => (s > 0 ? Math.round(n / s).toLocaleString('en') : '–');

interface Figures {
  posts: number;
  import: number;
  score: number;
  rollup: number;
  rollupDays: number;
  rss: { import: number; score: number; rollup: number };
  errors: number;
}

/** Registers the entities and accounts, writes the files, and runs import, scoring and rollup one after the other. */
async function load(h: DbHandle, posts: number, accounts: number, entities: number, dir: string, prefix: string, path: WritePath): Promise<Figures> {
  setWritePath(path);
  const t0 = performance.now();
  const counts = writeFiles(dir, accounts, posts, prefix);
  console.log(`  files: ${accounts} JSONL files, ${posts.toLocaleString('en')} posts, in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);
  const entityIds: number[] = [];
  for (let e = 0; e < entities; e++) {
    entityIds.push(
      await upsertEntity(h.db, { slug: `${prefix}entity-${e}`, nameAr: `الجهة الحكومية ${e + 1}`, nameEn: `Government Entity ${e + 1}`, website: `https://entity-${e}.example.gov.bh` }),
    );
  }
  const ids: number[] = [];
  for (let a = 0; a < accounts; a++) {
    const type = a % 10 < 7 ? 'official' : a % 10 < 9 ? 'executive' : 'employee';
    ids.push(
      await upsertAccount(h.db, {
        entityId: entityIds[a % entities],
        platform: 'file',
        connector: 'file',
        handle: `${prefix}account_${a}`,
        displayName: `Account ${a + 1}`,
        type,
        profileText: type === 'employee' ? 'موظف في الجهة، الآراء تمثلني' : null,
        config: { path: join(dir, `account-${a}.jsonl`), format: 'jsonl' },
      }),
    );
  }
  const deps: JobDeps = { db: h.db, rulebook: loadRulebook(), connectors: { file: fileConnector }, log: (m) => console.error(`  ${m}`) };

  // Import: W workers share the round through the account leases, as W scheduler processes would.
  const result: ImportResult = { counts: { accounts: 0, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, rejected: 0, warnings: 0 }, warnings: [], errors: [] };
  peakRss = process.memoryUsage().rss;
  let t = performance.now();
  // The round is the import's `now` (as a scheduled slot): an account run at it is done for this round.
  const round = NOW;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const owner = `bench-scale-worker-${w}:${process.pid}`;
      while (await importNextLeased(deps, owner, { round, accountIds: ids }, { now: NOW, maxPagesPerAccount: 100_000 }, result));
    }),
  );
  const importS = (performance.now() - t) / 1000;
  const rssImport = peakRss;
  if (result.errors.length) console.error(`  import errors: ${result.errors.slice(0, 5).map((e) => `${e.handle}: ${e.error}`).join('; ')}`);
  if (result.counts.inserted !== posts) console.error(`  expected ${posts} posts, imported ${result.counts.inserted}`);

  peakRss = process.memoryUsage().rss;
  t = performance.now();
  // The baseline keeps the engine in the main thread too (the previous path).
  const scored = await runScoring(deps, { now: NOW, profiles: true, workers: path === 'row' ? 0 : SCORE_WORKERS });
  const scoreS = (performance.now() - t) / 1000;
  const rssScore = peakRss;

  peakRss = process.memoryUsage().rss;
  t = performance.now();
  const { rows: dirty } = await sql<{ n: number }>`select count(*)::int as n from rollup_dirty`.execute(h.db);
  await rollupDirty(h.db);
  const rollupS = (performance.now() - t) / 1000;
  void counts;
  return {
    posts: result.counts.inserted,
    import: importS,
    score: scored.counts.posts ? scoreS : 0,
    rollup: rollupS,
    rollupDays: dirty[0].n,
    rss: { import: rssImport, score: rssScore, rollup: peakRss },
    errors: result.errors.length,
  };
}

function print(label: string, f: Figures) {
  console.log(`${label}: ${f.posts.toLocaleString('en')} posts`);
  console.log(`  import   ${f.import.toFixed(1).padStart(7)} s  ${perS(f.posts, f.import).padStart(9)} posts/s   peak RSS ${mb(f.rss.import)}`);
  console.log(`  scoring  ${f.score.toFixed(1).padStart(7)} s  ${perS(f.posts, f.score).padStart(9)} posts/s   peak RSS ${mb(f.rss.score)}`);
  console.log(`  rollup   ${f.rollup.toFixed(1).padStart(7)} s  ${perS(f.posts, f.rollup).padStart(9)} posts/s   (${f.rollupDays.toLocaleString('en')} entity-days)   peak RSS ${mb(f.rss.rollup)}`);
  const total = f.import + f.score + f.rollup;
  console.log(`  in all   ${total.toFixed(1).padStart(7)} s  ${perS(f.posts, total).padStart(9)} posts/s`);
}

/**
 * Grows the posts to `target` in SQL: copies of the existing posts (new ids, a few seconds earlier, the same day,
 * same text) with their scores and findings, in rounds; the queue and account counters are then set straight, and
 * every rollup is rebuilt. Not through the import: for the read side's measurements only.
 */
async function grow(h: DbHandle, target: number): Promise<void> {
  const count = async () => Number((await sql<{ n: string }>`select count(*) as n from post`.execute(h.db)).rows[0].n);
  let have = await count();
  if (have >= target) return console.log(`grow: ${have.toLocaleString('en')} posts already`);
  const t0 = performance.now();
  for (let k = 1; have < target; k++) {
    const t = performance.now();
    const want = Math.min(target - have, have);
    await h.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ base: string; max: string }>`select coalesce(max(id), 0) as base, coalesce(max(id), 0) as max from post`.execute(trx);
      const shift = Number(rows[0].base);
      // Copies are not queued for scoring (their scores are copied): the insert trigger is off for this transaction.
      await sql`alter table post disable trigger post_inserted`.execute(trx);
      await sql`
        insert into post (id, account_id, entity_id, platform_post_id, url, text, text_truncated, text_length, lang, posted_at, local_day,
          captured_at, updated_at, likes, shares, replies, views, is_reply, is_repost, raw, edited_at, deleted_at, revision)
        select id + ${shift}::int8, account_id, entity_id, platform_post_id || '~g' || ${shift}::int8, url, text, text_truncated, text_length, lang,
          posted_at - make_interval(secs => ${k}::int4), local_day, captured_at, updated_at, likes, shares, replies, views, is_reply, is_repost, raw,
          edited_at, deleted_at, revision
        from post where id <= ${shift}::int8 order by id limit ${want}::int8`.execute(trx);
      await sql`alter table post enable trigger post_inserted`.execute(trx);
      await sql`
        insert into post_score (post_id, rulebook_version, score, verdict, categories, max_severity, findings, scored_at, post_revision)
        select post_id + ${shift}::int8, rulebook_version, score, verdict, categories, max_severity, findings, scored_at, post_revision
        from post_score where post_id in (select id - ${shift}::int8 from post where id > ${shift}::int8)`.execute(trx);
      await sql`
        insert into finding (post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset, status, created_at)
        select f.post_id + ${shift}::int8, f.rule_id, f.category, f.severity, f.rulebook_version, f.match, f.start_offset, f.end_offset, f.status, f.created_at
        from finding f where f.post_id in (select id - ${shift}::int8 from post where id > ${shift}::int8)`.execute(trx);
      await sql`select setval(pg_get_serial_sequence('post', 'id'), (select max(id) from post))`.execute(trx);
    });
    have = await count();
    console.log(`  grow round ${k}: ${have.toLocaleString('en')} posts (+${want.toLocaleString('en')} in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  await sql`
    update account_post_summary s set posts_captured = c.n, last_post_at = c.last
    from (select account_id, count(*)::int as n, max(posted_at) as last from post group by account_id) c
    where c.account_id = s.account_id`.execute(h.db);
  const t = performance.now();
  await runRollup(h.db, { days: 'all' });
  const rebuild = (performance.now() - t) / 1000;
  await sql`analyze`.execute(h.db);
  console.log(`grow: ${have.toLocaleString('en')} posts in ${((performance.now() - t0) / 1000).toFixed(1)} s; full rollup rebuild ${rebuild.toFixed(1)} s = ${perS(have, rebuild)} posts/s`);
}

/** A rulebook that differs from the default (and from the last run's): a trial rule with a term of this run. */
function changedRulebook(tag: string) {
  const rule = `category: reputation
rules:
  - id: reputation.bench.rescore
    severity: low
    lang: any
    kind: lexicon
    title: { ar: "تجربة", en: "Bench" }
    explanation: { ar: "قاعدة تجريبية لقياس إعادة التقييم.", en: "A trial rule to measure rescoring." }
    terms: [exhibition, المعرض, bench${tag}]
`;
  return parseRulebook({ ...readRulebookSources(), 'bench-rescore.yaml': rule });
}

/**
 * The previous path's start of a rescoring (before 0023): every stale post copied into score_pending in one
 * INSERT … SELECT under the scorers' lock, then ANALYZE; the run then reads the queue only (no sweep).
 */
async function fillQueueAsBefore(h: DbHandle, version: string): Promise<number> {
  const added = await h.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('mizan:score'))`.execute(trx);
    const r = await sql`
      insert into score_pending (post_id)
      select p.id from post p left join post_score s on s.post_id = p.id
      where s.post_id is null or s.rulebook_version <> ${version}::text or s.post_revision <> p.revision
      on conflict do nothing`.execute(trx);
    await sql`delete from score_pending q where not exists (select 1 from post p where p.id = q.post_id)`.execute(trx);
    await sql`update score_pending_version set version = ${version}::text, sweep_after = null where id = 1`.execute(trx);
    return Number(r.numAffectedRows ?? 0);
  });
  await sql`analyze score_pending`.execute(h.db);
  return added;
}

/**
 * Rescoring after a publication, measured in this run on the same posts, each after publishing its own changed
 * version: the previous path (the queue filled first, then read; worker pool) as the baseline, then this code's
 * sweep of post with the worker pool and with the engine in the main thread.
 */
async function rescore(h: DbHandle): Promise<void> {
  const deps: JobDeps = { db: h.db, rulebook: loadRulebook(), connectors: {}, log: (m) => console.error(`  ${m}`) };
  const results: { label: string; posts: number; s: number; rss: number }[] = [];
  const pool = `worker pool (${SCORE_WORKERS} thread${SCORE_WORKERS === 1 ? '' : 's'})`;
  const modes = [
    ['previous', `previous path: queue filled first, ${pool} (baseline)`, SCORE_WORKERS, true],
    ['pool', `sweep of post, ${pool}`, SCORE_WORKERS, false],
    ['main', 'sweep of post, main thread', 0, false],
  ] as const;
  const chosen = (() => {
    const i = process.argv.indexOf('--rescore-modes');
    return i >= 0 ? process.argv[i + 1].split(',') : modes.map((m) => m[0]);
  })();
  for (const [mode, label, workers, before] of modes) {
    if (!chosen.includes(mode)) {
      results.push({ label, posts: 0, s: 0, rss: 0 });
      continue;
    }
    // Each mode starts from the same tables: the previous rescoring's dead rows of post_score and score_pending cleared
    // (autovacuum would do it; a server with it off, as the project machine's, would otherwise slow each mode more).
    await sql`vacuum (analyze) post, post_score, score_pending`.execute(h.db);
    const rb = changedRulebook(`${Date.now()}`);
    await publishRulebook(h.db, rb, `bench:scale --rescore, ${label}`);
    peakRss = process.memoryUsage().rss;
    const t = performance.now();
    const filled = before ? await fillQueueAsBefore(h, rb.version) : 0;
    let explained = false;
    // The first report comes once the run has started (before the first batch): the time to start it (the queue fill
    // of the previous path) is apart from the scoring's.
    let started = 0;
    const run = await runScoring(deps, {
      now: new Date(),
      workers,
      profiles: false,
      onProgress: (p) => {
        if (!started) {
          started = performance.now();
          console.log(`  ${label}: started in ${((started - t) / 1000).toFixed(1)} s${before ? ` (${filled.toLocaleString('en')} posts queued)` : ''}, total ${p.estimated ? '~' : ''}${p.total.toLocaleString('en')}`);
        }
        if (explained || p.done < p.total / 2) return;
        explained = true;
        if (!before) void explainBatch(h, label);
      },
    });
    const s = (performance.now() - t) / 1000;
    results.push({ label, posts: run.counts.posts, s, rss: peakRss });
    const startS = ((started || performance.now()) - t) / 1000;
    console.log(
      `rescore, ${label}: ${run.counts.posts.toLocaleString('en')} posts in ${s.toFixed(1)} s = ${perS(run.counts.posts, s)} posts/s (start ${startS.toFixed(1)} s, then ${perS(run.counts.posts, s - startS)} posts/s), peak RSS ${mb(peakRss)}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    );
  }
  const [base, sweep, main] = results;
  const ratio = (a: { posts: number; s: number }, b: { posts: number; s: number }) => (a.s > 0 && b.s > 0 ? `${(a.posts / a.s / (b.posts / b.s)).toFixed(2)}×` : '–');
  console.log(`rescore ratios (posts/s end to end): sweep ÷ previous path ${ratio(sweep, base)}, pool ÷ main thread ${ratio(sweep, main)}`);
}

/** The plan of one batch read half-way through the rescoring's sweep (the query of listStalePosts, from where it stands). */
async function explainBatch(h: DbHandle, label: string): Promise<void> {
  const { rows: at } = await sql<{ version: string; after: string | null }>`select version, sweep_after as after from score_pending_version`.execute(h.db);
  if (!at.length || at[0].after === null) return;
  const q = staleQuery(h.db, at[0].version, 2000, Number(at[0].after)).compile();
  const { rows } = await h.db.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain (analyze, buffers, costs off) ${q.sql}`, [...q.parameters]));
  console.log(`  plan of a batch read half-way (${label}):\n${rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
}

async function main() {
  const url = DATABASE_URL!;
  console.log(`bench:scale: ${POSTS.toLocaleString('en')} posts, ${ENTITIES} entities, ${ACCOUNTS} accounts, ${DAYS} days, ${WORKERS} import worker(s), into ${new URL(url).pathname.slice(1)}`);
  const h = await openDb(url, flag('reset'));
  try {
    const existing = Number((await sql<{ n: string }>`select count(*) as n from post`.execute(h.db)).rows[0].n);
    if (existing > 0) {
      console.log(`  the database has ${existing.toLocaleString('en')} posts already: not loaded again (--reset to start over)`);
    } else if (POSTS > 0) {
      const main = await load(h, POSTS, ACCOUNTS, ENTITIES, FILES, '', 'set');
      print('set-based path (this code)', main);
      if (BASELINE > 0) {
        const baseUrl = new URL(url);
        baseUrl.pathname = `${baseUrl.pathname}_baseline`;
        const b = await openDb(baseUrl.toString(), true);
        let base: Figures;
        try {
          // The same shape, scaled down: 1 entity per 10 accounts, BASELINE posts; 10 accounts at least.
          const accounts = Math.max(10, Math.min(ACCOUNTS, Math.round(BASELINE / 200)));
          base = await load(b, BASELINE, accounts, Math.max(1, Math.round(accounts / 10)), `${FILES}-baseline`, 'base-', 'row');
        } finally {
          await b.close();
          await dropDb(baseUrl.toString());
          rmSync(`${FILES}-baseline`, { recursive: true, force: true });
        }
        print(`baseline: row-by-row write path, ${BASELINE.toLocaleString('en')} posts`, base);
        const ratio = (a: number, b: number) => (a > 0 && b > 0 ? `${(b / a).toFixed(1)}×` : '–');
        console.log(
          `ratio (posts/s, this code ÷ baseline): import ${ratio(main.import / main.posts, base.import / base.posts)}, scoring ${ratio(main.score / main.posts, base.score / base.posts)}, rollup ${ratio(main.rollup / main.posts, base.rollup / base.posts)}`,
        );
      }
      setWritePath('set');
    }
    if (GROW > 0) await grow(h, GROW);
    if (flag('rescore')) await rescore(h);
    const { rows } = await sql<{ posts: string; size: string; scored: string; pending: string }>`
      select (select count(*) from post) as posts, (select count(*) from post_score) as scored, (select count(*) from score_pending) as pending,
        pg_size_pretty(pg_database_size(current_database())) as size`.execute(h.db);
    console.log(`database: ${Number(rows[0].posts).toLocaleString('en')} posts, ${Number(rows[0].scored).toLocaleString('en')} scored, ${rows[0].pending} pending; size ${rows[0].size}; peak RSS ${mb(peakRss)}`);
    console.log(`serve it: DATABASE_URL=${url} npm run serve   (a user: DATABASE_URL=${url} npm run cli -- user add …)`);
  } finally {
    await h.close();
  }
}

await main();
