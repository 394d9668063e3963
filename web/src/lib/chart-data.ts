// Pure shaping of API series into chart specs: no DOM, no Chart.js, no Svelte (tested in test/unit/chart-data.test.ts).
import type {
  Category,
  CategoryCount,
  CategoryTrendPoint,
  Interval,
  Severity,
  TrendPoint,
} from '../../../server/api-types.ts';
import { CATEGORIES } from '../../../db/vocabulary.ts';

/** The categories in the rulebook brief's order (one list, shared with the server). */
export const CATEGORY_ORDER: readonly Category[] = CATEGORIES;

export const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];

// Okabe–Ito, safe for the common forms of colour blindness; grey for the ninth category.
export const CATEGORY_COLORS: Record<Category, string> = {
  confidentiality: '#E69F00',
  personal_data: '#56B4E9',
  abuse: '#D55E00',
  beliefs: '#CC79A7',
  public_morals: '#F0E442',
  reputation: '#0072B2',
  infosec: '#009E73',
  misuse_of_position: '#000000',
  disclaimer: '#999999',
};

// One ordered scale (light to dark, cool to hot) used by every badge, dot and chart.
export const SEVERITY_COLORS: Record<Severity, string> = {
  low: '#56B4E9',
  medium: '#E69F00',
  high: '#D55E00',
  critical: '#7A0403',
};

export const SERIES_COLORS = { score: '#0072B2', rate: '#009E73', posts: '#C9CED6' } as const;

export function categoryColor(category: string): string {
  return (CATEGORY_COLORS as Record<string, string>)[category] ?? '#6B7280';
}

export function severityRank(severity: Severity | null | undefined): number {
  return severity ? SEVERITY_ORDER.indexOf(severity) : -1;
}

// ---- calendar periods (YYYY-MM-DD strings, calendar arithmetic in UTC so no day ever shifts) ----

const YMD = /^\d{4}-\d{2}-\d{2}$/;

