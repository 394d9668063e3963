// The period of a view, read from the URL: a preset (?period=6m) or an explicit range (?from&to&interval).
import type { Interval } from '../../../server/api-types.ts';
import { DEFAULT_PRESET, isPreset, isYmd, presetRange, type PeriodPreset } from './chart-data.ts';

export interface Period {
  preset: PeriodPreset | null;
  from: string;
  to: string;
  interval: Interval;
}

/** Today's date (YYYY-MM-DD) in the given time zone (Bahrain by default). */
export function todayIn(timeZone = 'Asia/Bahrain', now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function autoInterval(from: string, to: string): Interval {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
  return days <= 45 ? 'day' : days <= 200 ? 'week' : 'month';
}

export function readPeriod(query: URLSearchParams, today: string): Period {
  const from = query.get('from');
  const to = query.get('to');
  if (isYmd(from) && isYmd(to) && from <= to) {
    const i = query.get('interval');
    const interval: Interval = i === 'day' || i === 'week' || i === 'month' ? i : autoInterval(from, to);
    return { preset: null, from, to, interval };
  }
  const p = query.get('period');
  const preset = isPreset(p) ? p : DEFAULT_PRESET;
  return { preset, ...presetRange(preset, today) };
}

/** The query parameters that carry a period to another page. */
export function periodParams(period: Period): Record<string, string | null> {
  return period.preset
    ? { period: period.preset, from: null, to: null, interval: null }
    : { period: null, from: period.from, to: period.to, interval: period.interval };
}
