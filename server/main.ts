// Process entry: `--all` (npm start: API, web app and scheduler in one process, the only way on PGlite),
// `--serve` (API and web only) or `--jobs` (scheduler only); the last two need PostgreSQL.
import path from 'node:path';
import v8 from 'node:v8';
import { serve } from '@hono/node-server';
import { apiPoolConfig, createDb, type DbHandle } from '../db/client.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { connectorsFor } from '../jobs/connectors/registry.ts';
import { importLanesFor, type JobDeps } from '../jobs/deps.ts';
import { startScheduler, type Scheduler } from '../jobs/schedule.ts';
import { rollupDirty } from '../jobs/rollup.ts';
import { runScoring } from '../jobs/score.ts';
import { loadRulebook } from '../jobs/scoring/engine.ts';
import { seedDemo, seedDemoUsers } from '../jobs/seed-demo.ts';
import { createApp } from './app.ts';
import { answerClientError } from './client-error.ts';
import { defaultWebBuildPaths, ensureWebBuild } from './web-build.ts';
import { loadConfig, type Config } from '../jobs/config.ts';

// Defence in depth: a non-unicode regex anywhere in the process falls back to V8's linear-time engine when it backtracks excessively ('u' regexes are not covered: drafts run in a worker, see jobs/scoring/trial.ts).
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

type Mode = 'all' | 'serve' | 'jobs';

const log = (message: string) => console.log(`[mizan] ${message}`);

function fail(message: string): never {
  console.error(`[mizan] ${message}`);
  process.exit(1);
}

async function main() {
  const mode: Mode = process.argv.includes('--serve') ? 'serve' : process.argv.includes('--jobs') ? 'jobs' : 'all';
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    fail((err as Error).message);
  }
  if (mode !== 'all' && !config.DATABASE_URL) {
    fail(`--${mode} runs the API and the scheduler as separate processes, which needs PostgreSQL (set DATABASE_URL). On the embedded database use \`npm start\`.`);
  }

  // npm start: the web app is (re)built only when its sources changed, in a child process while the database opens.
  const webPaths = defaultWebBuildPaths();
  const webBuild: Promise<unknown> =
    mode === 'all' && path.resolve(config.MIZAN_WEB_DIR) === webPaths.outDir
      ? ensureWebBuild(webPaths, { log }).catch((err) => log(`the web app could not be built: ${(err as Error).message}; the API works without it`))
      : Promise.resolve();

  let handle: DbHandle;
  // On PostgreSQL the API has a pool of its own with a bounded wait and a statement time limit (503 `busy` past
  // either); the jobs keep theirs without a limit (a rollup or rescoring statement may rightly run for minutes).
  let apiHandle: DbHandle | null = null;
  try {
    handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR, poolSize: config.DATABASE_POOL_SIZE });
    await migrateToLatest(handle.db);
    if (handle.kind === 'postgres' && mode !== 'jobs') apiHandle = await createDb(apiPoolConfig(config.DATABASE_URL!, config.DATABASE_POOL_SIZE));
  } catch (err) {
    fail((err as Error).message);
  }
  log(`database: ${handle.kind === 'pglite' ? `embedded PGlite in ${config.MIZAN_DATA_DIR}` : 'PostgreSQL'}`);

  let rulebook;
  try {
    rulebook = loadRulebook();
  } catch (err) {
    fail(`The default rulebook is invalid: ${(err as Error).message}`);
  }

  const stopping = new AbortController();
  const deps: JobDeps = { db: handle.db, rulebook, connectors: connectorsFor(config), secretKey: config.MIZAN_SECRET_KEY, log, signal: stopping.signal, importLanes: importLanesFor(handle.kind) };
  let rescoring: Promise<void> | null = null;
  // On PGlite the server process rescores after a publish; on PostgreSQL the jobs process does it at its next run.
  const onRulebookPublished =
    mode === 'all'
      ? (version: string) => {
          log(`rulebook ${version} published: rescoring in the background`);
          rescoring = (rescoring ?? Promise.resolve())
            .then(async () => {
              const scored = await runScoring(deps, { now: new Date() });
              await rollupDirty(handle.db);
              log(`rescored ${scored.counts.posts} posts with ${scored.version}`);
            })
            .catch((err) => log(`rescoring failed: ${(err as Error).message}`));
        }
      : undefined;

  // The demo is seeded before the server listens, so that its users can sign in as soon as it answers.
  if (mode !== 'serve') {
    if (config.MIZAN_DEMO) {
      const seeded = await seedDemo(handle.db);
      log(`demo data: ${seeded.entities} entities, ${seeded.accounts} accounts (set MIZAN_DEMO=false to leave them out)`);
      // Demo users only on the embedded database: a deployment on PostgreSQL has no default user and no default password.
      if (handle.kind === 'pglite') {
        const users = await seedDemoUsers(handle.db, config.MIZAN_DEMO_PASSWORD);
        if (config.MIZAN_DEMO_PASSWORD) log(`demo users (password from MIZAN_DEMO_PASSWORD): ${users.map((u) => u.email).join(', ')}`);
        else {
          log('demo users, with one-time passwords for this run (printed here only; set MIZAN_DEMO_PASSWORD to choose one):');
          for (const u of users) log(`  ${u.role.padEnd(9)} ${u.email.padEnd(22)} ${u.password}`);
        }
      }
    }
  }

  await webBuild;
  let server: ReturnType<typeof serve> | null = null;
  if (mode !== 'jobs') {
    // The jobs' connectors go to the API in every mode: "test connection" and "import now" on an account.
    const app = createApp({ db: (apiHandle ?? handle).db, dbKind: handle.kind, config, onRulebookPublished, jobs: deps });
    server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST });
    // Requests Node's parser refuses (a 1 MB URL) get the one JSON error shape instead of a bare 431 or 400.
    server.on('clientError', answerClientError);
    server.on('error', (err: NodeJS.ErrnoException) => {
      fail(err.code === 'EADDRINUSE' ? `Port ${config.PORT} is already in use: stop the other process or set PORT.` : `Server error: ${err.message}`);
    });
    server.on('listening', () => log(`Mizan is at http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`));
  }

  let scheduler: Scheduler | null = null;
  if (mode !== 'serve') {
    try {
      scheduler = startScheduler(deps, config, { embedded: handle.kind === 'pglite' });
    } catch (err) {
      fail((err as Error).message);
    }
  }

  const shutdown = async (signal: string) => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    log(`${signal}: shutting down (the page or batch in progress is finished first)`);
    // Last resort: a job stuck in a platform request must not keep the process alive.
    setTimeout(() => {
      log('shutdown took longer than 20 s: exiting');
      process.exit(1);
    }, 20_000).unref();
    server?.close();
    if (server && 'closeAllConnections' in server) server.closeAllConnections();
    await scheduler?.stop().catch(() => {});
    await rescoring;
    await apiHandle?.close().catch(() => {});
    await handle.close().catch(() => {});
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => fail(`Unexpected failure at start: ${(err as Error).message}`));
