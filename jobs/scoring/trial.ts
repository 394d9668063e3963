// Running a draft rulebook (someone else's regexes) without risking the process: the draft is parsed
// and scored in a worker thread that is terminated when it takes too long. API, embedded database and
// scheduler share the main thread, so a catastrophically backtracking pattern must never run there
// (V8's linear-time fallback does not cover the 'u' flag our patterns are compiled with).
//
//   runTrial(sources, inputs, { timeoutMs })  → { version, rules, results } (one ScoreResult per input)
//   probeRulebookSafety(sources, timeoutMs)   → runs the draft on adversarial inputs; TrialTimeoutError if slow
//
// The worker is TypeScript, started through jobs/ts-worker.ts.
import type { Worker } from 'node:worker_threads';
import { listen, startTsWorker } from '../ts-worker.ts';
import { RulebookError } from './rulebook.ts';
import type { AccountType, RuleInfo, ScoreInput, ScoreResult } from './types.ts';
import type { SerializedError, TrialJob, WorkerMessage } from './trial-worker.ts';

export class TrialTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`the draft rulebook took longer than ${timeoutMs} ms`);
    this.name = 'TrialTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export interface TrialInput {
  text: string;
  lang?: 'ar' | 'en';
  accountType?: AccountType;
}

export interface TrialResult {
  version: string;
  rules: RuleInfo[];
  results: ScoreResult[];
}

/** Workers running at once; more requests wait their turn (their time limit starts when their worker is ready). */
const MAX_WORKERS = 2;
/** Starting a worker (tsx transpiles its imports, cached on disk) is not the draft's time: it has its own, generous limit.
 *  Workers are reused while they answer in time; one that overran is terminated. */
const STARTUP_LIMIT_MS = 30_000;
/** A runaway draft must not take the process's memory either. */
const WORKER_HEAP_MB = 512;

const WORKER_URL = new URL('./trial-worker.ts', import.meta.url).href;

/** An idle worker is kept this long for the next trial, then ended. */
const IDLE_MS = 60_000;

let running = 0;
const waiting: (() => void)[] = [];
const idle: { worker: Worker; timer: NodeJS.Timeout; unlisten: () => void }[] = [];
let nextId = 1;

async function acquire(): Promise<void> {
  if (running < MAX_WORKERS) {
    running++;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running--;
}

function deserializeError(e: SerializedError): Error {
  if (e.name === 'RulebookError' && 'file' in e) return new RulebookError(e.file, e.ruleId, e.reason);
  const err = new Error('message' in e ? e.message : 'trial worker failed');
  err.name = e.name;
  if ('stack' in e && e.stack) err.stack = e.stack;
  return err;
}

function spawn(): Promise<Worker> {
  return startTsWorker(WORKER_URL, { name: 'trial worker', startupLimitMs: STARTUP_LIMIT_MS, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
}

function park(worker: Worker): void {
  const drop = () => {
    const i = idle.indexOf(entry);
    if (i >= 0) idle.splice(i, 1);
    clearTimeout(entry.timer);
    entry.unlisten();
  };
  const entry = {
    worker,
    timer: setTimeout(() => {
      drop();
      void worker.terminate().catch(() => {});
    }, IDLE_MS).unref(),
    unlisten: listen(worker, { error: () => drop(), exit: () => drop() }),
  };
  idle.push(entry);
}

function unpark(): Worker | null {
  const entry = idle.pop();
  if (!entry) return null;
  clearTimeout(entry.timer);
  entry.unlisten();
  return entry.worker;
}

async function inWorker(job: TrialJob, timeoutMs: number): Promise<TrialResult> {
  await acquire();
  try {
    const worker = unpark() ?? (await spawn());
    return await new Promise<TrialResult>((resolve, reject) => {
      const id = nextId++;
      let settled = false;
      const finish = (err: Error | null, value?: TrialResult, reusable = false) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unlisten();
        // terminate() stops a thread stuck inside a regex
        if (reusable) park(worker);
        else void worker.terminate().catch(() => {});
        if (err) reject(err);
        else resolve(value!);
      };
      const timer = setTimeout(() => finish(new TrialTimeoutError(timeoutMs)), timeoutMs);
      const unlisten = listen<WorkerMessage>(worker, {
        message: (msg) => {
          if (msg.type === 'done' && msg.id === id) finish(null, { version: msg.version, rules: msg.rules, results: msg.results }, true);
          else if (msg.type === 'failed' && msg.id === id) finish(deserializeError(msg.error), undefined, true);
        },
        error: (err) => finish(err),
        exit: (code) => finish(new Error(`the trial worker stopped (exit code ${code}) without an answer`)),
      });
      worker.postMessage({ id, job });
    });
  } finally {
    release();
  }
}

/** Ends the idle trial workers (they are unref'd: needed only to stop them early). */
export async function closeTrialWorkers(): Promise<void> {
  let w: Worker | null;
  const all: Promise<number>[] = [];
  while ((w = unpark())) all.push(w.terminate());
  await Promise.all(all);
}

/** Parses `sources` and scores `inputs` in a worker thread. Throws RulebookError (file, rule, reason) or TrialTimeoutError. */
export function runTrial(sources: Record<string, string>, inputs: TrialInput[], opts: { timeoutMs: number }): Promise<TrialResult> {
  return inWorker({ kind: 'trial', sources, inputs: inputs as ScoreInput[] }, opts.timeoutMs);
}

const RUN = 8_000;
const repeat = (unit: string) => unit.repeat(Math.ceil(RUN / unit.length)).slice(0, RUN);

/**
 * Long runs of the characters patterns are written for, each ending in a character that forces a
 * mismatch ('!'), so that a backtracking pattern has to try every way of splitting the run.
 */
export const ADVERSARIAL_INPUTS: readonly string[] = [
  repeat('a') + '!',
  repeat('aA1_') + '!',
  repeat('1') + '!',
  repeat('١') + '!', // Arabic-Indic digits (the engine converts them for detectors)
  repeat('1 ') + '!',
  repeat('1-') + '!',
  '+' + repeat('9') + '!',
  repeat('a ') + '!',
  repeat('ab  ') + '!',
  repeat('ب') + '!',
  repeat('ب ') + '!',
  repeat('بيت ') + '!',
  repeat('@') + '!',
  repeat('.') + '!',
  repeat('a@') + '!',
  repeat('a.') + '!',
  repeat('@.') + '!',
  'a@' + repeat('a.') + '!',
  repeat('a1.@-_') + '!',
  repeat('\n') + '!',
];

/**
 * Checks a draft before it is published, in the worker: parses it (sets expanded within bounds),
 * proves every pattern that is not a shipped default linear-time, then runs it on ADVERSARIAL_INPUTS
 * (through the engine and every pattern directly) as a second line of defence. Throws RulebookError
 * (file, rule, reason) when the draft is invalid or a pattern is unsafe, TrialTimeoutError when it is slow.
 */
export async function checkRulebookDraft(sources: Record<string, string>, timeoutMs: number): Promise<{ version: string; sources: Record<string, string>; rules: RuleInfo[] }> {
  const r = await inWorker({ kind: 'probe', sources, inputs: [...ADVERSARIAL_INPUTS] }, timeoutMs);
  return { version: r.version, sources, rules: r.rules };
}
