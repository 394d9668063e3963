// Periods are local calendar dates (the entity's time zone, Asia/Bahrain by default).
import { sql, type RawBuilder } from 'kysely';

export type Interval = 'day' | 'week' | 'month';

/** SQL that maps a date column to the start of its period; weeks start on Sunday as in Bahrain. */
export function periodOf(column: string, interval: Interval): RawBuilder<string> {
  const col = sql.ref(column);
  if (interval === 'day') return sql<string>`${col}`;
  if (interval === 'week') return sql<string>`(${col} - extract(dow from ${col})::int)`;
  return sql<string>`date_trunc('month', ${col})::date`;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The period of the same length just before [from, to]. */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const length = daysBetween(from, to) + 1;
  return { from: addDays(from, -length), to: addDays(from, -1) };
}

/** Every period start between from and to, so that empty periods show as gaps, not as missing points. */
export function periodStarts(from: string, to: string, interval: Interval): string[] {
  const starts: string[] = [];
  let d = new Date(`${from}T00:00:00Z`);
  if (interval === 'week') d.setUTCDate(d.getUTCDate() - d.getUTCDay());
  if (interval === 'month') d.setUTCDate(1);
  const end = Date.parse(`${to}T00:00:00Z`);
  while (d.getTime() <= end) {
    starts.push(d.toISOString().slice(0, 10));
    if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
    else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
    else d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return starts;
}
