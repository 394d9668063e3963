// Scores every post that needs it with the rulebook in force, keeping reviewers' decisions.
import { listImportAccounts } from '../db/queries/accounts.ts';
import { listPostsToScore, listReviewDecisions, replaceAccountsFindings, saveScores, type ScoredPost } from '../db/queries/scores.ts';
import { writePath } from '../db/queries/imports.ts';
import type { JobDeps } from './deps.ts';
import { resolveActiveRulebook } from './rulebook-store.ts';
import { computeScore } from './scoring/formula.ts';
import { scorePost, scoreProfile, type Rulebook } from './scoring/engine.ts';

export interface ScoreCounts {
  posts: number;
  findings: number;
  violations: number;
  accounts: number;
}

// One scorer at a time in this process (an import, a catch-up and a rescore after publishing may overlap).
let queue: Promise<unknown> = Promise.resolve();

export function runScoring(deps: JobDeps, opts: { now: Date; batchSize?: number; profiles?: boolean }): Promise<{ counts: ScoreCounts; version: string }> {
  const run = queue.then(() => scoreAll(deps, opts));
  queue = run.catch(() => {});
  return run;
}

async function scoreAll(deps: JobDeps, opts: { now: Date; batchSize?: number; profiles?: boolean }) {
  const { db } = deps;
  let rulebook = await resolveActiveRulebook(db, deps.rulebook);
  const counts: ScoreCounts = { posts: 0, findings: 0, violations: 0, accounts: 0 };
  // The queue is read by id from where the last batch stopped; a post skipped because it was edited meanwhile
  // waits for the next run. The next batch is read and scored while this one is written (two connections: the
  // database writes while this process scores); the row-by-row baseline reads from the start each time, after its write.
  const prepare = async (rb: Rulebook, after: number): Promise<{ scored: ScoredPost[]; last: number } | null> => {
    const batch = await listPostsToScore(db, rb.version, opts.batchSize ?? 2000, after);
    if (!batch.length) return null;
    const decisions = await listReviewDecisions(db, batch.map((p) => p.id));
    const decided = new Map(decisions.map((d) => [`${d.postId}\u0000${d.rule}\u0000${d.match}`, d.status]));
    const scored: ScoredPost[] = batch.map((post) => {
      const lang = post.lang === 'ar' || post.lang === 'en' ? post.lang : undefined;
      const { findings } = scorePost(rb, { text: post.text, lang, accountType: post.accountType });
      // A reviewer's decision survives rescoring when the same rule still matches the same text.
      const withStatus = findings.map((f) => ({ ...f, status: decided.get(`${post.id}\u0000${f.rule}\u0000${f.match}`) ?? ('open' as const) }));
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
      next = prepare(rulebook, 0);
      continue;
    }
    if (!ahead) next = prepare(rulebook, 0);
    counts.posts += scored.length;
    for (const s of scored) {
      counts.findings += s.findings.length;
      if (s.verdict === 'violation') counts.violations++;
    }
  }
  await next.catch(() => null);
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
