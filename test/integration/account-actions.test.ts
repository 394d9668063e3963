// Issue 7, the accounts page: "test connection" (one page, saved nowhere) and "import now" (in the background,
// 409 while the account is leased), and what each account shows: its last run, next run, posts captured and a
// pause after a rate limit. Through the API against the fake feed server and a real rss account.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, nextImportAt, upsertAccount } from '../../db/queries/accounts.ts';
import { leaseNextAccount } from '../../db/queries/account-leases.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { testConfig } from '../../jobs/config.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import { createRssConnector } from '../../jobs/connectors/rss.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { AccountDetail, AccountList, AccountTestResult, ApiErrorBody } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { slotFinder } from '../../jobs/schedule.ts';
import { startFakeFeeds, type FakeFeeds, type FeedItemSpec } from '../fakes/rss.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();

const items = (n: number, prefix: string): FeedItemSpec[] =>
  Array.from({ length: n }, (_, i) => ({
    guid: `${prefix}-${i + 1}`,
    title: i === 0 ? `خبر ${'طويل '.repeat(60)}` : `خبر رقم ${i + 1}`,
    html: `<p>نص الخبر ${i + 1}</p>`,
    pubDate: new Date(Date.now() - (i + 1) * 3600_000).toUTCString(),
  }));

test('the next import: the first slot of the schedule after now and after the account’s own interval since its last run', () => {
  const every5 = slotFinder('*/5 * * * *', 'Asia/Bahrain');
  const hourlyKolkata = slotFinder('0 * * * *', 'Asia/Kolkata');
  try {
    const now = new Date('2026-11-20T09:02:10Z');
    expect(nextImportAt({ active: true, lastRunAt: null, importIntervalMinutes: null }, now, every5.next)?.toISOString()).toBe('2026-11-20T09:05:00.000Z');
    // Run at 09:00 with a 30-minute interval: the 09:30 round needs last_run_at <= 09:00:00.000, so 09:35.
    const lastRunAt = new Date('2026-11-20T09:00:00.050Z');
    expect(nextImportAt({ active: true, lastRunAt, importIntervalMinutes: 30 }, now, every5.next)?.toISOString()).toBe('2026-11-20T09:35:00.000Z');
    expect(nextImportAt({ active: true, lastRunAt: new Date('2026-11-20T08:00:00Z'), importIntervalMinutes: 30 }, now, every5.next)?.toISOString()).toBe(
      '2026-11-20T09:05:00.000Z',
    );
    expect(nextImportAt({ active: false, lastRunAt, importIntervalMinutes: null }, now, every5.next)).toBeNull();
    // Paused by a rate limit until 10:12: the first slot at or after it.
    expect(nextImportAt({ active: true, lastRunAt, importIntervalMinutes: 30, pausedUntil: new Date('2026-11-20T10:12:00Z') }, now, every5.next)?.toISOString()).toBe('2026-11-20T10:15:00.000Z');
    expect(nextImportAt({ active: true, lastRunAt, importIntervalMinutes: 30, pausedUntil: new Date('2026-11-20T09:10:00Z') }, now, every5.next)?.toISOString()).toBe('2026-11-20T09:35:00.000Z');
    // The schedule's time zone: on the hour in India (UTC+5:30) is half past in UTC.
    expect(hourlyKolkata.next(now)?.toISOString()).toBe('2026-11-20T09:30:00.000Z');
    expect(slotFinder('not cron', 'UTC').next(now)).toBeNull();
  } finally {
    every5.close();
    hourlyKolkata.close();
  }
});

