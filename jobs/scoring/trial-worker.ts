// Worker side of trial.ts: parses a draft rulebook and scores inputs (or runs the safety probe) off the
// main thread, so that a catastrophically backtracking pattern only ever freezes this thread, which
// the main thread terminates on timeout. Loaded through the tsx bootstrap in trial.ts; kept alive
// between jobs (start-up and a cold JIT cost more than most trials).
import { parentPort } from 'node:worker_threads';
import { parseRulebook, RulebookError, rulebookVersion, scorePost, type Rulebook } from './engine.ts';
import { asciiDigits } from './normalize.ts';
import type { RuleInfo, ScoreInput, ScoreResult } from './types.ts';

export type TrialJob =
  | { kind: 'trial'; sources: Record<string, string>; inputs: ScoreInput[] }
  | { kind: 'probe'; sources: Record<string, string>; inputs: string[] };

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

// The last drafts compiled here: the trial page tries text after text against the same draft.
const cache = new Map<string, Rulebook>();
function compile(sources: Record<string, string>): Rulebook {
  const key = rulebookVersion(sources);
  let rb = cache.get(key);
  if (!rb) {
    rb = parseRulebook(sources);
    if (cache.size >= 2) cache.delete(cache.keys().next().value!);
    cache.set(key, rb);
  }
  return rb;
}

function run(id: number, job: TrialJob): WorkerMessage {
  const rb = compile(job.sources);
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
  port.on('message', ({ id, job }: { id: number; job: TrialJob }) => {
    let reply: WorkerMessage;
    try {
      reply = run(id, job);
    } catch (err) {
      reply = { type: 'failed', id, error: serialize(err) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}
