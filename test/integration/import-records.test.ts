// Issue 6: one record must never stop an import. Counts beyond 2^31 go through import, score and rollup;
// records that cannot be stored are skipped with a warning naming them; long texts are capped, raw keeps them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { capText, savePostsPage } from '../../db/queries/imports.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import { MAX_POST_TEXT, type ImportedPost } from '../../jobs/connectors/types.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { AccountDetail, PostDetail } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const tmp = mkdtempSync(join(tmpdir(), 'mizan-import-records-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const jsonl = (name: string, lines: string[]) => {
  const path = join(tmp, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
};
const line = (o: Record<string, unknown>) => JSON.stringify(o);
const LONG = 'منشور طويل جدا '.repeat(20_000).slice(0, 200_000);

describe.each(BACKENDS)('imports that one record cannot stop, on %s', (kind) => {
  let h: DbHandle;
  let deps: JobDeps;
  let app: TestClient;
  let entityId: number;
  const get = async <T>(url: string) => {
    const res = await app.request(url);
    return { status: res.status, body: (await res.json()) as T };
  };
  const postOf = (accountId: number, platformPostId: string) =>
    h.db.selectFrom('post').selectAll().where('account_id', '=', accountId).where('platform_post_id', '=', platformPostId).executeTakeFirst();

  beforeAll(async () => {
    h = await testDb(kind);
    deps = { db: h.db, rulebook, connectors, log: () => {} };
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW }), h.db, { now: NOW });
    entityId = await upsertEntity(h.db, { slug: 'records', nameAr: 'جهة', nameEn: 'Records' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('a viral post (2e9 likes and shares, 3e9 views) imports, scores and rolls up; bad records are skipped by line; a second account still imports', async () => {
    const viralPath = jsonl('viral.jsonl', [
      line({ id: 'viral', text: 'خبر عادي عن افتتاح مركز صحي', posted_at: '2026-11-18T08:00:00Z', likes: 2e9, shares: 2e9, replies: 7, views: 3e9 }),
      line({ id: 'future', text: 'from year 9999', posted_at: '9999-12-31T00:00:00Z' }),
      line({ id: 'old', text: 'before 1970', posted_at: '1969-12-31T23:00:00Z' }),
      line({ id: 'early', text: 'before 1990', posted_at: '1989-12-31T23:59:59Z' }),
      line({ id: 'skewed', text: 'two days ahead', posted_at: '2026-11-22T09:00:01Z' }),
      line({ id: 'soon', text: 'within the day of clock skew', posted_at: '2026-11-21T08:00:00Z' }),
      line({ id: 'same-day', text: 'another post that day', posted_at: '2026-11-18T10:00:00Z', likes: 1, shares: 2, replies: 3, views: 4 }),
      line({ id: 'long', text: LONG, posted_at: '2026-11-19T08:00:00Z' }),
    ]);
    const tweetsPath = jsonl('tweets.jsonl', [1, 2, 3].map((i) => `{"id": 180000000000000000${i}, "text": "tweet ${i}", "posted_at": "2026-11-1${i}T08:00:00Z", "likes": ${i}}`));
    const viral = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'viral', type: 'official', config: { path: viralPath } });
    const tweets = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'tweets', type: 'official', config: { path: tweetsPath } });

    const r = await runImportPipeline(deps, { now: NOW, accountIds: [viral, tweets] });
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ failedAccounts: 0, inserted: 7, warnings: 4 });
    expect(r.warnings).toEqual([
      'viral: line 2: posted_at 9999-12-31T00:00:00.000Z is more than a day after the import time 2026-11-20T09:00:00.000Z',
      'viral: line 3: posted_at 1969-12-31T23:00:00.000Z is before 1990-01-01',
      'viral: line 4: posted_at 1989-12-31T23:59:59.000Z is before 1990-01-01',
      'viral: line 5: posted_at 2026-11-22T09:00:01.000Z is more than a day after the import time 2026-11-20T09:00:00.000Z',
    ]);

    // Stored as 64-bit counts, read back as numbers.
    const stored = await postOf(viral, 'viral');
    expect(stored).toMatchObject({ likes: 2e9, shares: 2e9, replies: 7, views: 3e9, text_truncated: false, local_day: '2026-11-18' });
    for (const id of ['future', 'old', 'early', 'skewed']) expect(await postOf(viral, id), id).toBeUndefined();
    expect(await postOf(viral, 'soon')).toBeDefined();

    // The rollup sums them without overflow.
    const rollups = await h.db.selectFrom('rollup_day').select(['day', 'posts', 'engagement']).where('account_id', '=', viral).orderBy('day').execute();
    expect(rollups).toEqual([
      { day: '2026-11-18', posts: 2, engagement: 2e9 + 2e9 + 7 + (1 + 2 + 3) },
      { day: '2026-11-19', posts: 1, engagement: 0 },
      { day: '2026-11-21', posts: 1, engagement: 0 },
    ]);

    // The API serves the figures as they are.
    const detail = await get<PostDetail>(`/api/posts/${stored!.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.metrics).toEqual({ likes: 2e9, shares: 2e9, replies: 7, views: 3e9 });
    // The skipped records make the run partial (the account reads 'ok' only when nothing failed), each on record.
    const account = await get<AccountDetail>(`/api/accounts/${viral}`);
    expect(account.body).toMatchObject({ posts: 4, lastRunStatus: 'partial' });
    expect(account.body.runs[0].rejected).toBeGreaterThan(0);
    expect(account.body.runs[0].rejected).toBe(account.body.runs[0].rejectedSamples.length);

    // Three tweet ids given as JSON numbers: three posts, with their exact digits.
    const ids = await h.db.selectFrom('post').select('platform_post_id').where('account_id', '=', tweets).orderBy('platform_post_id').execute();
    expect(ids.map((p) => p.platform_post_id)).toEqual(['1800000000000000001', '1800000000000000002', '1800000000000000003']);
    expect((await get<{ lastRunStatus: string }>(`/api/accounts/${tweets}`)).body.lastRunStatus).toBe('ok');

    // The next run goes on for every account (an overflowing rollup used to fail every later import).
    writeFileSync(tweetsPath, `{"id": 1800000000000000004, "text": "tweet 4", "posted_at": "2026-11-19T08:00:00Z"}\n`, { flag: 'a' });
    const next = await runImportPipeline(deps, { now: new Date(NOW.getTime() + 60_000), accountIds: [viral, tweets] });
    expect(next.errors).toEqual([]);
    expect(next.counts.inserted).toBe(1);
  });

  test('a 200,000-character post is stored, scored and served capped and flagged; raw keeps the full text', async () => {
    const accountId = (await h.db.selectFrom('account').select('id').where('handle', '=', 'viral').executeTakeFirstOrThrow()).id;
    const post = (await postOf(accountId, 'long'))!;
    expect(post.text).toBe(LONG.slice(0, MAX_POST_TEXT));
    expect(post).toMatchObject({ text_truncated: true, text_length: 200_000 });
    expect((post.raw as { text: string }).text).toBe(LONG);
    const versions = await h.db.selectFrom('post_version').select(['text', 'raw']).where('post_id', '=', post.id).execute();
    expect(versions.map((v) => [v.text.length, (v.raw as { text: string }).text.length])).toEqual([[MAX_POST_TEXT, 200_000]]);
    const detail = await get<PostDetail>(`/api/posts/${post.id}`);
    expect(detail.body.text).toHaveLength(MAX_POST_TEXT);
    expect(detail.body).toMatchObject({ textTruncated: true, textLength: 200_000 });
    expect(detail.body.versions.map((v) => v.text.length)).toEqual([MAX_POST_TEXT]);
    expect(detail.body.verdict).not.toBeNull();
    const short = (await postOf(accountId, 'soon'))!;
    expect(short).toMatchObject({ text_truncated: false, text_length: 'within the day of clock skew'.length });
  });

  test('savePostsPage skips what it cannot store, naming the post, and saves the rest of the page', async () => {
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'direct', type: 'official' });
    const p = (id: string, extra: Partial<ImportedPost> = {}): ImportedPost => ({
      platformPostId: id,
      url: null,
      text: `post ${id}`,
      lang: 'en',
      postedAt: new Date('2026-11-18T08:00:00Z'),
      metrics: { likes: 1, shares: 0, replies: 0, views: 10 },
      isReply: false,
      isRepost: false,
      raw: { id },
      ...extra,
    });
    const metrics = (m: Partial<ImportedPost['metrics']>) => ({ metrics: { likes: 0, shares: 0, replies: 0, views: 0, ...m } });
    const page = [
      p('ok1'),
      p('fraction', metrics({ likes: 1.5 })),
      p('negative', metrics({ shares: -1 })),
      p('nan', metrics({ replies: NaN })),
      p('unsafe', metrics({ views: 2 ** 53 })),
      p('text', metrics({ views: '12' as unknown as number })),
      p('bad-date', { postedAt: new Date('nope') }),
      p('bad-edit', { editedAt: new Date('1980-01-01T00:00:00Z') }),
      p('big', metrics({ views: Number.MAX_SAFE_INTEGER })),
      p('ok2', { ref: 'line 12' }),
      p('future', { ref: 'line 13', postedAt: new Date('2030-01-01T00:00:00Z') }),
    ];
    const saved = await savePostsPage(h.db, { id: accountId, entityId, timezone: 'Asia/Bahrain' }, page, null, '11', NOW);
    expect(saved).toMatchObject({ inserted: 3, skipped: 8 });
    expect(saved.warnings).toEqual([
      'post "fraction": likes 1.5 is not a whole number from 0 to 9007199254740991',
      'post "negative": shares -1 is not a whole number from 0 to 9007199254740991',
      'post "nan": replies NaN is not a whole number from 0 to 9007199254740991',
      'post "unsafe": views 9007199254740992 is not a whole number from 0 to 9007199254740991',
      'post "text": views "12" is not a whole number from 0 to 9007199254740991',
      'post "bad-date": posted_at is not a valid date',
      'post "bad-edit": edited_at 1980-01-01T00:00:00.000Z is before 1990-01-01',
      'line 13: posted_at 2030-01-01T00:00:00.000Z is more than a day after the import time 2026-11-20T09:00:00.000Z',
    ]);
    const rows = await h.db.selectFrom('post').select(['platform_post_id', 'views']).where('account_id', '=', accountId).orderBy('platform_post_id').execute();
    expect(rows).toEqual([
      { platform_post_id: 'big', views: Number.MAX_SAFE_INTEGER },
      { platform_post_id: 'ok1', views: 10 },
      { platform_post_id: 'ok2', views: 10 },
    ]);
    const account = await h.db.selectFrom('account').select('import_cursor').where('id', '=', accountId).executeTakeFirstOrThrow();
    expect(account.import_cursor).toBe('11');
  });

  test('a long text edited beyond the cap is an edit, though its first characters are the same', async () => {
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'list', handle: 'long-edit', type: 'official' });
    const p = (text: string): ImportedPost => ({
      platformPostId: 'L',
      url: null,
      text,
      lang: 'ar',
      postedAt: new Date('2026-11-18T08:00:00Z'),
      metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      raw: { text },
    });
    const account = { id: accountId, entityId, timezone: 'Asia/Bahrain' };
    expect(await savePostsPage(h.db, account, [p(LONG)], null, '1', NOW)).toMatchObject({ inserted: 1 });
    expect(await savePostsPage(h.db, account, [p(LONG)], '1', '2', NOW)).toMatchObject({ unchanged: 1, edited: 0 });
    expect(await savePostsPage(h.db, account, [p(`${LONG} — تصحيح`)], '2', '3', NOW)).toMatchObject({ edited: 1 });
    expect(await postOf(accountId, 'L')).toMatchObject({ text_length: 200_000 + ' — تصحيح'.length, text_truncated: true });
  });
});

describe(capText.name, () => {
  test.each([
    ['', 3, '', 0, false],
    ['abc', 3, 'abc', 3, false],
    ['abcd', 3, 'abc', 4, true],
    // code points, not UTF-16 units: an emoji is one character and never split
    ['😀😀😀', 3, '😀😀😀', 3, false],
    ['😀😀😀😀', 3, '😀😀😀', 4, true],
    ['ab😀c', 3, 'ab😀', 4, true],
  ])('capText(%j, %i)', (text, max, capped, length, truncated) => {
    expect(capText(text, max)).toEqual({ text: capped, length, truncated });
  });
});
