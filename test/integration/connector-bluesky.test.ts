// The Bluesky connector through the real import path against a fake AppView: backfill with cursor, polls that stop at
// the newest captured item, reposts and replies, faults, IETF RateLimit-* 429s waited out or failed with the time.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { createBlueskyConnector } from '../../jobs/connectors/bluesky.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { FakeBluesky, type FakeFeedItem } from '../fakes/bluesky.ts';
import { serve, type Served } from '../fakes/serve.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const HTTP = { timeoutMs: 400, retries: 3, backoffMs: 5, maxWaitMs: 5000 };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/platforms/bluesky/${name}`, import.meta.url), 'utf8');
const idOf = (it: FakeFeedItem) => it.reason?.uri ?? it.post.uri;

describe.each(BACKENDS)('Bluesky connector through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeBluesky;
  let served: Served;
  let deps: JobDeps;
  let entityId: number;

  beforeAll(async () => {
    h = await testDb(kind);
    fake = new FakeBluesky({ slowMs: 1200 });
    served = await fake.start();
    deps = { db: h.db, rulebook, connectors: { bluesky: createBlueskyConnector({ baseUrl: served.url, http: HTTP }) }, log: () => {} };
    entityId = await upsertEntity(h.db, { slug: 'bsky-entity', nameAr: 'جهة', nameEn: 'Bluesky entity' });
  });
  afterAll(async () => {
    await served?.close();
    await h?.close();
  });
  beforeEach(() => clearRateLimitPauses());

  const register = (handle: string) => upsertAccount(h.db, { entityId, platform: 'bluesky', connector: 'bluesky', handle, type: 'official' });
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
    for (const it of fake.timeline(handle)) m.set(idOf(it), it.post.record.text);
    published.set(handle, m);
    return m;
  };
  const capturedTexts = async (accountId: number) =>
    new Map((await h.db.selectFrom('post').select(['platform_post_id', 'text']).where('account_id', '=', accountId).execute()).map((p) => [p.platform_post_id, p.text]));

  test('backfill, reposts, replies and languages; a poll stops at the newest captured item; deletions keep the copy', async () => {
    const other = { handle: 'citizen.example', did: fake.addActor('citizen.example') };
    fake.addActor('ministry.example.gov');
    const first = fake.post('ministry.example.gov', { text: 'أول منشور', langs: ['ar'], likes: 3, reposts: 2, quotes: 1, replies: 4 });
    for (let i = 0; i < 230; i++) fake.post('ministry.example.gov', { text: `خبر ${i}`, langs: i % 2 ? ['ar', 'en'] : undefined });
    const rp = fake.repost('ministry.example.gov', other, { text: 'reposted words', langs: ['en'] });
    const reply = fake.post('ministry.example.gov', { text: '', replyTo: first.post.uri, langs: ['und'] });
    const id = await register('ministry.example.gov');
    const r1 = await run([id]);
    expect(r1.errors).toEqual([]);
    expect(r1.counts).toMatchObject({ inserted: 233, pages: 4 }); // the AppView ends with an empty page
    expect(await capturedTexts(id)).toEqual(track('ministry.example.gov'));
    const row = (pid: string) => h.db.selectFrom('post').selectAll().where('account_id', '=', id).where('platform_post_id', '=', pid).executeTakeFirstOrThrow();
    expect(await row(first.post.uri)).toMatchObject({ likes: 3, shares: 3, replies: 4, lang: 'ar', is_repost: false, is_reply: false });
    expect(await row(rp.reason!.uri)).toMatchObject({ text: 'reposted words', is_repost: true, lang: 'en' });
    expect(new Date((await row(rp.reason!.uri)).posted_at)).toEqual(new Date(rp.reason!.indexedAt));
    expect(await row(reply.post.uri)).toMatchObject({ text: '', is_reply: true, lang: 'und' });

    for (let i = 0; i < 30; i++) fake.post('ministry.example.gov', { text: `جديد ${i}` });
    fake.remove('ministry.example.gov', first.post.uri);
    fake.log.requests.length = 0;
    const r2 = await run([id]);
    expect(r2.counts).toMatchObject({ inserted: 30, pages: 1 });
    expect(fake.log.requests).toHaveLength(1);
    expect(await capturedTexts(id)).toEqual(track('ministry.example.gov'));

    // A recent post deleted: two polls in a row miss it in the newest page, and it is marked deleted, its copy kept.
    const recentUri = (await h.db.selectFrom('post').select('platform_post_id').where('account_id', '=', id).where('text', '=', 'جديد 29').executeTakeFirstOrThrow()).platform_post_id;
    fake.remove('ministry.example.gov', recentUri);
    expect((await run([id])).counts).toMatchObject({ inserted: 0, deleted: 0 });
    expect((await run([id])).counts).toMatchObject({ inserted: 0, deleted: 1 });
    expect(await row(recentUri)).toMatchObject({ text: 'جديد 29' });
    expect((await row(recentUri)).deleted_at).not.toBeNull();

    for (let i = 0; i < 150; i++) fake.post('ministry.example.gov', { text: `لاحق ${i}` });
    const r3 = await run([id]);
    expect(r3.counts).toMatchObject({ inserted: 150, pages: 2 });
    expect(await capturedTexts(id)).toEqual(track('ministry.example.gov'));
  });

  test('faults: the captured set equals the feed once they stop', async () => {
    fake.addActor('faulty.example');
    for (let i = 0; i < 450; i++) fake.post('faulty.example', { text: `منشور ${i}` });
    const id = await register('faulty.example');
    fake.inject({ kind: '429', resetSeconds: 1 }, { kind: '503' }, { kind: 'repeat' }, { kind: 'reset' }, { kind: 'truncated' }, { kind: 'repeat' }, { kind: 'slow' }, { kind: 'malformed' });
    await catchUp([id]);
    expect(await capturedTexts(id)).toEqual(track('faulty.example'));
    for (let i = 0; i < 220; i++) fake.post('faulty.example', { text: `لاحق ${i}` });
    fake.inject({ kind: 'repeat' }, { kind: 'repeat' }, { kind: 'repeat' }, { kind: 'repeat' }, { kind: '502' }, { kind: '500' });
    await catchUp([id]);
    expect(await capturedTexts(id)).toEqual(track('faulty.example'));
  });

  test('a 429 with a far reset fails with "Bluesky: rate limited until HH:MM UTC"; an unknown actor names the problem', async () => {
    fake.addActor('limited.example');
    fake.post('limited.example', { text: 'x' });
    const id = await register('limited.example');
    fake.inject({ kind: '429', resetSeconds: 1800 });
    const r = await run([id]);
    expect(r.errors[0].error).toMatch(/^Bluesky: rate limited until \d{2}:\d{2} UTC$/);
    clearRateLimitPauses();
    const ghost = await register('nobody.example');
    const g = await run([ghost]);
    expect(g.errors[0].error).toBe('Bluesky: HTTP 400 for /xrpc/app.bsky.feed.getAuthorFeed: Profile not found');
  });
});

