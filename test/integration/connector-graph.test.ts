// Facebook Pages and Instagram professional accounts through the real import path, against a fake Graph API:
// paging, polls with `since`, edits and deletions between polls, OAuthException codes, usage headers and faults.
// After the faults stop the captured set equals the fake's timeline, and no stored error carries a token.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { listImportAccounts, upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { createFacebookConnector, createInstagramConnector, type GraphConnectorOptions } from '../../jobs/connectors/graph.ts';
import { clearRateLimitPauses } from '../../jobs/connectors/http.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { importAccounts, type ImportResult } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { graphFixture, startFakeGraph, type FakeGraph } from '../fakes/graph.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const PAGE = '104180105201436';
const IG = '17841405822304914';
const TOKEN = 'good-token-EAABsbCS1iHgBA';
const IG_TOKEN = 'ig-token-EAAGm0PX4ZCpsBA';

const fbTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+0000');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3600_000);

function fbPost(n: number, at: Date, message: string | null, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const id = `${PAGE}_${1000 + n}`;
  return {
    id,
    ...(message === null ? {} : { message }),
    created_time: fbTime(at),
    updated_time: fbTime(at),
    permalink_url: `https://www.facebook.com/${PAGE}/posts/${1000 + n}`,
    status_type: 'mobile_status_update',
    shares: { count: n },
    reactions: { data: [], summary: { total_count: n * 10, viewer_reaction: 'NONE' } },
    comments: { data: [], summary: { order: 'ranked', total_count: n % 3, can_comment: false } },
    ...extra,
  };
}

function igMedia(n: number, at: Date, caption: string | null): Record<string, unknown> {
  return {
    id: String(17900000000000000n + BigInt(n)),
    ...(caption === null ? {} : { caption }),
    timestamp: fbTime(at),
    like_count: n * 7,
    comments_count: n,
    permalink: `https://www.instagram.com/p/P${n}/`,
    media_type: caption === null ? 'IMAGE' : 'CAROUSEL_ALBUM',
    media_product_type: 'FEED',
  };
}

