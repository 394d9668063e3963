// Model findings explained like rule findings (issue 10): posts scored with the shipped model carry, through the
// API (post page, review queue), its probability, model version and evidence spans inside the post's text; a
// reviewer confirms and dismisses them like rule findings; the reports' findings sheet and CSV add the two columns.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { testConfig } from '../../jobs/config.ts';
import { generateMonthlyReports, reportSettings } from '../../jobs/reports/generate.ts';
import { LABELS } from '../../jobs/reports/labels.ts';
import { rollupDirty } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { modelOf, parseRulebook, scorePost } from '../../jobs/scoring/engine.ts';
import type { FindingView, PostDetail, PostList, ReviewQueue, ReviewResult, Scorecard } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

// The rulebook's personal-data rules with the shipped model: no abuse rule speaks first, so the model's
// findings do not depend on how the abuse rules evolve, and a phone number is a rule finding beside them.
const rulebook = parseRulebook({ 'personal_data.yaml': readFileSync('jobs/scoring/rulebook/personal_data.yaml', 'utf8') });
const model = modelOf(rulebook)!;
const NOW = new Date('2026-11-20T09:00:00Z');
const PUBLIC_URL = 'https://mizan.example.gov.bh';
const MIXED = 'You are a fucking idiot and a piece of shit. Call me on 36123456';
const ARABIC = 'انت حمااااار وكلب ابن كلب يا حقير';
const CLEAN = 'افتتاح مركز الخدمات الجديد في المحرق';

const post = (id: string, text: string, day: string) =>
  importedPost(id, text, { url: `https://x.com/i/${id}`, lang: /[a-z]/i.test(text) ? 'en' : 'ar', postedAt: new Date(`${day}T09:00:00Z`) });

/** The explanation of a model finding as the API gives it must be the engine's, with its spans inside the text. */
function expectExplained(f: Pick<FindingView, 'rule' | 'start' | 'end' | 'match' | 'probability' | 'modelVersion' | 'evidence'>, text: string) {
  const engine = scorePost(rulebook, { text }).findings.find((x) => x.rule === f.rule)!;
  expect(f.rule).toMatch(/^model\./);
  expect(f.modelVersion).toBe(model.version);
  // stored as a real (float4): the engine's value to about 7 digits
  expect(f.probability).toBeCloseTo(engine.probability!, 5);
  expect(f.probability!).toBeGreaterThan(0);
  expect(f.probability!).toBeLessThanOrEqual(1);
  expect(f.evidence).toEqual(engine.evidence);
  expect(f.evidence!.length).toBeGreaterThan(0);
  for (const e of f.evidence!) {
    expect(e.start).toBeGreaterThanOrEqual(0);
    expect(e.end).toBeLessThanOrEqual(text.length);
    expect(e.end).toBeGreaterThan(e.start);
    expect(e.weight).toBeGreaterThan(0);
  }
  // strongest first; the finding's words are the strongest evidence
  expect(f.evidence!.map((e) => e.weight)).toEqual([...f.evidence!.map((e) => e.weight)].sort((a, b) => b - a));
  expect(f.evidence![0]).toMatchObject({ start: f.start, end: f.end });
  expect(text.slice(f.start, f.end)).toBe(f.match);
}

