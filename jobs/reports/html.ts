// The printable HTML of a report: Chromium prints it to PDF (pdf.ts). A shell document (the Arabic font as data:
// URLs, the stylesheet) is loaded once per page and each report's body, its charts drawn as SVG (charts.ts), is put
// into it, so the fonts are parsed once per run, not once per report. The page needs no network. Figures and dates inside Arabic text sit in
// <bdi dir="ltr"> so that 2026-10 does not read 10-2026.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CATEGORIES } from '../../db/vocabulary.ts';
import type { EntityReportData, FlaggedPost, LeagueRow, ReportData, SectorReportData } from './data.ts';
import { categoriesSvg, trendSvg } from './charts.ts';
import { Fmt } from './labels.ts';

const require = createRequire(import.meta.url);

export interface HtmlOptions {
  fmt: Fmt;
  publicUrl: string;
  generatedAt: Date;
}

interface Assets {
  fontCss: string;
}

let assets: Assets | null = null;

/** The bundled Noto Naskh Arabic (Arabic and Latin subsets, regular and bold), read once per process. */
export function reportAssets(): Assets {
  if (assets) return assets;
  const fontDir = dirname(require.resolve('@fontsource/noto-naskh-arabic/package.json'));
  // The package's CSS carries each subset's unicode-range; its url(./files/…) become data: URLs (woff2 only).
  const fontCss = ['400.css', '700.css']
    .map((f) => readFileSync(join(fontDir, f), 'utf8'))
    .join('\n')
    .replace(/src:\s*url\(\.\/files\/([^)]+\.woff2)\)\s*format\('woff2'\)(?:,\s*url\([^)]+\)\s*format\('woff'\))?/g, (_, file: string) => {
      const data = readFileSync(join(fontDir, 'files', file)).toString('base64');
      return `src: url(data:font/woff2;base64,${data}) format('woff2')`;
    });
  assets = { fontCss };
  return assets;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** A figure or date, kept left-to-right inside Arabic text. */
const ltr = (s: string) => `<bdi dir="ltr">${esc(s)}</bdi>`;

