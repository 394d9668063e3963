// import -> score -> rollup of the days touched: what the scheduled import job runs.
import type { JobDeps } from './deps.ts';
import { runImport, type ImportOptions } from './import.ts';
import { runRollup } from './rollup.ts';
import { runScoring } from './score.ts';

export async function runImportPipeline(deps: JobDeps, opts: ImportOptions) {
  const imported = await runImport(deps, opts);
  const scored = await runScoring(deps, { now: opts.now });
  const rolled = await runRollup(deps.db, { days: scored.days });
  return {
    counts: {
      ...imported.counts,
      scored: scored.counts.posts,
      findings: scored.counts.findings,
      violations: scored.counts.violations,
      rollupRows: rolled.rows,
    },
    warnings: imported.warnings,
    errors: imported.errors,
  };
}
