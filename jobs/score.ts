// Scores every post that needs it with the rulebook in force, keeping reviewers' decisions.
import { listImportAccounts } from '../db/queries/accounts.ts';
import { listPostsToScore, listReviewDecisions, replaceAccountFindings, saveScores, type ScoredPost } from '../db/queries/scores.ts';
import type { JobDeps } from './deps.ts';
import type { TouchedDays } from './rollup.ts';
import { resolveActiveRulebook } from './rulebook-store.ts';
import { computeScore } from './scoring/formula.ts';
import { scorePost, scoreProfile } from './scoring/engine.ts';

export interface ScoreCounts {
  posts: number;
  findings: number;
  violations: number;
  accounts: number;
}

export async function runScoring(deps: JobDeps, opts: { now: Date; batchSize?: number }): Promise<{ counts: ScoreCounts; touched: TouchedDays; version: string }> {
  const { db } = deps;
  const rulebook = await resolveActiveRulebook(db, deps.rulebook);
  const counts: ScoreCounts = { posts: 0, findings: 0, violations: 0, accounts: 0 };
  const touched: TouchedDays = new Map();
  while (!deps.signal?.aborted) {
    const batch = await listPostsToScore(db, rulebook.version, opts.batchSize ?? 2000);
    if (!batch.length) break;
    const decisions = await listReviewDecisions(db, batch.map((p) => p.id));
    const decided = new Map(decisions.map((d) => [`${d.postId}\u0000${d.rule}\u0000${d.match}`, d.status]));
    const scored: ScoredPost[] = batch.map((post) => {
      const lang = post.lang === 'ar' || post.lang === 'en' ? post.lang : undefined;
      const { findings } = scorePost(rulebook, { text: post.text, lang, accountType: post.accountType });
      // A reviewer's decision survives rescoring when the same rule still matches the same text.
      const withStatus = findings.map((f) => ({ ...f, status: decided.get(`${post.id}\u0000${f.rule}\u0000${f.match}`) ?? ('open' as const) }));
      return { postId: post.id, entityId: post.entityId, ...computeScore(withStatus), findings: withStatus };
    });
    await saveScores(db, rulebook.version, scored, opts.now);
    for (const p of batch) {
      let days = touched.get(p.entityId);
      if (!days) touched.set(p.entityId, (days = new Set()));
      days.add(p.localDay);
    }
    counts.posts += scored.length;
    for (const s of scored) {
      counts.findings += s.findings.length;
      if (s.verdict === 'violation') counts.violations++;
    }
  }
  // Account-level rules (the disclaimer on personal accounts) read the profile text.
  for (const account of await listImportAccounts(db)) {
    const findings = scoreProfile(rulebook, { accountType: account.type, profileText: account.profileText });
    await replaceAccountFindings(db, account.id, rulebook.version, findings);
    counts.accounts++;
  }
  return { counts, touched, version: rulebook.version };
}
