// Publishing a rulebook version, trying drafts, rescoring with history, and reviewer decisions.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import type { Connector, ImportedPost } from '../../jobs/connectors/types.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { rollupDirty } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { saveScores } from '../../db/queries/scores.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { PostList } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const defaults = loadRulebook();

const DRAFT_RULE = `category: reputation
rules:
  - id: reputation.test.queue_complaint
    severity: low
    lang: any
    kind: lexicon
    title: { ar: "شكوى من الطوابير", en: "Complaint about queues" }
    explanation: { ar: "قاعدة تجريبية.", en: "A trial rule." }
    terms: [طوابير طويله, long queues]
`;

const texts = [
  'افتتاح مركز خدمات جديد في المحرق بعد شكاوى من طوابير طويلة',
  'New service centre opens to end the long queues at the old building',
  'يا حمار ما تفهم',
  'رمضان كريم وكل عام وأنتم بخير',
];

const fixedConnector: Connector = {
  platform: 'fixed',
  async fetchPage() {
    const posts: ImportedPost[] = texts.map((text, i) => ({
      platformPostId: `p${i}`,
      url: null,
      text,
      lang: /[a-z]/i.test(text) ? 'en' : 'ar',
      postedAt: new Date(Date.UTC(2026, 10, 10 + i, 8)),
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: { i },
    }));
    return { posts, nextCursor: 'end', done: true };
  },
};

