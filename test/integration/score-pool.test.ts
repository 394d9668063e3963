// Issue 11: the scoring job's worker threads score exactly as the main thread does (byte for byte, model findings
// with their probabilities and evidence included), a run through the pool writes the same rows as one without,
// and the run's progress is recorded (score_run) and reported batch by batch.
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import { activateRulebookVersion } from '../../db/queries/rulebook.ts';
import { getScoreRun } from '../../db/queries/scores.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { runScoring, type ScoreProgress } from '../../jobs/score.ts';
import { closeScoreWorkers, scoreInWorkers } from '../../jobs/score-pool.ts';
import { loadRulebook, parseRulebook, readRulebookSources, scorePost } from '../../jobs/scoring/engine.ts';
import type { ScoreInput } from '../../jobs/scoring/types.ts';
import { AR, BAD, EN, rng } from '../bench/corpus.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';
import { EXTRA_RULE } from '../helpers/rulebooks.ts';

const rulebook = loadRulebook();
const NOW = new Date('2026-11-20T09:00:00Z');


/** Text i: one to three corpus sentences, a third with something to flag, Arabic or English. */
function text(i: number): { text: string; lang: 'ar' | 'en' } {
  const r = rng(i * 104_729 + 7);
  const arabic = r() < 0.6;
  const list = arabic ? AR : EN;
  const parts = Array.from({ length: 1 + Math.floor(r() * 3) }, () => list[Math.floor(r() * list.length)]);
  if (r() < 0.33) parts.splice(Math.floor(r() * parts.length), 0, BAD[Math.floor(r() * BAD.length)]);
  return { text: parts.join(arabic ? '، ' : '. '), lang: arabic ? 'ar' : 'en' };
}

/** The project's labelled corpus (test/fixtures/corpus): texts the rules flag and texts only the model flags. */
function corpus(): ScoreInput[] {
  const dir = new URL('../fixtures/corpus/', import.meta.url);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => readFileSync(new URL(n, dir), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as { text: string; lang?: 'ar' | 'en'; account_type?: ScoreInput['accountType'] })
    .map((p) => ({ text: p.text, lang: p.lang, accountType: p.account_type }));
}

afterAll(async () => {
  await closeScoreWorkers();
});

test('the worker threads score byte for byte as the main thread, with the default and a published rulebook', async () => {
  const inputs: ScoreInput[] = Array.from({ length: 3000 }, (_, i) => ({ ...text(i), accountType: (['official', 'executive', 'employee'] as const)[i % 3] }));
  inputs.push(...corpus(), { text: '' }, { text: 'x'.repeat(5000), lang: 'en' }, { text: '١٢٣ 😀 @someone https://example.com' });
  const published = parseRulebook({ ...readRulebookSources(), 'extra.yaml': EXTRA_RULE });
  expect(published.version).not.toBe(rulebook.version);
  for (const rb of [rulebook, published, rulebook]) {
    const inThread = inputs.map((input) => scorePost(rb, input).findings);
    const inWorkers = await scoreInWorkers(rb, inputs, 2);
    expect(JSON.stringify(inWorkers)).toBe(JSON.stringify(inThread));
    // the corpus exercises the rules and the model (its findings carry a probability and evidence)
    const flat = inThread.flat();
    expect(flat.length).toBeGreaterThan(500);
    expect(flat.some((f) => f.probability !== undefined && f.evidence?.length)).toBe(true);
  }
  expect(JSON.stringify(await scoreInWorkers(published, inputs.slice(0, 10), 1))).toBe(
    JSON.stringify(inputs.slice(0, 10).map((input) => scorePost(published, input).findings)),
  );
}, 120_000);

describe.each(BACKENDS)('scoring through the worker pool on %s', (kind) => {
  let h: DbHandle;
  const deps = () => ({ db: h.db, rulebook, connectors: {}, log: () => {} });
  const POSTS = 2400;

  beforeAll(async () => {
    h = await testDb(kind);
    const entityId = await upsertEntity(h.db, { slug: 'pool', nameAr: 'جهة', nameEn: 'Pool', timezone: 'Asia/Bahrain' });
    for (let a = 0; a < 2; a++) {
      const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: `pool_${a}`, type: a ? 'employee' : 'official' });
      const posts: ImportedPost[] = Array.from({ length: POSTS / 2 }, (_, i) => ({
        platformPostId: `${a}-${i}`,
        url: null,
        ...text(a * 100_000 + i),
        postedAt: new Date(NOW.getTime() - (i + 1) * 3_600_000),
        metrics: { likes: i % 7, shares: 0, replies: 0, views: 0 },
        isReply: false,
        isRepost: false,
        raw: null,
      }));
      await savePostsPage(h.db, { id, entityId, timezone: 'Asia/Bahrain' }, posts, null, 'a', NOW);
    }
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function rows() {
    const { rows: scores } = await sql`
      select post_id, rulebook_version, score, verdict, categories, max_severity, findings, scored_at, post_revision
      from post_score order by post_id`.execute(h.db);
    const { rows: findings } = await sql`
      select post_id, rule_id, category, severity, rulebook_version, match, start_offset, end_offset, status, probability, model_version, evidence
      from finding order by post_id, rule_id, start_offset, id`.execute(h.db);
    return JSON.stringify({ scores, findings });
  }

  // The queue is filled again for the version in force, as after a publication.
  async function requeue() {
    await sql`delete from finding`.execute(h.db);
    await sql`delete from post_score`.execute(h.db);
    await sql`update score_pending_version set version = null`.execute(h.db);
  }

  test('a run in worker threads writes the same rows as a run in the main thread, and reports its progress', async () => {
    const seen: ScoreProgress[] = [];
    const inThread = await runScoring(deps(), { now: NOW, batchSize: 600, workers: 0, profiles: false });
    expect(inThread.counts.posts).toBe(POSTS);
    const expected = await rows();
    await requeue();
    const pooled = await runScoring(deps(), { now: NOW, batchSize: 600, workers: 2, profiles: false, onProgress: (p) => seen.push(p) });
    expect(pooled.counts).toEqual(inThread.counts);
    expect(await rows()).toBe(expected);

    // Progress: the start (0 of all), one report per batch, the last one finished.
    expect(seen.map((p) => p.done)).toEqual([0, 600, 1200, 1800, 2400, 2400]);
    expect(seen.every((p) => p.total === POSTS && p.version === rulebook.version)).toBe(true);
    expect(seen.at(-1)!.finished).toBe(true);
    const run = await getScoreRun(h.db);
    expect(run).toMatchObject({ version: rulebook.version, total: POSTS, done: POSTS });
    expect(run!.finishedAt).not.toBeNull();

    // A run with nothing to score leaves the last run's record as it was.
    expect((await runScoring(deps(), { now: NOW, profiles: false })).counts.posts).toBe(0);
    expect(await getScoreRun(h.db)).toEqual(run);

    // A publication: the next run applies the new version to every post and records it.
    const next = parseRulebook({ ...rulebook.sources, 'extra.yaml': EXTRA_RULE });
    await activateRulebookVersion(h.db, next, 'api');
    const rescored = await runScoring({ ...deps(), rulebook: next }, { now: NOW, batchSize: 1000, profiles: false });
    expect(rescored.counts.posts).toBe(POSTS);
    expect(await getScoreRun(h.db)).toMatchObject({ version: next.version, total: POSTS, done: POSTS });
  }, 180_000);
});
