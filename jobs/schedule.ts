// The only file that imports node-cron: every named job and its expression in one list.
// Each (job, slot) runs once across processes: the run coordinator's election is the insert of a
// job_run row keyed by job and slot. A slot missed while the process was down is caught up at start.
import cron, { type ScheduledTask, type TaskContext } from 'node-cron';
import type { Config } from './config.ts';
import { closeAbandonedImportRuns } from '../db/queries/import-runs.ts';
import { abandonStaleRuns, beatJobRun, claimJobRun, finishJobRun, getLatestJobRun } from '../db/queries/jobs.ts';
import { PROCESS_OWNER, type JobDeps } from './deps.ts';

export { PROCESS_OWNER };
import { runImportPipeline } from './pipeline.ts';
import { recentDays, rollupDirty, runRollup } from './rollup.ts';
import { runScoring } from './score.ts';
import { runAlertDigests, runAlerts, type AlertConfig } from './alerts.ts';
import { previousMonthOf } from './reports/data.ts';
import { generateMonthlyReports, reportSettings } from './reports/generate.ts';
import { deliverMonthlyReports } from './reports/deliver.ts';
import { redactSmtp } from './mailer.ts';

/** How often a running job says it is alive (STALE_HEARTBEAT_SECONDS in db/queries/jobs.ts is 8 beats). */
const HEARTBEAT_MS = 15_000;

export interface JobDefinition {
  job: string;
  expression: string;
  /** The setting the expression comes from, for error messages. */
  setting: string;
  description: string;
  /** `round` names the run for processes that share it: the slot of a cron tick, else `now`. */
  run(deps: JobDeps, now: Date, round: Date): Promise<{ counts: Record<string, number>; error?: string | null }>;
}

export function jobDefinitions(
  config: Pick<Config, 'MIZAN_IMPORT_CRON' | 'MIZAN_ROLLUP_CRON' | 'MIZAN_TIMEZONE'> & AlertConfig & Pick<Config, 'MIZAN_REPORT_CRON' | 'MIZAN_PUBLIC_URL' | 'MIZAN_CHROMIUM_PATH' | 'MIZAN_REPORT_DIGITS'>,
): JobDefinition[] {
  const jobs: JobDefinition[] = [
    {
      job: 'import',
      expression: config.MIZAN_IMPORT_CRON,
      setting: 'MIZAN_IMPORT_CRON',
      description: 'Import new posts of every active account, score them, roll up the days touched',
      async run(deps, now, round) {
        const r = await runImportPipeline(deps, { now, round });
        // Alerts for what the round scored or saw deleted; e-mails and webhooks that failed before are retried.
        const alerts = await runAlerts({ db: deps.db, config, log: deps.log, signal: deps.signal }, { now }).catch((err) => ({ counts: {}, errors: [`alerts: ${(err as Error).message}`] }));
        const errors = [...r.errors.map((e) => `${e.handle}: ${e.error}`), ...alerts.errors];
        return { counts: { ...r.counts, ...alerts.counts }, error: errors.length ? errors.join('; ') : null };
      },
    },
    {
      job: 'rollup',
      expression: config.MIZAN_ROLLUP_CRON,
      setting: 'MIZAN_ROLLUP_CRON',
      description: 'Recompute the days scoring marked and the last four days of rollups',
      async run(deps, now) {
        // Dirty days first (left by a stopped process), then the recent days as a safety net.
        const dirty = await rollupDirty(deps.db);
        const r = await runRollup(deps.db, { days: recentDays(now, config.MIZAN_TIMEZONE, 4) });
        return { counts: { rows: r.rows + dirty } };
      },
    },
    {
      job: 'alert-digest',
      // Hourly: the digests go out at the first run once MIZAN_ALERT_DIGEST_HOUR has come; later runs retry a failed one.
      expression: '0 * * * *',
      setting: 'MIZAN_ALERT_DIGEST_HOUR',
      description: 'E-mail the daily alert digests at MIZAN_ALERT_DIGEST_HOUR, the weekly ones on MIZAN_ALERT_DIGEST_WEEKDAY',
      async run(deps, now) {
        const r = await runAlertDigests({ db: deps.db, config, log: deps.log, signal: deps.signal }, { now });
        return { counts: r.counts, error: r.errors.length ? r.errors.join('; ') : null };
      },
    },
    {
      job: 'report',
      expression: config.MIZAN_REPORT_CRON,
      setting: 'MIZAN_REPORT_CRON',
      description: "Generate and archive the previous month's reports (the sector's and every entity's; PDF, XLSX, CSV; Arabic and English)",
      async run(deps, now, round) {
        // The slot's month, not the clock's: a run caught up on the 3rd still reports on the month before the 1st.
        const month = previousMonthOf(round, config.MIZAN_TIMEZONE);
        const r = await generateMonthlyReports(deps.db, reportSettings(config), { month, trigger: 'schedule', now });
        // Then each entity's e-mail (when MIZAN_SMTP_URL is set); one that failed before is retried. Never fails the run.
        const mail = await deliverMonthlyReports({ db: deps.db, config, log: deps.log, signal: deps.signal }, { month, now }).catch((err) => ({ counts: {}, errors: [`report e-mail: ${redactSmtp((err as Error).message, config.MIZAN_SMTP_URL)}`] }));
        const errors = [...r.errors, ...mail.errors];
        return { counts: { ...r.counts, ...mail.counts }, error: errors.length ? errors.join('; ') : null };
      },
    },
  ];
  // MIZAN_REPORT_CRON=off: reports only on demand (reports page, API, CLI).
  return jobs.filter((d) => d.expression !== 'off');
}