describe.each(BACKENDS)('rulebook versions on %s', (kind) => {
  let h: DbHandle;
  let deps: JobDeps;
  let app: TestClient;
  const published: string[] = [];
  const send = async (method: string, url: string, body?: unknown) => {
    const res = await app.request(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    h = await testDb(kind);
    deps = { db: h.db, rulebook: defaults, connectors: { fixed: fixedConnector }, log: () => {} };
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW, onRulebookPublished: (v) => published.push(v) }), h.db, { now: NOW });
    const entityId = await upsertEntity(h.db, { slug: 'rb-entity', nameAr: 'جهة', nameEn: 'RB Entity' });
    await upsertAccount(h.db, { entityId, platform: 'x', connector: 'fixed', handle: 'rb_account', type: 'official' });
    await runImportPipeline(deps, { now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an edit stamped later than the scorer clock is scored once, not forever', async () => {
    const future = new Date(NOW.getTime() + 3600_000);
    // an edit (the importer raises the revision) stamped by a clock ahead of the scorer's
    await h.db.updateTable('post').set({ updated_at: future, revision: sql<number>`revision + 1` }).where('platform_post_id', '=', 'p3').execute();
    const first = await runScoring(deps, { now: NOW });
    expect(first.counts.posts).toBe(1);
    expect((await runScoring(deps, { now: NOW })).counts.posts).toBe(0);
  });

  test('scoring marks its days dirty in the same transaction; the rollup consumes the marks', async () => {
    await rollupDirty(h.db);
    await h.db.updateTable('post').set({ updated_at: new Date(NOW.getTime() + 7200_000), revision: sql<number>`revision + 1` }).where('platform_post_id', '=', 'p0').execute();
    await runScoring(deps, { now: NOW });
    const dirty = await h.db.selectFrom('rollup_dirty').selectAll().execute();
    expect(dirty).toEqual([{ entity_id: expect.any(Number), day: '2026-11-10' }]);
    await rollupDirty(h.db);
    expect(await h.db.selectFrom('rollup_dirty').selectAll().execute()).toEqual([]);
    const { rows } = await sql<{ posts: number }>`select sum(posts)::int as posts from rollup_day`.execute(h.db);
    expect(rows[0].posts).toBe(texts.length);
  });

  test('try a text against the rulebook in force and against a draft rule', async () => {
    const current = await send('POST', '/api/rulebook/try', { text: texts[0] });
    expect(current.status).toBe(200);
    expect(current.body.version).toBe(defaults.version);
    expect(current.body.findings.some((f: { rule: string }) => f.rule === 'reputation.test.queue_complaint')).toBe(false);
    const draft = await send('POST', '/api/rulebook/try', { text: texts[0], draft: { sources: { 'trial.yaml': DRAFT_RULE } } });
    expect(draft.status).toBe(200);
    expect(draft.body.draft).toBe(true);
    const f = draft.body.findings.find((x: { rule: string }) => x.rule === 'reputation.test.queue_complaint');
    expect(f).toBeDefined();
    expect(texts[0].slice(f.start, f.end)).toBe(f.match);
    expect(f.title.en).toBe('Complaint about queues');
  });

  test('try a draft against the last posts shows which verdicts would change', async () => {
    const r = await send('POST', '/api/rulebook/try', { lastPosts: 10, draft: { sources: { 'trial.yaml': DRAFT_RULE } } });
    expect(r.status).toBe(200);
    expect(r.body.checked).toBe(4);
    expect(r.body.changed.map((c: { text: string }) => c.text).sort()).toEqual([texts[0], texts[1]].sort());
    expect(r.body.changed[0]).toMatchObject({ currentVerdict: 'clean', newVerdict: 'review' });
    expect(r.body.changed[0].findings[0].title.en).toBe('Complaint about queues');
    expect(r.body.currentCounts.clean - r.body.counts.clean).toBe(2);
  });

  test.each([
    ['YAML syntax', { 'bad.yaml': 'category: abuse\nrules: [ {' }, 'bad.yaml', null],
    ['unknown category', { 'bad.yaml': 'category: rudeness\nrules: []' }, 'bad.yaml', null],
    ['bad rule', { 'bad.yaml': 'category: abuse\nrules:\n  - id: abuse.x.y\n    severity: huge\n    lang: any\n    kind: lexicon\n    title: {ar: a, en: a}\n    explanation: {ar: a, en: a}\n    terms: [x]\n' }, 'bad.yaml', 'abuse.x.y'],
  ])('a malformed draft (%s) is refused with file, rule and reason, and the old version stays', async (_name, sources, file, ruleId) => {
    const tried = await send('POST', '/api/rulebook/try', { text: 'x', draft: { sources } });
    expect(tried.status).toBe(422);
    expect(tried.body.error.code).toBe('invalid-rulebook');
    expect(tried.body.error.details.file).toBe(file);
    expect(tried.body.error.details.ruleId).toBe(ruleId);
    const pub = await send('POST', '/api/rulebook/versions', { sources });
    expect(pub.status).toBe(422);
    expect((await send('GET', '/api/rulebook')).body.version).toBe(defaults.version);
  });

  test.each([
    ['not JSON', '{"text": '],
    ['neither text nor lastPosts', {}],
    ['both', { text: 'a', lastPosts: 3 }],
    ['too many posts', { lastPosts: 100000 }],
    ['bad file name', { text: 'a', draft: { sources: { '../etc/passwd': 'x' } } }],
  ])('bad try request (%s) -> 400', async (_name, body) => {
    const r = await send('POST', '/api/rulebook/try', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid-request');
  });

  test('publishing rescores, keeps the old findings and reviewers decisions, and shows what changed', async () => {
    // A reviewer dismisses the insult finding before the new version is published.
    const insult = await h.db.selectFrom('finding as f').innerJoin('post as p', 'p.id', 'f.post_id').select(['f.id', 'f.rule_id', 'f.match', 'f.post_id']).where('p.text', '=', texts[2]).executeTakeFirstOrThrow();
    await h.db.updateTable('finding').set({ status: 'dismissed' }).where('id', '=', insult.id).execute();
    const oldFindings = (await sql<{ n: number }>`select count(*)::int as n from finding where rulebook_version = ${defaults.version}`.execute(h.db)).rows[0].n;

    const pub = await send('POST', '/api/rulebook/versions', { sources: { 'trial.yaml': DRAFT_RULE }, note: 'queues rule' });
    expect(pub.status).toBe(201);
    const version = pub.body.version as string;
    expect(version).not.toBe(defaults.version);
    expect(published).toEqual([version]);
    expect((await send('POST', '/api/rulebook/versions', { sources: { 'trial.yaml': DRAFT_RULE } })).body.unchanged).toBe(true);
    // The publication is in the audit log, with the version it replaced.
    const audited = await h.db.selectFrom('audit_log').select(['action', 'object_id', 'before', 'actor_email']).where('action', '=', 'rulebook.published').execute();
    expect(audited).toEqual([{ action: 'rulebook.published', object_id: version, before: { version: defaults.version }, actor_email: app.user.email }]);

    // What the background rescoring does (main.ts runs the same two calls).
    const scored = await runScoring(deps, { now: NOW });
    expect(scored.version).toBe(version);
    expect(scored.counts.posts).toBe(4);
    await rollupDirty(h.db);

    const versions = await send('GET', '/api/rulebook/versions');
    expect(versions.body.items.map((v: { version: string; active: boolean }) => [v.version, v.active])).toEqual(
      expect.arrayContaining([[version, true], [defaults.version, false]]),
    );
    expect((await sql<{ n: number }>`select count(*)::int as n from finding where rulebook_version = ${defaults.version}`.execute(h.db)).rows[0].n).toBe(oldFindings);

    const carried = await h.db.selectFrom('finding').select('status').where('post_id', '=', insult.post_id).where('rulebook_version', '=', version).where('rule_id', '=', insult.rule_id).where('match', '=', insult.match).executeTakeFirstOrThrow();
    expect(carried.status).toBe('dismissed');

    const changes = await send('GET', `/api/rulebook/versions/${version}/changes`);
    expect(changes.status).toBe(200);
    expect(changes.body.entities).toHaveLength(1);
    expect(changes.body.entities[0].moves['clean->review']).toBe(2);
    // The dismissed insult no longer counts once its post is rescored: it moves too.
    expect(changes.body.entities[0].moves['violation->clean']).toBe(1);
    expect(changes.body.posts.map((p: { text: string }) => p.text).sort()).toEqual([texts[0], texts[1], texts[2]].sort());

    const list = await send('GET', '/api/posts?verdict=review');
    expect((list.body as PostList).items.map((p) => p.text)).toEqual(expect.arrayContaining([texts[0], texts[1]]));
    expect((await send('GET', '/api/rulebook/versions/rb-000000000000/changes')).status).toBe(404);
    expect((await send('GET', '/api/rulebook/versions/nope/changes')).status).toBe(400);

    // A scorer still holding the old version (another process) cannot write over the new one.
    expect(await saveScores(h.db, defaults.version, [{ postId: insult.post_id, entityId: 1, localDay: '2026-11-12', revision: 1, scoredAt: NOW, score: 0, verdict: 'violation', findings: [] }], NOW)).toBe(false);
    expect((await h.db.selectFrom('post_score').select('rulebook_version').where('post_id', '=', insult.post_id).executeTakeFirstOrThrow()).rulebook_version).toBe(version);

    // Restarting with the default files does not undo a version published through the API.
    const again = await runScoring(deps, { now: NOW });
    expect(again.version).toBe(version);
    expect(again.counts.posts).toBe(0);
  });
});
