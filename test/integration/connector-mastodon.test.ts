// The Mastodon connector through the real import path against a fake instance: backfill with Link paging, polls that
// capture new statuses and edits, HTML to text, reblogs, faults, X-RateLimit-* 429s waited out or failed with the time.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import { createMastodonConnector, statusText, type MastodonStatus } from '../../jobs/connectors/mastodon.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { FakeMastodon } from '../fakes/mastodon.ts';
import { serve, type Served } from '../fakes/serve.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const HTTP = { timeoutMs: 400, retries: 3, backoffMs: 5, maxWaitMs: 5000 };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/platforms/mastodon/${name}`, import.meta.url), 'utf8');

describe.each(BACKENDS)('Mastodon connector through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeMastodon;
  let served: Served;
  let deps: JobDeps;
  let entityId: number;

  beforeAll(async () => {
    h = await testDb(kind);
    fake = new FakeMastodon({ slowMs: 1200 });
    served = await fake.start();
    deps = { db: h.db, rulebook, connectors: { mastodon: createMastodonConnector({ http: HTTP }) }, log: () => {} };
    entityId = await upsertEntity(h.db, { slug: 'masto-entity', nameAr: 'جهة', nameEn: 'Mastodon entity' });
  });
  afterAll(async () => {
    await served?.close();
    await h?.close();
  });
  beforeEach(() => clearRateLimitPauses());

  const register = (handle: string) => upsertAccount(h.db, { entityId, platform: 'mastodon', connector: 'mastodon', handle, type: 'official', url: served.url, config: { url: served.url } });
  const run = async (ids: number[]) => importAccounts(deps, await listImportAccounts(h.db, { accountIds: ids }), { now: NOW });
  const catchUp = async (ids: number[], max = 8) => {
    const errors: string[] = [];
    for (let i = 0; i < max; i++) {
      const r = await run(ids);
      if (r.errors.length === 0 && fake.faults.length === 0) return errors;
      errors.push(...r.errors.map((e) => e.error));
    }
    throw new Error(`did not catch up: ${errors.join(' | ')}`);
  };
  const published = new Map<string, Map<string, string>>();
  const track = (handle: string) => {
    const m = published.get(handle) ?? new Map<string, string>();
    for (const s of fake.timeline(handle)) m.set(s.id, statusText((s.reblog ?? s) as unknown as MastodonStatus));
    published.set(handle, m);
    return m;
  };
  const capturedTexts = async (accountId: number) =>
    new Map((await h.db.selectFrom('post').select(['platform_post_id', 'text']).where('account_id', '=', accountId).execute()).map((p) => [p.platform_post_id, p.text]));

  test('backfill and polls: HTML to text, content warnings, reblogs, replies, edits keep the id, deletions keep the copy', async () => {
    fake.addAccount('ministry');
    const foreign = fake.foreign({ content: '<p>نص &quot;أصلي&quot;<br>سطر ثان</p>', language: 'ar' });
    const first = fake.post('ministry', { content: '<p>مرحبا &amp; أهلا</p><p>فقرة ثانية</p>', likes: 4, reblogs: 2, replies: 1 });
    for (let i = 0; i < 100; i++) fake.post('ministry', { content: `<p>خبر ${i}</p>`, language: i % 2 ? 'ar' : null });
    const boost = fake.post('ministry', { content: '', reblogOf: foreign });
    const cw = fake.post('ministry', { content: '<p>details</p>', spoiler: 'تحذير', language: 'en', replyTo: '123' });
    const id = await register('ministry');

    const r1 = await run([id]);
    expect(r1.errors).toEqual([]);
    expect(r1.counts).toMatchObject({ inserted: 103, failedAccounts: 0 });
    expect(await capturedTexts(id)).toEqual(track('ministry'));
    const row = (pid: string) => h.db.selectFrom('post').selectAll().where('account_id', '=', id).where('platform_post_id', '=', pid).executeTakeFirstOrThrow();
    expect(await row(first.id)).toMatchObject({ text: 'مرحبا & أهلا\n\nفقرة ثانية', likes: 4, shares: 2, replies: 1, lang: 'ar', is_repost: false });
    expect(await row(boost.id)).toMatchObject({ text: 'نص "أصلي"\nسطر ثان', is_repost: true, lang: 'ar' });
    expect(await row(cw.id)).toMatchObject({ text: 'تحذير\n\ndetails', is_reply: true, lang: 'en' });
    expect(((await row(first.id)).raw as MastodonStatus).content).toBe('<p>مرحبا &amp; أهلا</p><p>فقرة ثانية</p>');

    // A poll: 20 new statuses, an edit of a recent one (within the newest page, which every poll reads again), a deletion.
    for (let i = 0; i < 20; i++) fake.post('ministry', { content: `<p>جديد ${i}</p>` });
    fake.edit('ministry', cw.id, '<p>details, corrected</p>');
    fake.remove('ministry', boost.id);
    fake.log.requests.length = 0;
    const r2 = await run([id]);
    expect(r2.errors).toEqual([]);
    expect(r2.counts).toMatchObject({ inserted: 20, edited: 1 });
    expect(fake.log.requests.map((q) => q.query)).toEqual(['?limit=40']);
    expect(await capturedTexts(id)).toEqual(track('ministry'));
    expect((await row(cw.id)).text).toBe('تحذير\n\ndetails, corrected');
    expect((await row(cw.id)).edited_at).not.toBeNull();
    // The next poll misses the deleted boost a second time in the newest page: it is marked deleted, its copy kept.
    expect((await row(boost.id)).deleted_at).toBeNull();
    const again = await run([id]);
    expect(again.counts).toMatchObject({ inserted: 0, deleted: 1 });
    expect((await row(boost.id)).deleted_at).not.toBeNull();
    expect((await row(boost.id)).text).not.toBe('');

    // A longer gap: the poll pages back with max_id and since_id down to the newest status already captured.
    for (let i = 0; i < 70; i++) fake.post('ministry', { content: `<p>بعد ${i}</p>` });
    fake.log.requests.length = 0;
    const r3 = await run([id]);
    expect(r3.counts).toMatchObject({ inserted: 70 });
    const paged = expect.stringMatching(/^\?limit=40&max_id=\d+&since_id=\d+$/);
    expect(fake.log.requests.map((q) => q.query)).toEqual(['?limit=40', paged, paged]); // the last page is empty, as Mastodon ends
    expect(await capturedTexts(id)).toEqual(track('ministry'));
  });

  test('faults during backfill and polls: the captured set equals the timeline once they stop', async () => {
    fake.addAccount('faulty');
    for (let i = 0; i < 300; i++) fake.post('faulty', { content: `<p>منشور ${i}</p>` });
    const id = await register('faulty');
    fake.inject({ kind: '429', resetSeconds: 1 }, { kind: '502' }, { kind: 'repeat' }, { kind: 'reset' }, { kind: 'slow' }, { kind: 'malformed' }, { kind: 'repeat' }, { kind: '503' });
    fake.inject({ kind: 'truncated' }, { kind: 'repeat' }, { kind: '500' });
    await catchUp([id]);
    expect(await capturedTexts(id)).toEqual(track('faulty'));
    for (let i = 0; i < 90; i++) fake.post('faulty', { content: `<p>لاحق ${i}</p>` });
    fake.inject({ kind: 'repeat' }, { kind: 'repeat' }, { kind: 'repeat' }, { kind: 'repeat' }, { kind: 'truncated' }, { kind: '502' });
    await catchUp([id]);
    expect(await capturedTexts(id)).toEqual(track('faulty'));
  });

  test('a 429 with a far reset fails with "Mastodon: rate limited until HH:MM UTC" and sends nothing more to that instance', async () => {
    fake.addAccount('limited');
    fake.post('limited', { content: '<p>x</p>' });
    const id = await register('limited');
    fake.inject({ kind: '429', resetSeconds: 1800 });
    fake.log.requests.length = 0;
    const r = await run([id]);
    expect(r.errors[0].error).toMatch(/^Mastodon: rate limited until \d{2}:\d{2} UTC$/);
    const again = await run([id]);
    expect(again.errors[0].error).toMatch(/^Mastodon: rate limited until/);
    expect(fake.log.requests).toHaveLength(1);
  });
});