describe.each(BACKENDS)('test connection and import now on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeFeeds;
  let app: TestClient;
  let bare: TestClient;
  let entityId: number;
  const logs: string[] = [];

  const call = async <T>(method: string, url: string, target = app) => {
    const res = await target.request(url, { method });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as T };
  };
  const account = async (id: number) => (await call<AccountDetail>('GET', `/api/accounts/${id}`)).body;
  const feedAccount = (name: string, importIntervalMinutes: number | null = null) =>
    upsertAccount(h.db, { entityId, platform: 'rss', connector: 'rss', handle: name, type: 'official', url: `${fake.url}/feeds/${name}`, importIntervalMinutes });
  /** Polls the account as the page does until its run newer than `afterRunId` has finished. */
  const finishedRun = async (id: number, afterRunId: number | null) => {
    for (let i = 0; i < 900; i++) {
      const a = await account(id);
      if (a.lastRun && a.lastRun.id !== afterRunId && a.lastRun.status !== 'running' && !a.importing) return a;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`account ${id}: no finished run after 45 s; log: ${logs.join(' | ')}`);
  };

  beforeAll(async () => {
    h = await testDb(kind);
    fake = await startFakeFeeds();
    const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_IMPORT_CRON: '*/5 * * * *', MIZAN_TIMEZONE: 'Asia/Bahrain' });
    const jobs: JobDeps = {
      db: h.db,
      rulebook,
      connectors: { rss: createRssConnector({ timeoutMs: 2000, retries: 0, backoffMs: 1, maxWaitMs: 50 }) },
      log: (m) => logs.push(m),
    };
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config, jobs }), h.db);
    bare = await signedIn(createApp({ db: h.db, dbKind: h.kind, config }), h.db);
    entityId = await upsertEntity(h.db, { slug: `actions-${kind}`, nameAr: 'وزارة الصحة', nameEn: 'Ministry of Health' });
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });
  afterEach(() => {
    fake.faults.length = 0;
    clearRateLimitPauses();
  });

  test('test connection: one page, the first three texts cut at 200 characters, nothing saved', async () => {
    fake.feeds.set('news', { items: items(5, 'news') });
    const id = await feedAccount('news');
    const r = await call<AccountTestResult>('POST', `/api/accounts/${id}/test`);
    expect(r.status, r.text).toBe(200);
    expect(r.body.ok).toBe(true);
    if (!r.body.ok) return;
    expect(r.body.posts).toBe(5);
    expect(r.body.sample).toHaveLength(3);
    expect([...r.body.sample[0]]).toHaveLength(200);
    expect(r.body.sample[0].startsWith('خبر طويل')).toBe(true);
    expect(r.body.sample[1]).toContain('خبر رقم 2');
    expect(r.body).not.toHaveProperty('nextCursor');
    // Saved nowhere: no post, no run, no cursor.
    expect(await h.db.selectFrom('post').select('id').where('account_id', '=', id).execute()).toEqual([]);
    expect(await h.db.selectFrom('import_run').select('id').where('account_id', '=', id).execute()).toEqual([]);
    const row = await h.db.selectFrom('account').select(['import_cursor', 'last_run_at']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ import_cursor: null, last_run_at: null });
  });

  test('test connection failing: the connector’s message is the answer (200, ok false); 404, 400 and 503 in the one error shape', async () => {
    const missing = await feedAccount('missing-feed');
    const r = await call<AccountTestResult>('POST', `/api/accounts/${missing}/test`);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ ok: false, error: expect.stringMatching(/404/) });

    fake.feeds.set('busy', { items: items(1, 'busy') });
    const busy = await feedAccount('busy');
    fake.faults.push({ type: 'status', status: 429, retryAfter: '3600' });
    const limited = await call<AccountTestResult>('POST', `/api/accounts/${busy}/test`);
    expect(limited.body).toEqual({ ok: false, error: expect.stringMatching(/rate limited until \d{2}:\d{2} UTC/) });

    const unknown = await call<ApiErrorBody>('POST', '/api/accounts/999999/test');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not-found', message: 'Account 999999 does not exist' });
    const bad = await call<ApiErrorBody>('POST', '/api/accounts/abc/import');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid-request');
    const noJobs = await call<ApiErrorBody>('POST', `/api/accounts/${busy}/test`, bare);
    expect(noJobs.status).toBe(503);
    expect(noJobs.body.error.code).toBe('jobs-unavailable');
    expect((await call<ApiErrorBody>('POST', `/api/accounts/${busy}/import`, bare)).status).toBe(503);
  });

  test('import now: 202, a second call while it runs is 409, the run appears with its counts, then it can run again', async () => {
    fake.feeds.set('daily', { items: items(4, 'daily') });
    const id = await feedAccount('daily');
    const before = await account(id);
    expect(before).toMatchObject({ lastRun: null, postsCaptured: 0, importing: false, pausedUntil: null });

    fake.faults.push({ type: 'delay', ms: 300 });
    const first = await call<{ started: boolean }>('POST', `/api/accounts/${id}/import`);
    expect(first.status, first.text).toBe(202);
    expect(first.body).toEqual({ started: true });
    const second = await call<ApiErrorBody>('POST', `/api/accounts/${id}/import`);
    expect(second.status, second.text).toBe(409);
    expect(second.body.error.code).toBe('import-running');

    const after = await finishedRun(id, null);
    expect(after.lastRun).toMatchObject({ status: 'ok', pages: 1, inserted: 4, rejected: 0, error: null, accountId: id });
    expect(after).toMatchObject({ postsCaptured: 4, lastRunStatus: 'ok', lastError: null });
    expect(after.runs[0].id).toBe(after.lastRun!.id);

    // The same account again: a new run (nothing new this time).
    fake.feeds.set('daily', { items: items(5, 'daily') });
    expect((await call('POST', `/api/accounts/${id}/import`)).status).toBe(202);
    const again = await finishedRun(id, after.lastRun!.id);
    expect(again.lastRun).toMatchObject({ status: 'ok', inserted: 1 });
    expect(again.postsCaptured).toBe(5);
  });

  test('an account whose lease another worker holds is refused with 409; an inactive one too', async () => {
    fake.feeds.set('held', { items: items(1, 'held') });
    const id = await feedAccount('held');
    await h.db.updateTable('account').set({ lease_owner: 'other-host:1:abcdef01', lease_until: new Date(Date.now() + 60_000) }).where('id', '=', id).execute();
    expect((await account(id)).importing).toBe(true);
    const r = await call<ApiErrorBody>('POST', `/api/accounts/${id}/import`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('import-running');
    // An expired lease is free again.
    await h.db.updateTable('account').set({ lease_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    expect((await call('POST', `/api/accounts/${id}/import`)).status).toBe(202);
    await finishedRun(id, null);

    await h.db.updateTable('account').set({ active: false }).where('id', '=', id).execute();
    const inactive = await call<ApiErrorBody>('POST', `/api/accounts/${id}/import`);
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe('account-inactive');
    expect((await account(id)).nextRunAt).toBeNull();
  });

  test('a run stopped by a rate limit stores the pause until the reset: shown, skipped by scheduled rounds until then, cleared by the next run', async () => {
    fake.feeds.set('limited', { items: items(2, 'limited') });
    const id = await feedAccount('limited', 60);
    fake.faults.push({ type: 'status', status: 429, retryAfter: '7200' });
    expect((await call('POST', `/api/accounts/${id}/import`)).status).toBe(202);
    const a = await finishedRun(id, null);
    expect(a.lastRun).toMatchObject({ status: 'failed', error: expect.stringMatching(/^RSS: rate limited until \d{2}:\d{2} UTC$/) });
    expect(a.pauseReason).toBe(a.lastRun!.error);
    const pausedFor = new Date(a.pausedUntil!).getTime() - Date.now();
    expect(pausedFor).toBeGreaterThan(7200_000 - 120_000);
    expect(pausedFor).toBeLessThan(7200_000 + 60_000);
    // Stored on the account as the connector gave it (to the second, not the message's minute).
    const row = await h.db.selectFrom('account').select(['paused_until', 'pause_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(new Date(row.paused_until!).toISOString()).toBe(a.pausedUntil);
    expect(row.pause_reason).toBe(a.lastRun!.error);
    // The next run: the first */5 slot at or after the pause's end (later than its own interval of 60 minutes).
    const until = new Date(a.pausedUntil!).getTime();
    const next = new Date(a.nextRunAt!);
    expect(next.getTime()).toBeGreaterThanOrEqual(until);
    expect(next.getTime()).toBeLessThan(until + 5 * 60_000);
    expect(next.getUTCMinutes() % 5).toBe(0);
    expect(next.getUTCSeconds()).toBe(0);

    // The list answers the same fields; an account never imported runs at the next slot.
    const list = (await call<AccountList>('GET', `/api/accounts?entity=${entityId}`)).body.items;
    expect(list.find((x) => x.id === id)).toMatchObject({ pausedUntil: a.pausedUntil, pauseReason: a.pauseReason, nextRunAt: a.nextRunAt, lastRun: { id: a.lastRun!.id } });
    const fresh = await feedAccount('fresh');
    const freshNext = new Date((await account(fresh)).nextRunAt!).getTime();
    expect(freshNext).toBeGreaterThan(Date.now());
    expect(freshNext).toBeLessThanOrEqual(Date.now() + 5 * 60_000);

    // A scheduled round (due at a time) skips the account until the pause ends, whatever its interval; an explicit one takes it.
    const later = new Date(Date.now() + 3 * 3600_000);
    const dueNow = new Date(Date.now() + 61 * 60_000);
    expect((await listImportAccounts(h.db, { dueAt: dueNow })).map((x) => x.id)).not.toContain(id);
    expect((await listImportAccounts(h.db, { dueAt: later })).map((x) => x.id)).toContain(id);
    expect(await leaseNextAccount(h.db, 'round-test', { round: dueNow, dueAt: dueNow, accountIds: [id] })).toBeNull();
    expect((await listImportAccounts(h.db, { accountIds: [id] })).map((x) => x.id)).toEqual([id]);

    // Once the pause is over it is no longer shown (the message stays as the last error).
    await h.db.updateTable('account').set({ paused_until: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    expect(await account(id)).toMatchObject({ pausedUntil: null, pauseReason: null, lastError: a.lastError });

    // The next run that gets past the limit clears it.
    await h.db.updateTable('account').set({ paused_until: new Date(Date.now() + 3600_000) }).where('id', '=', id).execute();
    expect((await account(id)).pausedUntil).not.toBeNull();
    clearRateLimitPauses();
    expect((await call('POST', `/api/accounts/${id}/import`)).status).toBe(202);
    const ok = await finishedRun(id, a.lastRun!.id);
    expect(ok).toMatchObject({ lastRunStatus: 'ok', pausedUntil: null, pauseReason: null, lastError: null });
    expect(await h.db.selectFrom('account').select(['paused_until', 'pause_reason']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ paused_until: null, pause_reason: null });
  });
});
