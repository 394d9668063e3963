// import -> score -> rollup of the days touched, account by account: what the scheduled import job runs.
// Going one account at a time lets the dashboard fill in while a long first import is still running.
import { listImportAccounts } from '../db/queries/accounts.ts';
import type { JobDeps } from './deps.ts';
import { importAccounts, type ImportOptions, type ImportResult } from './import.ts';
import { rollupDirty } from './rollup.ts';
import { runScoring } from './score.ts';

export async function runImportPipeline(deps: JobDeps, opts: ImportOptions) {
  // A scheduled run takes the accounts that are due; an explicit list (CLI, tests) is imported as asked.
  const accounts = await listImportAccounts(deps.db, opts.accountIds ? { accountIds: opts.accountIds } : { dueAt: opts.now });
  const counts = { accounts: 0, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, warnings: 0, scored: 0, findings: 0, violations: 0, rollupRows: 0 };
  const warnings: ImportResult['warnings'] = [];
  const errors: ImportResult['errors'] = [];
  const scoreAndRollUp = async (profiles: boolean) => {
    const scored = await runScoring(deps, { now: opts.now, profiles });
    counts.scored += scored.counts.posts;
    counts.findings += scored.counts.findings;
    counts.violations += scored.counts.violations;
    counts.rollupRows += await rollupDirty(deps.db);
  };
  // Posts left unscored by an earlier crash are scored first.
  await scoreAndRollUp(false);
  for (const account of accounts) {
    if (deps.signal?.aborted) break;
    const imported = await importAccounts(deps, [account], opts);
    for (const [k, v] of Object.entries(imported.counts)) counts[k as keyof typeof counts] += v;
    warnings.push(...imported.warnings);
    errors.push(...imported.errors);
    await scoreAndRollUp(false);
  }
  // Account-level rules (the disclaimer) read the profiles: once per run.
  if (!deps.signal?.aborted) await scoreAndRollUp(true);
  return { counts, warnings, errors };
}
