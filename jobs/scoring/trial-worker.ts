// Worker side of trial.ts: parses a draft rulebook and scores inputs (or runs the safety probe) off the
// main thread, so that a catastrophically backtracking pattern only ever freezes this thread, which
// the main thread terminates on timeout. Loaded through the tsx bootstrap in trial.ts; kept alive
// between jobs (start-up and a cold JIT cost more than most trials).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { parse as parseYaml } from 'yaml';
import { parseRulebook, RulebookError, rulebookVersion, scorePost, type Rulebook } from './engine.ts';
import { asciiDigits } from './normalize.ts';
import { assertPatternsSafe, patternProblem } from './pattern-safety.ts';
import type { RuleInfo, ScoreInput, ScoreResult } from './types.ts';

export type TrialJob =
  | { kind: 'trial'; sources: Record<string, string>; inputs: ScoreInput[] }
  | { kind: 'probe'; sources: Record<string, string>; inputs: string[] };

/** The shipped default rulebook's own patterns (reviewed with the code): the only ones not proven linear here. */
function defaultPatterns(): Set<string> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'rulebook');
  const out = new Set<string>();
  for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
    const doc = parseYaml(readFileSync(join(dir, name), 'utf8')) as { rules?: { patterns?: unknown }[] };
    for (const rule of doc.rules ?? []) {
      if (!Array.isArray(rule.patterns)) continue;
      for (const p of rule.patterns) if (typeof p === 'string') out.add(new RegExp(p, 'u').source);
    }
  }
  return out;
}
const TRUSTED = defaultPatterns();

export type SerializedError =
  | { name: 'RulebookError'; file: string; ruleId: string | null; reason: string }
  | { name: string; message: string; stack?: string };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; version: string; rules: RuleInfo[]; results: ScoreResult[] }
  | { type: 'failed'; id: number; error: SerializedError };

function serialize(err: unknown): SerializedError {
  if (err instanceof RulebookError) return { name: 'RulebookError', file: err.file, ruleId: err.ruleId, reason: err.reason };
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Every detector pattern, run directly over the whole input (the engine's gates — digits, '@', near words — are skipped). */
function runPatterns(rb: Rulebook, text: string): void {
  for (const rule of rb.compiled) {
    for (const re of rule.spec?.patterns ?? []) {
      re.lastIndex = 0;
      let guard = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(text)) !== null) {
        if (m[0].length === 0) re.lastIndex++;
        if (++guard > 10_000) break;
      }
    }
  }
}

// The last drafts compiled (and their patterns proven safe) here: the trial page tries text after text against the same draft.
const cache = new Map<string, Rulebook>();
async function compile(sources: Record<string, string>): Promise<Rulebook> {
  const key = rulebookVersion(sources);
  let rb = cache.get(key);
  if (!rb) {
    rb = parseRulebook(sources);
    await assertPatternsSafe(rb, TRUSTED);
    if (cache.size >= 3) cache.delete(cache.keys().next().value!);
    cache.set(key, rb);
  }
  return rb;
}

async function run(id: number, job: TrialJob): Promise<WorkerMessage> {
  const rb = await compile(job.sources);
  const results: ScoreResult[] = [];
  if (job.kind === 'trial') {
    for (const input of job.inputs) results.push(scorePost(rb, input));
  } else {
    for (const text of job.inputs) {
      for (const accountType of ['official', 'employee'] as const) scorePost(rb, { text, accountType });
      runPatterns(rb, text);
      const ascii = asciiDigits(text);
      if (ascii !== text) runPatterns(rb, ascii);
    }
  }
  return { type: 'done', id, version: rb.version, rules: rb.rules, results };
}

// One job at a time: the main thread sends the next only after the answer to the previous one.
const port = parentPort;
if (port) {
  port.on('message', async ({ id, job }: { id: number; job: TrialJob }) => {
    let reply: WorkerMessage;
    try {
      reply = await run(id, job);
    } catch (err) {
      reply = { type: 'failed', id, error: serialize(err) };
    }
    port.postMessage(reply);
  });
  // Load the pattern checker before saying ready: its start-up is not a draft's time.
  void patternProblem('a', 'u').then(() => port.postMessage({ type: 'ready' } satisfies WorkerMessage));
}
