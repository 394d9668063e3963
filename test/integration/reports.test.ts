// Monthly reports on demo data seeded the normal way (demo import, scoring, rollup): every figure of the XLSX and
// the PDF's text equals what the API answers for the same entity and month; a PDF page is rendered to an image.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { lockDataDir } from '../../db/data-dir-lock.ts';
import { testConfig } from '../../jobs/config.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { generateMonthlyReports, reportSettings, type ReportSettings } from '../../jobs/reports/generate.ts';
import { CHART_COLORS, categoriesSvg, niceTicks, trendSvg } from '../../jobs/reports/charts.ts';
import { Fmt, LABELS } from '../../jobs/reports/labels.ts';
import { jobDefinitions, runJobSlot } from '../../jobs/schedule.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { seedDemo } from '../../jobs/seed-demo.ts';
import type { EntityTrend, Overview, ReportGenerateResponse, ReportList, Scorecard } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const MONTH = '2026-10';
const FROM = '2026-10-01';
const TO = '2026-10-31';
const PUBLIC_URL = 'https://mizan.example.gov.bh';
const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_PUBLIC_URL: PUBLIC_URL });
const settings: ReportSettings = { ...reportSettings(config), pdfPages: 2 };
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The summary sheet as label -> value (the labels are the report's own). */
async function readSummary(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const rows = new Map<string, unknown>();
  wb.worksheets[0].eachRow((row, n) => {
    if (n > 1) rows.set(String(row.getCell(1).value), row.getCell(2).value);
  });
  return { wb, rows };
}

interface PageMarks {
  width: number;
  height: number;
  /** Page 1: its size and share not paper white (text, lines, fills). */
  ink: number;
  /** Pixels on pages 1–2 of the trend chart's bars, of its score line (inside the chart's plot only) and of the category bars. */
  postBars: number;
  scoreLine: number;
  findingBars: number;
}

const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/**
 * Pages 1 and 2 rendered in colour (pdftoppm, PPM at 60 dpi), the charts' marks counted by their fills: blocks of
 * the fill at least 10 pixels wide and 2 high (a bar; never the anti-aliased edge of a heading or of a 1-pixel rule). The score line's
 * green is also the headings' colour, so it is counted only inside the trend's plot: the rows from the bars' baseline
 * up one plot height (the SVG's geometry: a 760-unit-wide chart over the page's 182 mm text width, a 204-unit plot).
 */
function chartMarks(pdf: string): PageMarks {
  const dir = mkdtempSync(join(tmpdir(), 'mizan-ppm-'));
  execFileSync('pdftoppm', ['-r', '60', '-f', '1', '-l', '2', pdf, join(dir, 'page')]);
  const total: PageMarks = { width: 0, height: 0, ink: 0, postBars: 0, scoreLine: 0, findingBars: 0 };
  const [posts, score, findings] = [rgb(CHART_COLORS.posts), rgb(CHART_COLORS.score), rgb(CHART_COLORS.findings)];
  for (const [n, file] of readdirSync(dir).sort().entries()) {
    const ppm = readFileSync(join(dir, file));
    const m = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(ppm.subarray(0, 50).toString('latin1'))!;
    const [width, height] = [Number(m[1]), Number(m[2])];
    const px = ppm.subarray(m[0].length);
    const near = (i: number, c: number[], tol: number) => Math.abs(px[i] - c[0]) <= tol && Math.abs(px[i + 1] - c[1]) <= tol && Math.abs(px[i + 2] - c[2]) <= tol;
    const mask = (c: number[]) => {
      const out = new Uint8Array(width * height);
      for (let j = 0; j < width * height; j++) out[j] = near(j * 3, c, 6) ? 1 : 0;
      return out;
    };
    const [postMask, findingMask] = [mask(posts), mask(findings)];
    // A bar's pixel: the fill, with the fill above or below it, in a horizontal run of 10 or more such pixels (wider
    // than the legend's 7-pixel box).
    const block = (k: Uint8Array, j: number) => k[j] === 1 && ((j >= width && k[j - width] === 1) || (j + width < k.length && k[j + width] === 1));
    let ink = 0;
    let baseline = -1;
    for (let y = 0; y < height; y++) {
      let postRun = 0;
      let findingRun = 0;
      for (let x = 0; x <= width; x++) {
        const j = y * width + x;
        const inside = x < width;
        if (inside && (px[j * 3] < 245 || px[j * 3 + 1] < 245 || px[j * 3 + 2] < 245)) ink++;
        if (inside && block(postMask, j)) postRun++;
        else {
          if (postRun >= 10) {
            total.postBars += postRun;
            baseline = Math.max(baseline, y);
          }
          postRun = 0;
        }
        if (inside && block(findingMask, j)) findingRun++;
        else {
          if (findingRun >= 10) total.findingBars += findingRun;
          findingRun = 0;
        }
      }
    }
    if (baseline >= 0) {
      const plot = Math.round(((width * 182) / 210 / 760) * 204);
      for (let y = Math.max(0, baseline - plot - 3); y <= baseline; y++)
        for (let x = 0; x < width; x++) if (near((y * width + x) * 3, score, 40)) total.scoreLine++;
    }
    if (n === 0) Object.assign(total, { width, height, ink: ink / (width * height) });
  }
  rmSync(dir, { recursive: true, force: true });
  return total;
}

const pdftotext = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });

