// Aggregates for the overview and the scorecards, read from the rollup tables only: per entity and day
// (rollup_entity_day) and per entity, day and category (rollup_category_day), the grain the dashboard asks.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { CATEGORIES, type Category } from '../vocabulary.ts';
import { periodOf, periodStarts, type Interval } from './periods.ts';
import { inScope, type EntityScope } from './scope.ts';

export interface PeriodFilter {
  from: string;
  to: string;
  entityId?: number;
}

export interface PeriodStats {
  posts: number;
  clean: number;
  review: number;
  violations: number;
  findings: number;
  score: number | null;
  complianceRate: number | null;
}

export interface TrendPoint extends PeriodStats {
  period: string;
}

export interface CategoryCount {
  category: Category;
  findings: number;
  posts: number;
}

export interface CategoryTrendPoint {
  period: string;
  counts: Record<Category, number>;
}

interface SumRow {
  posts: number;
  clean: number;
  review: number;
  violations: number;
  findings: number;
  score_sum: number;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

function toStats(r: SumRow | undefined): PeriodStats {
  const posts = Number(r?.posts ?? 0);
  return {
    posts,
    clean: Number(r?.clean ?? 0),
    review: Number(r?.review ?? 0),
    violations: Number(r?.violations ?? 0),
    findings: Number(r?.findings ?? 0),
    score: posts ? round1(Number(r!.score_sum) / posts) : null,
    complianceRate: posts ? Math.round(((posts - Number(r!.violations)) / posts) * 1000) / 1000 : null,
  };
}

const sums = sql<SumRow>`
  coalesce(sum(r.posts), 0)::int as posts, coalesce(sum(r.clean), 0)::int as clean,
  coalesce(sum(r.review), 0)::int as review, coalesce(sum(r.violations), 0)::int as violations,
  coalesce(sum(r.findings), 0)::int as findings, coalesce(sum(r.score_sum), 0)::bigint as score_sum`;

export async function getPeriodStats(db: Db, scope: EntityScope, f: PeriodFilter): Promise<PeriodStats> {
  const { rows } = await sql<SumRow>`
    select ${sums} from rollup_entity_day r
    where r.day between ${f.from} and ${f.to} and ${inScope('r.entity_id', scope)}
      ${f.entityId === undefined ? sql`` : sql`and r.entity_id = ${f.entityId}`}`.execute(db);
  return toStats(rows[0]);
}

export interface EntityPeriodStats extends PeriodStats {
  entityId: number;
  /** The sums behind the figures, so that entities can be added up exactly (totalOf). */
  sums: SumRow;
}

export async function listEntityStats(db: Db, scope: EntityScope, f: PeriodFilter): Promise<EntityPeriodStats[]> {
  const { rows } = await sql<SumRow & { entity_id: number }>`
    select r.entity_id, ${sums} from rollup_entity_day r
    where r.day between ${f.from} and ${f.to} and ${inScope('r.entity_id', scope)}
    group by r.entity_id`.execute(db);
  return rows.map(({ entity_id, ...sums }) => ({ entityId: entity_id, ...toStats(sums), sums }));
}

/** The figures of several entities together: the same as getPeriodStats over their scope, without a second scan. */
export function totalOf(entities: EntityPeriodStats[]): PeriodStats {
  const total: SumRow = { posts: 0, clean: 0, review: 0, violations: 0, findings: 0, score_sum: 0 };
  for (const { sums } of entities) for (const k of Object.keys(total) as (keyof SumRow)[]) total[k] += Number(sums[k]);
  return toStats(total);
}

/** One point per period between from and to (empty periods included, score null). */
export async function getTrend(db: Db, scope: EntityScope, f: PeriodFilter & { interval: Interval }): Promise<TrendPoint[]> {
  const { rows } = await sql<SumRow & { period: string }>`
    select ${periodOf('r.day', f.interval)} as period, ${sums} from rollup_entity_day r
    where r.day between ${f.from} and ${f.to} and ${inScope('r.entity_id', scope)}
      ${f.entityId === undefined ? sql`` : sql`and r.entity_id = ${f.entityId}`}
    group by 1 order by 1`.execute(db);
  const byPeriod = new Map(rows.map((r) => [String(r.period), r]));
  return periodStarts(f.from, f.to, f.interval).map((period) => ({ period, ...toStats(byPeriod.get(period)) }));
}

/** Mean score per entity per period, for the ranking's sparklines. */
export async function listEntitySparklines(
  db: Db,
  scope: EntityScope,
  f: PeriodFilter & { interval: Interval },
): Promise<Map<number, (number | null)[]>> {
  const { rows } = await sql<{ entity_id: number; period: string; posts: number; score_sum: number }>`
    select r.entity_id, ${periodOf('r.day', f.interval)} as period,
      sum(r.posts)::int as posts, sum(r.score_sum)::bigint as score_sum
    from rollup_entity_day r
    where r.day between ${f.from} and ${f.to} and ${inScope('r.entity_id', scope)}
    group by 1, 2`.execute(db);
  const periods = periodStarts(f.from, f.to, f.interval);
  const index = new Map(periods.map((p, i) => [p, i]));
  const result = new Map<number, (number | null)[]>();
  for (const r of rows) {
    let line = result.get(r.entity_id);
    if (!line) result.set(r.entity_id, (line = periods.map(() => null)));
    const i = index.get(String(r.period));
    if (i !== undefined && r.posts > 0) line[i] = round1(Number(r.score_sum) / r.posts);
  }
  return result;
}

export async function listCategoryCounts(db: Db, scope: EntityScope, f: PeriodFilter): Promise<CategoryCount[]> {
  const { rows } = await sql<{ category: Category; findings: number; posts: number }>`
    select c.category, sum(c.findings)::int as findings, sum(c.posts)::int as posts
    from rollup_category_day c
    where c.day between ${f.from} and ${f.to} and ${inScope('c.entity_id', scope)}
      ${f.entityId === undefined ? sql`` : sql`and c.entity_id = ${f.entityId}`}
    group by c.category`.execute(db);
  const byCategory = new Map(rows.map((r) => [r.category, r]));
  return CATEGORIES.map((category) => ({
    category,
    findings: byCategory.get(category)?.findings ?? 0,
    posts: byCategory.get(category)?.posts ?? 0,
  }));
}

export async function getCategoryTrend(
  db: Db,
  scope: EntityScope,
  f: PeriodFilter & { interval: Interval },
): Promise<CategoryTrendPoint[]> {
  const { rows } = await sql<{ period: string; category: Category; findings: number }>`
    select ${periodOf('c.day', f.interval)} as period, c.category, sum(c.findings)::int as findings
    from rollup_category_day c
    where c.day between ${f.from} and ${f.to} and ${inScope('c.entity_id', scope)}
      ${f.entityId === undefined ? sql`` : sql`and c.entity_id = ${f.entityId}`}
    group by 1, 2`.execute(db);
  const points = periodStarts(f.from, f.to, f.interval).map((period) => ({
    period,
    counts: Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>,
  }));
  const index = new Map(points.map((p, i) => [p.period, i]));
  for (const r of rows) {
    const i = index.get(String(r.period));
    if (i !== undefined && r.category in points[i].counts) points[i].counts[r.category] = r.findings;
  }
  return points;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The change of a score between two periods, to one decimal; null when either period has no posts. */
export function scoreChange(current: number | null, previous: number | null): number | null {
  return current === null || previous === null ? null : round1(current - previous);
}

/** Medians of the entities that have posts: score to one decimal, compliance rate to three. */
export function sectorMedians(entities: PeriodStats[]): { medianScore: number | null; medianComplianceRate: number | null } {
  const scored = entities.filter((e) => e.score !== null);
  const score = median(scored.map((e) => e.score!));
  const rate = median(scored.map((e) => e.complianceRate!));
  return { medianScore: score === null ? null : round1(score), medianComplianceRate: rate === null ? null : Math.round(rate * 1000) / 1000 };
}