export function isYmd(value: string | null | undefined): value is string {
  if (!value || !YMD.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

function toDate(ymd: string): Date {
  return new Date(`${ymd.slice(0, 10)}T00:00:00Z`);
}

function toYmd(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(ymd: string, days: number): string {
  const d = toDate(ymd);
  d.setUTCDate(d.getUTCDate() + days);
  return toYmd(d);
}

export function addMonths(ymd: string, months: number): string {
  const d = toDate(ymd);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return toYmd(d);
}

/** The server's weeks start on Sunday, as the working week does in Bahrain. */
export const DEFAULT_WEEK_START = 0;

/** Start of the period holding `ymd`; weeks start on `weekStart` (0 = Sunday, 1 = Monday). */
export function periodStart(ymd: string, interval: Interval, weekStart = DEFAULT_WEEK_START): string {
  if (interval === 'day') return ymd.slice(0, 10);
  if (interval === 'month') return `${ymd.slice(0, 7)}-01`;
  const d = toDate(ymd);
  const back = (d.getUTCDay() - weekStart + 7) % 7;
  return addDays(ymd, -back);
}

export function nextPeriod(start: string, interval: Interval): string {
  if (interval === 'day') return addDays(start, 1);
  if (interval === 'week') return addDays(start, 7);
  return addMonths(start, 1);
}

/** Every period start from the one holding `from` to the one holding `to`, oldest first. */
export function periodStarts(from: string, to: string, interval: Interval, weekStart = DEFAULT_WEEK_START): string[] {
  if (!isYmd(from) || !isYmd(to) || from > to) return [];
  const out: string[] = [];
  const last = periodStart(to, interval, weekStart);
  for (let p = periodStart(from, interval, weekStart); p <= last && out.length < 5000; p = nextPeriod(p, interval)) {
    out.push(p);
  }
  return out;
}

/** The week start the server used, read from its data (Sunday when there is none). */
export function inferWeekStart(periods: readonly string[]): number {
  const first = periods.find(isYmd);
  return first ? toDate(first).getUTCDay() : DEFAULT_WEEK_START;
}

function gridFor(periods: readonly string[], from: string, to: string, interval: Interval): string[] {
  const weekStart = interval === 'week' ? inferWeekStart(periods) : DEFAULT_WEEK_START;
  const grid = periodStarts(from, to, interval, weekStart);
  // keep any period the server sent outside the requested range rather than dropping data
  const extra = periods.filter((p) => !grid.includes(p));
  return extra.length ? [...new Set([...grid, ...extra])].sort() : grid;
}

export function emptyTrendPoint(period: string): TrendPoint {
  return { period, posts: 0, clean: 0, review: 0, violations: 0, findings: 0, score: null, complianceRate: null };
}

/** One point per period between from and to; periods without posts get zero counts and a null score. */
export function fillTrend(points: readonly TrendPoint[], from: string, to: string, interval: Interval): TrendPoint[] {
  const byPeriod = new Map(points.map((p) => [p.period.slice(0, 10), p]));
  return gridFor([...byPeriod.keys()], from, to, interval).map((period) => {
    const p = byPeriod.get(period);
    return p ? { ...p, period } : emptyTrendPoint(period);
  });
}

export function emptyCounts(): Record<Category, number> {
  return Object.fromEntries(CATEGORY_ORDER.map((c) => [c, 0])) as Record<Category, number>;
}

export function fillCategoryTrend(
  points: readonly CategoryTrendPoint[],
  from: string,
  to: string,
  interval: Interval,
): CategoryTrendPoint[] {
  const byPeriod = new Map(points.map((p) => [p.period.slice(0, 10), p]));
  return gridFor([...byPeriod.keys()], from, to, interval).map((period) => ({
    period,
    counts: { ...emptyCounts(), ...(byPeriod.get(period)?.counts ?? {}) },
  }));
}

// ---- deltas ----

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** current − previous to one decimal; null when either side has no data. */
export function scoreDelta(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current == null || previous == null || Number.isNaN(current) || Number.isNaN(previous)) return null;
  return round1(current - previous);
}

/** Change of a 0..1 rate in percentage points. */
export function rateDelta(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current == null || previous == null) return null;
  return round1((current - previous) * 100);
}

export type Direction = 'up' | 'down' | 'flat' | 'none';

export function direction(delta: number | null | undefined): Direction {
  if (delta == null || Number.isNaN(delta)) return 'none';
  if (delta > 0) return 'up';
  if (delta < 0) return 'down';
  return 'flat';
}

export function toPercent(rate: number | null | undefined): number | null {
  return rate == null ? null : round1(rate * 100);
}

export function median(values: readonly (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => v != null && !Number.isNaN(v)).sort((a, b) => a - b);
  if (!xs.length) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

// ---- period presets of the overview ----

export type PeriodPreset = '30d' | '90d' | '6m' | '12m' | '18m';

export const PERIOD_PRESETS: readonly { id: PeriodPreset; count: number; unit: 'days' | 'months'; interval: Interval }[] = [
  { id: '30d', count: 30, unit: 'days', interval: 'day' },
  { id: '90d', count: 90, unit: 'days', interval: 'week' },
  { id: '6m', count: 6, unit: 'months', interval: 'week' },
  { id: '12m', count: 12, unit: 'months', interval: 'month' },
  { id: '18m', count: 18, unit: 'months', interval: 'month' },
];

export const DEFAULT_PRESET: PeriodPreset = '6m';

export function isPreset(value: string | null | undefined): value is PeriodPreset {
  return PERIOD_PRESETS.some((p) => p.id === value);
}

/** The inclusive date range of a preset ending on `today` (both YYYY-MM-DD). */
export function presetRange(preset: PeriodPreset, today: string): { from: string; to: string; interval: Interval } {
  const p = PERIOD_PRESETS.find((x) => x.id === preset) ?? PERIOD_PRESETS[2];
  const from = p.unit === 'days' ? addDays(today, -(p.count - 1)) : addDays(addMonths(today, -p.count), 1);
  return { from, to: today, interval: p.interval };
}

// ---- chart specs: what Chart.svelte draws and what its text-alternative table lists ----

export type ValueFormat = 'score' | 'percent' | 'count';

export interface SeriesSpec {
  key: string;
  label: string;
  data: (number | null)[];
  color: string;
  kind: 'line' | 'bar';
  axis: 'y' | 'y1';
  format: ValueFormat;
  dashed?: boolean;
  pointStyle?: 'circle' | 'triangle' | 'rect' | 'rectRot';
  stack?: string;
}

export interface ChartSpec {
  periods: string[];
  labels: string[];
  series: SeriesSpec[];
  /** Bounds of the main axis (scores and rates: up to 100, from a round floor under the lowest value). */
  yMax?: number;
  yMin?: number;
  stacked?: boolean;
}

export interface TrendLabels {
  score: string;
  rate: string;
  posts: string;
}

/** A round floor (multiple of 10) a little under the lowest value, so that a dip from 99 to 94 stays visible. */
export function scoreAxisMin(values: readonly (number | null)[]): number {
  const present = values.filter((v): v is number => v != null && !Number.isNaN(v));
  if (!present.length) return 0;
  return Math.max(0, Math.floor((Math.min(...present) - 2) / 10) * 10);
}

export function trendSpec(points: readonly TrendPoint[], labels: TrendLabels, formatPeriod: (period: string) => string): ChartSpec {
  const scores = points.map((p) => p.score);
  const rates = points.map((p) => toPercent(p.complianceRate));
  return {
    periods: points.map((p) => p.period),
    labels: points.map((p) => formatPeriod(p.period)),
    yMax: 100,
    yMin: scoreAxisMin([...scores, ...rates]),
    series: [
      {
        key: 'score',
        label: labels.score,
        data: scores.map((s) => (s == null ? null : round1(s))),
        color: SERIES_COLORS.score,
        kind: 'line',
        axis: 'y',
        format: 'score',
        pointStyle: 'circle',
      },
      {
        key: 'rate',
        label: labels.rate,
        data: rates,
        color: SERIES_COLORS.rate,
        kind: 'line',
        axis: 'y',
        format: 'percent',
        dashed: true,
        pointStyle: 'triangle',
      },
      {
        key: 'posts',
        label: labels.posts,
        data: points.map((p) => p.posts),
        color: SERIES_COLORS.posts,
        kind: 'bar',
        axis: 'y1',
        format: 'count',
      },
    ],
  };
}

/** Stacked bars per period, one series per category that has at least one finding in the range. */
export function categoryTrendSpec(
  points: readonly CategoryTrendPoint[],
  categoryLabel: (category: Category) => string,
  formatPeriod: (period: string) => string,
): ChartSpec {
  const present = CATEGORY_ORDER.filter((c) => points.some((p) => (p.counts[c] ?? 0) > 0));
  return {
    periods: points.map((p) => p.period),
    labels: points.map((p) => formatPeriod(p.period)),
    stacked: true,
    series: present.map((c) => ({
      key: c,
      label: categoryLabel(c),
      data: points.map((p) => p.counts[c] ?? 0),
      color: CATEGORY_COLORS[c],
      kind: 'bar' as const,
      axis: 'y' as const,
      format: 'count' as const,
      stack: 'findings',
    })),
  };
}

export interface CategoryRow {
  category: Category;
  findings: number;
  posts: number;
  /** findings / the largest category's findings, 0..1, for the bar width. */
  share: number;
  color: string;
}

/** Categories with findings, largest first (ties in rulebook order). */
export function categoryRows(categories: readonly CategoryCount[]): CategoryRow[] {
  const rows = categories.filter((c) => c.findings > 0);
  const max = Math.max(0, ...rows.map((c) => c.findings));
  return rows
    .map((c) => ({ category: c.category, findings: c.findings, posts: c.posts, share: max ? c.findings / max : 0, color: categoryColor(c.category) }))
    .sort((a, b) => b.findings - a.findings || CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category));
}

/** SVG path of a sparkline in a width×height box (0..100 scale); gaps where a period has no score. */
export function sparklinePath(values: readonly (number | null)[], width: number, height: number, min = 0, max = 100): string {
  if (!values.length) return '';
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const span = max - min || 1;
  const parts: string[] = [];
  let drawing = false;
  values.forEach((v, i) => {
    if (v == null || Number.isNaN(v)) {
      drawing = false;
      return;
    }
    const x = values.length > 1 ? i * step : width / 2;
    const clamped = Math.min(max, Math.max(min, v));
    const y = height - ((clamped - min) / span) * height;
    parts.push(`${drawing ? 'L' : 'M'}${round1(x)} ${round1(y)}`);
    drawing = true;
  });
  return parts.join(' ');
}
