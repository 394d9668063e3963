// Resolves the requested period against defaults: the last 180 days in the Bahrain calendar.
import { addDays, daysBetween, localDate, type Interval } from '../db/queries/periods.ts';
import { AppError } from './errors.ts';
import { MAX_PERIOD_DAYS } from './validate.ts';

export const DEFAULT_PERIOD_DAYS = 180;

export function resolvePeriod(
  q: { from?: string; to?: string; interval?: Interval },
  now: Date,
  timeZone: string,
): { from: string; to: string; interval: Interval } {
  const to = q.to ?? localDate(now, timeZone);
  const from = q.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (from > to) throw new AppError(400, 'invalid-request', 'from must not be after to', [{ field: 'from', message: 'must not be after to' }]);
  const days = daysBetween(from, to) + 1;
  if (days > MAX_PERIOD_DAYS) throw new AppError(400, 'invalid-request', `The period is ${days} days long; at most ${MAX_PERIOD_DAYS} are allowed`, [{ field: 'from', message: 'period too long' }]);
  const interval = q.interval ?? (days <= 45 ? 'day' : days <= 200 ? 'week' : 'month');
  if (interval === 'day' && days > 400) throw new AppError(400, 'invalid-request', 'interval=day is limited to periods of 400 days; use week or month', [{ field: 'interval', message: 'too many points' }]);
  return { from, to, interval };
}
