// One run of the monthly reports: the sector report and one per entity, in each language and format, archived.
// The archive keeps history and never overwrites: a report whose figures (and options) equal a stored version of
// the same month, entity, language and format is not rendered nor stored again, so a second run adds nothing.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from '../../db/client.ts';
import type { Config } from '../config.ts';
import { findStoredReport, getReportFile, insertReport, type ReportFormat, type ReportLang } from '../../db/queries/reports.ts';
import { MonthContext, type ReportData } from './data.ts';
import { reportCsv } from './csv.ts';
import { footerTemplate, reportPage, reportShell } from './html.ts';
import { Fmt, type Digits } from './labels.ts';
import { ChromiumMissingError, PdfRenderer } from './pdf.ts';
import { reportXlsx } from './xlsx.ts';

export const REPORT_FORMATS: ReportFormat[] = ['pdf', 'xlsx', 'csv'];
export const REPORT_LANGS: ReportLang[] = ['ar', 'en'];
/** Raised when the layout changes, so that a run after an upgrade stores the new layout as a new version. */
export const REPORT_LAYOUT = 1;

export interface ReportSettings {
  publicUrl: string;
  timeZone: string;
  chromiumPath: string;
  digits: Digits;
  /** PDFs rendered at once. */
  pdfPages?: number;
}

export function reportSettings(config: Pick<Config, 'MIZAN_PUBLIC_URL' | 'MIZAN_TIMEZONE' | 'MIZAN_CHROMIUM_PATH' | 'MIZAN_REPORT_DIGITS'>): ReportSettings {
  return { publicUrl: config.MIZAN_PUBLIC_URL, timeZone: config.MIZAN_TIMEZONE, chromiumPath: config.MIZAN_CHROMIUM_PATH, digits: config.MIZAN_REPORT_DIGITS };
}

export interface ReportRequest {
  month: string;
  /** Entity slugs; default every entity. */
  entities?: string[];
  /** The sector report too (default: when no entity is named). */
  sector?: boolean;
  formats?: ReportFormat[];
  langs?: ReportLang[];
  trigger: 'schedule' | 'cli' | 'api';
  generatedBy?: number | null;
  now: Date;
  /** Also write each file (new or already archived) into this directory. */
  outDir?: string;
}

export interface ReportItem {
  id: number | null;
  month: string;
  entity: string | null;
  lang: ReportLang;
  format: ReportFormat;
  /** 'created': rendered and stored; 'unchanged': the same report was already archived; 'failed': see error. */
  status: 'created' | 'unchanged' | 'failed';
  file?: string;
  error?: string;
}

export interface ReportRunResult {
  items: ReportItem[];
  counts: { created: number; unchanged: number; failed: number };
  errors: string[];
}

