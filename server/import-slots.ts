// When the next scheduled import runs (an account's `nextRunAt`): the import cron expression read the way
// jobs/schedule.ts reads it (node-cron, in the configured time zone), looking forward instead of back.
import cron from 'node-cron';

const HORIZON_MINUTES = 35 * 24 * 60;

/**
 * Answers "the first slot at or after t" for one expression until closed; null when the expression is invalid
 * or matches nothing within 35 days. Each answer walks minute by minute (a few steps for `*\/5 * * * *`).
 */
export function slotFinder(expression: string, timeZone: string): { next(atOrAfter: Date): Date | null; close(): void } {
  if (!cron.validate(expression)) return { next: () => null, close: () => {} };
  const task = cron.createTask(expression, () => {}, { timezone: timeZone });
  return {
    next(atOrAfter) {
      const start = Math.ceil(atOrAfter.getTime() / 60_000) * 60_000;
      for (let m = 0; m <= HORIZON_MINUTES; m++) {
        const candidate = new Date(start + m * 60_000);
        if (task.match(candidate)) return candidate;
      }
      return null;
    },
    close: () => void task.destroy(),
  };
}
