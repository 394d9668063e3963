// The X connector through the real import path against a fake X API v2: backfill, polls with edits and deletions,
// every fault the platform throws, 429 waits and human messages, the 3,200 cap, partial errors, and no token in any
// message.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { AuthError, clearRateLimitPauses, decodeEntities } from '../../jobs/connectors/http.ts';
import type { Connector, ConnectorAccount } from '../../jobs/connectors/types.ts';
import { createXConnector, snowflakeTime } from '../../jobs/connectors/x.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { FakeX, type FakeTweet } from '../fakes/x.ts';
import { FAULT_KINDS, serve, type Fault, type Served } from '../fakes/serve.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid-x-secret';
const rulebook = loadRulebook();
const HTTP = { timeoutMs: 400, retries: 3, backoffMs: 5, maxWaitMs: 5000 };

const fixture = (name: string) => readFileSync(new URL(`../fixtures/platforms/x/${name}`, import.meta.url), 'utf8');

describe.each(BACKENDS)('X connector through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeX;
  let served: Served;
  let connector: Connector;
  let deps: JobDeps;
  let entityId: number;
  const logs: string[] = [];

  beforeAll(async () => {
    h = await testDb(kind);
    fake = new FakeX({ token: TOKEN, slowMs: 1200 });
    served = await fake.start();
    connector = createXConnector({ baseUrl: served.url, bearerToken: TOKEN, http: HTTP });
    deps = { db: h.db, rulebook, connectors: { x: connector }, log: (m) => logs.push(m) };
    entityId = await upsertEntity(h.db, { slug: 'x-entity', nameAr: 'جهة', nameEn: 'X entity' });
  });
  afterAll(async () => {
    await served?.close();
    await h?.close();
  });
  beforeEach(() => clearRateLimitPauses());

  const register = (handle: string) => upsertAccount(h.db, { entityId, platform: 'x', connector: 'x', handle, type: 'official' });
  const run = async (ids: number[], extra: { maxPagesPerAccount?: number } = {}) => importAccounts(deps, await listImportAccounts(h.db, { accountIds: ids }), { now: NOW, ...extra });
  /** Imports until a run completes without errors (the importer catching up after faults). */
  const catchUp = async (ids: number[], max = 6) => {
    const errors: string[] = [];
    for (let i = 0; i < max; i++) {
      const r = await run(ids);
      if (r.errors.length === 0 && fake.faults.length === 0) return { errors, last: r };
      errors.push(...r.errors.map((e) => e.error));
    }
    throw new Error(`did not catch up: ${errors.join(' | ')}`);
  };
  const captured = async (accountId: number) =>
    (await h.db.selectFrom('post').select(['platform_post_id', 'text', 'is_repost', 'is_reply', 'lang', 'likes', 'shares', 'replies', 'views', 'posted_at', 'edited_at']).where('account_id', '=', accountId).orderBy('platform_post_id').execute()).map(
      (p) => ({ ...p, posted_at: new Date(p.posted_at), edited_at: p.edited_at ? new Date(p.edited_at) : null }),
    );
  const expectedText = (t: FakeTweet) => {
    const rt = t.referenced_tweets?.find((r) => r.type === 'retweeted');
    const src = rt ? fake.others.get(rt.id)! : t;
    return decodeEntities(src.note_tweet?.text ?? src.text);
  };
  /** Every post ever published (deleted ones stay archived), by original id, with its current text. */
  const published = new Map<string, Map<string, string>>();
  const track = (handle: string) => {
    const m = published.get(handle) ?? new Map<string, string>();
    for (const t of fake.timeline(handle)) m.set(t.edit_history_tweet_ids[0], expectedText(t));
    published.set(handle, m);
    return m;
  };
  const capturedTexts = async (accountId: number) => new Map((await captured(accountId)).map((p) => [p.platform_post_id, p.text]));

  test('backfill: every kind of post mapped faithfully, then polls capture new posts and edits; deletions keep their copy', async () => {
    fake.addUser('MinistryX');
    const external = fake.external({ text: 'The original announcement &amp; its details', lang: 'en' });
    const first = fake.post('MinistryX', { text: 'أول منشور &lt;رسمي&gt;', lang: 'ar', likes: 5, retweets: 2, quotes: 1, replies: 3, views: 2_000_000_000 });
    for (let i = 0; i < 200; i++) fake.post('MinistryX', { text: `خبر رقم ${i}`, lang: i % 3 === 0 ? 'und' : i % 3 === 1 ? 'ar' : undefined, likes: i });
    const rt = fake.post('MinistryX', { text: '', retweetOf: external.id });
    const reply = fake.post('MinistryX', { text: '@citizen thank you', lang: 'en', replyTo: '123456789012345678' });
    const quote = fake.post('MinistryX', { text: 'Read this', lang: 'qme', quoteOf: external.id });
    const empty = fake.post('MinistryX', { text: '', lang: 'zxx' });
    const long = fake.post('MinistryX', { text: 'طويل '.repeat(400), lang: 'ar', long: true });
    const id = await register('MinistryX');

    const r1 = await run([id]);
    expect(r1.errors).toEqual([]);
    expect(r1.counts).toMatchObject({ inserted: 206, pages: 3, failedAccounts: 0 });
    expect(await capturedTexts(id)).toEqual(track('MinistryX'));

    const byId = new Map((await captured(id)).map((p) => [p.platform_post_id, p]));
    expect(byId.get(first.id)).toMatchObject({ text: 'أول منشور <رسمي>', lang: 'ar', likes: 5, shares: 3, replies: 3, views: 2_000_000_000, is_repost: false, is_reply: false });
    expect(byId.get(first.id)!.posted_at).toEqual(new Date(first.created_at));
    expect(byId.get(rt.id)).toMatchObject({ text: 'The original announcement & its details', is_repost: true, is_reply: false });
    expect(byId.get(reply.id)).toMatchObject({ is_reply: true, lang: 'en' });
    expect(byId.get(quote.id)).toMatchObject({ text: 'Read this', lang: 'qme', is_repost: false });
    expect(byId.get(empty.id)).toMatchObject({ text: '', lang: 'zxx' });
    expect(byId.get(long.id)!.text).toBe('طويل '.repeat(400));
    const raw = await h.db.selectFrom('post').select('raw').where('platform_post_id', '=', rt.id).executeTakeFirstOrThrow();
    expect(raw.raw).toMatchObject({ data: { id: rt.id, referenced_tweets: [{ type: 'retweeted', id: external.id }] }, includes: { tweets: [{ id: external.id }] } });
    const cursor = JSON.parse((await h.db.selectFrom('account').select('import_cursor').where('id', '=', id).executeTakeFirstOrThrow()).import_cursor!);
    expect(cursor).toMatchObject({ mode: 'poll', token: null, sinceId: long.id });

    // A poll: new posts, an edit of an old post (a new tweet id on X), a deletion.
    fake.log.requests.length = 0;
    for (let i = 0; i < 130; i++) fake.post('MinistryX', { text: `جديد ${i}` });
    const edited = fake.edit('MinistryX', first.id, 'أول منشور بعد التعديل');
    track('MinistryX');
    fake.remove('MinistryX', reply.id);
    const r2 = await run([id]);
    expect(r2.errors).toEqual([]);
    expect(r2.counts).toMatchObject({ inserted: 130, edited: 1, pages: 2 });
    expect(fake.log.requests.every((q) => !q.path.includes('/tweets') || q.query.includes(`since_id=${long.id}`))).toBe(true);
    expect(await capturedTexts(id)).toEqual(track('MinistryX'));
    const firstNow = (await captured(id)).find((p) => p.platform_post_id === first.id)!;
    expect(firstNow.text).toBe('أول منشور بعد التعديل');
    expect(firstNow.posted_at).toEqual(snowflakeTime(first.id));
    expect(firstNow.edited_at).toEqual(new Date(edited.created_at));
    expect((await captured(id)).some((p) => p.platform_post_id === reply.id)).toBe(true);

    // Nothing new: one request, nothing changes.
    fake.log.requests.length = 0;
    const r3 = await run([id]);
    expect(r3.counts).toMatchObject({ inserted: 0, edited: 0, pages: 1 });
    expect(fake.log.requests).toHaveLength(1);
  });

  test('every fault (429, 500, 502, 503, timeout, reset, truncated and malformed JSON, a repeated page): the captured set equals the timeline once the faults stop', async () => {
    fake.addUser('FaultyX');
    for (let i = 0; i < 1200; i++) fake.post('FaultyX', { text: `منشور ${i} &amp; تفاصيل`, likes: i });
    const id = await register('FaultyX');
    fake.inject({ kind: '429', resetSeconds: 1 }, { kind: '500' }, { kind: 'repeat' }, { kind: '502' }, { kind: 'slow' }, { kind: 'reset' }, { kind: 'truncated' });
    fake.inject({ kind: 'repeat' }, { kind: 'malformed' }, { kind: '503' }, { kind: 'reset' });
    const t0 = Date.now();
    const { errors } = await catchUp([id]);
    expect(fake.faults).toHaveLength(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // the 429 was waited out
    expect(await capturedTexts(id)).toEqual(track('FaultyX'));
    for (const e of errors) expect(e).not.toContain(TOKEN);

    // Faults during a poll, with new posts and an edit.
    for (let i = 0; i < 150; i++) fake.post('FaultyX', { text: `لاحق ${i}` });
    fake.edit('FaultyX', fake.timeline('FaultyX')[300].id, 'نص معدل');
    fake.edit('FaultyX', fake.timeline('FaultyX')[3].id, 'نص معدل آخر');
    fake.inject({ kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: '503' }, { kind: 'truncated' }, { kind: 'slow' }, { kind: 'repeat' });
    const second = await catchUp([id]);
    expect(second.errors.length).toBeGreaterThanOrEqual(1);
    expect(second.errors[0]).toMatch(/^X: HTTP 503 after 4 attempts/);
    expect(await capturedTexts(id)).toEqual(track('FaultyX'));
  });

  test('resuming page by page (a crash between pages) neither loses nor duplicates', async () => {
    fake.addUser('StepX');
    for (let i = 0; i < 350; i++) fake.post('StepX', { text: `خطوة ${i}` });
    const id = await register('StepX');
    let runs = 0;
    for (;;) {
      runs++;
      const r = await run([id], { maxPagesPerAccount: 1 });
      expect(r.errors).toEqual([]);
      if (fake.timeline('StepX').length === 350 && runs === 2) for (let i = 0; i < 20; i++) fake.post('StepX', { text: `أثناء ${i}` });
      const cursor = JSON.parse((await h.db.selectFrom('account').select('import_cursor').where('id', '=', id).executeTakeFirstOrThrow()).import_cursor!);
      if (cursor.mode === 'poll' && cursor.token === null && (await capturedTexts(id)).size === fake.timeline('StepX').length) break;
      expect(runs).toBeLessThan(20);
    }
    expect(await capturedTexts(id)).toEqual(track('StepX'));
  });

  test('429 with a far reset fails the account with "X: rate limited until HH:MM UTC" and sends nothing more on that token; the message has no token', async () => {
    fake.addUser('LimitedX');
    fake.addUser('LimitedY');
    fake.post('LimitedX', { text: 'x' });
    fake.post('LimitedY', { text: 'y' });
    const a = await register('LimitedX');
    const b = await register('LimitedY');
    fake.inject({ kind: '429', resetSeconds: 900 });
    fake.log.requests.length = 0;
    const r = await run([a, b]);
    expect(r.counts.failedAccounts).toBe(2);
    expect(fake.log.requests).toHaveLength(1);
    for (const e of r.errors) {
      expect(e.error).toMatch(/^X: rate limited until \d{2}:\d{2} UTC$/);
      expect(e.error).not.toContain(TOKEN);
    }
    const row = await h.db.selectFrom('account').select(['last_error']).where('id', '=', a).executeTakeFirstOrThrow();
    expect(row.last_error).toMatch(/^X: rate limited until/);
    clearRateLimitPauses();
    expect((await run([a, b])).errors).toEqual([]);
  });

  test('a wrong token is an AuthError without the token; an account token overrides the global one', async () => {
    fake.addUser('TokenX');
    fake.post('TokenX', { text: 'hello' });
    const wrong = createXConnector({ baseUrl: served.url, bearerToken: 'WRONG-TOKEN-123456789', http: HTTP });
    const account: ConnectorAccount = { id: 1, entityId, platform: 'x', handle: 'TokenX', platformAccountId: null, type: 'official', config: {} };
    const err = await wrong.fetchPage(account, { cursor: null, now: NOW }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toBe('X: HTTP 401 unauthorized for /2/users/by/username/TokenX: Unauthorized');
    expect((err as Error).message).not.toContain('WRONG-TOKEN');
    fake.tokens.add('ACCOUNT-OWN-TOKEN-987654');
    fake.log.requests.length = 0;
    const page = await wrong.fetchPage({ ...account, token: 'ACCOUNT-OWN-TOKEN-987654' }, { cursor: null, now: NOW });
    expect(page.posts.map((p) => p.text)).toEqual(['hello']);
    expect(fake.log.requests.every((q) => q.headers.authorization === 'Bearer ACCOUNT-OWN-TOKEN-987654')).toBe(true);
    const none = createXConnector({ baseUrl: served.url, bearerToken: null });
    await expect(none.fetchPage(account, { cursor: null, now: NOW })).rejects.toThrow(/^X: no bearer token/);
    const missing = await connector.fetchPage({ ...account, handle: 'nobody_here' }, { cursor: null, now: NOW }).catch((e: unknown) => e as Error);
    expect((missing as Error).message).toBe('X: cannot find the user @nobody_here: user nobody_here: Not Found Error (Could not find user with username: [nobody_here].)');
  });

  test('deletions: once a day the recent posts are looked up; a deleted one is recorded deleted with its copy kept, a protected or withheld one is not, a failed lookup loses nothing and runs again', async () => {
    const hour = 3600_000;
    const at = (h: number) => new Date(NOW.getTime() + h * hour);
    const runAt = async (now: Date) => importAccounts(deps, await listImportAccounts(h.db, { accountIds: [id] }), { now });
    const lookups = () => fake.log.requests.filter((q) => q.path === '/2/tweets');
    fake.addUser('CheckX');
    const old = fake.post('CheckX', { text: 'older than the window', at: at(-24 * 30) });
    const [gone, hidden, withheld, kept] = [48, 30, 20, 2].map((ago) => fake.post('CheckX', { text: `منشور قبل ${ago} ساعة`, at: at(-ago) }));
    const id = await register('CheckX');

    // The backfill starts the clock: no lookup yet.
    fake.log.requests.length = 0;
    expect((await runAt(NOW)).counts).toMatchObject({ inserted: 5, deleted: 0 });
    expect(lookups()).toHaveLength(0);
    fake.remove('CheckX', gone.id);
    fake.remove('CheckX', old.id);
    fake.hidden.add(hidden.id);
    fake.withhold('CheckX', withheld.id);

    // Before the interval: no lookup (X bills every post read).
    expect((await runAt(at(1))).counts).toMatchObject({ inserted: 0, deleted: 0 });
    expect(lookups()).toHaveLength(0);

    // Due, but the lookup is rate limited, then fails with 500s: the poll's new post is stored all the same, nothing is deleted.
    const fresh = fake.post('CheckX', { text: 'جديد', at: at(24) });
    fake.lookupFaults.push({ kind: '429', resetSeconds: 900 });
    const limited = await runAt(at(25));
    expect(limited.errors).toEqual([]);
    expect(limited.counts).toMatchObject({ inserted: 1, deleted: 0 });
    expect(limited.warnings).toContainEqual(expect.stringMatching(/^CheckX: X: the deletion check of recent posts stopped \(X: rate limited until \d{2}:\d{2} UTC\); it runs again on the next import$/));
    expect(await h.db.selectFrom('account').select(['paused_until', 'last_run_status']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ paused_until: null, last_run_status: 'ok' });
    clearRateLimitPauses();
    fake.lookupFaults.push({ kind: '500' }, { kind: '500' }, { kind: '500' }, { kind: '503' });
    const failed = await runAt(at(25));
    expect(failed.counts).toMatchObject({ inserted: 0, deleted: 0 });
    expect(failed.warnings).toContainEqual(expect.stringMatching(/deletion check of recent posts stopped \(X: HTTP 503 after 4 attempts/));
    expect(fake.lookupFaults).toHaveLength(0);

    // Tried again on the next run: the deleted post is recorded deleted; the protected and withheld ones are not.
    fake.log.requests.length = 0;
    const checked = await runAt(at(25));
    expect(checked.errors).toEqual([]);
    expect(checked.counts).toMatchObject({ inserted: 0, deleted: 1 });
    expect(lookups()).toHaveLength(1);
    expect(new URLSearchParams(lookups()[0].query).get('ids')!.split(',').sort()).toEqual([fresh.id, kept.id, withheld.id, hidden.id, gone.id].sort());
    expect(checked.warnings).toContainEqual(`CheckX: X: 1 recent post(s) could not be read, not taken as deleted (first: tweet ${hidden.id}: Authorization Error (Sorry, you are not authorized to see the Tweet with ids: [${hidden.id}].))`);
    const rows = await h.db.selectFrom('post').select(['platform_post_id', 'text', 'deleted_at']).where('account_id', '=', id).execute();
    const deleted = new Map(rows.map((r) => [r.platform_post_id, r.deleted_at === null ? null : new Date(r.deleted_at)]));
    expect(deleted.get(gone.id)).toEqual(at(25));
    expect(rows.find((r) => r.platform_post_id === gone.id)!.text).toBe('منشور قبل 48 ساعة');
    for (const other of [old, hidden, withheld, kept, fresh]) expect(deleted.get(other.id)).toBeNull();
    const version = await h.db.selectFrom('post_version as v').innerJoin('post as p', 'p.id', 'v.post_id').select(['v.kind', 'v.text', 'v.raw']).where('p.platform_post_id', '=', gone.id).orderBy('v.id', 'desc').executeTakeFirstOrThrow();
    expect(version).toMatchObject({ kind: 'deleted', text: 'منشور قبل 48 ساعة', raw: { errors: [{ title: 'Not Found Error', resource_id: gone.id, type: 'https://api.twitter.com/2/problems/resource-not-found' }] } });

    // Not again before the interval; after it, the deleted post is no longer asked for.
    fake.log.requests.length = 0;
    expect((await runAt(at(48))).counts).toMatchObject({ deleted: 0 });
    expect(lookups()).toHaveLength(0);
    const next = await runAt(at(49));
    expect(next.counts).toMatchObject({ deleted: 0, edited: 0 });
    expect(lookups()).toHaveLength(1);
    expect(new URLSearchParams(lookups()[0].query).get('ids')!.split(',')).not.toContain(gone.id);
  });

  test('a backfill that reaches the 3,200 newest posts says so', async () => {
    fake.addUser('BigX');
    for (let i = 0; i < 3300; i++) fake.post('BigX', { text: `p${i}` });
    const id = await register('BigX');
    const r = await run([id]);
    expect(r.errors).toEqual([]);
    expect(r.counts.inserted).toBe(3200);
    expect(r.warnings.some((w) => w.includes('X serves only the newest 3,200 posts of a timeline: the backfill stopped after 3,200'))).toBe(true);
  });
});

describe('X: random fault schedules against a random timeline (property)', () => {
  let h: DbHandle;
  let fake: FakeX;
  let served: Served;
  let deps: JobDeps;
  let entityId: number;
  beforeAll(async () => {
    h = await testDb('pglite');
    fake = new FakeX({ token: TOKEN, slowMs: 700 });
    served = await fake.start();
    deps = { db: h.db, rulebook, connectors: { x: createXConnector({ baseUrl: served.url, bearerToken: TOKEN, http: { ...HTTP, timeoutMs: 300 } }) }, log: () => {} };
    entityId = await upsertEntity(h.db, { slug: 'x-property', nameAr: 'جهة', nameEn: 'X property' });
  });
  afterAll(async () => {
    await served?.close();
    await h?.close();
  });

  const words = ['بيان', 'وزارة', 'news', '&amp;', '&lt;b&gt;', '🦋', 'الآراء', 'x'];
  const op = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('post' as const), n: fc.integer({ min: 1, max: 140 }), w: fc.array(fc.constantFrom(...words), { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('edit' as const), at: fc.nat(), w: fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }) },
  );
  const fault: fc.Arbitrary<Fault> = fc.constantFrom(...FAULT_KINDS).map((kind) => (kind === '429' ? { kind, resetSeconds: 1 } : { kind }) as Fault);
  const round = fc.record({ ops: fc.array(op, { minLength: 1, maxLength: 4 }), faults: fc.array(fault, { maxLength: 6 }) });
  let n = 0;

  test('after the faults stop and the importer catches up, the captured set is every post published, with its latest text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(round, { minLength: 1, maxLength: 3 }), async (rounds) => {
        clearRateLimitPauses();
        fake.faults.length = 0;
        const handle = `prop${++n}`;
        fake.addUser(handle);
        const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'x', handle, type: 'official' });
        const expected = new Map<string, string>();
        const note = () => {
          for (const t of fake.timeline(handle)) expected.set(t.edit_history_tweet_ids[0], decodeEntities(t.text));
        };
        for (const r of rounds) {
          for (const o of r.ops) {
            const live = fake.timeline(handle);
            if (o.kind === 'post') for (let i = 0; i < o.n; i++) fake.post(handle, { text: `${o.w.join(' ')} ${i}` });
            else if (o.kind === 'edit' && live.length) fake.edit(handle, live[o.at % live.length].id, o.w.join(' '));
            else if (o.kind === 'delete' && live.length) fake.remove(handle, live[o.at % live.length].id);
          }
          // What the source shows when the importer looks (a post deleted before any import saw it was never visible).
          note();
          fake.inject(...r.faults);
          // Scheduled runs while the faults last; then the importer catches up.
          for (let i = 0; i < 10 && (fake.faults.length > 0 || i === 0); i++) await importAccounts(deps, await listImportAccounts(h.db, { accountIds: [id] }), { now: NOW });
          const last = await importAccounts(deps, await listImportAccounts(h.db, { accountIds: [id] }), { now: NOW });
          expect(last.errors).toEqual([]);
          for (const e of last.errors) expect(e.error).not.toContain(TOKEN);
        }
        const got = new Map((await h.db.selectFrom('post').select(['platform_post_id', 'text']).where('account_id', '=', id).execute()).map((p) => [p.platform_post_id, p.text]));
        expect(got).toEqual(expected);
      }),
      { numRuns: 10, endOnFailure: true },
    );
  }, 240_000);
});

