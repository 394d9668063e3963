// YouTube channels through the real import path against a fake YouTube: the public feed without a key, the Data API
// with one (uploads playlist paging, string counts, HTML-escaped titles, private videos), polls that see new, edited
// and deleted videos, faults that are retried, and quotaExceeded pausing the key until midnight Pacific time.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import { createYouTubeConnector, nextPacificMidnight } from '../../jobs/connectors/youtube.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts, type ImportResult } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { startFakeYouTube, youtubeFixture, type FakeVideo, type FakeYouTube } from '../fakes/youtube.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const KEY = 'AIzaSyD-good-test-key-0123456789';
const FEED_CHANNEL = 'UCq1a2B3c4D5e6F7g8H9i0Jk';

test('the daily quota resets at midnight Pacific time, standard or daylight time', () => {
  expect(nextPacificMidnight(new Date('2026-11-20T09:00:00Z')).toISOString()).toBe('2026-11-21T08:00:00.000Z');
  expect(nextPacificMidnight(new Date('2026-07-01T12:00:00Z')).toISOString()).toBe('2026-07-02T07:00:00.000Z');
  expect(nextPacificMidnight(new Date('2026-11-21T07:59:00Z')).toISOString()).toBe('2026-11-21T08:00:00.000Z');
  // The night the clocks go back (1 November 2026): midnight after it is at UTC−8.
  expect(nextPacificMidnight(new Date('2026-10-31T20:00:00Z')).toISOString()).toBe('2026-11-01T07:00:00.000Z');
  expect(nextPacificMidnight(new Date('2026-11-01T12:00:00Z')).toISOString()).toBe('2026-11-02T08:00:00.000Z');
});

