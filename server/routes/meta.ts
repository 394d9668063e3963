// Health, the rulebook in force and the job runs.
import { Hono } from 'hono';
import { z } from 'zod';
import { listJobRuns } from '../../db/queries/jobs.ts';
import { getActiveRulebook } from '../../db/queries/rulebook.ts';
import { FORMULA_TEXT, SEVERITY_WEIGHTS } from '../../jobs/scoring/formula.ts';
import { jobDefinitions } from '../../jobs/schedule.ts';
import type { Health, JobRun, JobsView, RulebookView } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { validate } from '../validate.ts';

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const rulebook = await getActiveRulebook(deps.db);
    const body: Health = { status: 'ok', database: deps.dbKind, rulebookVersion: rulebook?.version ?? null, time: new Date().toISOString() };
    return c.json(body);
  });
}

export function rulebookRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    const rulebook = await getActiveRulebook(deps.db);
    if (!rulebook) throw new AppError(404, 'not-found', 'No rulebook has been published yet: the first scoring run publishes the default one');
    const body: RulebookView = {
      version: rulebook.version,
      publishedAt: rulebook.publishedAt,
      weights: SEVERITY_WEIGHTS,
      formula: FORMULA_TEXT,
      rules: rulebook.rules.map(({ id, category, severity, title, explanation }) => ({ id, category, severity, title, explanation })),
    };
    return c.json(body);
  });
}

export function jobRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get(
    '/',
    validate('query', z.object({ limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500, 'must be at most 500').default(50) })),
    async (c) => {
      const runs = await listJobRuns(deps.db, c.req.valid('query').limit);
      const body: JobsView = {
        schedule: jobDefinitions(deps.config).map(({ job, expression, description }) => ({ job, expression, description })),
        runs: runs as JobRun[],
      };
      return c.json(body);
    },
  );
}