describe('X mapping of the documented page shape (fixtures)', () => {
  let served: Served;
  beforeAll(async () => {
    const app = new Hono();
    app.get('/2/users/by/username/:u', (c) => c.body(fixture('users-by-username.json'), 200, { 'content-type': 'application/json' }));
    app.get('/2/users/:id/tweets', (c) => c.body(fixture('user-tweets-page.json'), 200, { 'content-type': 'application/json' }));
    served = await serve(app);
  });
  afterAll(async () => {
    await served?.close();
  });

  test('retweet, reply, quote, edit, media-only, entities, partial errors and a record that does not map', async () => {
    const c = createXConnector({ baseUrl: served.url, bearerToken: TOKEN, http: HTTP });
    const page = await c.fetchPage({ id: 1, entityId: 1, platform: 'x', handle: 'TwitterDev', platformAccountId: null, type: 'official', config: {} }, { cursor: null, now: NOW });
    expect(page.done).toBe(true);
    expect(JSON.parse(page.nextCursor!)).toMatchObject({ userId: '2244994945', mode: 'poll', sinceId: '1460323737035677698' });
    expect(page.posts.map((p) => [p.platformPostId, p.isRepost, p.isReply, p.lang])).toEqual([
      ['1460323737035677698', false, false, 'en'],
      ['1459645163232559104', true, false, 'en'],
      ['1458900000000000000', false, true, 'ar'],
      ['1458600000000000000', false, false, 'qme'],
      ['1458400000000000000', false, false, 'zxx'],
    ]);
    const [announce, rt, reply, quote] = page.posts;
    expect(announce).toMatchObject({ metrics: { likes: 556, shares: 175, replies: 29, views: 88213 }, url: 'https://x.com/TwitterDev/status/1460323737035677698' });
    expect(announce.postedAt).toEqual(new Date('2021-11-15T19:08:05.000Z'));
    expect(rt.text).toBe('Q&A: can you use the API <free>? Yes — here is how to get started with the v2 endpoints, step by step https://t.co/abc');
    expect(reply.text).toBe('@suhemparack شكراً على السؤال & المتابعة');
    expect(quote.editedAt).toEqual(new Date('2021-11-11T08:00:00.000Z'));
    expect(quote.postedAt).toEqual(snowflakeTime('1458600000000000000'));
    expect(page.rejected).toEqual([{ ref: 'tweet 1458300000000000000', reason: 'no created_at (request tweet.fields=created_at)', sample: expect.stringContaining('"a record without created_at"') }]);
    expect(page.warnings).toEqual([
      'tweet 1458500000000000000: Not Found Error (Could not find tweet with referenced_tweets.id: [1458500000000000000].)',
      'tweet 1458800000000000000: Authorization Error (Sorry, you are not authorized to see the Tweet with referenced_tweets.id: [1458800000000000000].)',
    ]);
  });
});