/** Runs one job for one slot unless another process already claimed it; records the run. */
export async function runJobSlot(deps: JobDeps, def: JobDefinition, slot: Date, now: () => Date = () => new Date()): Promise<'ran' | 'skipped'> {
  const runId = await claimJobRun(deps.db, def.job, slot.toISOString(), now(), PROCESS_OWNER);
  if (runId === null) return 'skipped';
  await executeClaimed(deps, def, runId, now, null);
  return 'ran';
}

async function executeClaimed(deps: JobDeps, def: JobDefinition, runId: number, now: () => Date, round: Date | null): Promise<void> {
  let counts: Record<string, number> = {};
  let error: string | null = null;
  // The heartbeat tells other processes this run is alive; a run whose beats stop is taken as dead.
  const heartbeat = setInterval(() => void beatJobRun(deps.db, runId).catch((err) => deps.log(`heartbeat of job ${def.job} failed: ${(err as Error).message}`)), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const started = now();
    const r = await def.run(deps, started, round ?? started);
    counts = r.counts;
    error = r.error ?? null;
  } catch (err) {
    error = (err as Error).message || String(err);
    deps.log(`job ${def.job} failed: ${error}`);
  } finally {
    clearInterval(heartbeat);
  }
  if (deps.signal?.aborted) error = `interrupted by shutdown${error ? ` (${error})` : ''}; the next run resumes from the saved cursors`;
  await finishJobRun(deps.db, runId, { finishedAt: now(), counts, error });
}

export interface Scheduler {
  stop(): Promise<void>;
  /** Resolves when the start-up catch-up runs are done. */
  caughtUp: Promise<void>;
}

export interface SchedulerOptions {
  /** The embedded database: this process holds it alone, so every run left 'running' is from a stopped process. */
  embedded?: boolean;
}

