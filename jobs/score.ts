// Scores every post that needs it with the rulebook in force, keeping reviewers' decisions.
import { listImportAccounts } from '../db/queries/accounts.ts';
import {
  advanceScoreRun,
  countPendingScores,
  decisionMatch,
  listPostsToScore,
  listReviewDecisions,
  queuePostsForVersion,
  replaceAccountsFindings,
  saveScores,
  startScoreRun,
  type ScoredPost,
} from '../db/queries/scores.ts';
import { writePath } from '../db/queries/imports.ts';
import type { JobDeps } from './deps.ts';
import { resolveActiveRulebook } from './rulebook-store.ts';
import { computeScore } from './scoring/formula.ts';
import { scorePost, scoreProfile, type Rulebook } from './scoring/engine.ts';
import type { Finding } from '../db/vocabulary.ts';
import type { ScoreInput } from './scoring/types.ts';
import { defaultScoreWorkers, scoreInWorkers } from './score-pool.ts';

export interface ScoreCounts {
  posts: number;
  findings: number;
  violations: number;
  accounts: number;
}

/** Where a run stands, after each batch (the CLI's progress bar; the API reads the same from score_run). */
export interface ScoreProgress {
  version: string;
  /** Posts queued when the run (or its switch to a newly published version) started. */
  total: number;
  done: number;
  startedAt: Date;
  finished: boolean;
}

export interface ScoreOptions {
  now: Date;
  batchSize?: number;
  profiles?: boolean;
  /** Worker threads for the engine (default: every core but one for runs of 20,000 posts or more, else none); 0 scores
   *  in this thread. Batches under 500 posts always do. */
  workers?: number;
  onProgress?: (p: ScoreProgress) => void;
}

/** Below this many posts a batch is scored in this thread: a worker's message costs more than it saves. */
const MIN_POOL_BATCH = 500;
/** Runs of fewer queued posts score in this thread unless `workers` is given. */
const MIN_POOL_RUN = 20_000;

// One scorer at a time in this process (an import, a catch-up and a rescore after publishing may overlap).
let queue: Promise<unknown> = Promise.resolve();

export function runScoring(deps: JobDeps, opts: ScoreOptions): Promise<{ counts: ScoreCounts; version: string }> {
  const run = queue.then(() => scoreAll(deps, opts));
  queue = run.catch(() => {});
  return run;
}