/** A request the caller got wrong (an unknown entity, a bad month): the CLI prints it, the API answers 400. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

export type ReportProgress = (done: number, total: number, label: string) => void;

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

export function fileNameOf(month: string, entity: string | null, lang: ReportLang, format: ReportFormat): string {
  return `mizan-${month}-${entity ?? 'sector'}-${lang}.${format}`;
}

export async function generateMonthlyReports(db: Db, settings: ReportSettings, req: ReportRequest, onProgress?: ReportProgress): Promise<ReportRunResult> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(req.month)) throw new ReportInputError(`--month must be YYYY-MM, not "${req.month}"`);
  const formats = req.formats?.length ? req.formats : REPORT_FORMATS;
  const langs = req.langs?.length ? req.langs : REPORT_LANGS;
  const ctx = await MonthContext.load(db, req.month, settings.timeZone);
  const bySlug = new Map(ctx.entities.map((e) => [e.slug, e]));
  const unknown = (req.entities ?? []).filter((s) => !bySlug.has(s));
  if (unknown.length) throw new ReportInputError(`unknown entity: ${unknown.join(', ')} (known: ${[...bySlug.keys()].join(', ')})`);
  const entities = req.entities?.length ? [...new Set(req.entities)].map((s) => bySlug.get(s)!) : ctx.entities;
  const withSector = req.sector ?? !req.entities?.length;
  const targets: (null | (typeof entities)[number])[] = [...(withSector ? [null] : []), ...entities];
  if (req.outDir) await mkdir(req.outDir, { recursive: true });

  const total = targets.length * langs.length * formats.length;
  const items: ReportItem[] = [];
  const errors: string[] = [];
  // Launched once, on the first PDF (the first PDFs ask at once: they share the one launch).
  let launching: Promise<PdfRenderer | null> | null = null;
  let pdf: PdfRenderer | null = null;
  let pdfError: string | null = null;
  const pdfRenderer = () =>
    (launching ??= PdfRenderer.launch(settings.chromiumPath, reportShell(), settings.pdfPages ?? 2).then(
      (r) => (pdf = r),
      (err: unknown) => {
        pdfError = err instanceof ChromiumMissingError ? err.message : `PDF: ${(err as Error).message}`;
        errors.push(pdfError);
        return null;
      },
    ));
  const done = () => items.length;

  // A few targets are in hand at once, each with every language and format side by side: XLSX, CSV and the next
  // target's queries run while Chromium prints, so its pages never wait. A failure stops taking new targets.
  let next = 0;
  let stopped = false;
  const worker = async () => {
    try {
      while (!stopped && next < targets.length) {
        const target = targets[next++];
        const data: ReportData = target ? await ctx.entity(target) : await ctx.sector();
        const slug = target?.slug ?? null;
        await Promise.all(
          langs.flatMap((lang) => {
            const fmt = new Fmt(lang, settings.digits, settings.timeZone);
            return formats.map(async (format) => {
              const label = `${slug ?? 'sector'} ${lang} ${format}`;
              const item = await oneReport(db, { data, fmt, format, slug, settings, req, pdfRenderer, pdfError: () => pdfError });
              items.push(item);
              if (item.status === 'failed' && item.error && item.error !== pdfError) errors.push(`${label}: ${item.error}`);
              onProgress?.(done(), total, label);
            });
          }),
        );
      }
    } catch (err) {
      stopped = true;
      throw err;
    }
  };
  const inHand = Math.max(2, settings.pdfPages ?? 2);
  try {
    const ends = await Promise.allSettled(Array.from({ length: Math.min(inHand, targets.length) }, worker));
    const failed = ends.find((e) => e.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await (pdf as PdfRenderer | null)?.close();
  }
  const counts = { created: 0, unchanged: 0, failed: 0 };
  for (const i of items) counts[i.status]++;
  return { items, counts, errors };
}

interface OneReport {
  data: ReportData;
  fmt: Fmt;
  format: ReportFormat;
  slug: string | null;
  settings: ReportSettings;
  req: ReportRequest;
  pdfRenderer: () => Promise<PdfRenderer | null>;
  pdfError: () => string | null;
}

async function oneReport(db: Db, r: OneReport): Promise<ReportItem> {
  const { data, fmt, format, slug, settings, req } = r;
  const entityId = data.kind === 'entity' ? data.entity.id : null;
  const base: ReportItem = { id: null, month: req.month, entity: slug, lang: fmt.lang, format, status: 'failed' };
  // The same figures, layout and options make the same report, whenever it is generated.
  // (A post's engagement counts and capture time change with every import and are not shown: left out.)
  const dataSha256 = sha256(
    JSON.stringify({ layout: REPORT_LAYOUT, format, lang: fmt.lang, digits: fmt.digits, timeZone: fmt.timeZone, publicUrl: settings.publicUrl, data }, (k, v) =>
      k === 'metrics' || k === 'capturedAt' ? undefined : v,
    ),
  );
  const key = { month: req.month, entityId, lang: fmt.lang, format, dataSha256 };
  const file = req.outDir ? join(req.outDir, fileNameOf(req.month, slug, fmt.lang, format)) : undefined;
  const stored = await findStoredReport(db, key);
  if (stored !== null) {
    if (file) await writeFile(file, (await getReportFile(db, 'all', stored))!.content);
    return { ...base, id: stored, status: 'unchanged', file };
  }
  const generatedAt = req.now;
  let content: Uint8Array;
  try {
    if (format === 'pdf') {
      const renderer = await r.pdfRenderer();
      if (!renderer) return { ...base, error: r.pdfError() ?? 'PDF unavailable' };
      const o = { fmt, publicUrl: settings.publicUrl, generatedAt };
      content = await renderer.render({ content: reportPage(data, o), footer: footerTemplate(data, o) });
    } else if (format === 'xlsx') {
      content = await reportXlsx(data, { fmt, publicUrl: settings.publicUrl, generatedAt });
    } else {
      content = reportCsv(data, { fmt, publicUrl: settings.publicUrl });
    }
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
  const { id, created } = await insertReport(db, {
    ...key,
    rulebookVersions: data.rulebookVersions,
    sha256: sha256(content),
    content,
    generatedAt,
    trigger: req.trigger,
    generatedBy: req.generatedBy ?? null,
  });
  if (file) await writeFile(file, created ? content : (await getReportFile(db, 'all', id))!.content);
  return { ...base, id, status: created ? 'created' : 'unchanged', file };
}
