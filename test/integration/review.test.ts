// The review of findings through the API: oversight's decisions move the post's score and the rollups in the same
// request, survive a rescoring, and directors respond and appeal within their own entities only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { listDecisionExamples } from '../../db/queries/reviews.ts';
import { testConfig } from '../../jobs/config.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { rollupDirty } from '../../jobs/rollup.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { BulkReviewResult, Inbox, PostDetail, ReviewQueue, ReviewResult, Scorecard } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const PHONE = 'اتصلوا على 36123456';
const PHONE_TWICE = 'اتصلوا على 36123456 أو على 36123456';
const IBAN = 'للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف';
const INSULT = 'You are an idiot';
const CLEAN = 'افتتاح مركز الخدمات الجديد في المحرق';
const NEW_RULE = `category: reputation
rules:
  - id: reputation.test.queue_complaint
    severity: low
    lang: any
    kind: lexicon
    title: { ar: "شكوى من الطوابير", en: "Complaint about queues" }
    explanation: { ar: "قاعدة تجريبية.", en: "A trial rule." }
    terms: [long queues]
`;

const post = (id: string, text: string, day: string): ImportedPost => ({
  platformPostId: id,
  url: `https://x.com/i/${id}`,
  text,
  lang: /[a-z]/i.test(text) ? 'en' : 'ar',
  postedAt: new Date(`${day}T09:00:00Z`),
  metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
  isReply: false,
  isRepost: false,
  raw: { id, text },
});

