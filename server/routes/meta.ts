// Health and the job runs.
import { Hono } from 'hono';
import { z } from 'zod';
import { listImportRuns } from '../../db/queries/import-runs.ts';
import { listJobRuns } from '../../db/queries/jobs.ts';
import { getActiveRulebook } from '../../db/queries/rulebook.ts';
import { jobDefinitions } from '../../jobs/schedule.ts';
import type { Health, JobRun, JobsView } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError } from '../errors.ts';
import { validate } from '../validate.ts';

export function healthRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get('/', async (c) => {
    // Anyone may ask, so it says nothing beyond the status; 503 when the database does not answer, so that a load
    // balancer can take this process out.
    await getActiveRulebook(deps.db).catch(() => {
      throw new AppError(503, 'database-unavailable', 'The database does not answer');
    });
    const body: Health = { status: 'ok' };
    return c.json(body);
  });
}

export function jobRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().get(
    '/',
    validate('query', z.object({ limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(500, 'must be at most 500').default(50) })),
    async (c) => {
      const runs = await listJobRuns(deps.db, c.req.valid('query').limit);
      const importProblems = await listImportRuns(deps.db, c.get('scope'), { problemsOnly: true, limit: 20 });
      const body: JobsView = {
        schedule: jobDefinitions(deps.config).map(({ job, expression, description }) => ({ job, expression, description })),
        runs: runs as JobRun[],
        importProblems,
      };
      return c.json(body);
    },
  );
}
