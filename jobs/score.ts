// Scores every post that needs it with the rulebook in force, keeping reviewers' decisions.
import { listImportAccounts } from '../db/queries/accounts.ts';
import { tendTables } from '../db/queries/maintenance.ts';
import {
  advanceScoreRun,
  beginVersion,
  countPendingScores,
  decisionMatch,
  endSweep,
  estimateSweep,
  listPostsToScore,
  listReviewDecisions,
  listStalePosts,
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
  /** Posts to score when the run (or its switch to a newly published version) started: a rescoring's is an estimate
   *  past 50,000 posts (`estimated`; see estimateSweep), replaced by the count when it finishes. */
  total: number;
  estimated?: boolean;
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
  // The run's progress: the posts to score at its start (a rescoring's estimated from the size of post), recorded in
  // score_run after each batch for the API; a run with nothing to score leaves the previous run's record alone.
  let run: ScoreProgress = { version: rulebook.version, total: 0, done: 0, startedAt: new Date(), finished: false };
  // A rescoring (the first run of a version) sweeps post by id from where the version's sweep stands (0, or after the
  // last batch a stopped run wrote), then reads the queue of new and edited posts; any other run reads the queue only.
  const startRun = async (rb: Rulebook): Promise<{ sweep: boolean; after: number }> => {
    const { sweepAfter } = await beginVersion(db, rb.version);
    const sweep = sweepAfter !== null;
    // A sweep from its start rewrites every score: what the previous one left dead is cleared first where autovacuum is off.
    if (sweepAfter === 0) for (const done of await tendTables(db, ['post_score'])) deps.log(`scoring: ${done} (autovacuum is off)`);
    const { total, estimated } = sweep ? await estimateSweep(db, rb.version, sweepAfter) : { total: await countPendingScores(db), estimated: false };
    run = { version: rb.version, total, done: 0, startedAt: new Date(), finished: false, ...(estimated ? { estimated } : {}) };
    if (run.total > 0) await startScoreRun(db, rb.version, run.total, run.startedAt, estimated);
    opts.onProgress?.({ ...run });
    return { sweep, after: sweepAfter ?? 0 };
  };
  // Written at most once a second (and at the end): each write is a commit of its own, as dear as a batch's. The
  // sweep's position goes in the same statement: a run that stops resumes after its last batch written (at most a
  // second behind; the posts between are no longer stale, so none is scored twice).
  let written = 0;
  let sweptTo: number | undefined;
  const advance = async (finished: boolean, force = false) => {
    run.finished = finished;
    // A finished run's total is what it scored (score_run's too): an estimate does not outlive the run.
    if (finished) run = { version: run.version, total: run.done, done: run.done, startedAt: run.startedAt, finished };
    if ((run.total > 0 || run.done > 0) && (finished || force || Date.now() - written >= 1000)) {
      written = Date.now();
      await advanceScoreRun(db, { version: run.version, done: run.done, at: new Date(), finished, sweptTo });
    }
    opts.onProgress?.({ ...run, total: Math.max(run.total, run.done) });
  };
  let position = await startRun(rulebook);
  // The sweep and the queue are read by id from where the last batch stopped; a post skipped because it was edited
  // meanwhile waits in the queue. The next batch is read and scored while this one is written (two connections: the
  // database writes while this process scores); the row-by-row baseline reads the queue from the start each time,
  // after its write.
  type Prepared = { scored: ScoredPost[]; sweep: boolean; last: number };
  const prepare = async (rb: Rulebook, sweep: boolean, after: number): Promise<Prepared | null> => {
    const size = opts.batchSize ?? 2000;
    const batch = sweep ? await listStalePosts(db, rb.version, size, after) : await listPostsToScore(db, size, after);
    // The end of the sweep is a batch of its own: the loop ends it once every batch before it is written.
    if (!batch.length) return sweep ? { scored: [], sweep, last: after } : null;
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
    return { scored, sweep, last: batch[batch.length - 1].id };
  };
  const ahead = writePath !== 'row';
  let next: Promise<Prepared | null> = prepare(rulebook, position.sweep, position.after);
  while (!deps.signal?.aborted) {
    const current = await next;
    if (!current) break;
    const { scored } = current;
    if (current.sweep && !scored.length) {
      // Past the last post: every batch of the sweep is written (one at a time, in order), so it ends here; then the
      // queue, from its start (posts edited behind the sweep, or skipped because they changed while being scored).
      await endSweep(db, rulebook.version);
      sweptTo = undefined;
      next = prepare(rulebook, false, 0);
      continue;
    }
    next = ahead ? prepare(rulebook, current.sweep, current.last) : Promise.resolve(null);
    next.catch(() => {});
    if (!(await saveScores(db, rulebook.version, scored, opts.now))) {
      // Another version was published meanwhile (maybe by another process): continue with it.
      await next.catch(() => null);
      rulebook = await resolveActiveRulebook(db, deps.rulebook);
      sweptTo = undefined;
      position = await startRun(rulebook);
      next = prepare(rulebook, position.sweep, position.after);
      continue;
    }
    if (!ahead) next = prepare(rulebook, current.sweep, current.sweep ? current.last : 0);
    if (current.sweep) sweptTo = current.last;
    counts.posts += scored.length;
    run.done += scored.length;
    await advance(false);
    for (const s of scored) {
      counts.findings += s.findings.length;
      if (s.verdict === 'violation') counts.violations++;
    }
  }
  await next.catch(() => null);
  // A run stopped by its signal is not finished: its position is written, and the next run resumes there.
  if (run.total > 0 || run.done > 0) await advance(!deps.signal?.aborted, true);
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