describe('Bluesky mapping of the documented shape (fixture)', () => {
  let served: Served;
  beforeAll(async () => {
    const app = new Hono();
    app.get('/xrpc/app.bsky.feed.getAuthorFeed', (c) => (c.req.query('cursor') ? c.json({ feed: [] }) : c.body(fixture('author-feed.json'), 200, { 'content-type': 'application/json' })));
    served = await serve(app);
  });
  afterAll(async () => {
    await served?.close();
  });

  test('a post, a repost, a reply without text, and a record that does not map', async () => {
    const c = createBlueskyConnector({ baseUrl: served.url, http: HTTP });
    const page = await c.fetchPage({ id: 1, entityId: 1, platform: 'bluesky', handle: 'bsky.app', platformAccountId: null, type: 'official', config: {} }, { cursor: null, now: NOW });
    expect(page.done).toBe(false);
    expect(page.posts.map((p) => [p.platformPostId, p.isRepost, p.isReply, p.lang, p.text])).toEqual([
      ['at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l', false, false, 'en', 'Bluesky now has over 13 million users! 🦋 & counting'],
      ['at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.repost/3l6ovaaaaaaaa', true, false, 'ar', 'بيان صحفي: افتتاح المركز الجديد'],
      ['at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6ot4m4bb42d', false, true, 'qme', ''],
    ]);
    expect(page.posts[0]).toMatchObject({ metrics: { likes: 60372, shares: 10811, replies: 4316, views: 0 }, url: 'https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l' });
    expect(page.posts[1].postedAt).toEqual(new Date('2024-10-16T20:00:00.000Z'));
    expect(page.posts[1].url).toBe('https://bsky.app/profile/ministry.example.gov/post/3l6ouzzzzzzzz');
    expect(page.rejected).toEqual([{ ref: 'post at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6osbroken', reason: 'no record.createdAt', sample: expect.stringContaining('no date here') }]);
    const last = await c.fetchPage({ id: 1, entityId: 1, platform: 'bluesky', handle: 'bsky.app', platformAccountId: null, type: 'official', config: {} }, { cursor: page.nextCursor, now: NOW });
    expect(last).toMatchObject({ posts: [], done: true });
    expect(JSON.parse(last.nextCursor!)).toMatchObject({ mode: 'poll', seenAt: '2024-10-16T21:02:03.251Z' });
  });
});
