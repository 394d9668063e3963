// The XLSX of a report (exceljs): a summary sheet, a sheet per account, the findings with their evidence, and for
// the sector the league table. Figures are numbers, not text; Arabic workbooks read right to left.
import ExcelJS from 'exceljs';
import { CATEGORIES } from '../../db/vocabulary.ts';
import type { ReportData } from './data.ts';
import type { Fmt } from './labels.ts';

export interface XlsxOptions {
  fmt: Fmt;
  publicUrl: string;
  generatedAt: Date;
}

type Cell = string | number | null | { text: string; hyperlink: string };

/** The summary sheet's rows: [label, value]; the tests read figures back by these labels. */
export function summaryRows(d: ReportData, o: XlsxOptions): [string, Cell][] {
  const { fmt } = o;
  const t = fmt.t;
  const stats = d.kind === 'entity' ? d.current : d.totals;
  const link = d.kind === 'entity' ? `${o.publicUrl}/entities/${d.entity.id}?from=${d.from}&to=${d.to}` : `${o.publicUrl}/?from=${d.from}&to=${d.to}`;
  const rows: [string, Cell][] = [
    [t.entityAr, d.kind === 'entity' ? d.entity.nameAr : 'القطاع العام'],
    [t.entityEn, d.kind === 'entity' ? d.entity.nameEn : 'Public sector'],
    [t.month, d.month],
    [t.hijri, `${fmt.hijri(d.from)} – ${fmt.hijri(d.to)}`],
    [t.posts, stats.posts],
    [t.score, stats.score],
    [t.rate, stats.complianceRate],
    [t.change, d.change],
    [t.rateChange, d.rateChange],
    [t.clean, stats.clean],
    [t.review, stats.review],
    [t.violations, stats.violations],
    [t.findings, stats.findings],
  ];
  if (d.kind === 'entity') {
    rows.push([t.rank, d.rank], [t.entities, d.ranked], [t.sectorMedian, d.sectorMedianScore]);
  } else {
    rows.push([t.sectorMedian, d.sectorMedianScore], [t.entities, d.totals.entities], [t.accounts, d.totals.accounts]);
  }
  rows.push([t.dormantAccounts, d.dormant.length]);
  for (const s of ['critical', 'high', 'medium', 'low'] as const) rows.push([`${t.severity}: ${t.severityName[s]}`, d.severities[s]]);
  rows.push([t.open, d.review.open], [t.confirmed, d.review.confirmed], [t.dismissed, d.review.dismissed], [t.responded, d.review.responded]);
  for (const c of CATEGORIES) rows.push([`${t.category}: ${fmt.category(c)}`, d.categories.find((x) => x.category === c)?.findings ?? 0]);
  if (d.kind === 'entity') rows.push([t.deletedAfterFlagged, d.deletedAfterFlagged.count]);
  rows.push([t.rulebook, d.rulebookVersions.join(', ')], [t.generatedAt, o.generatedAt.toISOString()], [t.openInMizan, { text: link, hyperlink: link }]);
  return rows;
}

function sheet(wb: ExcelJS.Workbook, name: string, rtl: boolean, columns: { header: string; width: number }[]) {
  const ws = wb.addWorksheet(name, { views: [{ rightToLeft: rtl, state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  return ws;
}

export async function reportXlsx(d: ReportData, o: XlsxOptions): Promise<Uint8Array> {
  const { fmt } = o;
  const t = fmt.t;
  const rtl = fmt.lang === 'ar';
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Mizan';
  wb.created = o.generatedAt;
  wb.modified = o.generatedAt;

  const summary = sheet(wb, t.sheets.summary, rtl, [
    { header: t.summary, width: 42 },
    { header: '', width: 48 },
  ]);
  for (const row of summaryRows(d, o)) summary.addRow(row);
  summary.getColumn(2).alignment = { horizontal: rtl ? 'right' : 'left' };

  if (d.kind === 'sector') {
    const league = sheet(wb, t.sheets.entities, rtl, [
      { header: '#', width: 5 },
      { header: t.slug, width: 22 },
      { header: t.entityAr, width: 34 },
      { header: t.entityEn, width: 34 },
      { header: t.posts, width: 10 },
      { header: t.score, width: 10 },
      { header: t.rate, width: 10 },
      { header: t.violations, width: 11 },
      { header: t.findings, width: 10 },
      { header: t.previousScore, width: 14 },
      { header: t.change, width: 12 },
    ]);
    for (const r of d.league) league.addRow([r.rank, r.entity.slug, r.entity.nameAr, r.entity.nameEn, r.posts, r.score, r.complianceRate, r.violations, r.findings, r.previousScore, r.change]);
  }

  const nameOf = new Map((d.kind === 'sector' ? d.entities : [d.entity]).map((e) => [e.id, fmt.lang === 'ar' ? e.nameAr : e.nameEn]));
  const accounts = sheet(wb, t.sheets.accounts, rtl, [
    ...(d.kind === 'sector' ? [{ header: t.entity, width: 30 }] : []),
    { header: t.platform, width: 12 },
    { header: t.account, width: 24 },
    { header: t.type, width: 18 },
    { header: t.posts, width: 10 },
    { header: t.review, width: 12 },
    { header: t.violations, width: 11 },
    { header: t.findings, width: 10 },
  ]);
  for (const a of d.accounts)
    accounts.addRow([...(d.kind === 'sector' ? [nameOf.get(a.entityId) ?? ''] : []), fmt.platform(a.platform), a.handle, t.accountType[a.type] ?? a.type, a.posts, a.review, a.violations, a.findings]);

  const findings = sheet(wb, t.sheets.findings, rtl, [
    ...(d.kind === 'sector' ? [{ header: t.entity, width: 30 }] : []),
    { header: t.postedAt, width: 20 },
    { header: t.platform, width: 12 },
    { header: t.account, width: 22 },
    { header: t.rule, width: 22 },
    { header: t.category, width: 20 },
    { header: t.severity, width: 10 },
    { header: t.status, width: 16 },
    { header: t.responded, width: 10 },
    { header: t.evidence, width: 30 },
    { header: t.context, width: 60 },
    { header: t.link, width: 36 },
    { header: t.probability, width: 12 },
    { header: t.modelVersion, width: 18 },
  ]);
  // Model findings only; the probability is a number shown as a percentage.
  findings.getColumn(findings.columns.length - 1).numFmt = '0.0%';
  for (const f of d.findings) {
    const link = `${o.publicUrl}/posts/${f.postId}`;
    findings.addRow([
      ...(d.kind === 'sector' ? [nameOf.get(f.entityId) ?? ''] : []),
      fmt.dateTime(new Date(f.postedAt)),
      fmt.platform(f.platform),
      f.handle,
      f.rule,
      fmt.category(f.category),
      t.severityName[f.severity] ?? f.severity,
      t.statusName[f.status] ?? f.status,
      f.responded ? t.yes : t.no,
      f.match,
      f.context,
      { text: link, hyperlink: link },
      f.probability === null ? null : Math.round(f.probability * 1000) / 1000,
      f.modelVersion,
    ]);
  }
  const buffer = await wb.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}
