// GET /api/rulebook/progress: the scoring run applying the rulebook in force, for staff (admin, oversight), from the
// score_run record the scorer keeps: waiting after a publication, running with a rate and an ETA, stalled when its
// process stopped writing, done; a director is refused, an unknown query parameter is a 400.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { activateRulebookVersion } from '../../db/queries/rulebook.ts';
import { advanceScoreRun, startScoreRun } from '../../db/queries/scores.ts';
import { testConfig } from '../../jobs/config.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook, parseRulebook } from '../../jobs/scoring/engine.ts';
import type { ScoringProgress } from '../../server/api-types.ts';
import { createApp } from '../../server/app.ts';
import { signedIn } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { EXTRA_RULE } from '../helpers/rulebooks.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');

describe.each(BACKENDS)('scoring progress on %s', (kind) => {
  let h: DbHandle;
  let clock = NOW;
  let app: ReturnType<typeof createApp>;
  const deps = () => ({ db: h.db, rulebook, connectors: {}, log: () => {} });

  beforeAll(async () => {
    h = await testDb(kind);
    app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => clock });
    const entityId = await upsertEntity(h.db, { slug: 'progress', nameAr: 'جهة', nameEn: 'Progress', timezone: 'Asia/Bahrain' });
    const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'progress', type: 'official' });
    const posts = Array.from({ length: 30 }, (_, i) => ({
      platformPostId: `p${i}`,
      url: null,
      text: i % 3 ? `Visit the exhibition ${i}` : `A clean post ${i}`,
      lang: 'en',
      postedAt: new Date(NOW.getTime() - (i + 1) * 3_600_000),
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: null,
    }));
    await savePostsPage(h.db, { id, entityId, timezone: 'Asia/Bahrain' }, posts, null, 'a', NOW);
  });
  afterAll(async () => {
    await h?.close();
  });

  const progress = async (role: 'admin' | 'oversight' = 'oversight') => {
    const res = await (await signedIn(app, h.db, { role, now: clock })).request('/api/rulebook/progress');
    expect(res.status).toBe(200);
    return (await res.json()) as ScoringProgress;
  };

  test('staff only; no query parameters', async () => {
    const director = await signedIn(app, h.db, { role: 'director', now: clock });
    expect((await director.request('/api/rulebook/progress')).status).toBe(403);
    const oversight = await signedIn(app, h.db, { role: 'oversight', now: clock });
    const bad = await oversight.request('/api/rulebook/progress?limit=5');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: expect.anything() });
  });

  test('waiting before the first run, done after it, waiting after a publication, done with the new version', async () => {
    expect(await progress()).toMatchObject({ state: 'waiting', queued: true, version: null, total: 0, done: 0 });
    await runScoring(deps(), { now: NOW, profiles: false });
    const done = await progress('admin');
    expect(done).toMatchObject({ state: 'done', version: rulebook.version, activeVersion: rulebook.version, total: 30, done: 30, pending: 0, etaSeconds: null });
    expect(done.finishedAt).not.toBeNull();

    const next = parseRulebook({ ...rulebook.sources, 'extra.yaml': EXTRA_RULE });
    await activateRulebookVersion(h.db, next, 'api');
    expect(await progress()).toMatchObject({ state: 'waiting', version: rulebook.version, activeVersion: next.version });
    await runScoring({ ...deps(), rulebook: next }, { now: NOW, profiles: false });
    expect(await progress()).toMatchObject({ state: 'done', queued: false, version: next.version, activeVersion: next.version, total: 30, done: 30 });

    // A post imported after the run waits for the next one: the last run stays done, with posts queued.
    await sql`insert into score_pending (post_id) select min(id) from post`.execute(h.db);
    expect(await progress()).toMatchObject({ state: 'done', queued: true, version: next.version });
    await runScoring({ ...deps(), rulebook: next }, { now: NOW, profiles: false });
    expect(await progress()).toMatchObject({ state: 'done', queued: false, total: 1, done: 1 });
  });

  test('a run in progress has a rate and an ETA; one that stopped writing is stalled', async () => {
    const active = (await sql<{ version: string }>`select version from rulebook_version where active`.execute(h.db)).rows[0].version;
    clock = new Date(Date.now());
    await startScoreRun(h.db, active, 1000, new Date(clock.getTime() - 10_000));
    await advanceScoreRun(h.db, { version: active, done: 250, at: new Date(clock.getTime() - 1000) });
    const running = await progress();
    expect(running).toMatchObject({ state: 'running', version: active, total: 1000, done: 250, pending: 750, rate: 25, etaSeconds: 30 });
    clock = new Date(clock.getTime() + 5 * 60_000);
    expect(await progress()).toMatchObject({ state: 'stalled', done: 250, pending: 750, etaSeconds: null });
  });

  test("a rescoring's estimated total says so until the run finishes with the count", async () => {
    const active = (await sql<{ version: string }>`select version from rulebook_version where active`.execute(h.db)).rows[0].version;
    clock = new Date(Date.now());
    await startScoreRun(h.db, active, 5_000_000, new Date(clock.getTime() - 10_000), true);
    await advanceScoreRun(h.db, { version: active, done: 100_000, at: new Date(clock.getTime() - 1000) });
    expect(await progress()).toMatchObject({ state: 'running', total: 5_000_000, estimated: true });
    await advanceScoreRun(h.db, { version: active, done: 4_990_000, at: clock, finished: true });
    expect(await progress()).toMatchObject({ state: 'done', total: 4_990_000, done: 4_990_000, estimated: false });
  });
});