const video = (n: number, hoursAgo: number, extra: Partial<FakeVideo> = {}): FakeVideo => ({
  id: `vid${String(n).padStart(8, '0')}`,
  title: `فيديو ${n}: الصحة & "الوقاية" ليست خياراً`,
  description: `وصف الفيديو ${n}`,
  publishedAt: new Date(NOW.getTime() - hoursAgo * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  views: n * 1000,
  likes: n * 10,
  comments: n,
  ...extra,
});

describe.each(BACKENDS)('YouTube through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeYouTube;
  let entityId: number;
  let deps: JobDeps;
  const http = { timeoutMs: 300, retries: 3, backoffMs: 1, maxWaitMs: 50 };

  beforeAll(async () => {
    h = await testDb(kind);
    fake = await startFakeYouTube({ keys: [KEY], pageSize: 3 });
    entityId = await upsertEntity(h.db, { slug: `yt-${kind}`, nameAr: 'وزارة الصحة', nameEn: 'Ministry of Health' });
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });
  afterEach(() => {
    fake.faults.length = 0;
    clearRateLimitPauses();
  });

  const withKey = (apiKey: string | null) => {
    deps = {
      db: h.db,
      rulebook,
      connectors: { youtube: createYouTubeConnector({ apiBaseUrl: fake.url, feedBaseUrl: fake.url, apiKey, ...http }) },
      log: () => {},
    };
  };
  const channel = (handle: string) => upsertAccount(h.db, { entityId, platform: 'youtube', connector: 'youtube', handle, type: 'official' });
  const run = async (ids: number[]): Promise<ImportResult> => importAccounts(deps, await listImportAccounts(h.db, { accountIds: ids }), { now: NOW, fetchTimeoutMs: 20_000 });
  const runUntilClean = async (ids: number[], max = 6) => {
    for (let i = 0; i < max; i++) {
      const r = await run(ids);
      if (r.errors.length === 0) return i + 1;
    }
    throw new Error(`still failing after ${max} runs`);
  };
  const captured = (accountId: number) =>
    h.db.selectFrom('post').select(['platform_post_id', 'text', 'views', 'likes', 'replies', 'url', 'posted_at', 'deleted_at', 'revision']).where('account_id', '=', accountId).orderBy('posted_at', 'desc').execute();

  test('without a key: the channel feed (title and description, views and likes); updated is not an edit; a cut-off feed fails only its run', async () => {
    withKey(null);
    fake.feedBodies.set(FEED_CHANNEL, youtubeFixture('feed.xml'));
    const acc = await channel(FEED_CHANNEL);
    fake.faults.push({ type: 'truncate' });
    const first = await run([acc]);
    expect(first.errors[0].error).toMatch(/^YouTube: the feed of channel UCq1a2B3c4D5e6F7g8H9i0Jk is malformed: /);
    expect((await run([acc])).errors).toEqual([]);
    const rows = await captured(acc);
    expect(rows.map((r) => [r.platform_post_id, r.text, Number(r.views), Number(r.likes), r.url])).toEqual([
      ['AbCdEfGhIj1', 'مؤتمر صحفي: حملة التطعيم & مواعيدها\nالمؤتمر الصحفي لوزيرة الصحة حول حملة التطعيم.\nللتسجيل: health.gov.example', 3_000_000_000, 1520, 'https://www.youtube.com/watch?v=AbCdEfGhIj1'],
      ['ZyXwVuTsRq2', 'Health minute #12', 42, 0, 'https://www.youtube.com/shorts/ZyXwVuTsRq2'],
    ]);
    expect(new Date(rows[0].posted_at).toISOString()).toBe('2026-11-19T10:00:07.000Z');
    // The feed again with only `updated` and the counts moved: no edit.
    fake.feedBodies.set(FEED_CHANNEL, youtubeFixture('feed.xml').replace('2026-11-20T01:14:55+00:00', '2026-11-20T08:59:00+00:00').replace('views="42"', 'views="97"'));
    const r = await run([acc]);
    expect(r.counts).toMatchObject({ inserted: 0, edited: 0, unchanged: 2 });
    expect(Number((await captured(acc))[1].views)).toBe(97);
  });

  test('with a key: channels → uploads → playlistItems pages → videos statistics, through faults; polls see new, edited and deleted videos', async () => {
    withKey(KEY);
    const id = 'UCapiChannel0000000000001';
    const videos = [
      ...Array.from({ length: 7 }, (_, i) => video(i + 1, 10 + i * 6)),
      video(20, 30, { private: true }),
      video(21, 500, { title: 'Old news', description: '' }),
    ];
    fake.channels.set(id, videos);
    const acc = await channel(id);
    fake.faults.push({ type: 'status', status: 500 }, { type: 'truncate' }, { type: 'none' }, { type: 'reset' }, { type: 'delay', ms: 1000 }, { type: 'status', status: 503 });
    await runUntilClean([acc]);
    let rows = await captured(acc);
    const visible = (v: FakeVideo[]) => v.filter((x) => !x.private).map((x) => x.id).sort();
    expect(rows.map((r) => r.platform_post_id).sort()).toEqual(visible(videos));
    const one = rows.find((r) => r.platform_post_id === 'vid00000001')!;
    expect(one).toMatchObject({ text: 'فيديو 1: الصحة & "الوقاية" ليست خياراً\nوصف الفيديو 1', url: 'https://www.youtube.com/watch?v=vid00000001' });
    expect([Number(one.views), Number(one.likes), Number(one.replies)]).toEqual([1000, 10, 1]);
    expect(rows.find((r) => r.platform_post_id === 'vid00000021')!.text).toBe('Old news');
    const cursor = JSON.parse((await h.db.selectFrom('account').select('import_cursor').where('id', '=', acc).executeTakeFirstOrThrow()).import_cursor!);
    expect(cursor).toMatchObject({ mode: 'api', uploads: 'UUapiChannel0000000000001', read: null });
    expect(JSON.stringify(cursor)).not.toContain(KEY);

    // A new video, an edited title, a deleted one (within the re-check window), a count that moved.
    const [edited, deleted, counted] = [videos[1], videos[2], videos[3]];
    videos.push(video(30, 1));
    edited.title = 'فيديو 2 بعد تعديل العنوان';
    counted.views = 99_999;
    videos.splice(videos.indexOf(deleted), 1);
    fake.requests.length = 0;
    let r = await run([acc]);
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ inserted: 1, edited: 1 });
    // A poll reads from the top and stops at the window: not the whole playlist again.
    expect(fake.requests.filter((q) => q.startsWith('/youtube/v3/playlistItems')).length).toBeLessThan(4);
    expect(fake.requests.some((q) => q.startsWith('/youtube/v3/channels'))).toBe(false);
    r = await run([acc]);
    expect(r.counts.deleted).toBe(1);
    rows = await captured(acc);
    expect(rows.filter((x) => !x.deleted_at).map((x) => x.platform_post_id).sort()).toEqual(visible(videos));
    expect(rows.find((x) => x.platform_post_id === deleted.id)!.deleted_at).not.toBeNull();
    expect(rows.find((x) => x.platform_post_id === edited.id)!.text).toBe('فيديو 2 بعد تعديل العنوان\nوصف الفيديو 2');
    expect(Number(rows.find((x) => x.platform_post_id === counted.id)!.views)).toBe(99_999);
  });

  test('quotaExceeded pauses the key until midnight Pacific for every channel of it; a bad key and an unknown channel say so; the key is never stored', async () => {
    withKey(KEY);
    const a = 'UCquotaChannel00000000001';
    const b = 'UCquotaChannel00000000002';
    fake.channels.set(a, [video(40, 3)]);
    fake.channels.set(b, [video(41, 3)]);
    const [accA, accB, unknown] = await Promise.all([channel(a), channel(b), channel('UCnoSuchChannel0000000009')]);
    fake.faults.push({ type: 'quota' });
    fake.requests.length = 0;
    const r = await run([accA, accB]);
    const until = nextPacificMidnight(new Date()).toISOString().slice(0, 16).replace('T', ' ');
    expect(r.errors.map((e) => e.error)).toEqual([
      `YouTube: daily API quota exceeded; paused until ${until} UTC (midnight Pacific time)`,
      expect.stringMatching(/^YouTube: rate limited until /),
    ]);
    expect(fake.requests).toHaveLength(1);
    clearRateLimitPauses();
    expect((await run([accA, accB, unknown])).errors).toEqual([
      { accountId: unknown, handle: 'UCnoSuchChannel0000000009', error: 'YouTube: no channel with id "UCnoSuchChannel0000000009" (the handle must be the channel id, UC…)' },
    ]);

    deps.connectors.youtube = createYouTubeConnector({ apiBaseUrl: fake.url, feedBaseUrl: fake.url, apiKey: 'AIzaSyD-revoked-key-999999', ...http });
    const bad = await channel('UCbadKeyChannel0000000001');
    const r3 = await run([bad]);
    expect(r3.errors[0].error).toBe('YouTube: the API key is not valid or not allowed to use the YouTube Data API');
    const stored = await h.db.selectFrom('account').select('last_error').where('entity_id', '=', entityId).execute();
    for (const s of stored) {
      expect(s.last_error ?? '').not.toContain(KEY);
      expect(s.last_error ?? '').not.toContain('revoked-key');
    }
  });

  test('a repeated playlist page does not end the backfill early', async () => {
    withKey(KEY);
    const id = 'UCrepeatChannel0000000001';
    const videos = Array.from({ length: 8 }, (_, i) => video(50 + i, 100 + i));
    fake.channels.set(id, videos);
    const acc = await channel(id);
    // channels, playlistItems p1, videos p1, then playlistItems p2 answered with p1 again.
    fake.faults.push({ type: 'none' }, { type: 'none' }, { type: 'none' }, { type: 'repeat' });
    await runUntilClean([acc]);
    expect((await captured(acc)).map((r) => r.platform_post_id).sort()).toEqual(videos.map((v) => v.id).sort());
  });
});