describe.each(BACKENDS)('review of findings on %s', (kind) => {
  let h: DbHandle;
  let oversight: TestClient;
  let directorA: TestClient;
  let viewer: TestClient;
  let admin: TestClient;
  let entityA: number;
  let entityB: number;
  const postId: Record<string, number> = {};
  const deps = () => ({ db: h.db, rulebook, connectors: {}, log: () => {} });

  const call = async (client: TestClient, method: string, url: string, body?: unknown) => {
    const res = await client.request(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: (type.includes('json') && !type.includes('ndjson') ? await res.json() : await res.text()) as any };
  };
  const detail = async (id: number) => (await call(oversight, 'GET', `/api/posts/${id}`)).body as PostDetail;
  const card = async (entity: number) => (await call(oversight, 'GET', `/api/entities/${entity}?from=2026-11-01&to=2026-11-30`)).body as Scorecard;
  const findingOf = async (id: number, rule?: string) => (await detail(id)).findingsList.find((f) => rule === undefined || f.rule === rule)!;

  beforeAll(async () => {
    h = await testDb(kind);
    entityA = await upsertEntity(h.db, { slug: 'review-a', nameAr: 'جهة أ', nameEn: 'Entity A' });
    entityB = await upsertEntity(h.db, { slug: 'review-b', nameAr: 'جهة ب', nameEn: 'Entity B' });
    const accountA = await upsertAccount(h.db, { entityId: entityA, platform: 'x', connector: 'list', handle: 'entity_a', type: 'official' });
    const accountB = await upsertAccount(h.db, { entityId: entityB, platform: 'instagram', connector: 'list', handle: 'entity_b', type: 'official' });
    await savePostsPage(
      h.db,
      { id: accountA, entityId: entityA, timezone: 'Asia/Bahrain' },
      [post('a1', PHONE, '2026-11-10'), post('a2', IBAN, '2026-11-15'), post('a3', INSULT, '2026-11-12'), post('a4', CLEAN, '2026-11-13'), post('a5', PHONE_TWICE, '2026-11-16')],
      null,
      '1',
      NOW,
    );
    await savePostsPage(h.db, { id: accountB, entityId: entityB, timezone: 'Asia/Bahrain' }, [post('b1', PHONE, '2026-11-11')], null, '1', NOW);
    await runScoring(deps(), { now: NOW });
    await rollupDirty(h.db);
    for (const p of await h.db.selectFrom('post').select(['id', 'platform_post_id']).execute()) postId[p.platform_post_id] = p.id;
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW });
    oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
    directorA = await signedIn(app, h.db, { role: 'director', entityIds: [entityA], now: NOW });
    viewer = await signedIn(app, h.db, { role: 'viewer', now: NOW });
    admin = await signedIn(app, h.db, { role: 'admin', now: NOW });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the queue: open findings, most severe first, then the oldest post, with the evidence', async () => {
    const q = (await call(oversight, 'GET', '/api/findings')).body as ReviewQueue;
    expect(q.total).toBe(6);
    expect(q.nextOffset).toBeNull();
    expect(q.items.map((i) => [i.post.text, i.finding.severity])).toEqual([
      [INSULT, 'high'],
      [IBAN, 'high'],
      [PHONE, 'medium'],
      [PHONE, 'medium'],
      [PHONE_TWICE, 'medium'],
      [PHONE_TWICE, 'medium'],
    ]);
    expect(q.items[2].post.entityId).toBe(entityA);
    expect(q.items[3].post.entityId).toBe(entityB);
    const first = q.items[0];
    expect(first.finding).toMatchObject({ rule: 'abuse.insult.directed.en', category: 'abuse', status: 'open', appeal: null, response: null, start: 0, end: 16 });
    expect(first.finding.title.en).not.toBe(first.finding.rule);
    expect(first.post).toMatchObject({ handle: 'entity_a', platform: 'x', entityNameEn: 'Entity A', deleted: false, versions: 1, postedAt: '2026-11-12T09:00:00.000Z' });
    expect(first.post.text.slice(first.finding.start, first.finding.end)).toBe(first.finding.match);

    const ids = (url: string, client = oversight) => call(client, 'GET', url).then((r) => (r.body as ReviewQueue).items.map((i) => i.post.id));
    expect(await ids(`/api/findings?entity=${entityB}`)).toEqual([postId.b1]);
    expect(await ids('/api/findings?platform=instagram')).toEqual([postId.b1]);
    expect(await ids('/api/findings?severity=high')).toEqual([postId.a3, postId.a2]);
    expect(await ids('/api/findings?category=personal_data')).toEqual([postId.a2, postId.a1, postId.b1, postId.a5, postId.a5]);
    // Posted at most 5 days before NOW (on or after 11-15), or at least 9 days before (on or before 11-11).
    expect(await ids('/api/findings?maxAgeDays=5')).toEqual([postId.a2, postId.a5, postId.a5]);
    expect(await ids('/api/findings?minAgeDays=9')).toEqual([postId.a1, postId.b1]);
    const page = (await call(oversight, 'GET', '/api/findings?limit=2&offset=2')).body as ReviewQueue;
    expect(page.items.map((i) => i.post.id)).toEqual([postId.a1, postId.b1]);
    expect(page.nextOffset).toBe(4);
    // A director's queue is their entities' only.
    expect(await ids('/api/findings', directorA)).toEqual([postId.a3, postId.a2, postId.a1, postId.a5, postId.a5]);
    expect(await ids(`/api/findings?entity=${entityB}`, directorA)).toEqual([]);
  });

  test('confirming and dismissing move the score, the verdict and the rollups in the same request', async () => {
    const before = await detail(postId.a1);
    expect(before).toMatchObject({ score: 85, verdict: 'review', findings: 1 });
    const cardBefore = await card(entityA);
    const f = before.findingsList[0];
    expect(f).toMatchObject({ status: 'open', appeal: null, response: null });

    const confirmed = await call(oversight, 'POST', `/api/findings/${f.id}/review`, { status: 'confirmed', reason: 'breach', note: 'A private mobile number.' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body as ReviewResult).toEqual({ findingIds: [f.id], posts: [{ id: postId.a1, score: 85, verdict: 'violation', findings: 1 }] });
    expect(await detail(postId.a1)).toMatchObject({ score: 85, verdict: 'violation', findings: 1 });
    const cardConfirmed = await card(entityA);
    expect(cardConfirmed.current.violations).toBe(cardBefore.current.violations + 1);
    expect(cardConfirmed.current.review).toBe(cardBefore.current.review - 1);

    // A later decision replaces the earlier one.
    const dismissed = await call(oversight, 'POST', `/api/findings/${f.id}/review`, { status: 'dismissed', reason: 'quoted-or-reported' });
    expect(dismissed.status).toBe(200);
    const after = await detail(postId.a1);
    expect(after).toMatchObject({ score: 100, verdict: 'clean', findings: 0, categories: [], maxSeverity: null });
    expect(after.findingsList[0].status).toBe('dismissed');
    expect(after.reviewEvents.map((e) => [e.kind, e.reason, e.actorEmail])).toEqual([
      ['confirmed', 'breach', oversight.user.email],
      ['dismissed', 'quoted-or-reported', oversight.user.email],
    ]);
    const cardDismissed = await card(entityA);
    expect(cardDismissed.current).toMatchObject({ clean: cardBefore.current.clean + 1, review: cardBefore.current.review - 1, findings: cardBefore.current.findings - 1 });
    expect(cardDismissed.current.score).toBeGreaterThan(cardBefore.current.score!);
    const personal = (c: Scorecard) => c.categories.find((x) => x.category === 'personal_data')?.findings ?? 0;
    expect(personal(cardDismissed)).toBe(personal(cardBefore) - 1);
    // Any short reason is taken; the queue no longer lists it as open.
    expect((await call(oversight, 'GET', '/api/findings?status=dismissed')).body.items.map((i: any) => i.finding.id)).toEqual([f.id]);
  });

  test('a decision covers the same rule on the same words in the post, and survives a rescoring', async () => {
    const twins = (await detail(postId.a5)).findingsList;
    expect(twins).toHaveLength(2);
    const r = await call(oversight, 'POST', `/api/findings/${twins[0].id}/review`, { status: 'confirmed', reason: 'my own reason' });
    expect(r.status).toBe(200);
    expect(r.body.findingIds).toEqual(twins.map((t) => t.id).sort((a, b) => a - b));
    expect((await detail(postId.a5)).findingsList.map((t) => t.status)).toEqual(['confirmed', 'confirmed']);

    // A new rulebook version: every post is rescored and its findings replaced.
    const pub = await call(admin, 'POST', '/api/rulebook/versions', { sources: { 'trial.yaml': NEW_RULE }, note: 'review test' });
    expect(pub.status).toBe(201);
    await runScoring(deps(), { now: NOW });
    await rollupDirty(h.db);
    const rescored = await detail(postId.a5);
    expect(rescored.rulebookVersion).toBe(pub.body.version);
    expect(rescored.findingsList.map((t) => t.status)).toEqual(['confirmed', 'confirmed']);
    expect(rescored).toMatchObject({ verdict: 'violation' });
    expect((await detail(postId.a1)).findingsList[0].status).toBe('dismissed');
    expect((await detail(postId.a1)).verdict).toBe('clean');
    // The replaced finding's id is gone: 404, and the new id answers.
    const gone = await call(oversight, 'POST', `/api/findings/${twins[0].id}/review`, { status: 'dismissed' });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('not-found');
    expect((await call(oversight, 'POST', `/api/findings/${rescored.findingsList[1].id}/review`, { status: 'confirmed', reason: 'repeat-breach' })).status).toBe(200);
  });

  test('scope and roles: another entity answers 404, the wrong role 403', async () => {
    const theirs = await findingOf(postId.b1);
    expect((await call(directorA, 'GET', `/api/posts/${postId.b1}`)).status).toBe(404);
    for (const path of ['respond', 'appeal']) {
      const r = await call(directorA, 'POST', `/api/findings/${theirs.id}/${path}`, path === 'respond' ? { kind: 'explanation', note: 'x' } : { note: 'x' });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not-found');
    }
    const own = await findingOf(postId.a3);
    expect((await call(directorA, 'POST', `/api/findings/${own.id}/review`, { status: 'dismissed' })).status).toBe(403);
    expect((await call(viewer, 'POST', `/api/findings/${own.id}/review`, { status: 'dismissed' })).status).toBe(403);
    expect((await call(oversight, 'POST', `/api/findings/${own.id}/respond`, { kind: 'explanation' })).status).toBe(403);
    expect((await call(directorA, 'GET', '/api/findings/decisions')).status).toBe(403);
    expect((await call(oversight, 'POST', '/api/findings/987654321/review', { status: 'confirmed' })).status).toBe(404);
  });

  test('respond, appeal and the appeal decision, with their conflicts', async () => {
    const f = await findingOf(postId.a2);
    const open = await findingOf(postId.a3);
    // Only a confirmed finding can be appealed; a response is taken at any status.
    expect((await call(directorA, 'POST', `/api/findings/${open.id}/appeal`, { note: 'no' })).status).toBe(409);
    expect((await call(directorA, 'POST', `/api/findings/${open.id}/respond`, { kind: 'post-removed' })).status).toBe(200);
    expect((await call(oversight, 'POST', `/api/findings/${f.id}/review`, { status: 'confirmed', reason: 'breach' })).status).toBe(200);
    const responded = await call(directorA, 'POST', `/api/findings/${f.id}/respond`, { kind: 'explanation', note: 'A test account number.' });
    expect(responded.status).toBe(200);
    expect(responded.body.posts).toEqual([]);
    expect((await call(oversight, 'POST', `/api/findings/${f.id}/appeal-decision`, { decision: 'upheld' })).status).toBe(409);
    expect((await call(directorA, 'POST', `/api/findings/${f.id}/appeal`, { note: 'Please look again.' })).status).toBe(200);
    const twice = await call(directorA, 'POST', `/api/findings/${f.id}/appeal`, { note: 'again' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('conflict');
    const pending = (await call(oversight, 'GET', '/api/findings?status=all&appeal=pending')).body as ReviewQueue;
    expect(pending.items.map((i) => [i.finding.id, i.finding.appeal, i.finding.response?.kind])).toEqual([[f.id, 'pending', 'explanation']]);

    expect((await call(oversight, 'POST', `/api/findings/${f.id}/appeal-decision`, { decision: 'rejected', note: 'It is real.' })).status).toBe(200);
    expect(await findingOf(postId.a2)).toMatchObject({ status: 'confirmed', appeal: 'rejected' });
    // A rejected appeal may be followed by another; upheld dismisses the finding and the score follows.
    expect((await call(directorA, 'POST', `/api/findings/${f.id}/appeal`, { note: 'New evidence.' })).status).toBe(200);
    const upheld = await call(oversight, 'POST', `/api/findings/${f.id}/appeal-decision`, { decision: 'upheld' });
    expect(upheld.status).toBe(200);
    expect(upheld.body.posts).toEqual([{ id: postId.a2, score: 100, verdict: 'clean', findings: 0 }]);
    const post = await detail(postId.a2);
    expect(post).toMatchObject({ verdict: 'clean', score: 100 });
    expect(post.findingsList[0]).toMatchObject({ status: 'dismissed', appeal: 'upheld', response: { kind: 'explanation', note: 'A test account number.', actorEmail: directorA.user.email } });
    expect(post.reviewEvents.map((e) => [e.kind, e.actorEmail])).toEqual([
      ['confirmed', oversight.user.email],
      ['responded', directorA.user.email],
      ['appealed', directorA.user.email],
      ['appeal-rejected', oversight.user.email],
      ['appealed', directorA.user.email],
      ['appeal-upheld', oversight.user.email],
    ]);
    expect(post.reviewEvents[1]).toMatchObject({ responseKind: 'explanation', at: NOW.toISOString(), rule: 'personal_data.iban' });
  });

  test('bulk review: at most 500 ids, the ones gone are listed', async () => {
    const insult = await findingOf(postId.a3);
    const phoneB = await findingOf(postId.b1);
    const r = await call(oversight, 'POST', '/api/findings/review', { ids: [insult.id, phoneB.id, 987654321], status: 'confirmed', reason: 'breach' });
    expect(r.status).toBe(200);
    const body = r.body as BulkReviewResult;
    expect(body.missing).toEqual([987654321]);
    expect(body.findingIds).toEqual([insult.id, phoneB.id].sort((a, b) => a - b));
    expect(body.posts.map((p) => [p.id, p.verdict]).sort()).toEqual([[postId.a3, 'violation'], [postId.b1, 'violation']].sort());
    expect((await card(entityB)).current).toMatchObject({ violations: 1, review: 0 });
    expect((await call(oversight, 'POST', '/api/findings/review', { ids: [987654321], status: 'confirmed' })).status).toBe(404);
    const tooMany = await call(oversight, 'POST', '/api/findings/review', { ids: Array.from({ length: 501 }, (_, i) => i + 1), status: 'confirmed' });
    expect(tooMany.status).toBe(400);
    expect((await call(oversight, 'GET', '/api/findings')).body.total).toBe(0);
  });

  test('the inbox: open findings, responses due, decisions and appeal outcomes of the caller\'s entities', async () => {
    const inbox = (await call(directorA, 'GET', '/api/inbox')).body as Inbox;
    expect(inbox.days).toBe(30);
    expect(inbox.open.total).toBe(0);
    // a3 was answered (post removed) before its confirmation; a5's findings were confirmed without a response.
    expect(inbox.awaitingResponse.items.map((i) => i.post.id)).toEqual([postId.a3, postId.a5, postId.a5]);
    expect(inbox.awaitingResponse.total).toBe(3);
    expect(inbox.decisions.every((d) => d.entityId === entityA)).toBe(true);
    expect(inbox.decisions.map((d) => d.kind)).toContain('dismissed');
    expect(inbox.appealOutcomes.map((d) => [d.postId, d.kind])).toEqual([
      [postId.a2, 'appeal-upheld'],
      [postId.a2, 'appeal-rejected'],
    ]);
    const all = (await call(oversight, 'GET', '/api/inbox')).body as Inbox;
    expect(all.decisions.some((d) => d.entityId === entityB)).toBe(true);
    expect((await call(viewer, 'GET', '/api/inbox')).status).toBe(200);
  });

  test('decisions as labelled examples (JSONL), and the audit trail', async () => {
    const r = await call(oversight, 'GET', '/api/findings/decisions');
    expect(r.status).toBe(200);
    expect(r.type).toContain('application/x-ndjson');
    const lines = (r.body as string).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(await listDecisionExamples(h.db));
    const of = (id: number) => lines.filter((l) => l.postId === id);
    expect(of(postId.a1)).toEqual([
      expect.objectContaining({ text: PHONE, lang: 'ar', rule: 'personal_data.phone.private', category: 'personal_data', severity: 'medium', match: '36123456', start: 11, end: 19, decision: 'dismissed', reason: 'quoted-or-reported', source: 'rulebook' }),
    ]);
    // Twins are one example; an upheld appeal is a dismissal.
    expect(of(postId.a5)).toHaveLength(1);
    expect(of(postId.a5)[0]).toMatchObject({ decision: 'confirmed', reason: 'repeat-breach' });
    expect(of(postId.a2)[0]).toMatchObject({ decision: 'dismissed', reason: 'appeal-upheld', decidedAt: NOW.toISOString() });
    expect(of(postId.a4)).toEqual([]);

    const audit = await h.db.selectFrom('audit_log').select(['action', 'actor_email', 'object_type', 'before', 'after']).where('action', 'like', 'finding%').orderBy('id').execute();
    const actions = new Set(audit.map((a) => a.action));
    expect([...actions].sort()).toEqual(['finding.appeal-decided', 'finding.appealed', 'finding.responded', 'finding.reviewed', 'findings.decisions-exported']);
    const first = audit.find((a) => a.action === 'finding.reviewed')!;
    expect(first).toMatchObject({ actor_email: oversight.user.email, object_type: 'finding', before: { status: 'open' }, after: { status: 'confirmed', reason: 'breach' } });
  });

  test.each([
    ['an unknown status', { status: 'maybe' }],
    ['no status', { reason: 'breach' }],
    ['a reason over 200 characters', { status: 'confirmed', reason: 'x'.repeat(201) }],
    ['a note over 2000 characters', { status: 'confirmed', note: 'x'.repeat(2001) }],
    ['a number as reason', { status: 'confirmed', reason: 5 }],
    ['an unknown field', { status: 'confirmed', score: 100 }],
    ['not JSON', '{"status": '],
  ])('a review with %s is a 400', async (_name, body) => {
    const f = await findingOf(postId.a3);
    const r = await call(oversight, 'POST', `/api/findings/${f.id}/review`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid-request');
  });

  test('other bad requests are 400s', async () => {
    const f = await findingOf(postId.a3);
    const bad: [TestClient, string, string, unknown?][] = [
      [oversight, 'POST', '/api/findings/abc/review', { status: 'confirmed' }],
      [oversight, 'POST', '/api/findings/review', { ids: [], status: 'confirmed' }],
      [oversight, 'POST', '/api/findings/review', { ids: ['1'], status: 'confirmed' }],
      [directorA, 'POST', `/api/findings/${f.id}/respond`, { kind: 'apology' }],
      [directorA, 'POST', `/api/findings/${f.id}/appeal`, { note: 'x'.repeat(2001) }],
      [oversight, 'POST', `/api/findings/${f.id}/appeal-decision`, { decision: 'maybe' }],
      [oversight, 'GET', '/api/findings?status=nope'],
      [oversight, 'GET', '/api/findings?limit=201'],
      [oversight, 'GET', '/api/findings?minAgeDays=10&maxAgeDays=2'],
      [oversight, 'GET', '/api/findings?severity=extreme'],
    ];
    for (const [client, method, url, body] of bad) {
      const r = await call(client, method, url, body);
      expect([url, r.status, r.body.error?.code]).toEqual([url, 400, 'invalid-request']);
    }
  });
});
