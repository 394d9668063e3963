import { Hono } from 'hono';
import { z } from 'zod';
import { listAccountActivity } from '../../db/queries/accounts.ts';
import { getEntity, getReportRecipients, listEntities, setReportRecipients } from '../../db/queries/entities.ts';
import { previousPeriod } from '../../db/queries/periods.ts';
import { listDeletedAfterFlagged, listFlaggedPosts } from '../../db/queries/posts.ts';
import { getCategoryTrend, getPeriodStats, getTrend, listCategoryCounts, scoreChange, sectorMedians } from '../../db/queries/stats.ts';
import type { AccountSummary, EntityList, EntityTrend, PostSummary, ReportRecipients, Scorecard } from '../api-types.ts';
import { auditAs } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { sharedEntityStats } from '../dashboard-cache.ts';
import { notFound } from '../errors.ts';
import { resolvePeriod } from '../period.ts';
import { idParam, periodIntervalQuery, periodQuery, validate } from '../validate.ts';

// Addresses kept as written but lower-cased and without repeats, so the audit shows what is stored.
const reportRecipientsBody = z.object({
  recipients: z
    .array(z.string().trim().max(254).pipe(z.email({ error: 'must be an e-mail address' })))
    .max(20, 'at most 20 addresses')
    .transform((list) => [...new Set(list.map((a) => a.toLowerCase()))]),
});

export function entityRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const tz = deps.config.MIZAN_TIMEZONE;

  async function requireEntity(scope: Parameters<typeof getEntity>[1], id: number) {
    const entity = await getEntity(deps.db, scope, id);
    if (!entity) throw notFound('Entity', id);
    return entity;
  }

  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const body: EntityList = { items: await listEntities(deps.db, c.get('scope')) };
      return c.json(body);
    })
    .get('/:id', validate('param', idParam), validate('query', periodQuery), async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const entity = await requireEntity(scope, id);
      const p = resolvePeriod(c.req.valid('query'), now(), entity.timezone || tz);
      const prev = previousPeriod(p.from, p.to);
      const [current, previous, sector, categories, accounts, flagged, deletedAfterFlagged] = await Promise.all([
        getPeriodStats(deps.db, scope, { ...p, entityId: id }),
        getPeriodStats(deps.db, scope, { ...prev, entityId: id }),
        // The sector median is computed over every entity: a director compares against it without seeing the others' rows.
        sharedEntityStats(c, deps, 'all', p),
        listCategoryCounts(deps.db, scope, { ...p, entityId: id }),
        listAccountActivity(deps.db, scope, { entityId: id, now: now() }),
        listFlaggedPosts(deps.db, scope, { entityId: id, from: p.from, to: p.to, limit: 10 }),
        listDeletedAfterFlagged(deps.db, scope, { entityId: id, from: p.from, to: p.to, limit: 5 }),
      ]);
      const body: Scorecard = {
        entity,
        from: p.from,
        to: p.to,
        current,
        previous,
        change: scoreChange(current.score, previous.score),
        sector: sectorMedians(sector),
        categories,
        accounts: accounts as AccountSummary[],
        recentFlagged: flagged as PostSummary[],
        deletedAfterFlagged: { count: deletedAfterFlagged.count, items: deletedAfterFlagged.items as PostSummary[] },
      };
      // Staff set them up; directors and viewers do not see the addresses.
      const role = c.get('user')?.role;
      if (role === 'admin' || role === 'oversight') body.reportRecipients = (await getReportRecipients(deps.db, id)) ?? [];
      return c.json(body);
    })
    .put('/:id/report-recipients', validate('param', idParam), validate('json', reportRecipientsBody), async (c) => {
      const { id } = c.req.valid('param');
      await requireEntity(c.get('scope'), id);
      const { recipients } = c.req.valid('json');
      const before = await getReportRecipients(deps.db, id);
      if (!(await setReportRecipients(deps.db, id, recipients))) throw notFound('Entity', id);
      await auditAs(c, deps, { action: 'entity.report-recipients', objectType: 'entity', objectId: id, before: { recipients: before }, after: { recipients } });
      const body: ReportRecipients = { entityId: id, recipients };
      return c.json(body);
    })
    .get('/:id/trend', validate('param', idParam), validate('query', periodIntervalQuery), async (c) => {
      const scope = c.get('scope');
      const { id } = c.req.valid('param');
      const entity = await requireEntity(scope, id);
      const p = resolvePeriod(c.req.valid('query'), now(), entity.timezone || tz);
      const [items, categoryTrend] = await Promise.all([
        getTrend(deps.db, scope, { ...p, entityId: id }),
        getCategoryTrend(deps.db, scope, { ...p, entityId: id }),
      ]);
      const body: EntityTrend = { entityId: id, ...p, items, categoryTrend };
      return c.json(body);
    });
}
