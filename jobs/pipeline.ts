// import -> score -> rollup of the days touched, account by account (two at once on PostgreSQL): what the scheduled
// import job runs. Scoring after each account lets the dashboard fill in while a long first import is still running.
import { tendTables } from '../db/queries/maintenance.ts';
import { mergeSearchIndex } from '../db/queries/posts.ts';
import { PROCESS_OWNER, type JobDeps } from './deps.ts';
import { importNextLeased, releaseDeadLocalLeases, type ImportOptions, type ImportResult } from './import.ts';
import { retireDashboard, rollupDirty } from './rollup.ts';
import { runScoring } from './score.ts';

export interface PipelineOptions extends ImportOptions {
  /** The worker's name on the leases it takes (default: this process). */
  owner?: string;
  /**
   * The round's name: an account whose last run is at or after it was imported in this round already.
   * Workers that share a round give the same value (the schedule slot); default `now`.
   */
  round?: Date;
}

/**
 * One round: this worker takes accounts one at a time under a lease until none is left, scoring and
 * rolling up after each. Several workers (processes) can run the same round (the same `now`) at once:
 * they share the accounts, none is polled twice, and one that dies leaves its account to the others.
 */
// Without an explicit list of accounts, a round takes the accounts that are due (their own import interval elapsed).
export async function runImportPipeline(deps: JobDeps, opts: PipelineOptions) {
  const owner = opts.owner ?? PROCESS_OWNER;
  const filter = { round: opts.round ?? opts.now, accountIds: opts.accountIds, dueAt: opts.accountIds ? undefined : opts.now };
  const counts = { accounts: 0, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, rejected: 0, warnings: 0, scored: 0, findings: 0, violations: 0, rollupRows: 0 };
  const result: ImportResult = { counts: { accounts: 0, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, rejected: 0, warnings: 0 }, warnings: [], errors: [] };
  const scoreAndRollUp = async (profiles: boolean) => {
    const scored = await runScoring(deps, { now: opts.now, profiles });
    counts.scored += scored.counts.posts;
    counts.findings += scored.counts.findings;
    counts.violations += scored.counts.violations;
    counts.rollupRows += await rollupDirty(deps.db, { retire: 'soon' });
  };
  // Accounts held by a process of this host that died are free again; posts left unscored by a crash are scored first.
  await releaseDeadLocalLeases(deps);
  await scoreAndRollUp(false);
  const lanes = Math.max(1, Math.floor(deps.importLanes ?? 1));
  if (lanes === 1) {
    while (!deps.signal?.aborted && (await importNextLeased(deps, owner, filter, opts, result))) await scoreAndRollUp(false);
  } else {
    // Several accounts at once, each on its own connection, and the scoring of what they stored beside them: on
    // PostgreSQL the database's work then runs on every core instead of one statement at a time. One scorer runs at a
    // time (runScoring queues); a lane asks for it after each account and goes on with the next.
    let failure: { error: unknown } | null = null;
    let wanted = false;
    let scorer: Promise<void> | null = null;
    const requestScoring = () => {
      wanted = true;
      scorer ??= (async () => {
        while (wanted && !failure) {
          wanted = false;
          await scoreAndRollUp(false);
        }
      })()
        .catch((error) => void (failure ??= { error }))
        .finally(() => (scorer = null));
    };
    const lane = async () => {
      while (!failure && !deps.signal?.aborted && (await importNextLeased(deps, owner, filter, opts, result))) requestScoring();
    };
    const ended = await Promise.allSettled(Array.from({ length: lanes }, lane));
    while (scorer) await scorer;
    for (const e of ended) if (e.status === 'rejected') failure ??= { error: e.reason };
    if (failure) throw (failure as { error: unknown }).error;
  }
  Object.assign(counts, result.counts);
  // Account-level rules (the disclaimer) read the profiles: once per run.
  if (!deps.signal?.aborted) await scoreAndRollUp(true);
  // The accounts' run statuses and everything imported show on the dashboard at once; a round that ran no account and
  // rolled nothing up (a scheduled slot with nothing due) leaves the cached answers alone.
  if (counts.accounts > 0 || counts.failedAccounts > 0 || counts.rollupRows > 0) await retireDashboard(deps.db, { now: true });
  // Housekeeping once the round shows: the search index's pending list merged; where autovacuum is off, the dead rows of
  // the days the rollups recomputed cleared.
  if (counts.inserted + counts.edited > 0) await mergeSearchIndex(deps.db);
  if (counts.rollupRows > 0) await tendTables(deps.db, ['rollup_day', 'rollup_entity_day', 'rollup_category_day', 'account_post_summary', 'rollup_dirty', 'score_pending']);
  return { counts, warnings: result.warnings, errors: result.errors };
}
