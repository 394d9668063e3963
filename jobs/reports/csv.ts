// CSV (RFC 4180, CRLF) in UTF-8 with a byte-order mark, so that spreadsheet programs read Arabic right.
// An entity's report lists its findings; the sector's lists the per-entity figures.
import type { ReportData } from './data.ts';
import type { Fmt } from './labels.ts';

const BOM = '\uFEFF';

// A text cell starting with = + - @ (or a tab/CR) would run as a formula in a spreadsheet: it gets a leading quote.
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function lines(rows: (string | number | null | undefined)[][]): string {
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function reportCsv(d: ReportData, o: { fmt: Fmt; publicUrl: string }): Uint8Array {
  const { fmt } = o;
  const t = fmt.t;
  let text: string;
  if (d.kind === 'sector') {
    text = lines([
      [t.slug, t.entityAr, t.entityEn, '#', t.posts, t.score, t.rate, t.violations, t.findings, t.previousScore, t.change],
      ...d.league.map((r) => [r.entity.slug, r.entity.nameAr, r.entity.nameEn, r.rank, r.posts, r.score, r.complianceRate, r.violations, r.findings, r.previousScore, r.change]),
    ]);
  } else {
    text = lines([
      [t.slug, t.entityAr, t.entityEn, t.month, t.postedAt, t.platform, t.account, t.rule, t.category, t.severity, t.status, t.responded, t.evidence, t.context, t.link, t.probability, t.modelVersion],
      ...d.findings.map((f) => [
        d.entity.slug,
        d.entity.nameAr,
        d.entity.nameEn,
        d.month,
        f.postedAt,
        f.platform,
        f.handle,
        f.rule,
        fmt.category(f.category),
        t.severityName[f.severity] ?? f.severity,
        t.statusName[f.status] ?? f.status,
        f.responded ? t.yes : t.no,
        f.match,
        f.context,
        `${o.publicUrl}/posts/${f.postId}`,
        // Model findings only: the probability as stored (0–1, three decimals) and the model version; empty for rule findings.
        f.probability === null ? null : Math.round(f.probability * 1000) / 1000,
        f.modelVersion,
      ]),
    ]);
  }
  return new TextEncoder().encode(BOM + text);
}
