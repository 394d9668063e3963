// The figures of a month's reports, gathered with the dashboard's own queries (ARCHITECTURE convention 8):
// an entity's month is GET /api/entities/:id?from=<1st>&to=<last>, its trend GET /api/entities/:id/trend?interval=month.
import type { Db } from '../../db/client.ts';
import { countAccounts } from '../../db/queries/accounts.ts';
import { listEntities, type EntityRow } from '../../db/queries/entities.ts';
import { addDays } from '../../db/queries/periods.ts';
import { listDeletedAfterFlagged, listFlaggedPosts, listPostFindings, type FindingRow, type PostRow } from '../../db/queries/posts.ts';
import {
  countFindingsBySeverity,
  countReviewStatus,
  listAccountMonthFigures,
  listDormantAccountsAt,
  listMonthFindings,
  listMonthRulebookVersions,
  type AccountMonthFigures,
  type DormantAccount,
  type ReportFinding,
  type ReviewStatusCounts,
  type Severity,
} from '../../db/queries/reports.ts';
import {
  getPeriodStats,
  getTrend,
  listCategoryCounts,
  listEntityStats,
  scoreChange,
  sectorMedians,
  totalOf,
  type CategoryCount,
  type EntityPeriodStats,
  type PeriodStats,
  type TrendPoint,
} from '../../db/queries/stats.ts';

