// A pool of worker threads running the engine for the scoring job: the main thread reads the queue and writes
// scores while the workers score the next batch (on a 2-core machine: one worker, the other core is the main
// thread's and the database's). The engine is deterministic: a post scores the same in a worker as in-thread
// (test/integration/score-pool.test.ts compares them byte for byte).
//
//   const pool = scorePool(2); await pool.score(rulebook, inputs) → Finding[][] (one per input, in order)
//
// Workers are TypeScript (jobs/ts-worker.ts). They are kept for the next run and unref'd while idle (the process
// may exit); a worker that fails or exits is replaced on next use.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { listen, startTsWorker } from './ts-worker.ts';
import type { Finding } from '../db/vocabulary.ts';
import type { Rulebook } from './scoring/engine.ts';
import type { ScoreInput } from './scoring/types.ts';
import type { ScoreJob, ScoreReply } from './score-worker.ts';

const WORKER_URL = new URL('./score-worker.ts', import.meta.url).href;
const STARTUP_LIMIT_MS = 60_000;

/** Workers by default: every core but the one the main thread (and the database) uses, at least one. */
export function defaultScoreWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface Slot {
  worker: Promise<Worker>;
  /** The rulebook version this worker has compiled (its sources are sent once). */
  version: string | null;
  busy: number;
}

let slots: (Slot | undefined)[] = [];
let nextId = 1;

function spawn(): Promise<Worker> {
  return startTsWorker(WORKER_URL, { name: 'scoring worker', startupLimitMs: STARTUP_LIMIT_MS });
}

function slot(i: number): Slot {
  let s = slots[i];
  if (!s) {
    const fresh: Slot = { worker: spawn(), version: null, busy: 0 };
    // a failed start is retried on next use
    fresh.worker.catch(() => {
      if (slots[i] === fresh) slots[i] = undefined;
    });
    s = slots[i] = fresh;
  }
  return s;
}

async function run(s: Slot, rb: Rulebook, inputs: ScoreInput[]): Promise<Finding[][]> {
  const worker = await s.worker;
  const job: ScoreJob = { id: nextId++, version: rb.version, inputs };
  if (s.version !== rb.version) job.sources = rb.sources;
  s.version = rb.version;
  s.busy++;
  worker.ref(); // waiting for its answer keeps the process alive
  try {
    return await new Promise<Finding[][]>((resolve, reject) => {
      const fail = (err: Error) => {
        unlisten();
        reject(err);
      };
      const unlisten = listen<ScoreReply>(worker, {
        message: (msg) => {
          if (msg.type === 'ready' || msg.id !== job.id) return;
          unlisten();
          if (msg.type === 'done') resolve(msg.findings);
          else reject(new Error(`scoring worker: ${msg.message}`));
        },
        error: fail,
        exit: (code) => fail(new Error(`a scoring worker stopped (exit code ${code}) without an answer`)),
      });
      worker.postMessage(job);
    });
  } catch (err) {
    // a worker that failed is replaced on next use (its state is unknown)
    slots = slots.map((x) => (x === s ? undefined : x));
    void worker.terminate().catch(() => {});
    throw err;
  } finally {
    if (--s.busy === 0) worker.unref();
  }
}

/** Scores `inputs` with `rb` on `workers` threads (the batch cut in that many contiguous parts); the findings in input order. */
export async function scoreInWorkers(rb: Rulebook, inputs: ScoreInput[], workers: number): Promise<Finding[][]> {
  const n = Math.max(1, Math.min(workers, inputs.length));
  const size = Math.ceil(inputs.length / n);
  const parts = await Promise.all(Array.from({ length: n }, (_, i) => run(slot(i), rb, inputs.slice(i * size, (i + 1) * size))));
  return parts.flat();
}

/** Ends the pool's workers (they are unref'd while idle: needed only to stop them early, e.g. at the end of the CLI). */
export async function closeScoreWorkers(): Promise<void> {
  const all = slots;
  slots = [];
  await Promise.all(all.map((s) => s?.worker.then((w) => w.terminate()).catch(() => 0)));
}