/** Text with the findings' spans marked (offsets are JS string indices, as the scorer gives them). */
export function markEvidence(text: string, spans: { start: number; end: number }[], maxLength = 700): string {
  const valid = spans.filter((s) => s.end > s.start && s.start >= 0 && s.end <= text.length).sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const s of valid) {
    if (s.start < at) continue;
    out += esc(text.slice(at, s.start)) + `<mark>${esc(text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  const rest = text.slice(at);
  out += esc(rest.length > maxLength ? `${rest.slice(0, maxLength)}…` : rest);
  return out;
}

/** `value` is a figure (kept left-to-right) or, as { html }, words around figures that follow the page's direction. */
function kpi(label: string, value: string | { html: string }, note = ''): string {
  const v = typeof value === 'string' ? ltr(value) : value.html;
  return `<div class="kpi"><div class="label">${esc(label)}</div><div class="value">${v}</div>${note ? `<div class="note">${note}</div>` : ''}</div>`;
}

function table(head: string[], rows: string[][], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function header(d: ReportData, o: HtmlOptions, title: string, link: string): string {
  const { fmt } = o;
  const t = fmt.t;
  const names =
    d.kind === 'entity'
      ? `<div class="names"><div lang="ar" dir="rtl" class="name-ar">${esc(d.entity.nameAr)}</div><div lang="en" dir="ltr" class="name-en">${esc(d.entity.nameEn)}</div></div>`
      : `<div class="names"><div lang="ar" dir="rtl" class="name-ar">${esc(LABELS_SECTOR.ar)}</div><div lang="en" dir="ltr" class="name-en">${esc(LABELS_SECTOR.en)}</div></div>`;
  return `<header>
    <div class="brand">Mizan · ميزان</div>
    <h1>${esc(title)}</h1>
    ${names}
    <dl class="meta">
      <div><dt>${esc(t.month)}</dt><dd>${esc(fmt.monthName(d.month))} (${ltr(d.month)})</dd></div>
      <div><dt>${esc(t.hijri)}</dt><dd>${esc(fmt.hijri(d.from))} – ${esc(fmt.hijri(d.to))}</dd></div>
      <div><dt>${esc(t.generatedAt)}</dt><dd>${ltr(fmt.dateTime(o.generatedAt))} (${ltr(fmt.timeZone)})</dd></div>
      <div><dt>${esc(t.rulebook)}</dt><dd>${d.rulebookVersions.length ? d.rulebookVersions.map(ltr).join('، ') : esc(t.none)}</dd></div>
      <div><dt>${esc(t.openInMizan)}</dt><dd><a href="${esc(link)}">${ltr(link)}</a></dd></div>
    </dl>
  </header>`;
}

const LABELS_SECTOR = { ar: 'القطاع العام', en: 'Public sector' };

function charts(d: ReportData, fmt: Fmt): string {
  const trend = trendSvg(
    d.trend.map((p) => ({ label: fmt.digitsOf(p.period.slice(0, 7)), posts: p.posts, score: p.score })),
    { fmt, scoreLabel: fmt.t.trendScore, postsLabel: fmt.t.trendPosts },
  );
  const cats = categoriesSvg(d.categories.map((c) => ({ label: fmt.category(c.category), findings: c.findings })), { fmt });
  return `<section class="charts">
    <div class="chart"><h2>${esc(fmt.t.trend)}</h2>${trend}</div>
    <div class="chart"><h2>${esc(fmt.t.byCategory)}</h2>${cats}</div>
  </section>`;
}

// Runs in the shell page. One report at a time per page: the document's body, title, lang and dir are replaced, so
// nothing carries over. The promise resolves once every face the new text needs is loaded: the report is ready to print.
const RENDER_SCRIPT = `
  // Every face (each subset, both weights) is loaded up front: the first report prints like the hundredth.
  const fontsLoaded = Promise.all([...document.fonts].map((f) => f.load())).then(() => document.fonts.ready);
  window.__mizanRender = async (R) => {
    document.title = R.title;
    document.documentElement.lang = R.lang;
    document.documentElement.dir = R.dir;
    document.body.innerHTML = R.body;
    await fontsLoaded;
    // A layout now starts any font load the new text needs before fonts.ready is asked.
    void document.body.offsetHeight;
    await document.fonts.ready;
  };
`;

function severityAndReview(d: ReportData, fmt: Fmt): string {
  const t = fmt.t;
  const sev = table([t.severity, t.findings], (['critical', 'high', 'medium', 'low'] as const).map((s) => [esc(t.severityName[s]), ltr(fmt.num(d.severities[s]))]), 'narrow');
  const rev = table(
    [t.status, t.findings],
    ([['open', t.open], ['confirmed', t.confirmed], ['dismissed', t.dismissed], ['responded', t.responded]] as const).map(([k, label]) => [esc(label), ltr(fmt.num(d.review[k]))]),
    'narrow',
  );
  const cats = table([t.category, t.findings, t.posts], CATEGORIES.map((c) => d.categories.find((x) => x.category === c) ?? { category: c, findings: 0, posts: 0 }).map((c) => [esc(fmt.category(c.category)), ltr(fmt.num(c.findings)), ltr(fmt.num(c.posts))]), 'narrow');
  return `<section class="cols"><div><h2>${esc(t.byCategory)}</h2>${cats}</div><div><h2>${esc(t.bySeverity)}</h2>${sev}<h2>${esc(t.reviewStatus)}</h2>${rev}</div></section>`;
}

function platforms(d: ReportData, fmt: Fmt): string {
  const by = new Map<string, { posts: number; violations: number; findings: number }>();
  for (const a of d.accounts) {
    const p = by.get(a.platform) ?? { posts: 0, violations: 0, findings: 0 };
    p.posts += a.posts;
    p.violations += a.violations;
    p.findings += a.findings;
    by.set(a.platform, p);
  }
  const t = fmt.t;
  return table([t.platform, t.posts, t.violations, t.findings], [...by].sort((a, b) => b[1].posts - a[1].posts).map(([p, v]) => [esc(fmt.platform(p)), ltr(fmt.num(v.posts)), ltr(fmt.num(v.violations)), ltr(fmt.num(v.findings))]), 'narrow');
}

function flaggedPost(f: FlaggedPost, fmt: Fmt, publicUrl: string): string {
  const p = f.post;
  const link = `${publicUrl}/posts/${p.id}`;
  const rules = f.findings.map((x) => `<span class="chip sev-${esc(x.severity)}">${esc(fmt.t.severityName[x.severity] ?? x.severity)} · ${esc(fmt.category(x.category))} · <bdi>${esc(x.rule)}</bdi>${x.probability === null ? '' : ` · ${ltr(fmt.pct(x.probability))}`}</span>`).join(' ');
  return `<article class="post">
    <div class="post-meta">${esc(fmt.platform(p.platform))} · <bdi dir="ltr">@${esc(p.handle)}</bdi> · ${ltr(fmt.date(p.postedAt))} · ${esc(fmt.t.score)} ${ltr(fmt.num(p.score))}${p.deleted ? ` · <strong>${esc(fmt.t.deletedAfterFlagged)}</strong>` : ''}</div>
    <p dir="auto" class="post-text">${markEvidence(p.text, f.findings.flatMap((x): { start: number; end: number }[] => x.evidence ?? [x]))}</p>
    <div class="rules">${rules}</div>
    <div class="post-link"><a href="${esc(link)}">${ltr(link)}</a></div>
  </article>`;
}

function entityBody(d: EntityReportData, o: HtmlOptions): string {
  const { fmt } = o;
  const t = fmt.t;
  const link = `${o.publicUrl}/entities/${d.entity.id}?from=${d.from}&to=${d.to}`;
  const kpis = `<section class="kpis">
    ${kpi(t.score, fmt.num(d.current.score), `${esc(t.change)}: ${ltr(fmt.change(d.change))}`)}
    ${kpi(t.rate, fmt.pct(d.current.complianceRate), `${esc(t.rateChange)}: ${ltr(fmt.change(d.rateChange === null ? null : Math.round(d.rateChange * 1000) / 10, '%'))}`)}
    ${kpi(t.rank, d.rank === null ? t.none : { html: esc(fmt.text(t.rankOf, { rank: '\u0001', n: '\u0002' })).replace('\u0001', ltr(fmt.num(d.rank))).replace('\u0002', ltr(fmt.num(d.ranked))) }, `${esc(t.sectorMedian)}: ${ltr(fmt.num(d.sectorMedianScore))}`)}
    ${kpi(t.posts, fmt.num(d.current.posts))}
    ${kpi(t.violations, fmt.num(d.current.violations))}
    ${kpi(t.review, fmt.num(d.current.review))}
    ${kpi(t.findings, fmt.num(d.current.findings))}
  </section>`;
  const accounts = table(
    [t.account, t.platform, t.type, t.posts, t.review, t.violations, t.findings],
    d.accounts.map((a) => [`<bdi dir="ltr">@${esc(a.handle)}</bdi>`, esc(fmt.platform(a.platform)), esc(t.accountType[a.type] ?? a.type), ltr(fmt.num(a.posts)), ltr(fmt.num(a.review)), ltr(fmt.num(a.violations)), ltr(fmt.num(a.findings))]),
  );
  const dormant = d.dormant.length
    ? table([t.account, t.platform, t.lastPost], d.dormant.map((a) => [`<bdi dir="ltr">@${esc(a.handle)}</bdi>`, esc(fmt.platform(a.platform)), a.lastPostAt ? ltr(fmt.date(a.lastPostAt)) : esc(t.never)]), 'narrow')
    : `<p>${esc(t.noDormant)}</p>`;
  const deleted = d.deletedAfterFlagged.count
    ? `<p>${ltr(fmt.num(d.deletedAfterFlagged.count))}</p>` +
      table([t.account, t.postedAt, t.link], d.deletedAfterFlagged.items.map((p) => [`<bdi dir="ltr">@${esc(p.handle)}</bdi>`, ltr(fmt.date(p.postedAt)), `<a href="${esc(`${o.publicUrl}/posts/${p.id}`)}">${ltr(`${o.publicUrl}/posts/${p.id}`)}</a>`]))
    : `<p>${esc(t.noDeleted)}</p>`;
  return `${header(d, o, t.entityTitle, link)}
    <h2>${esc(t.summary)}</h2>${kpis}
    ${charts(d, fmt)}
    <section class="cols"><div><h2>${esc(t.byPlatform)}</h2>${platforms(d, fmt)}</div><div><h2>${esc(t.dormant)}</h2>${dormant}</div></section>
    <h2>${esc(t.byAccount)}</h2>${accounts}
    ${severityAndReview(d, fmt)}
    <h2 class="break-before">${esc(t.flagged)}</h2>
    ${d.flagged.length ? d.flagged.map((f) => flaggedPost(f, fmt, o.publicUrl)).join('') : `<p>${esc(t.noFlagged)}</p>`}
    <h2>${esc(t.deletedAfterFlagged)}</h2>${deleted}
    <p class="notes">${esc(t.notes)}</p>`;
}

function leagueRows(rows: LeagueRow[], fmt: Fmt): string[][] {
  return rows.map((r) => [
    ltr(r.rank === null ? fmt.t.none : fmt.num(r.rank)),
    `<span lang="ar" dir="rtl">${esc(r.entity.nameAr)}</span><br><span lang="en" dir="ltr" class="en">${esc(r.entity.nameEn)}</span>`,
    ltr(fmt.num(r.posts)),
    ltr(fmt.num(r.score)),
    ltr(fmt.pct(r.complianceRate)),
    ltr(fmt.num(r.violations)),
    `<span class="${r.change === null ? '' : r.change > 0 ? 'up' : r.change < 0 ? 'down' : ''}">${ltr(fmt.change(r.change))}</span>`,
  ]);
}

function sectorBody(d: SectorReportData, o: HtmlOptions): string {
  const { fmt } = o;
  const t = fmt.t;
  const link = `${o.publicUrl}/?from=${d.from}&to=${d.to}`;
  const kpis = `<section class="kpis">
    ${kpi(t.score, fmt.num(d.totals.score), `${esc(t.change)}: ${ltr(fmt.change(d.change))}`)}
    ${kpi(t.rate, fmt.pct(d.totals.complianceRate), `${esc(t.rateChange)}: ${ltr(fmt.change(d.rateChange === null ? null : Math.round(d.rateChange * 1000) / 10, '%'))}`)}
    ${kpi(t.sectorMedian, fmt.num(d.sectorMedianScore))}
    ${kpi(t.posts, fmt.num(d.totals.posts))}
    ${kpi(t.violations, fmt.num(d.totals.violations))}
    ${kpi(t.review, fmt.num(d.totals.review))}
    ${kpi(t.findings, fmt.num(d.totals.findings))}
    ${kpi(t.entities, fmt.num(d.totals.entities))}
    ${kpi(t.accounts, fmt.num(d.totals.accounts))}
    ${kpi(t.dormantAccounts, fmt.num(d.totals.dormantAccounts))}
  </section>`;
  const head = ['#', t.entity, t.posts, t.score, t.rate, t.violations, t.change];
  const movers = (rows: LeagueRow[]) => (rows.length ? table(head, leagueRows(rows, fmt), 'narrow') : `<p>${esc(t.noChange)}</p>`);
  return `${header(d, o, t.sectorTitle, link)}
    <h2>${esc(t.summary)}</h2>${kpis}
    ${charts(d, fmt)}
    <section class="cols"><div><h2>${esc(t.improved)}</h2>${movers(d.improved)}</div><div><h2>${esc(t.worsened)}</h2>${movers(d.worsened)}</div></section>
    ${severityAndReview(d, fmt)}
    <h2 class="break-before">${esc(t.league)}</h2>${table(head, leagueRows(d.league, fmt), 'league')}
    <h2>${esc(t.byPlatform)}</h2>${platforms(d, fmt)}
    <p class="notes">${esc(t.notes)}</p>`;
}

const CSS = `
  @page { size: A4; margin: 16mm 14mm 18mm; }
  * { box-sizing: border-box; }
  html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-family: 'Noto Naskh Arabic', serif; font-size: 10.5pt; color: #1d2a28; margin: 0; line-height: 1.55; }
  header { border-block-end: 3px solid #0b5d51; padding-block-end: 8px; margin-block-end: 10px; }
  .brand { color: #0b5d51; font-weight: 700; font-size: 11pt; }
  h1 { font-size: 17pt; margin: 2px 0 4px; }
  h2 { font-size: 12.5pt; color: #0b5d51; margin: 14px 0 6px; break-after: avoid; }
  .names { display: flex; gap: 18px; align-items: baseline; font-size: 13pt; font-weight: 700; }
  .names .name-en { font-weight: 400; color: #44524f; }
  .meta { display: grid; grid-template-columns: 1fr 1fr; gap: 2px 18px; margin: 6px 0 0; font-size: 9pt; }
  .meta div { display: flex; gap: 6px; } .meta dt { color: #5b6b68; } .meta dd { margin: 0; }
  a { color: #0b5d51; text-decoration: none; }
  .kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 6px; }
  .kpi { border: 1px solid #d6e0de; border-radius: 6px; padding: 5px 8px; break-inside: avoid; }
  .kpi .label { font-size: 8.5pt; color: #5b6b68; } .kpi .value { font-size: 15pt; font-weight: 700; } .kpi .note { font-size: 8pt; color: #5b6b68; }
  .charts .chart { break-inside: avoid; } .chart-svg { display: block; width: 100%; height: auto; } .chart-svg text { font-family: 'Noto Naskh Arabic', serif; }
  .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
  table { width: 100%; border-collapse: collapse; font-size: 9pt; break-inside: auto; }
  th, td { border-block-end: 1px solid #e3e9e8; padding: 3px 5px; text-align: start; vertical-align: top; }
  th { background: #eef4f3; font-weight: 700; } tr { break-inside: avoid; }
  table.narrow { width: auto; min-width: 60%; }
  .league .en { color: #5b6b68; font-size: 8.5pt; }
  .up { color: #1b7a3a; } .down { color: #b3261e; }
  .post { border: 1px solid #e3e9e8; border-radius: 6px; padding: 6px 9px; margin-block-end: 7px; break-inside: avoid; }
  .post-meta, .post-link { font-size: 8.5pt; color: #5b6b68; }
  .post-text { margin: 4px 0; white-space: pre-wrap; unicode-bidi: plaintext; }
  mark { background: #ffd9a8; color: inherit; border-radius: 2px; padding: 0 1px; }
  .chip { display: inline-block; font-size: 8pt; border-radius: 10px; padding: 0 7px; background: #eef4f3; margin: 1px 0; }
  .sev-critical { background: #f6d0cd; } .sev-high { background: #fbe2c8; }
  .break-before { break-before: page; }
  .notes { font-size: 8.5pt; color: #5b6b68; margin-block-start: 14px; }
`;

let shell: string | null = null;

/** The document every report is printed in, loaded once per page: the fonts, the stylesheet and __mizanRender. */
export function reportShell(): string {
  if (shell) return shell;
  const { fontCss } = reportAssets();
  shell = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>Mizan</title>
<style>${fontCss}${CSS}</style>
<script>${RENDER_SCRIPT}</script>
</head>
<body></body>
</html>`;
  return shell;
}

/** One report as the shell takes it (JSON): the body's HTML (charts included, as SVG), the document's title, lang and dir. */
export interface ReportPage {
  title: string;
  lang: string;
  dir: 'rtl' | 'ltr';
  body: string;
}

export function reportPage(d: ReportData, o: HtmlOptions): ReportPage {
  const lang = o.fmt.lang;
  return {
    title: `Mizan ${d.month}`,
    lang,
    dir: lang === 'ar' ? 'rtl' : 'ltr',
    body: d.kind === 'entity' ? entityBody(d, o) : sectorBody(d, o),
  };
}

/** The footer Chromium repeats on every page: page numbers, and where the report comes from. */
export function footerTemplate(d: ReportData, o: HtmlOptions): string {
  const where = d.kind === 'entity' ? d.entity.nameEn : 'Public sector';
  return `<div style="font-size:7.5px;width:100%;padding:0 14mm;display:flex;justify-content:space-between;color:#5b6b68;font-family:sans-serif" dir="ltr">
    <span>Mizan · ${esc(o.publicUrl)} · ${esc(where)} · ${esc(d.month)}</span>
    <span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`;
}
