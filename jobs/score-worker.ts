// Worker side of score-pool.ts: compiles a stored rulebook version once and scores batches of posts with it,
// so that the scoring job's main thread only reads and writes. Loaded through the tsx bootstrap in score-pool.ts.
import { parentPort } from 'node:worker_threads';
import { parseRulebook, scorePost, type Rulebook } from './scoring/engine.ts';
import type { Finding } from '../db/vocabulary.ts';
import type { ScoreInput } from './scoring/types.ts';

export type ScoreJob = { id: number; version: string; sources?: Record<string, string>; inputs: ScoreInput[] };
export type ScoreReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; findings: Finding[][] }
  | { type: 'failed'; id: number; message: string };

let rulebook: Rulebook | null = null;

parentPort!.on('message', (job: ScoreJob) => {
  try {
    if (job.sources && rulebook?.version !== job.version) rulebook = parseRulebook(job.sources);
    // The same sources compile to the same version: anything else would score with other rules than the main thread's.
    if (!rulebook || rulebook.version !== job.version) throw new Error(`the worker has rulebook ${rulebook?.version ?? 'none'}, not ${job.version}`);
    const rb = rulebook;
    const findings = job.inputs.map((input) => scorePost(rb, input).findings);
    parentPort!.postMessage({ type: 'done', id: job.id, findings } satisfies ScoreReply);
  } catch (err) {
    parentPort!.postMessage({ type: 'failed', id: job.id, message: err instanceof Error ? err.message : String(err) } satisfies ScoreReply);
  }
});
parentPort!.postMessage({ type: 'ready' } satisfies ScoreReply);