async function scoreAll(deps: JobDeps, opts: ScoreOptions) {
  const { db } = deps;
  let rulebook = await resolveActiveRulebook(db, deps.rulebook);
  const counts: ScoreCounts = { posts: 0, findings: 0, violations: 0, accounts: 0 };
  let poolFailed = false;
  const engine = async (rb: Rulebook, inputs: ScoreInput[]): Promise<Finding[][]> => {
    // By default only a large run (a rescoring, a big import) starts the pool: a worker's start (tsx compiles the
    // engine again) costs more than the scoring of an ordinary import, and would compete with the demo's start-up.
    const workers = poolFailed ? 0 : (opts.workers ?? (run.total >= MIN_POOL_RUN ? defaultScoreWorkers() : 0));
    if (workers > 0 && inputs.length >= MIN_POOL_BATCH) {
      try {
        return await scoreInWorkers(rb, inputs, workers);
      } catch (err) {
        // The engine is the same in this thread: a pool that cannot start or answer slows the run, never stops it.
        deps.log(`scoring workers failed (${err instanceof Error ? err.message : String(err)}); scoring in the main thread`);
        poolFailed = true;
      }
    }
    return inputs.map((input) => scorePost(rb, input).findings);
  };
  // The run's progress: the posts queued at its start (the queue is filled for the version first), recorded in
  // score_run after each batch for the API; a run with nothing to score leaves the previous run's record alone.
  let run: ScoreProgress = { version: rulebook.version, total: 0, done: 0, startedAt: new Date(), finished: false };
  const startRun = async (rb: Rulebook) => {
    await queuePostsForVersion(db, rb.version);
    run = { version: rb.version, total: await countPendingScores(db), done: 0, startedAt: new Date(), finished: false };
    if (run.total > 0) await startScoreRun(db, rb.version, run.total, run.startedAt);
    opts.onProgress?.({ ...run });
  };
  // Written at most once a second (and at the end): each write is a commit of its own, as dear as a batch's.
  let written = 0;
  const advance = async (finished: boolean) => {
    run.finished = finished;
    if ((run.total > 0 || run.done > 0) && (finished || Date.now() - written >= 1000)) {
      written = Date.now();
      await advanceScoreRun(db, { version: run.version, done: run.done, at: new Date(), finished });
    }
    opts.onProgress?.({ ...run, total: Math.max(run.total, run.done) });
  };
  await startRun(rulebook);
  // The queue is read by id from where the last batch stopped; a post skipped because it was edited meanwhile
  // waits for the next run. The next batch is read and scored while this one is written (two connections: the
  // database writes while this process scores); the row-by-row baseline reads from the start each time, after its write.
  const prepare = async (rb: Rulebook, after: number): Promise<{ scored: ScoredPost[]; last: number } | null> => {
    const batch = await listPostsToScore(db, rb.version, opts.batchSize ?? 2000, after);
    if (!batch.length) return null;
    const decisions = await listReviewDecisions(db, batch.map((p) => p.id));
    const decided = new Map(decisions.map((d) => [`${d.postId}\u0000${d.rule}\u0000${d.match}`, d.status]));
    const inputs: ScoreInput[] = batch.map((post) => ({
      text: post.text,
      lang: post.lang === 'ar' || post.lang === 'en' ? post.lang : undefined,
      accountType: post.accountType,
    }));
    const found = await engine(rb, inputs);
    const scored: ScoredPost[] = batch.map((post, i) => {
      const findings = found[i];
      // A reviewer's decision survives rescoring when the same rule still matches the same text.
      const withStatus = findings.map((f) => ({ ...f, status: decided.get(`${post.id}\u0000${f.rule}\u0000${decisionMatch(f.rule, f.match)}`) ?? ('open' as const) }));
      const updatedAt = new Date(post.updatedAt);
      return {
        postId: post.id,
        entityId: post.entityId,
        localDay: post.localDay,
        revision: post.revision,
        scoredAt: updatedAt > opts.now ? updatedAt : opts.now,
        ...computeScore(withStatus),
        findings: withStatus,
      };
    });
    return { scored, last: batch[batch.length - 1].id };
  };
  const ahead = writePath !== 'row';
  let next: Promise<{ scored: ScoredPost[]; last: number } | null> = prepare(rulebook, 0);
  while (!deps.signal?.aborted) {
    const current = await next;
    if (!current) break;
    const { scored } = current;
    next = ahead ? prepare(rulebook, current.last) : Promise.resolve(null);
    next.catch(() => {});
    if (!(await saveScores(db, rulebook.version, scored, opts.now))) {
      // Another version was published meanwhile (maybe by another process): continue with it.
      await next.catch(() => null);
      rulebook = await resolveActiveRulebook(db, deps.rulebook);
      await startRun(rulebook);
      next = prepare(rulebook, 0);
      continue;
    }
    if (!ahead) next = prepare(rulebook, 0);
    counts.posts += scored.length;
    run.done += scored.length;
    await advance(false);
    for (const s of scored) {
      counts.findings += s.findings.length;
      if (s.verdict === 'violation') counts.violations++;
    }
  }
  await next.catch(() => null);
  if (run.total > 0 || run.done > 0) await advance(true);
  // Account-level rules (the disclaimer on personal accounts) read the profile text.
  if (opts.profiles !== false && !deps.signal?.aborted) {
    // All accounts in one transaction (one statement per table), in the accounts' order.
    const accounts = await listImportAccounts(db);
    await replaceAccountsFindings(
      db,
      rulebook.version,
      accounts.map((account) => ({ accountId: account.id, findings: scoreProfile(rulebook, { accountType: account.type, profileText: account.profileText }) })),
    );
    counts.accounts += accounts.length;
  }
  return { counts, version: rulebook.version };
}