describe.each(BACKENDS)('model findings explained on %s', (kind) => {
  let h: DbHandle;
  let oversight: TestClient;
  let entityId: number;
  const postId: Record<string, number> = {};
  const out = mkdtempSync(join(tmpdir(), 'mizan-model-findings-'));

  const call = async (method: string, url: string, body?: unknown) => {
    const res = await oversight.request(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const detail = async (id: number) => (await call('GET', `/api/posts/${id}`)).body as PostDetail;

  beforeAll(async () => {
    expect(model).toBeTruthy();
    h = await testDb(kind);
    entityId = await upsertEntity(h.db, { slug: 'model-a', nameAr: 'جهة النموذج', nameEn: 'Model entity' });
    const account = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'model_a', type: 'official' });
    await savePostsPage(h.db, { id: account, entityId, timezone: 'Asia/Bahrain' }, [post('m1', MIXED, '2026-10-10'), post('m2', ARABIC, '2026-10-12'), post('c1', CLEAN, '2026-10-13')], null, '1', NOW);
    await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: NOW });
    await rollupDirty(h.db);
    for (const p of await h.db.selectFrom('post').select(['id', 'platform_post_id']).execute()) postId[p.platform_post_id] = p.id;
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW });
    oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(out, { recursive: true, force: true });
  });

  test('the post page: a model finding with its probability, model version, evidence and the model rule text; rule findings without', async () => {
    const d = await detail(postId.m1);
    expect(d.findingsList.map((f) => f.rule).sort()).toEqual(['model.abuse.offensive', 'personal_data.phone.official']);
    const m = d.findingsList.find((f) => f.rule.startsWith('model.'))!;
    expectExplained(m, MIXED);
    expect(m.title.en).toContain('(model)');
    expect(m.title.ar).toContain('(نموذج)');
    expect(m.explanation.ar.length).toBeGreaterThan(0);
    const phone = d.findingsList.find((f) => f.rule.startsWith('personal_data.'))!;
    expect(phone).toMatchObject({ probability: null, modelVersion: null, evidence: null, match: '36123456' });

    const ar = await detail(postId.m2);
    expect(ar.findingsList).toHaveLength(1);
    expectExplained(ar.findingsList[0], ARABIC);
    expect((await detail(postId.c1)).findingsList).toEqual([]);
  });

  test('the review queue carries the same explanation', async () => {
    const q = (await call('GET', '/api/findings')).body as ReviewQueue;
    expect(q.total).toBe(3);
    for (const item of q.items) {
      if (item.finding.rule.startsWith('model.')) expectExplained(item.finding, item.post.text);
      else expect(item.finding).toMatchObject({ probability: null, modelVersion: null, evidence: null });
    }
    expect(q.items.filter((i) => i.finding.modelVersion !== null)).toHaveLength(2);
    const only = (await call('GET', '/api/findings?category=abuse')).body as ReviewQueue;
    expect(only.items.map((i) => i.post.id).sort()).toEqual([postId.m1, postId.m2].sort());
  });

  test("the posts list and the scorecard's flagged posts say how many findings the model made", async () => {
    const list = (await call('GET', `/api/posts?entity=${entityId}`)).body as PostList;
    const counts = Object.fromEntries(list.items.map((p) => [p.id, [p.findings, p.modelFindings]]));
    expect(counts).toEqual({ [postId.m1]: [2, 1], [postId.m2]: [1, 1], [postId.c1]: [0, 0] });
    const card = (await call('GET', `/api/entities/${entityId}?from=2026-10-01&to=2026-10-31`)).body as Scorecard;
    expect(card.recentFlagged.map((p) => [p.id, p.modelFindings]).sort()).toEqual([[postId.m1, 1], [postId.m2, 1]].sort());
  });

  test('reviewers confirm and dismiss model findings like rule findings', async () => {
    const m = (await detail(postId.m1)).findingsList.find((f) => f.rule.startsWith('model.'))!;
    const confirmed = await call('POST', `/api/findings/${m.id}/review`, { status: 'confirmed', reason: 'breach' });
    expect(confirmed.status).toBe(200);
    expect((confirmed.body as ReviewResult).findingIds).toEqual([m.id]);
    const after = await detail(postId.m1);
    expect(after.findingsList.find((f) => f.id === m.id)).toMatchObject({ status: 'confirmed', probability: m.probability, evidence: m.evidence });
    expect(after.verdict).toBe('violation');

    const a = (await detail(postId.m2)).findingsList[0];
    const dismissed = await call('POST', `/api/findings/${a.id}/review`, { status: 'dismissed', reason: 'false-positive' });
    expect(dismissed.status).toBe(200);
    expect(await detail(postId.m2)).toMatchObject({ verdict: 'clean', score: 100, findings: 0, modelFindings: 0 });
    // The dismissed model finding is a labelled negative for the next training.
    const res = await oversight.request('/api/findings/decisions');
    const lines = (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.postId === postId.m2)).toMatchObject({ rule: a.rule, decision: 'dismissed', reason: 'false-positive', text: ARABIC, source: 'model' });
    expect(lines.find((l) => l.postId === postId.m1)).toMatchObject({ rule: m.rule, decision: 'confirmed', source: 'model' });

    // A retrained model may weigh other words most: the decision stays with the rule on that post. The dismissed
    // finding is made to name other words (as an earlier model's would), then the post is scored again.
    await sql`update finding set match = 'other words' where id = ${a.id}`.execute(h.db);
    await sql`insert into score_pending (post_id) values (${postId.m2})`.execute(h.db);
    await sql`update post_score set post_revision = post_revision - 1 where post_id = ${postId.m2}`.execute(h.db);
    await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: NOW });
    const again = await detail(postId.m2);
    expect(again.findingsList.find((f) => f.rule === a.rule)).toMatchObject({ status: 'dismissed', match: a.match });
    expect(again).toMatchObject({ verdict: 'clean', findings: 0 });
  });

  test("the reports' findings sheet and CSV: the model's probability and version, empty for rule findings", async () => {
    const settings = reportSettings(testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_PUBLIC_URL: PUBLIC_URL }));
    const r = await generateMonthlyReports(h.db, settings, { month: '2026-10', entities: ['model-a'], formats: ['xlsx', 'csv'], langs: ['en'], trigger: 'cli', now: NOW, outDir: out });
    expect(r.errors).toEqual([]);
    const t = LABELS.en;
    const modelOfPost = async (id: number) => (await detail(id)).findingsList.find((f) => f.rule.startsWith('model.'))!;
    const [mixed, arabic] = [await modelOfPost(postId.m1), await modelOfPost(postId.m2)];

    const csv = readFileSync(join(out, 'mizan-2026-10-model-a-en.csv'), 'utf8').slice(1).trimEnd().split('\r\n');
    expect(csv[0].split(',').slice(-2)).toEqual([t.probability, t.modelVersion]);
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const [probability, version] = row.slice(-2);
      if (row.includes('personal_data.phone.official')) expect([probability, version]).toEqual(['', '']);
      else {
        // the phone number's post is the mixed one
        expect(Number(probability)).toBeCloseTo((row.some((c) => c.includes('36123456')) ? mixed : arabic).probability!, 3);
        expect(version).toBe(model.version);
      }
    }

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(out, 'mizan-2026-10-model-a-en.xlsx'));
    const sheet = wb.worksheets[2];
    const header = sheet.getRow(1).values as unknown[];
    const pCol = header.indexOf(t.probability);
    const vCol = header.indexOf(t.modelVersion);
    const ruleCol = header.indexOf(t.rule);
    expect(vCol).toBe(pCol + 1);
    expect(sheet.getColumn(pCol).numFmt).toBe('0.0%');
    const cells: [string, unknown, unknown][] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) cells.push([String(row.getCell(ruleCol).value), row.getCell(pCol).value, row.getCell(vCol).value]);
    });
    expect(cells).toHaveLength(3);
    for (const [rule, p, v] of cells) {
      if (rule.startsWith('model.')) {
        expect(typeof p).toBe('number');
        expect(p as number).toBeGreaterThan(0);
        expect(v).toBe(model.version);
      } else {
        expect([p, v]).toEqual([null, null]);
      }
    }
  });
});