/** The word printed right under a label on page 1 (a summary figure sits under its label in the same box). */
function figureUnder(file: string, label: string): string | undefined {
  const xml = execFileSync('pdftotext', ['-bbox', '-f', '1', '-l', '1', file, '-'], { encoding: 'utf8' });
  const words = [...xml.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
    x0: Number(m[1]),
    y0: Number(m[2]),
    x1: Number(m[3]),
    y1: Number(m[4]),
    text: m[5],
  }));
  const at = words.find((w) => w.text === label);
  if (!at) return undefined;
  return words
    .filter((w) => w.y0 > at.y0 + 2 && w.y0 < at.y1 + 12 && w.x0 < at.x1 && w.x1 > at.x0)
    .sort((a, b) => a.y0 - b.y0)[0]?.text;
}

describe.each(BACKENDS)('monthly reports on %s', (kind) => {
  let h: DbHandle & { url?: string };
  let deps: JobDeps;
  let admin: TestClient;
  let app: ReturnType<typeof createApp>;
  let entities: { id: number; slug: string; nameAr: string; nameEn: string }[];
  let out: string;
  const get = async <T>(client: TestClient, url: string) => {
    const res = await client.request(url);
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    h = await testDb(kind);
    deps = { db: h.db, rulebook: loadRulebook(), connectors, log: () => {} };
    await seedDemo(h.db);
    // One account of each of three entities: 18 months of their posts, scored and rolled up by the import.
    const picked = await h.db.selectFrom('account').select((eb) => eb.fn.min('id').as('id')).groupBy('entity_id').orderBy('entity_id').limit(3).execute();
    const ids = picked.map((r) => Number(r.id));
    // A shortened demo range (from July 2026) keeps the import quick; the months under test are whole.
    await h.db.updateTable('account').set({ import_cursor: '2026-07-01T00:00:00.000Z' }).where('id', 'in', ids).execute();
    const r = await runImportPipeline(deps, { now: NOW, accountIds: ids });
    expect(r.errors).toEqual([]);
    await h.db.updateTable('account').set({ active: false }).where('id', 'not in', ids).execute();
    entities = await h.db
      .selectFrom('entity')
      .select(['id', 'slug', 'name_ar as nameAr', 'name_en as nameEn'])
      .where('id', 'in', h.db.selectFrom('account').select('entity_id').where('id', 'in', ids))
      .orderBy('id')
      .execute();
    app = createApp({ db: h.db, dbKind: h.kind, config, now: () => NOW });
    admin = await signedIn(app, h.db, { role: 'admin', now: NOW });
    out = mkdtempSync(join(tmpdir(), 'mizan-reports-'));
  }, 600_000);

  afterAll(async () => {
    await h?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('a month: the sector and each entity, both languages, three formats; a second run adds nothing', async () => {
    const slugs = entities.slice(0, 2).map((e) => e.slug);
    const first = await generateMonthlyReports(h.db, settings, { month: MONTH, entities: slugs, sector: true, trigger: 'cli', now: NOW, outDir: out });
    expect(first.errors).toEqual([]);
    expect(first.counts).toEqual({ created: 18, unchanged: 0, failed: 0 });
    expect(readdirSync(out).sort()).toContain(`mizan-${MONTH}-${slugs[0]}-en.pdf`);
    expect(readdirSync(out)).toHaveLength(18);
    const stored = await h.db.selectFrom('report').select(['sha256', 'content', 'rulebook_versions']).execute();
    expect(stored).toHaveLength(18);
    for (const r of stored) {
      expect(sha256(new Uint8Array(r.content))).toBe(r.sha256);
      expect(r.rulebook_versions).toEqual([deps.rulebook.version]);
    }

    const second = await generateMonthlyReports(h.db, settings, { month: MONTH, entities: slugs, sector: true, trigger: 'cli', now: new Date(NOW.getTime() + 3600_000), outDir: out });
    expect(second.counts).toEqual({ created: 0, unchanged: 18, failed: 0 });
    expect(Number((await h.db.selectFrom('report').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)).toBe(18);
  }, 300_000);

  test("the XLSX's figures are the API's for the same entity and month", async () => {
    const t = LABELS.en;
    for (const e of entities.slice(0, 2)) {
      const card = await get<Scorecard>(admin, `/api/entities/${e.id}?from=${FROM}&to=${TO}`);
      const trend = await get<EntityTrend>(admin, `/api/entities/${e.id}/trend?interval=month&from=2025-11-01&to=${TO}`);
      expect(card.status).toBe(200);
      const month = trend.body.items.find((p) => p.period === FROM)!;
      const before = trend.body.items.find((p) => p.period === '2026-09-01')!;
      expect(month.posts).toBeGreaterThan(0);
      const { wb, rows } = await readSummary(join(out, `mizan-${MONTH}-${e.slug}-en.xlsx`));
      expect(rows.get(t.entityEn)).toBe(e.nameEn);
      expect(rows.get(t.entityAr)).toBe(e.nameAr);
      expect(rows.get(t.posts)).toBe(month.posts);
      expect(rows.get(t.posts)).toBe(card.body.current.posts);
      expect(rows.get(t.score)).toBe(card.body.current.score);
      expect(rows.get(t.rate)).toBe(card.body.current.complianceRate);
      expect(rows.get(t.violations)).toBe(card.body.current.violations);
      expect(rows.get(t.review)).toBe(card.body.current.review);
      expect(rows.get(t.findings)).toBe(card.body.current.findings);
      expect(rows.get(t.change)).toBe(month.score === null || before.score === null ? null : Math.round((month.score - before.score) * 10) / 10);
      for (const c of card.body.categories) expect(rows.get(`${t.category}: ${t.categoryName[c.category]}`)).toBe(c.findings);
      expect(rows.get(t.deletedAfterFlagged)).toBe(card.body.deletedAfterFlagged.count);
      // Posts by account add up to the entity's month.
      const accounts = wb.worksheets[1];
      let sum = 0;
      accounts.eachRow((row, n) => {
        if (n > 1) sum += Number(row.getCell(4).value);
      });
      expect(sum).toBe(month.posts);
      // The findings sheet: every finding of the month's scores, each with its evidence.
      const findings = wb.worksheets[2];
      expect(findings.rowCount - 1).toBe(Number(rows.get(t.open)) + Number(rows.get(t.confirmed)) + Number(rows.get(t.dismissed)));
      if (findings.rowCount > 1) expect(String(findings.getRow(2).getCell(9).value).length).toBeGreaterThan(0);
      // The Arabic workbook reads right to left.
      const arWb = new ExcelJS.Workbook();
      await arWb.xlsx.readFile(join(out, `mizan-${MONTH}-${e.slug}-ar.xlsx`));
      expect(arWb.worksheets[0].views[0]?.rightToLeft).toBe(true);
      expect(wb.worksheets[0].views[0]?.rightToLeft).toBeFalsy();
    }
    // The sector's totals are the overview's for the month.
    const overview = await get<Overview>(admin, `/api/overview?from=${FROM}&to=${TO}&interval=month`);
    const { wb, rows } = await readSummary(join(out, `mizan-${MONTH}-sector-en.xlsx`));
    expect(rows.get(t.posts)).toBe(overview.body.totals.posts);
    expect(rows.get(t.score)).toBe(overview.body.totals.score);
    expect(rows.get(t.violations)).toBe(overview.body.totals.violations);
    expect(rows.get(t.sectorMedian)).toBe(overview.body.sectorMedianScore);
    const league = wb.worksheets[1];
    for (const r of overview.body.entities) {
      let found = false;
      league.eachRow((row) => {
        if (row.getCell(2).value === r.slug) {
          found = true;
          expect(row.getCell(5).value).toBe(r.posts);
          expect(row.getCell(6).value).toBe(r.score);
        }
      });
      expect(found).toBe(true);
    }
  });

  test("the PDF: the API's figures in its text, both names, page numbers, and a page that renders", async () => {
    const e = entities[0];
    const trend = await get<EntityTrend>(admin, `/api/entities/${e.id}/trend?interval=month&from=${FROM}&to=${TO}`);
    const card = await get<Scorecard>(admin, `/api/entities/${e.id}?from=${FROM}&to=${TO}`);
    const month = trend.body.items[0];
    const pdf = join(out, `mizan-${MONTH}-${e.slug}-en.pdf`);
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdftotext(pdf);
    expect(text).toContain(e.nameEn);
    expect(text).toContain('Social media compliance report');
    expect(figureUnder(pdf, 'Posts')).toBe(String(month.posts));
    expect(text).toMatch(new RegExp(`(^|\\s)${String(card.body.current.score).replace('.', '\\.')}(\\s|$)`));
    expect(figureUnder(pdf, 'Violations')).toBe(String(card.body.current.violations));
    expect(text).toContain(deps.rulebook.version);
    expect(text).toContain(PUBLIC_URL);
    expect(text).toMatch(/\b1 ?\/ ?\d+\b/);
    // The Arabic name is in the English report too, and the Arabic report keeps 2026-10 in order.
    const arText = pdftotext(join(out, `mizan-${MONTH}-${e.slug}-ar.pdf`));
    expect(arText).toContain(MONTH);
    expect(arText).toMatch(new RegExp(`\\b${month.posts}\\b`));
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
    expect(fonts).toMatch(/NotoNaskhArabic/);
    // A broken render (blank page, missing font, empty charts) fails here: the charts' marks are counted on the page.
    for (const file of [pdf, join(out, `mizan-${MONTH}-${e.slug}-ar.pdf`), join(out, `mizan-${MONTH}-sector-ar.pdf`)]) {
      const page = chartMarks(file);
      expect(page.width).toBeGreaterThan(300);
      expect(page.height).toBeGreaterThan(page.width);
      // A page with its footer only is about 0.2 % ink; header, figures and charts make far more.
      expect(page.ink).toBeGreaterThan(0.05);
      // Four months of posts (July to October) as bars, each about 20 pixels wide and 60 high at 60 dpi.
      expect(page.postBars).toBeGreaterThan(3000);
      // The score line through those months, with a point on each.
      expect(page.scoreLine).toBeGreaterThan(60);
      // At least one category with findings: the longest bar is half the axis or more (about 140 × 5 pixels).
      expect(page.findingBars).toBeGreaterThan(600);
    }
    // The same counts on a page whose charts have nothing to draw (a month before any post) are zero: the check above can fail.
    const none = await generateMonthlyReports(h.db, settings, { month: '2025-01', entities: [e.slug], formats: ['pdf'], langs: ['en'], trigger: 'cli', now: NOW, outDir: join(out, 'empty') });
    expect(none.counts.failed).toBe(0);
    const empty = chartMarks(join(out, 'empty', `mizan-2025-01-${e.slug}-en.pdf`));
    expect(empty).toMatchObject({ postBars: 0, scoreLine: 0, findingBars: 0 });
  });

  test('the CSV: UTF-8 with a byte-order mark; the findings, and the per-entity figures', async () => {
    const e = entities[0];
    const csv = readFileSync(join(out, `mizan-${MONTH}-${e.slug}-ar.csv`));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.toString('utf8').slice(1).trimEnd().split('\r\n');
    const { rows } = await readSummary(join(out, `mizan-${MONTH}-${e.slug}-en.xlsx`));
    const findings = Number(rows.get(LABELS.en.open)) + Number(rows.get(LABELS.en.confirmed)) + Number(rows.get(LABELS.en.dismissed));
    expect(lines[0]).toContain(LABELS.ar.evidence);
    expect(lines.filter((l) => l.startsWith(`${e.slug},`))).toHaveLength(findings);
    const sector = readFileSync(join(out, `mizan-${MONTH}-sector-en.csv`), 'utf8');
    expect(sector.charCodeAt(0)).toBe(0xfeff);
    expect(sector).toContain(`${e.slug},${e.nameAr},${e.nameEn.includes(',') ? `"${e.nameEn}"` : e.nameEn},`);
  });

  test('review decisions and responses are counted; the new figures are a new version, the old kept', async () => {
    const e = entities[0];
    const fs = await h.db
      .selectFrom('finding as f')
      .innerJoin('post as p', 'p.id', 'f.post_id')
      .innerJoin('post_score as s', (j) => j.onRef('s.post_id', '=', 'f.post_id').onRef('s.rulebook_version', '=', 'f.rulebook_version'))
      .select(['f.id', 'f.post_id', 'f.rule_id', 'f.match'])
      .where('p.entity_id', '=', e.id)
      .where('p.local_day', '>=', FROM)
      .where('p.local_day', '<=', TO)
      .orderBy('f.id')
      .limit(3)
      .execute();
    expect(fs.length).toBe(3);
    await h.db.updateTable('finding').set({ status: 'confirmed' }).where('id', '=', fs[0].id).execute();
    await h.db.updateTable('finding').set({ status: 'dismissed' }).where('id', '=', fs[1].id).execute();
    await h.db.insertInto('finding_event').values({ finding_id: fs[2].id, post_id: fs[2].post_id, rule_id: fs[2].rule_id, match: fs[2].match, kind: 'responded', response_kind: 'explanation', note: 'context' }).execute();
    const r = await generateMonthlyReports(h.db, settings, { month: MONTH, entities: [e.slug], formats: ['xlsx'], langs: ['en'], trigger: 'cli', now: NOW, outDir: join(out, 'v2') });
    expect(r.counts).toEqual({ created: 1, unchanged: 0, failed: 0 });
    const { rows } = await readSummary(join(out, 'v2', `mizan-${MONTH}-${e.slug}-en.xlsx`));
    expect(rows.get(LABELS.en.confirmed)).toBe(1);
    expect(rows.get(LABELS.en.dismissed)).toBe(1);
    expect(rows.get(LABELS.en.responded)).toBe(1);
    const latest = await get<ReportList>(admin, `/api/reports?month=${MONTH}&entity=${e.id}&format=xlsx&lang=en`);
    expect(latest.body.items).toHaveLength(1);
    expect(latest.body.items[0].id).toBe(r.items[0].id);
    const history = await get<ReportList>(admin, `/api/reports?month=${MONTH}&entity=${e.id}&format=xlsx&lang=en&history=true`);
    expect(history.body.items.map((i) => i.superseded)).toEqual([false, true]);
  });

  test('the API lists and downloads in scope: a director sees only their entity, never the sector', async () => {
    const list = await get<ReportList>(admin, `/api/reports?month=${MONTH}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(18);
    const sector = list.body.items.find((i) => i.kind === 'sector' && i.format === 'pdf' && i.lang === 'ar')!;
    const res = await admin.request(sector.downloadUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toContain(`mizan-${MONTH}-sector-ar.pdf`);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sector.sha256);

    const [mine, other] = entities;
    const director = await signedIn(app, h.db, { role: 'director', entityIds: [mine.id], now: NOW });
    const seen = await get<ReportList>(director, `/api/reports?month=${MONTH}`);
    expect(seen.body.items.length).toBe(6);
    expect(seen.body.items.every((i) => i.entity?.id === mine.id)).toBe(true);
    const otherReport = list.body.items.find((i) => i.entity?.id === other.id)!;
    expect((await director.request(otherReport.downloadUrl)).status).toBe(404);
    expect((await director.request(sector.downloadUrl)).status).toBe(404);
    expect((await director.request(seen.body.items[0].downloadUrl)).status).toBe(200);
    const viewer = await signedIn(app, h.db, { role: 'viewer', now: NOW });
    expect((await viewer.request(sector.downloadUrl)).status).toBe(200);
    expect((await admin.request('/api/reports/999999/download')).status).toBe(404);
    expect((await admin.request('/api/reports?month=2026-13')).status).toBe(400);
  });

  test('POST /api/reports: staff generate a past month on demand; others are refused', async () => {
    const body = (b: object) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
    const director = await signedIn(app, h.db, { role: 'director', entityIds: [entities[0].id], now: NOW });
    expect((await director.request('/api/reports', body({ month: '2026-09' }))).status).toBe(403);
    const oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
    const res = await oversight.request('/api/reports', body({ month: '2026-09', entities: [entities[0].slug], formats: ['xlsx', 'csv'] }));
    expect(res.status).toBe(201);
    const r = (await res.json()) as ReportGenerateResponse;
    expect(r.counts).toEqual({ created: 4, unchanged: 0, failed: 0 });
    const again = (await (await oversight.request('/api/reports', body({ month: '2026-09', entities: [entities[0].slug], formats: ['xlsx', 'csv'] }))).json()) as ReportGenerateResponse;
    expect(again.counts).toEqual({ created: 0, unchanged: 4, failed: 0 });
    expect((await oversight.request('/api/reports', body({ month: '2026-11' }))).status).toBe(400);
    const unknown = await oversight.request('/api/reports', body({ month: '2026-09', entities: ['no-such-entity'] }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('no-such-entity');
    const audit = await h.db.selectFrom('audit_log').select('action').where('action', '=', 'reports.generated').execute();
    expect(audit.length).toBe(2);
  });

  test('without Chromium, PDF fails with how to install it and XLSX and CSV are still made', async () => {
    const r = await generateMonthlyReports(h.db, { ...settings, chromiumPath: '/nonexistent/chromium' }, { month: '2026-08', entities: [entities[0].slug], trigger: 'cli', now: NOW });
    expect(r.counts).toEqual({ created: 4, unchanged: 0, failed: 2 });
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('apt-get install chromium');
  });

  test("the scheduled job reports on the month before its slot, once", async () => {
    const def = jobDefinitions({ ...config, MIZAN_CHROMIUM_PATH: '/nonexistent/chromium' }).find((d) => d.job === 'report')!;
    expect(def.expression).toBe('0 6 1 * *');
    // 06:00 on 1 August in Bahrain: July's reports.
    const slot = new Date('2026-08-01T03:00:00Z');
    const at = () => new Date(slot.getTime() + 5_000);
    expect(await runJobSlot(deps, def, slot, at)).toBe('ran');
    expect(await runJobSlot(deps, def, slot, at)).toBe('skipped');
    const all = await h.db.selectFrom('entity').select('id').execute();
    const xlsx = await h.db.selectFrom('report').select(['entity_id']).where('month', '=', '2026-07').where('format', '=', 'xlsx').execute();
    expect(xlsx).toHaveLength((all.length + 1) * 2);
    const run = await h.db.selectFrom('job_run').selectAll().where('job', '=', 'report').executeTakeFirstOrThrow();
    expect(run.error).toContain('apt-get install chromium');
    // The job run again (a catch-up) stores nothing new.
    const again = await def.run(deps, NOW, slot);
    expect(again.counts.created).toBe(0);
  }, 300_000);

  test('npm run report on this database: files written, progress on stderr; the embedded one refuses while in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mizan-report-cli-'));
    try {
      const env = { ...process.env, MIZAN_PUBLIC_URL: PUBLIC_URL } as Record<string, string>;
      if (h.url) env.DATABASE_URL = h.url;
      else {
        // The in-memory test database cannot be shared: the CLI runs on an embedded data directory of its own.
        env.MIZAN_DATA_DIR = join(dir, 'data');
        delete env.DATABASE_URL;
      }
      const args = ['tsx', 'jobs/report-cli.ts', '--month', MONTH, '--format', 'csv,xlsx', '--lang', 'en', '--out', join(dir, 'out')];
      if (h.url) args.push('--entity', entities[0].slug);
      const r = spawnSync('npx', args, { env, encoding: 'utf8', timeout: 120_000 });
      expect(r.stderr).toMatch(/\[#+-*\] \d+\/\d+/);
      expect(r.status).toBe(0);
      const files = readdirSync(join(dir, 'out'));
      expect(files).toContain(h.url ? `mizan-${MONTH}-${entities[0].slug}-en.xlsx` : `mizan-${MONTH}-sector-en.xlsx`);
      if (!h.url) {
        // While another process (the server) holds the embedded database, the CLI says so and stops.
        const release = lockDataDir(env.MIZAN_DATA_DIR);
        try {
          const locked = spawnSync('npx', args, { env, encoding: 'utf8', timeout: 120_000 });
          expect(locked.status).toBe(1);
          expect(locked.stderr).toContain('in use by another Mizan process');
        } finally {
          release();
        }
      }
      const bad = spawnSync('npx', ['tsx', 'jobs/report-cli.ts', '--month', '2026-13'], { env, encoding: 'utf8', timeout: 120_000 });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('YYYY-MM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the report charts (SVG)', () => {
  const months = ['2026-08', '2026-09', '2026-10'];
  const points = [
    { label: months[0], posts: 40, score: 90 },
    { label: months[1], posts: 0, score: null },
    { label: months[2], posts: 120, score: 70 },
  ];
  const xOf = (svg: string, label: string) => Number(new RegExp(`<text x="([\\d.]+)"[^>]*>${label}</text>`).exec(svg)![1]);

  test.each([
    ['en', 'the first month at the left'],
    ['ar', 'the first month at the right (right to left)'],
  ] as const)('%s: %s; a bar per month with posts; the score line broken where a month has none', (lang, _where) => {
    const fmt = new Fmt(lang, 'latn', 'Asia/Bahrain');
    const svg = trendSvg(points, { fmt, scoreLabel: 'S', postsLabel: 'P' });
    expect(xOf(svg, months[0]) < xOf(svg, months[2])).toBe(lang === 'en');
    expect(svg.match(/class="mark posts"/g)).toHaveLength(2);
    // Two scores with a gap between them: no line, two points.
    expect(svg).not.toContain('<polyline');
    expect(svg.match(/<circle class="mark score"/g)).toHaveLength(2);
    const joined = trendSvg(points.map((p) => ({ ...p, score: p.score ?? 80 })), { fmt, scoreLabel: 'S', postsLabel: 'P' });
    expect(joined.match(/<polyline class="mark score" points="([^"]+)"/)![1].split(' ')).toHaveLength(3);
  });

  test('category bars: one per category with findings, the longest not past the axis; Arabic digits when chosen', () => {
    const fmt = new Fmt('ar', 'arab', 'Asia/Bahrain');
    const svg = categoriesSvg([{ label: 'أ', findings: 7 }, { label: 'ب', findings: 0 }, { label: 'ج', findings: 3 }], { fmt });
    const widths = [...svg.matchAll(/class="mark findings" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(2);
    expect(widths[0] / widths[1]).toBeCloseTo(7 / 3, 1);
    expect(Math.max(...widths)).toBeLessThanOrEqual(760 - 170 - 20);
    expect(svg).toContain('>٨</text>');
    expect(svg).toContain('direction="rtl"');
  });

  test.each([
    [0, [0, 1]],
    [7, [0, 2, 4, 6, 8]],
    [306, [0, 100, 200, 300, 400]],
    [3, [0, 1, 2, 3]],
  ])('niceTicks(%d)', (max, ticks) => {
    expect(niceTicks(max)).toEqual(ticks);
  });
});

test('chromium and poppler are installed where the suite runs', () => {
  expect(existsSync(settings.chromiumPath)).toBe(true);
  expect(spawnSync('pdftoppm', ['-v']).status).toBe(0);
});
