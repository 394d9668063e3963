// The monthly reports e-mailed to each entity's recipients (entity.report_recipients), after the scheduled run only:
// one e-mail per entity and month with its PDF and XLSX in both languages. report_delivery records it, so a second
// run sends nothing; a failed send is recorded and tried again by the next runs (for DELIVERY_RETRY_MONTHS).
// Unset MIZAN_SMTP_URL means no e-mail and nothing recorded.
import type { Db } from '../../db/client.ts';
import { listReportRecipients, type ReportRecipientsRow } from '../../db/queries/entities.ts';
import { claimReportDelivery, finishReportDelivery, listFailedDeliveryMonths, listLatestReportFiles, type ReportFile } from '../../db/queries/reports.ts';
import type { Config } from '../config.ts';
import { createMailer } from '../mailer.ts';
import { shiftMonth } from './data.ts';
import { fileNameOf } from './generate.ts';
import { Fmt } from './labels.ts';

export type DeliveryConfig = Pick<Config, 'MIZAN_SMTP_URL' | 'MIZAN_MAIL_FROM' | 'MIZAN_PUBLIC_URL'>;

export interface DeliveryDeps {
  db: Db;
  config: DeliveryConfig;
  log: (message: string) => void;
  signal?: AbortSignal;
}

/** A month whose e-mail failed is tried again by the runs of this many months after it, then given up (the error stays recorded). */
export const DELIVERY_RETRY_MONTHS = 3;
/** After this many failed sends in a row the server is taken as down until the next run. */
const MAX_SEND_FAILURES = 3;

const CONTENT_TYPES = { pdf: 'application/pdf', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export interface DeliveryResult {
  counts: { reportEmails: number; reportEmailFailures: number };
  errors: string[];
}

export async function deliverMonthlyReports(deps: DeliveryDeps, opts: { month: string; now: Date }): Promise<DeliveryResult> {
  const counts = { reportEmails: 0, reportEmailFailures: 0 };
  const errors: string[] = [];
  const { config } = deps;
  const mailer = createMailer(config);
  if (!mailer) return { counts, errors };
  const entities = await listReportRecipients(deps.db);
  if (!entities.length) {
    mailer.close();
    return { counts, errors };
  }
  // This month, and earlier months whose e-mail failed.
  const retried = await listFailedDeliveryMonths(deps.db, shiftMonth(opts.month, -DELIVERY_RETRY_MONTHS));
  const months = [...new Set([...retried.filter((m) => m < opts.month), opts.month])];
  let failuresInRow = 0;
  try {
    for (const month of months) {
      for (const entity of entities) {
        if (failuresInRow >= MAX_SEND_FAILURES || deps.signal?.aborted) return { counts, errors };
        const files = await listLatestReportFiles(deps.db, { month, entityId: entity.id, formats: ['pdf', 'xlsx'] });
        // Nothing to send (the run made no PDF or XLSX for it): no record, a later run may have them.
        if (!files.length) continue;
        const id = await claimReportDelivery(deps.db, { entityId: entity.id, month, recipients: entity.recipients, now: opts.now });
        if (id === null) continue;
        try {
          await mailer.send(composeReportMail({ entity, month, files, publicUrl: config.MIZAN_PUBLIC_URL }));
          await finishReportDelivery(deps.db, id, { sentAt: new Date(), reportIds: files.map((f) => f.id) });
          counts.reportEmails++;
          failuresInRow = 0;
        } catch (err) {
          // The mailer's errors are already without the SMTP credentials.
          const error = (err as Error).message || String(err);
          await finishReportDelivery(deps.db, id, { error });
          counts.reportEmailFailures++;
          failuresInRow++;
          const message = `report e-mail of ${month} to ${entity.slug} failed, retried at the next run: ${error}`;
          deps.log(message);
          errors.push(message);
        }
      }
    }
  } finally {
    mailer.close();
  }
  return { counts, errors };
}

const ORDER = ['ar.pdf', 'ar.xlsx', 'en.pdf', 'en.xlsx'];

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The bilingual e-mail of an entity's month: Arabic first, then English, each with the link to the reports page. */
export function composeReportMail(input: { entity: Pick<ReportRecipientsRow, 'slug' | 'nameAr' | 'nameEn' | 'recipients'>; month: string; files: ReportFile[]; publicUrl: string }) {
  const { entity, month } = input;
  const link = `${input.publicUrl}/reports`;
  const ar = new Fmt('ar', 'latn', 'UTC');
  const en = new Fmt('en', 'latn', 'UTC');
  const t = {
    ar: {
      title: `تقرير ميزان الشهري: ${entity.nameAr} — ${ar.monthName(month)}`,
      body: `تجدون مرفقًا تقرير ${entity.nameAr} عن شهر ${ar.monthName(month)} (PDF وExcel، بالعربية والإنجليزية).`,
      more: 'التقارير كلها وأرشيفها في صفحة التقارير في ميزان:',
      footer: 'تصلكم هذه الرسالة لأن عنوانكم مسجل لاستلام تقارير الجهة الشهرية في ميزان.',
    },
    en: {
      title: `Mizan monthly report: ${entity.nameEn} — ${en.monthName(month)}`,
      body: `Attached is the report of ${entity.nameEn} for ${en.monthName(month)} (PDF and Excel, in Arabic and English).`,
      more: 'Every report and the archive are on the reports page of Mizan:',
      footer: "You receive this e-mail because your address is registered in Mizan for the entity's monthly reports.",
    },
  };
  const text = (l: 'ar' | 'en') => [t[l].title, '', t[l].body, '', `${t[l].more} ${link}`, '', t[l].footer].join('\n');
  const html = (l: 'ar' | 'en') =>
    `<div dir="${l === 'ar' ? 'rtl' : 'ltr'}" lang="${l}" style="font-family:sans-serif;margin-bottom:24px">` +
    `<h2 style="font-size:18px">${escapeHtml(t[l].title)}</h2><p>${escapeHtml(t[l].body)}</p>` +
    `<p>${escapeHtml(t[l].more)} <a href="${escapeHtml(link)}" dir="ltr">${escapeHtml(link)}</a></p>` +
    `<p style="color:#666;font-size:12px">${escapeHtml(t[l].footer)}</p></div>`;
  const files = [...input.files].sort((a, b) => ORDER.indexOf(`${a.lang}.${a.format}`) - ORDER.indexOf(`${b.lang}.${b.format}`));
  return {
    to: entity.recipients,
    subject: `${t.ar.title} | ${t.en.title}`,
    text: `${text('ar')}\n\n----------------------------------------\n\n${text('en')}\n`,
    html: `<!doctype html><html><head><meta charset="utf-8"></head><body>${html('ar')}<hr>${html('en')}</body></html>`,
    attachments: files.map((f) => ({
      filename: fileNameOf(month, entity.slug, f.lang, f.format),
      content: Buffer.from(f.content),
      contentType: CONTENT_TYPES[f.format as keyof typeof CONTENT_TYPES] ?? 'application/octet-stream',
    })),
  };
}
