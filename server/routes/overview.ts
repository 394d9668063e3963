import { Hono } from 'hono';
import { countAccounts } from '../../db/queries/accounts.ts';
import { listEntities } from '../../db/queries/entities.ts';
import { previousPeriod } from '../../db/queries/periods.ts';
import { getCategoryTrend, getTrend, listCategoryCounts, listEntitySparklines, scoreChange, sectorMedians, totalOf } from '../../db/queries/stats.ts';
import type { Overview } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { sharedEntityStats } from '../dashboard-cache.ts';
import { resolvePeriod } from '../period.ts';
import { periodIntervalQuery, validate } from '../validate.ts';


export function overviewRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  return new Hono<AppEnv>().get('/', validate('query', periodIntervalQuery), async (c) => {
    const scope = c.get('scope');
    const p = resolvePeriod(c.req.valid('query'), now(), deps.config.MIZAN_TIMEZONE);
    const prev = previousPeriod(p.from, p.to);
    const [entities, stats, prevStats, sparklines, categories, trend, categoryTrend, accounts] = await Promise.all([
      listEntities(deps.db, scope),
      sharedEntityStats(c, deps, scope, p),
      sharedEntityStats(c, deps, scope, prev),
      listEntitySparklines(deps.db, scope, p),
      listCategoryCounts(deps.db, scope, p),
      getTrend(deps.db, scope, p),
      getCategoryTrend(deps.db, scope, p),
      countAccounts(deps.db, scope, now()),
    ]);
    const current = totalOf(stats);
    const previous = totalOf(prevStats);
    const statsOf = new Map(stats.map((s) => [s.entityId, s]));
    const prevOf = new Map(prevStats.map((s) => [s.entityId, s]));
    const ranking = entities.map((e) => {
      const s = statsOf.get(e.id);
      const previousScore = prevOf.get(e.id)?.score ?? null;
      return {
        id: e.id,
        slug: e.slug,
        nameAr: e.nameAr,
        nameEn: e.nameEn,
        posts: s?.posts ?? 0,
        score: s?.score ?? null,
        complianceRate: s?.complianceRate ?? null,
        violations: s?.violations ?? 0,
        previousScore,
        change: scoreChange(s?.score ?? null, previousScore),
        sparkline: sparklines.get(e.id) ?? trend.map(() => null),
      };
    });
    // Ranked worst first: the question is "which entities are slipping".
    ranking.sort((a, b) => (a.score ?? 101) - (b.score ?? 101) || b.violations - a.violations || a.nameEn.localeCompare(b.nameEn));
    const body: Overview = {
      ...p,
      totals: {
        ...current,
        entities: entities.length,
        accounts: accounts.accounts,
        dormantAccounts: accounts.dormant,
        previous,
        change: scoreChange(current.score, previous.score),
      },
      sectorMedianScore: sectorMedians(stats).medianScore,
      entities: ranking,
      categories,
      trend,
      categoryTrend,
    };
    return c.json(body);
  });
}
