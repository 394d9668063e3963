// import -> score -> rollup of the days touched, account by account: what the scheduled import job runs.
// Going one account at a time lets the dashboard fill in while a long first import is still running.
import { listImportAccounts } from '../db/queries/accounts.ts';
import type { JobDeps } from './deps.ts';
import { runImport, type ImportOptions, type ImportResult } from './import.ts';
import { rollupDirty } from './rollup.ts';
import { runScoring } from './score.ts';

export async function runImportPipeline(deps: JobDeps, opts: ImportOptions) {
  // A scheduled run takes the accounts that are due; an explicit list (CLI, tests) is imported as asked.
  const accounts = await listImportAccounts(deps.db, opts.accountIds ? { accountIds: opts.accountIds } : { dueAt: opts.now });
  const counts = { accounts: 0, failedAccounts: 0, pages: 0, inserted: 0, edited: 0, deleted: 0, unchanged: 0, warnings: 0, scored: 0, findings: 0, violations: 0, rollupRows: 0 };
  const warnings: ImportResult['warnings'] = [];
  const errors: ImportResult['errors'] = [];
  // Posts left unscored by an earlier crash are scored first.
  const steps = [[] as number[], ...accounts.map((a) => [a.id])];
  for (const accountIds of steps) {
    if (deps.signal?.aborted) break;
    if (accountIds.length) {
      const imported = await runImport(deps, { ...opts, accountIds });
      for (const [k, v] of Object.entries(imported.counts)) counts[k as keyof typeof counts] += v;
      warnings.push(...imported.warnings);
      errors.push(...imported.errors);
    }
    // Account profiles are scored once, in the last step.
    const scored = await runScoring(deps, { now: opts.now, profiles: accountIds === steps[steps.length - 1] });
    const rolled = await rollupDirty(deps.db);
    counts.scored += scored.counts.posts;
    counts.findings += scored.counts.findings;
    counts.violations += scored.counts.violations;
    counts.rollupRows += rolled;
  }
  return { counts, warnings, errors };
}