describe('Mastodon mapping of the documented shapes (fixtures)', () => {
  let served: Served;
  beforeAll(async () => {
    const app = new Hono();
    app.get('/api/v1/accounts/lookup', (c) => c.body(fixture('accounts-lookup.json'), 200, { 'content-type': 'application/json' }));
    app.get('/api/v1/accounts/:id/statuses', (c) => c.body(fixture('account-statuses.json'), 200, { 'content-type': 'application/json' }));
    served = await serve(app);
  });
  afterAll(async () => {
    await served?.close();
  });

  test('links, mentions, entities, a reblog, a content warning with an edit, a media-only status, and a record that does not map', async () => {
    const c = createMastodonConnector({ http: HTTP });
    const page = await c.fetchPage(
      { id: 1, entityId: 1, platform: 'mastodon', handle: 'noiob', platformAccountId: null, type: 'official', config: {}, url: `${served.url}/@noiob` },
      { cursor: null, now: NOW },
    );
    expect(page.done).toBe(true);
    expect(JSON.parse(page.nextCursor!)).toMatchObject({ accountId: '23634', mode: 'poll', sinceId: '103270115826048975' });
    expect(page.posts.map((p) => [p.platformPostId, p.isRepost, p.isReply, p.lang, p.text])).toEqual([
      ['103270115826048975', false, false, 'en', '"I lost my inheritance with one wrong digit on my sort code"\n\nhttps://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code'],
      ['103270100000000000', true, false, 'ar', 'إعلان رسمي:\nيبدأ الدوام الساعة 7 & ينتهي الساعة 2'],
      ['103269000000000000', false, true, 'en', 'politics\n\n@someone I disagree — see this'],
      ['103268500000000000', false, false, 'en', ''],
    ]);
    expect(page.posts[0]).toMatchObject({ metrics: { likes: 11, shares: 6, replies: 5, views: 0 }, url: 'https://mastodon.social/@Gargron/103270115826048975' });
    expect(page.posts[0].postedAt).toEqual(new Date('2019-12-08T03:48:33.901Z'));
    expect(page.posts[2].editedAt).toEqual(new Date('2019-12-08T01:00:00.000Z'));
    expect(page.rejected).toEqual([{ ref: 'status 103268400000000000', reason: 'created_at "yesterday" is not a date', sample: expect.stringContaining('yesterday') }]);
  });
});
