// An edit always forces a rescore: scores are compared with the post's revision, not with clocks. The
// probe's defect: an edit stamped with an import's start time looked older than a score written
// meanwhile by another process, and the post kept the verdict of its old text (an IBAN no longer there).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { listPostsToScore, saveScores } from '../../db/queries/scores.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();
const T0 = new Date('2026-11-20T09:00:00Z');
const post = (text: string): ImportedPost => ({
  platformPostId: 'p1',
  url: null,
  text,
  lang: 'ar',
  postedAt: new Date('2026-11-19T09:00:00Z'),
  metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
  isReply: false,
  isRepost: false,
  raw: { text },
});

describe.each(BACKENDS)('edits are rescored on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an edit stamped before the last score is still rescored', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'edit-entity', nameAr: 'جهة', nameEn: 'Edit Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'edit_test', type: 'official' });
    const account = { id: accountId, entityId, timezone: 'Asia/Bahrain' };
    const deps = { db: h.db, rulebook, connectors: {}, log: () => {} };
    await savePostsPage(h.db, account, [post('للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف')], null, '1', T0);
    // A scorer in another process ran later than the edit's stamp below.
    await runScoring(deps, { now: new Date(T0.getTime() + 10 * 60_000) });
    const verdict = async () =>
      h.db.selectFrom('post_score as s').innerJoin('post as p', 'p.id', 's.post_id').select(['s.verdict', 's.categories', 's.post_revision', 'p.revision']).where('p.account_id', '=', accountId).executeTakeFirstOrThrow();
    expect((await verdict()).categories).toContain('personal_data');
    // The edit comes from an import that started before that score was written.
    await savePostsPage(h.db, account, [post('افتتاح مركز الخدمات الجديد في المحرق')], '1', '2', new Date(T0.getTime() + 5 * 60_000));
    const scored = await runScoring(deps, { now: new Date(T0.getTime() + 6 * 60_000) });
    expect(scored.counts.posts).toBe(1);
    expect(await verdict()).toMatchObject({ verdict: 'clean', categories: [], post_revision: 2, revision: 2 });
    // and nothing is left to score
    expect((await runScoring(deps, { now: new Date(T0.getTime() + 20 * 60_000) })).counts.posts).toBe(0);
  });

  test('a score computed from text that was edited before it was written is not saved', async () => {
    const entityId = await upsertEntity(h.db, { slug: 'race-entity', nameAr: 'جهة', nameEn: 'Race Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'race_test', type: 'official' });
    const account = { id: accountId, entityId, timezone: 'Asia/Bahrain' };
    await savePostsPage(h.db, account, [post('للتحويل: الحساب BH67BMAG00001299123456 باسم الموظف')], null, '1', T0);
    // A scorer reads the post …
    const [read] = (await listPostsToScore(h.db, 5000)).filter((p) => p.text.includes('BH67'));
    // … another process imports an edit …
    await savePostsPage(h.db, account, [post('افتتاح مركز الخدمات الجديد في المحرق')], '1', '2', T0);
    // … and the scorer writes what it found in the old text.
    const stale = { postId: read.id, entityId, localDay: read.localDay, revision: read.revision, scoredAt: T0, score: 40, verdict: 'violation' as const, findings: [] };
    expect(await saveScores(h.db, rulebook.version, [stale], T0)).toBe(true);
    const score = await h.db.selectFrom('post_score').selectAll().where('post_id', '=', read.id).executeTakeFirst();
    expect(score).toBeUndefined();
    // The post is still waiting, at its new revision, and the next run scores its current text.
    expect((await listPostsToScore(h.db, 5000)).find((p) => p.id === read.id)).toMatchObject({ revision: 2 });
    await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: T0 });
    expect(await h.db.selectFrom('post_score').select(['verdict', 'post_revision']).where('post_id', '=', read.id).executeTakeFirstOrThrow()).toEqual({ verdict: 'clean', post_revision: 2 });
  });
});