/** The first and last local day of a month (YYYY-MM). */
export function monthBounds(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, '0')}` };
}

/** The month `n` months after (negative: before) a month. */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}

/** The month before the local date of `now` in the time zone: what the scheduled run reports on. */
export function previousMonthOf(now: Date, timeZone: string): string {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).format(now);
  return shiftMonth(local.slice(0, 7), -1);
}

/** The instant a local day begins in a time zone (for "as at the end of the month"). */
export function localMidnight(day: string, timeZone: string): Date {
  const guess = Date.parse(`${day}T00:00:00Z`);
  const offsetAt = (t: number) => {
    const p = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(t);
    const get = (k: string) => Number(p.find((x) => x.type === k)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - t;
  };
  const first = guess - offsetAt(guess);
  return new Date(guess - offsetAt(first));
}

export interface ReportEntity {
  id: number;
  slug: string;
  nameAr: string;
  nameEn: string;
}

export interface FlaggedPost {
  post: PostRow;
  findings: FindingRow[];
}

interface Common {
  month: string;
  from: string;
  to: string;
  /** Twelve months ending with this one, one point each (the trend chart). */
  trend: TrendPoint[];
  categories: CategoryCount[];
  severities: Record<Severity, number>;
  review: ReviewStatusCounts;
  rulebookVersions: string[];
  findings: ReportFinding[];
  accounts: AccountMonthFigures[];
  dormant: DormantAccount[];
}

export interface EntityReportData extends Common {
  kind: 'entity';
  entity: ReportEntity;
  current: PeriodStats;
  /** The calendar month before (the trend's previous point). */
  previous: PeriodStats;
  change: number | null;
  rateChange: number | null;
  /** 1 = best score among the entities with posts this month; null when this one has none. */
  rank: number | null;
  ranked: number;
  sectorMedianScore: number | null;
  flagged: FlaggedPost[];
  deletedAfterFlagged: { count: number; items: PostRow[] };
}

export interface LeagueRow {
  entity: ReportEntity;
  rank: number | null;
  posts: number;
  score: number | null;
  complianceRate: number | null;
  violations: number;
  findings: number;
  previousScore: number | null;
  change: number | null;
}

export interface SectorReportData extends Common {
  kind: 'sector';
  totals: PeriodStats & { entities: number; accounts: number; dormantAccounts: number };
  previous: PeriodStats;
  change: number | null;
  rateChange: number | null;
  sectorMedianScore: number | null;
  league: LeagueRow[];
  improved: LeagueRow[];
  worsened: LeagueRow[];
  entities: ReportEntity[];
}

export type ReportData = EntityReportData | SectorReportData;

const rateDelta = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((a - b) * 1000) / 1000);

/** What every report of the month shares: the entities, their month and previous month, and the ranking. */
export class MonthContext {
  private constructor(
    readonly db: Db,
    readonly month: string,
    readonly timeZone: string,
    readonly entities: EntityRow[],
    readonly stats: EntityPeriodStats[],
    readonly prevStats: EntityPeriodStats[],
  ) {}

  static async load(db: Db, month: string, timeZone: string): Promise<MonthContext> {
    const { from, to } = monthBounds(month);
    const [entities, stats, prevStats] = await Promise.all([
      listEntities(db, 'all'),
      listEntityStats(db, 'all', { from, to }),
      listEntityStats(db, 'all', monthBounds(shiftMonth(month, -1))),
    ]);
    return new MonthContext(db, month, timeZone, entities, stats, prevStats);
  }

  get bounds() {
    return monthBounds(this.month);
  }

  /** Ranks by score, best first; equal scores share a rank. */
  rankOf(entityId: number): { rank: number | null; ranked: number } {
    const scored = this.stats.filter((s) => s.score !== null);
    const mine = scored.find((s) => s.entityId === entityId);
    return { rank: mine ? 1 + scored.filter((s) => s.score! > mine.score!).length : null, ranked: scored.length };
  }

  #trendRange() {
    return { from: monthBounds(shiftMonth(this.month, -11)).from, to: this.bounds.to, interval: 'month' as const };
  }

  #monthEnd(timeZone: string) {
    return localMidnight(addDays(this.bounds.to, 1), timeZone);
  }

  async entity(e: ReportEntity & { timezone?: string }): Promise<EntityReportData> {
    const db = this.db;
    const { from, to } = this.bounds;
    const f = { from, to, entityId: e.id };
    const [current, trend, categories, severities, review, rulebookVersions, findings, accounts, dormant, flaggedPosts, deletedAfterFlagged] = await Promise.all([
      getPeriodStats(db, 'all', f),
      getTrend(db, 'all', { ...this.#trendRange(), entityId: e.id }),
      listCategoryCounts(db, 'all', f),
      countFindingsBySeverity(db, 'all', f),
      countReviewStatus(db, 'all', f),
      listMonthRulebookVersions(db, 'all', f),
      listMonthFindings(db, 'all', f),
      listAccountMonthFigures(db, 'all', f),
      listDormantAccountsAt(db, 'all', { entityId: e.id, at: this.#monthEnd(e.timezone || this.timeZone) }),
      listFlaggedPosts(db, 'all', { ...f, limit: 10 }),
      listDeletedAfterFlagged(db, 'all', { ...f, limit: 10 }),
    ]);
    const flagged = await Promise.all(flaggedPosts.map(async (post) => ({ post, findings: post.rulebookVersion ? await listPostFindings(db, post.id, post.rulebookVersion) : [] })));
    const previous = trend[trend.length - 2];
    return {
      kind: 'entity',
      month: this.month,
      from,
      to,
      entity: { id: e.id, slug: e.slug, nameAr: e.nameAr, nameEn: e.nameEn },
      current,
      previous,
      change: scoreChange(current.score, previous.score),
      rateChange: rateDelta(current.complianceRate, previous.complianceRate),
      ...this.rankOf(e.id),
      sectorMedianScore: sectorMedians(this.stats).medianScore,
      trend,
      categories,
      severities,
      review,
      rulebookVersions,
      findings,
      accounts,
      dormant,
      flagged,
      deletedAfterFlagged,
    };
  }

  async sector(): Promise<SectorReportData> {
    const db = this.db;
    const { from, to } = this.bounds;
    const f = { from, to };
    const [trend, categories, severities, review, rulebookVersions, findings, accounts, dormant, accountCounts] = await Promise.all([
      getTrend(db, 'all', this.#trendRange()),
      listCategoryCounts(db, 'all', f),
      countFindingsBySeverity(db, 'all', f),
      countReviewStatus(db, 'all', f),
      listMonthRulebookVersions(db, 'all', f),
      listMonthFindings(db, 'all', f),
      listAccountMonthFigures(db, 'all', f),
      listDormantAccountsAt(db, 'all', { at: this.#monthEnd(this.timeZone) }),
      countAccounts(db, 'all', this.#monthEnd(this.timeZone)),
    ]);
    const current = totalOf(this.stats);
    const previous = totalOf(this.prevStats);
    const statsOf = new Map(this.stats.map((s) => [s.entityId, s]));
    const prevOf = new Map(this.prevStats.map((s) => [s.entityId, s]));
    const entities = this.entities.map(({ id, slug, nameAr, nameEn }) => ({ id, slug, nameAr, nameEn }));
    const league: LeagueRow[] = entities.map((entity) => {
      const s = statsOf.get(entity.id);
      const previousScore = prevOf.get(entity.id)?.score ?? null;
      return {
        entity,
        rank: this.rankOf(entity.id).rank,
        posts: s?.posts ?? 0,
        score: s?.score ?? null,
        complianceRate: s?.complianceRate ?? null,
        violations: s?.violations ?? 0,
        findings: s?.findings ?? 0,
        previousScore,
        change: scoreChange(s?.score ?? null, previousScore),
      };
    });
    // Best first; entities without posts last, by English name.
    league.sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.entity.nameEn.localeCompare(b.entity.nameEn, 'en'));
    const compared = league.filter((r) => r.change !== null);
    return {
      kind: 'sector',
      month: this.month,
      from,
      to,
      totals: { ...current, entities: entities.length, accounts: accountCounts.accounts, dormantAccounts: dormant.length },
      previous,
      change: scoreChange(current.score, previous.score),
      rateChange: rateDelta(current.complianceRate, previous.complianceRate),
      sectorMedianScore: sectorMedians(this.stats).medianScore,
      league,
      improved: compared.filter((r) => r.change! > 0).sort((a, b) => b.change! - a.change!).slice(0, 5),
      worsened: compared.filter((r) => r.change! < 0).sort((a, b) => a.change! - b.change!).slice(0, 5),
      entities,
      trend,
      categories,
      severities,
      review,
      rulebookVersions,
      findings,
      accounts,
      dormant,
    };
  }
}