describe.each(BACKENDS)('Graph API connectors through the import, on %s', (kind) => {
  let h: DbHandle;
  let fake: FakeGraph;
  let entityId: number;
  let options: GraphConnectorOptions;
  const logs: string[] = [];
  let deps: JobDeps;

  beforeAll(async () => {
    h = await testDb(kind);
    fake = await startFakeGraph({ tokens: [TOKEN, IG_TOKEN], pageSize: 4 });
    options = { baseUrl: `${fake.url}/v21.0`, accessToken: TOKEN, timeoutMs: 300, retries: 3, backoffMs: 1, maxWaitMs: 50 };
    deps = {
      db: h.db,
      rulebook,
      connectors: { facebook: createFacebookConnector(options), instagram: createInstagramConnector({ ...options, accessToken: IG_TOKEN }) },
      log: (m) => logs.push(m),
    };
    entityId = await upsertEntity(h.db, { slug: `graph-${kind}`, nameAr: 'وزارة الصحة', nameEn: 'Ministry of Health' });
  });
  afterAll(async () => {
    await fake?.close();
    await h?.close();
  });
  afterEach(() => {
    clearRateLimitPauses();
    fake.faults.length = 0;
    fake.usage = 10;
  });

  const run = async (ids: number[]): Promise<ImportResult> => importAccounts(deps, await listImportAccounts(h.db, { accountIds: ids }), { now: NOW, fetchTimeoutMs: 20_000 });
  /** Runs again while an account failed (a fault), as the scheduler would; at most `max` runs. */
  const runUntilClean = async (ids: number[], max = 6) => {
    const all: ImportResult[] = [];
    for (let i = 0; i < max; i++) {
      const r = await run(ids);
      all.push(r);
      if (r.errors.length === 0) return all;
    }
    throw new Error(`still failing after ${max} runs: ${JSON.stringify(all.at(-1)!.errors)}`);
  };
  const captured = async (accountId: number) =>
    (
      await h.db
        .selectFrom('post')
        .select(['platform_post_id', 'text', 'deleted_at', 'likes', 'shares', 'replies', 'is_repost', 'url', 'posted_at', 'raw', 'revision'])
        .where('account_id', '=', accountId)
        .orderBy('platform_post_id')
        .execute()
    ).map((p) => ({ ...p, deleted: p.deleted_at !== null }));
  const accountRow = (id: number) => h.db.selectFrom('account').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const facebookAccount = (handle: string) => upsertAccount(h.db, { entityId, platform: 'facebook', connector: 'facebook', handle, type: 'official' });

  test('a Facebook Page: backfill through paging.next despite 5xx, a timeout, a reset and truncated JSON; the captured set equals the timeline', async () => {
    const fixture = (graphFixture('facebook', 'page-posts.json') as { data: Record<string, unknown>[] }).data;
    const posts = [
      ...fixture,
      ...Array.from({ length: 9 }, (_, i) => fbPost(i + 1, hoursAgo(10 + i * 5), i === 3 ? null : `منشور رقم ${i + 1} من الوزارة`)),
      { id: `${PAGE}_bad`, message: 'no date here', permalink_url: 'https://www.facebook.com/x' },
    ];
    fake.pages.set(PAGE, posts);
    const acc = await facebookAccount(PAGE);
    fake.faults.push({ type: 'status', status: 503 }, { type: 'truncate' }, { type: 'delay', ms: 1500 }, { type: 'status', status: 502 }, { type: 'reset' });

    const runs = await runUntilClean([acc]);
    const last = runs.at(-1)!;
    expect(last.errors).toEqual([]);
    const warnings = runs.flatMap((r) => r.warnings);
    expect(warnings.some((w) => w.includes(`post ${PAGE}_bad`) && w.includes('no created_time (the record has id, message, permalink_url)'))).toBe(true);

    const rows = await captured(acc);
    const expected = posts.filter((p) => p.created_time).map((p) => String(p.id)).sort();
    expect(rows.map((r) => r.platform_post_id)).toEqual(expected);
    const byId = new Map(rows.map((r) => [r.platform_post_id, r]));
    // Entities decoded; a photo without a message is a post with text ''; a share is a repost; counts from the summaries.
    expect(byId.get('104180105201436_139502111669235')).toMatchObject({
      text: 'وزارة الصحة تعلن افتتاح مركز صحي جديد في المحرق & تدعو المواطنين للتسجيل',
      likes: 245,
      replies: 31,
      shares: 12,
      url: 'https://www.facebook.com/104180105201436/posts/139502111669235',
    });
    expect(byId.get('104180105201436_139400000000001')).toMatchObject({ text: '', likes: 3, shares: 0 });
    expect(byId.get('104180105201436_139300000000002')).toMatchObject({ is_repost: true });
    // The offset is kept: 14:45:10+0300 is 11:45:10 UTC.
    expect(new Date(byId.get('104180105201436_139300000000002')!.posted_at).toISOString()).toBe('2026-11-15T11:45:10.000Z');
    expect(byId.get(`${PAGE}_1004`)!.text).toBe('');
    expect((byId.get(`${PAGE}_1001`)!.raw as { id: string }).id).toBe(`${PAGE}_1001`);

    // The cursor names no token, and every request after the first followed paging.next.
    const acct = await accountRow(acc);
    expect(acct.import_cursor).not.toContain(TOKEN);
    expect(JSON.parse(acct.import_cursor!)).toMatchObject({ v: 1, read: null });
    expect(fake.requests.some((r) => r.includes('after='))).toBe(true);
    // The run records the rejected record, never a failure of the platform.
    expect(acct.last_error ?? '').not.toMatch(/^Facebook/);
  });

  test('polls read since the newest post: a new post, an edit and a deletion between polls; updated_time alone is not an edit', async () => {
    const acc = await facebookAccount(PAGE);
    const list = fake.pages.get(PAGE)!;
    const before = await captured(acc);
    // A new post, an edited one, one whose updated_time moved (a comment), one deleted.
    list.push(fbPost(50, hoursAgo(1), 'خبر جديد: افتتاح مدرسة'));
    const edited = list.find((p) => p.id === `${PAGE}_1001`)!;
    edited.message = 'منشور رقم 1 من الوزارة (معدل)';
    edited.updated_time = fbTime(hoursAgo(0.5));
    const touched = list.find((p) => p.id === `${PAGE}_1002`)!;
    touched.updated_time = fbTime(hoursAgo(0.4));
    const gone = list.findIndex((p) => p.id === `${PAGE}_1003`);
    list.splice(gone, 1);

    fake.requests.length = 0;
    const r1 = await run([acc]);
    expect(r1.errors).toEqual([]);
    expect(r1.counts).toMatchObject({ inserted: 1, edited: 1 });
    // Polls ask for `since`, and never go back to the oldest posts.
    expect(fake.requests.every((q) => /[?&]since=\d+/.test(q) || q.includes('after='))).toBe(true);
    expect(fake.requests.length).toBeLessThan(5);
    // The deletion is taken on the second complete read that misses the post.
    const r2 = await run([acc]);
    expect(r2.errors).toEqual([]);
    expect(r2.counts.deleted).toBe(1);

    const rows = await captured(acc);
    const live = rows.filter((r) => !r.deleted).map((r) => r.platform_post_id);
    expect(live).toEqual(list.filter((p) => p.created_time).map((p) => String(p.id)).sort());
    const byId = new Map(rows.map((r) => [r.platform_post_id, r]));
    expect(byId.get(`${PAGE}_1003`)).toMatchObject({ deleted: true, text: before.find((b) => b.platform_post_id === `${PAGE}_1003`)!.text });
    expect(byId.get(`${PAGE}_1001`)!.text).toBe('منشور رقم 1 من الوزارة (معدل)');
    expect(byId.get(`${PAGE}_1002`)!.revision).toBe(before.find((b) => b.platform_post_id === `${PAGE}_1002`)!.revision);
    const versions = await h.db
      .selectFrom('post_version as v')
      .innerJoin('post as p', 'p.id', 'v.post_id')
      .select(['p.platform_post_id', 'v.kind'])
      .where('p.account_id', '=', acc)
      .where('v.kind', '!=', 'original')
      .orderBy('v.kind')
      .execute();
    expect(versions).toEqual([
      { platform_post_id: `${PAGE}_1003`, kind: 'deleted' },
      { platform_post_id: `${PAGE}_1001`, kind: 'edit' },
    ]);
  });

  test('an expired token, a wrong page id and throttling fail their own account with a clear message; other tokens go on; no stored error names a token', async () => {
    const throttled = await facebookAccount('200000000000001');
    const sameToken = await facebookAccount('200000000000002');
    const wrongId = await facebookAccount('999');
    const ig = await upsertAccount(h.db, { entityId, platform: 'instagram', connector: 'instagram', handle: IG, type: 'official' });
    fake.pages.set('200000000000001', [fbPost(60, hoursAgo(3), 'one')]);
    fake.pages.set('200000000000002', [fbPost(61, hoursAgo(3), 'two')]);
    fake.media.set(IG, [igMedia(1, hoursAgo(2), 'صورة')]);

    // Code 80001 with the business-use-case header: paused for the regain time; the second account of the token
    // is not even asked for; Instagram, on another token, imports.
    fake.faults.push({ type: 'oauth', code: 80001, regainMinutes: 19 });
    fake.requests.length = 0;
    const r = await run([throttled, sameToken, wrongId, ig]);
    const errors = new Map(r.errors.map((e) => [e.accountId, e.error]));
    expect(errors.get(throttled)).toMatch(/^Facebook: rate limited until \d\d:\d\d UTC \(Graph API throttling, code 80001\)$/);
    expect(errors.get(sameToken)).toMatch(/^Facebook: rate limited until \d\d:\d\d UTC/);
    expect(errors.get(wrongId)).toMatch(/^Facebook: rate limited until/);
    expect(errors.has(ig)).toBe(false);
    expect(fake.requests.filter((q) => q.includes('/200000000000002/'))).toEqual([]);
    expect(await captured(ig)).toHaveLength(1);

    // Time passes (the pause is forgotten): the wrong id gets its message, the others catch up.
    clearRateLimitPauses();
    const r2 = await run([throttled, sameToken, wrongId]);
    expect(r2.errors).toEqual([
      {
        accountId: wrongId,
        handle: '999',
        error: 'Facebook: "999" is not a Facebook Page id that this token can read (Graph API error 100); check the account\'s handle',
      },
    ]);
    expect(await captured(throttled)).toHaveLength(1);
    expect(await captured(sameToken)).toHaveLength(1);

    // The token is revoked: every account of it fails with the same words.
    fake.tokens.delete(TOKEN);
    try {
      const r3 = await run([throttled, ig]);
      expect(r3.errors).toEqual([{ accountId: throttled, handle: '200000000000001', error: 'Facebook: token expired or revoked (OAuthException 190)' }]);
    } finally {
      fake.tokens.add(TOKEN);
    }
    // Code 4 (the app's limit) without a regain estimate: an hour.
    fake.faults.push({ type: 'oauth', code: 4 });
    const r4 = await run([throttled]);
    expect(r4.errors[0].error).toMatch(/^Facebook: rate limited until .*code 4\)$/);

    const stored = await h.db.selectFrom('account').select('last_error').where('entity_id', '=', entityId).execute();
    const runs = await h.db.selectFrom('import_run').select('error').execute().catch(() => [] as { error: string | null }[]);
    for (const text of [...stored.map((s) => s.last_error), ...runs.map((s) => s.error), ...logs]) {
      expect(text ?? '').not.toContain(TOKEN);
      expect(text ?? '').not.toContain(IG_TOKEN);
    }
  });

  test('usage headers near 100% pause the token after the page they came with; the import resumes from that page', async () => {
    const handle = '300000000000003';
    const posts = Array.from({ length: 10 }, (_, i) => fbPost(100 + i, hoursAgo(100 + i), `post ${i}`));
    fake.pages.set(handle, posts);
    const acc = await facebookAccount(handle);
    fake.usage = 97;
    const r = await run([acc]);
    expect(r.errors[0].error).toMatch(/^Facebook: rate limited until \d\d:\d\d UTC$/);
    expect(await captured(acc)).toHaveLength(4);
    clearRateLimitPauses();
    fake.usage = 10;
    const r2 = await run([acc]);
    expect(r2.errors).toEqual([]);
    expect((await captured(acc)).map((p) => p.platform_post_id)).toEqual(posts.map((p) => String(p.id)).sort());
  });

  test('a repeated page does not end the backfill early: the account fails and resumes from that page', async () => {
    const handle = '400000000000004';
    const posts = Array.from({ length: 11 }, (_, i) => fbPost(200 + i, hoursAgo(200 + i), `p${i}`));
    fake.pages.set(handle, posts);
    const acc = await facebookAccount(handle);
    fake.faults.push({ type: 'status', status: 500 }, { type: 'none' }, { type: 'repeat' });
    const runs = await runUntilClean([acc]);
    expect(runs.length).toBeGreaterThan(1);
    expect(runs[0].errors[0].error).toContain('repeats the page just read');
    expect((await captured(acc)).map((p) => p.platform_post_id)).toEqual(posts.map((p) => String(p.id)).sort());
  });

  test('Instagram: captionless media, hidden like counts, paging and polls', async () => {
    const handle = '17841400000000005';
    const fixture = (graphFixture('instagram', 'media.json') as { data: Record<string, unknown>[] }).data;
    const media = [...fixture, ...Array.from({ length: 6 }, (_, i) => igMedia(i + 1, hoursAgo(30 + i), i % 2 ? null : `تعليق ${i} &quot;مهم&quot;`))];
    fake.media.set(handle, media);
    const acc = await upsertAccount(h.db, { entityId, platform: 'instagram', connector: 'instagram', handle, type: 'official' });
    fake.faults.push({ type: 'status', status: 503 }, { type: 'truncate' });
    await runUntilClean([acc]);
    let rows = await captured(acc);
    expect(rows.map((r) => r.platform_post_id)).toEqual(media.map((m) => String(m.id)).sort());
    const byId = new Map(rows.map((r) => [r.platform_post_id, r]));
    expect(byId.get('17895695668004550')).toMatchObject({ text: '', likes: 88 });
    expect(byId.get('18027939643230671')).toMatchObject({ likes: 0, replies: 4, url: 'https://www.instagram.com/reel/C9vGhi56JkL/' });
    expect(byId.get('17900000000000001')!.text).toBe('تعليق 0 "مهم"');

    media.push(igMedia(9, hoursAgo(0.2), 'جديد'));
    (media.find((m) => m.id === '17900000000000003')!).caption = 'تعليق 2 بعد التعديل';
    const r = await run([acc]);
    expect(r.errors).toEqual([]);
    expect(r.counts).toMatchObject({ inserted: 1, edited: 1 });
    rows = await captured(acc);
    expect(rows.map((x) => x.platform_post_id)).toEqual(media.map((m) => String(m.id)).sort());
  });

  test("an account's own token overrides the global one, and the cursor keeps no token", async () => {
    const handle = '500000000000005';
    fake.pages.set(handle, [fbPost(300, hoursAgo(5), 'a'), fbPost(301, hoursAgo(6), 'b'), fbPost(302, hoursAgo(7), 'c'), fbPost(303, hoursAgo(8), 'd'), fbPost(304, hoursAgo(9), 'e')]);
    const connector = createFacebookConnector({ ...options, accessToken: 'not-a-valid-token' });
    const account = { id: 1, entityId, platform: 'facebook', handle, platformAccountId: null, type: 'official' as const, config: {}, token: TOKEN };
    const page = await connector.fetchPage(account, { cursor: null, now: NOW });
    expect(page.posts).toHaveLength(4);
    expect(page.done).toBe(false);
    expect(page.nextCursor).not.toContain(TOKEN);
    const page2 = await connector.fetchPage(account, { cursor: page.nextCursor, now: NOW });
    expect(page2.posts.map((p) => p.platformPostId)).toEqual([`${PAGE}_1304`]);
    expect(page2.done).toBe(true);
    await expect(connector.fetchPage({ ...account, token: null }, { cursor: null, now: NOW })).rejects.toThrow('Facebook: token expired or revoked (OAuthException 190)');
  });
});
