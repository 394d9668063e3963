// Learning from reviewers: decisions stored in the database (listDecisionExamples) become labelled rows
// of the training (npm run train -- --with-decisions), and the report shows what changed. PGlite always,
// PostgreSQL when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { listDecisionExamples } from '../../db/queries/reviews.ts';
import { testConfig } from '../../jobs/config.ts';
import { runScoring } from '../../jobs/score.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { buildModel, formatReport } from '../../jobs/scoring/model/build.ts';
import { demoNegativeRows } from '../../jobs/scoring/model/demo-negatives.ts';
import type { TrainRow } from '../../jobs/scoring/model/train-core.ts';
import { limitRows } from '../../jobs/scoring/train.ts';
import { createApp } from '../../server/app.ts';
import { signedIn } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { importedPost } from '../helpers/posts.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');
const CONFIRMED = 'You are an idiot and a moron';
const DISMISSED = 'What an idiot I was to forget my keys today';

describe.each(BACKENDS)("reviewers' decisions as training examples on %s", (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
    const entityId = await upsertEntity(h.db, { slug: 'train-a', nameAr: 'جهة', nameEn: 'Entity' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'train_a', type: 'official' });
    const at = (d: string) => ({ postedAt: new Date(`${d}T09:00:00Z`), lang: 'en' as const });
    await savePostsPage(h.db, { id: accountId, entityId, timezone: 'Asia/Bahrain' }, [importedPost('t1', CONFIRMED, at('2026-11-10')), importedPost('t2', DISMISSED, at('2026-11-11'))], null, '1', NOW);
    await runScoring({ db: h.db, rulebook, connectors: {}, log: () => {} }, { now: NOW });
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW });
    const oversight = await signedIn(app, h.db, { role: 'oversight', now: NOW });
    const findings = await h.db.selectFrom('finding as f').innerJoin('post as p', 'p.id', 'f.post_id').select(['f.id', 'p.text']).execute();
    const review = (text: string, body: object) =>
      oversight.request('/api/findings/review', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ids: findings.filter((f) => f.text === text).map((f) => f.id), ...body }),
      });
    expect((await review(CONFIRMED, { status: 'confirmed' })).status).toBe(200);
    expect((await review(DISMISSED, { status: 'dismissed', reason: 'quoted-or-reported' })).status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('confirmed findings become positives, dismissed ones negatives, and the report compares before and after', async () => {
    const decisions = await listDecisionExamples(h.db);
    expect(decisions.map((d) => [d.text, d.decision])).toEqual(
      expect.arrayContaining([
        [CONFIRMED, 'confirmed'],
        [DISMISSED, 'dismissed'],
      ]),
    );
    const rows: TrainRow[] = [
      ...['you stupid idiot', 'shut up moron', 'what a loser idiot', 'you are a moron'].flatMap((t, i) =>
        Array.from({ length: 10 }, (_, k) => ({ id: `p${i}-${k}`, text: `${t} ${k}`, lang: 'en' as const, source: 'synthetic', labels: { offensive: 1 as const, hate_abuse: 0 as const } })),
      ),
      ...limitRows(demoNegativeRows(), 300),
    ];
    const cleanPosts = [{ text: 'Join us at the public library on Thursday', lang: 'en' as const, group: 'en' }];
    const options = { bits: 12, epochs: 2 };
    const before = buildModel({ rows, cleanPosts, options });
    const after = buildModel({ rows, cleanPosts, decisions, options });
    expect(before.decisions.rows).toBe(0);
    expect(after.decisions).toMatchObject({ examples: decisions.length, rows: 2, positives: 1, negatives: 1 });
    expect(after.model.version).not.toBe(before.model.version);
    const report = formatReport(after, 'npm run train -- --with-decisions', before);
    expect(report).toContain("## Reviewers' decisions");
    expect(report).toContain(`${decisions.length} reviewed findings → 2 training rows (1 positive and 1 negative head labels`);
    expect(report).toContain(`Model version before: \`${before.model.version}\`, after: \`${after.model.version}\``);
  });
});
