// The archive of monthly reports: listed and downloaded in the caller's scope (a director: their entities' reports,
// never the sector's), generated on demand by staff for any past month.
import { Hono } from 'hono';
import { z } from 'zod';
import { getReportFile, listReports, type ReportRow } from '../../db/queries/reports.ts';
import { previousMonthOf } from '../../jobs/reports/data.ts';
import { fileNameOf, generateMonthlyReports, REPORT_FORMATS, REPORT_LANGS, ReportInputError, reportSettings } from '../../jobs/reports/generate.ts';
import type { ReportGenerateResponse, ReportList, ReportSummary } from '../api-types.ts';
import { auditAs } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { idParam, optionalId, validate } from '../validate.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM').refine((m) => m >= '2000-01', 'must be 2000-01 or later');
const format = z.enum(REPORT_FORMATS as ['pdf', 'xlsx', 'csv'], { error: 'must be pdf, xlsx or csv' });
const lang = z.enum(REPORT_LANGS as ['ar', 'en'], { error: 'must be ar or en' });

const listQuery = z.object({
  month: month.optional(),
  entity: optionalId,
  kind: z.enum(['sector', 'entity'], { error: 'must be sector or entity' }).optional(),
  lang: lang.optional(),
  format: format.optional(),
  history: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

const generateBody = z
  .object({
    month,
    entities: z.array(z.string().trim().min(1).max(100), { error: 'must be a list of entity slugs' }).max(1000).optional(),
    formats: z.array(format).min(1).max(3).optional(),
    langs: z.array(lang).min(1).max(2).optional(),
  })
  .strict();

const CONTENT_TYPE = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

function summaryOf(r: ReportRow): ReportSummary {
  return {
    id: r.id,
    month: r.month,
    kind: r.kind,
    entity: r.entityId === null ? null : { id: r.entityId, slug: r.entitySlug!, nameAr: r.entityNameAr!, nameEn: r.entityNameEn! },
    lang: r.lang,
    format: r.format,
    rulebookVersions: r.rulebookVersions,
    sha256: r.sha256,
    size: r.size,
    generatedAt: r.generatedAt,
    trigger: r.trigger,
    superseded: r.superseded,
    downloadUrl: `/api/reports/${r.id}/download`,
  };
}

export function reportRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  // One generation at a time in this process: each launches a browser; a second request is told to wait.
  let running = false;

  return new Hono<AppEnv>()
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await listReports(deps.db, c.get('scope'), { ...q, entityId: q.entity, history: q.history === 'true' });
      const body: ReportList = { items: rows.map(summaryOf) };
      return c.json(body);
    })
    .post('/', validate('json', generateBody), async (c) => {
      const input = c.req.valid('json');
      const latest = previousMonthOf(now(), deps.config.MIZAN_TIMEZONE);
      if (input.month > latest)
        throw new AppError(400, 'invalid-request', `Reports cover finished months: ${input.month} is not over yet (the latest is ${latest})`, [{ field: 'month', message: `must be ${latest} or earlier` }]);
      if (running) throw new AppError(409, 'busy', 'Reports are being generated already; try again when that run is done');
      running = true;
      const user = c.get('user');
      let result;
      try {
        result = await generateMonthlyReports(deps.db, reportSettings(deps.config), {
          month: input.month,
          entities: input.entities,
          formats: input.formats,
          langs: input.langs,
          trigger: 'api',
          generatedBy: user.id,
          now: now(),
        });
      } catch (err) {
        if (err instanceof ReportInputError) throw new AppError(400, 'invalid-request', err.message, [{ field: 'entities', message: err.message }]);
        throw err;
      } finally {
        running = false;
      }
      await auditAs(c, deps, { action: 'reports.generated', objectType: 'report', objectId: input.month, after: { ...input, counts: result.counts } });
      const body: ReportGenerateResponse = {
        month: input.month,
        counts: result.counts,
        errors: result.errors,
        items: result.items.map(({ id, entity, lang, format, status }) => ({ id, entity, lang, format, status })),
      };
      return c.json(body, 201);
    })
    .get('/:id/download', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const file = await getReportFile(deps.db, c.get('scope'), id);
      if (!file) throw notFound('Report', id);
      const name = fileNameOf(file.month, file.entitySlug, file.lang, file.format);
      await auditAs(c, deps, { action: 'reports.downloaded', objectType: 'report', objectId: id, after: { file: name, sha256: file.sha256 } });
      return c.body(new Uint8Array(file.content), 200, {
        'Content-Type': CONTENT_TYPE[file.format],
        'Content-Disposition': `attachment; filename="${name}"`,
        'Content-Length': String(file.content.byteLength),
        ETag: `"${file.sha256}"`,
        'X-Content-SHA256': file.sha256,
        'Cache-Control': 'private, max-age=0, must-revalidate',
      });
    });
}