export function startScheduler(deps: JobDeps, config: Config, opts: SchedulerOptions = {}): Scheduler {
  const defs = jobDefinitions(config);
  const invalid = defs.filter((d) => !cron.validate(d.expression));
  if (invalid.length) throw new Error(invalid.map((d) => `${d.setting}: "${d.expression}" is not a valid cron expression`).join('; '));
  const claimed = new Map<string, number>();
  // A job runs once at a time in this process: the cron tick and the start-up catch-up share this set.
  const busy = new Set<string>();
  const coordinator = {
    async shouldRun(key: string): Promise<boolean> {
      const at = key.indexOf(':');
      if (busy.has(key.slice(0, at))) return false;
      const job = key.slice(0, at);
      const runId = await claimJobRun(deps.db, job, key.slice(at + 1), new Date(), PROCESS_OWNER);
      if (runId === null) {
        // Another process runs this slot's import: this one takes a share of its accounts (leases keep
        // any account from being polled twice), so that more workers finish a round sooner.
        if (job === 'import' && !deps.signal?.aborted) void helpWithImport(new Date(key.slice(at + 1)));
        return false;
      }
      claimed.set(key, runId);
      return true;
    },
  };
  const helping = new Set<Promise<unknown>>();
  function helpWithImport(slot: Date) {
    if (busy.has('import')) return;
    busy.add('import');
    const run = runImportPipeline(deps, { now: new Date(), round: slot })
      .then((r) => r.errors.length && deps.log(`import (sharing the slot ${slot.toISOString()}): ${r.errors.length} account(s) failed`))
      .catch((err) => deps.log(`import (sharing the slot ${slot.toISOString()}) failed: ${(err as Error).message}`))
      .finally(() => {
        busy.delete('import');
        helping.delete(run);
      });
    helping.add(run);
  }
  const tasks: ScheduledTask[] = [];
  for (const def of defs) {
    const task = cron.schedule(
      def.expression,
      async (ctx: TaskContext) => {
        const key = `${def.job}:${ctx.date.toISOString()}`;
        const runId = claimed.get(key);
        claimed.delete(key);
        if (runId === undefined) return;
        busy.add(def.job);
        try {
          await executeClaimed(deps, def, runId, () => new Date(), ctx.date);
        } finally {
          busy.delete(def.job);
        }
      },
      { name: def.job, timezone: config.MIZAN_TIMEZONE, noOverlap: true, distributed: true, runCoordinator: coordinator },
    );
    tasks.push(task);
  }
  const caughtUp = (async () => {
    // Runs left 'running' by a stopped process (kill -9) are closed so that the record is honest: on the
    // embedded database all of them (one process holds it), on PostgreSQL those whose owner stopped beating.
    const abandoned = await abandonStaleRuns(deps.db, { all: opts.embedded });
    if (abandoned) deps.log(`closed ${abandoned} job run(s) left running by a stopped process`);
    // An account's run left open by a stop reads failed (its saved pages stay; the cursor resumes after them).
    if (opts.embedded) await closeAbandonedImportRuns(deps.db, new Date());
    // A rescore (a rulebook published) or a scoring batch interrupted by a stop resumes now, not at the next tick.
    const resumed = await runScoring(deps, { now: new Date(), profiles: false });
    if (resumed.counts.posts) deps.log(`scored ${resumed.counts.posts} post(s) left unscored by an earlier stop`);
    await rollupDirty(deps.db);
    for (const [i, def] of defs.entries()) {
      if (deps.signal?.aborted || busy.has(def.job)) continue;
      const slot = previousSlot(tasks[i], new Date());
      const latest = await getLatestJobRun(deps.db, def.job);
      let runAt: Date | null = null;
      if (slot && (!latest || latest.slot < slot.toISOString())) {
        deps.log(`catching up job ${def.job} (slot ${slot.toISOString()} was missed)`);
        runAt = slot;
      } else if (latest && latest.status === 'error') {
        // The last run failed or was interrupted: run again now rather than wait for the next slot.
        // (A run still 'running' belongs to a live process: the claim below refuses to run beside it.)
        deps.log(`re-running job ${def.job} (its last run ended with an error)`);
        runAt = new Date(Math.floor(Date.now() / 1000) * 1000);
      }
      if (!runAt) continue;
      busy.add(def.job);
      try {
        await runJobSlot(deps, def, runAt);
      } finally {
        busy.delete(def.job);
      }
    }
  })().catch((err) => deps.log(`catch-up failed: ${(err as Error).message}`));
  return {
    caughtUp,
    async stop() {
      for (const t of tasks) await t.destroy();
      await caughtUp;
      await Promise.all(helping);
    },
  };
}

/** The last minute at or before `now` that the expression matches (in its time zone), within 35 days. */
export function previousSlot(task: Pick<ScheduledTask, 'match'>, now: Date): Date | null {
  const start = Math.floor(now.getTime() / 60_000) * 60_000;
  for (let m = 0; m <= 35 * 24 * 60; m++) {
    const candidate = new Date(start - m * 60_000);
    if (task.match(candidate)) return candidate;
  }
  return null;
}

/** previousSlot for an expression, without scheduling anything (tests and tools). */
export function previousSlotOf(expression: string, timeZone: string, now: Date): Date | null {
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  try {
    return previousSlot(task, now);
  } finally {
    void task.destroy();
  }
}

/**
 * The next slot, as previousSlot finds the last one (an account's `nextRunAt`): answers "the first slot at or
 * after t" for one expression until closed; null when the expression is invalid
 * or matches nothing within 35 days. Each answer walks minute by minute (a few steps for `*\/5 * * * *`).
 */
export function slotFinder(expression: string, timeZone: string): { next(atOrAfter: Date): Date | null; close(): void } {
  if (!cron.validate(expression)) return { next: () => null, close: () => {} };
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  return {
    next(atOrAfter) {
      const start = Math.ceil(atOrAfter.getTime() / 60_000) * 60_000;
      for (let m = 0; m <= 35 * 24 * 60; m++) {
        const candidate = new Date(start + m * 60_000);
        if (task.match(candidate)) return candidate;
      }
      return null;
    },
    close: () => void task.destroy(),
  };
}
