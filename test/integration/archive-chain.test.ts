// Issue 7, tamper evidence and engagement history: every captured version is hashed and chained per account;
// verify-archive recomputes the chains and names the first broken link. Engagement counts are snapshotted
// when they change, not on every unchanged poll.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDb, type DbHandle, type DbKind } from '../../db/client.ts';
import * as m0010 from '../../db/migrations/0010_accounts_archive.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { appendPostVersions, canonicalJson, listEngagementSnapshots } from '../../db/queries/archive.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { savePostsPage } from '../../db/queries/imports.ts';
import type { ImportedPost } from '../../jobs/connectors/types.ts';
import { formatArchiveReport, verifyArchive } from '../../jobs/archive.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const T0 = new Date('2026-11-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function post(id: string, text: string, m: Partial<ImportedPost['metrics']> = {}, extra: Partial<ImportedPost> = {}): ImportedPost {
  return {
    platformPostId: id,
    url: null,
    text,
    lang: 'ar',
    postedAt: new Date('2026-10-30T08:00:00Z'),
    metrics: { likes: 0, shares: 0, replies: 0, views: 0, ...m },
    isReply: false,
    isRepost: false,
    raw: { id, text, nested: { z: 1, a: [1, 'two', null], big: 12345678901234567890 }, emoji: '😀' },
    ...extra,
  };
}

test('canonical JSON sorts keys at every depth and ignores insertion order', () => {
  expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"x":2,"y":1}]},"b":1}');
  expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
});

describe.each(BACKENDS)('the capture archive on %s', (kind) => {
  let h: DbHandle & { url?: string };
  let entityId: number;
  let a1: number;
  let a2: number;
  const account = (id: number) => ({ id, entityId, timezone: 'Asia/Bahrain' });
  const cursorOf = async (id: number) => (await h.db.selectFrom('account').select('import_cursor').where('id', '=', id).executeTakeFirstOrThrow()).import_cursor;
  const page = async (id: number, posts: ImportedPost[], now: Date) => savePostsPage(h.db, account(id), posts, await cursorOf(id), `c${now.getTime()}`, now);
  const versionOf = (accountId: number, platformPostId: string, versionKind: string) =>
    h.db
      .selectFrom('post_version as v')
      .innerJoin('post as p', 'p.id', 'v.post_id')
      .select(['v.id', 'v.post_id', 'v.text', 'v.sha256', 'v.prev_sha256'])
      .where('p.account_id', '=', accountId)
      .where('p.platform_post_id', '=', platformPostId)
      .where('v.kind', '=', versionKind as 'original')
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    h = await testDb(kind);
    entityId = await upsertEntity(h.db, { slug: 'archive', nameAr: 'أرشيف', nameEn: 'Archive' });
    a1 = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'first', type: 'official' });
    a2 = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'second', type: 'official' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('originals, edits and deletions are chained per account in insertion order; verify says OK with counts', async () => {
    await page(a1, [post('1', 'أول منشور', { likes: 1 }), post('2', 'second post'), post('3', 'third')], at(0));
    await page(a2, [post('b1', 'other account')], at(1));
    await page(a1, [post('1', 'أول منشور (معدل)', { likes: 1 }), post('2', 'second post', {}, { deleted: true }), post('4', 'fourth')], at(2));

    const rows = await h.db.selectFrom('post_version').select(['id', 'account_id', 'kind', 'sha256', 'prev_sha256']).orderBy('id').execute();
    const chain1 = rows.filter((r) => r.account_id === a1);
    expect(chain1.map((r) => r.kind)).toEqual(['original', 'original', 'original', 'original', 'edit', 'deleted']);
    expect(chain1[0].prev_sha256).toBeNull();
    for (let i = 1; i < chain1.length; i++) expect(chain1[i].prev_sha256).toBe(chain1[i - 1].sha256);
    for (const r of rows) expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
    const chain2 = rows.filter((r) => r.account_id === a2);
    expect(chain2).toHaveLength(1);
    expect(chain2[0].prev_sha256).toBeNull();

    const report = await verifyArchive(h.db);
    expect(report).toMatchObject({ ok: true, versions: 7, broken: [] });
    expect(report.chains.find((c) => c.accountId === a1)).toMatchObject({ versions: 6, head: chain1[5].sha256 });
    expect(formatArchiveReport(report).at(-1)).toBe(`OK: ${report.accounts} accounts, 7 versions, every chain intact`);
    expect((await verifyArchive(h.db, { accountId: a2 })).versions).toBe(1);
  });

  test("altering a version's text in the database is named: account, post, version and what differs", async () => {
    const edit = await versionOf(a1, '1', 'edit');
    await h.db.updateTable('post_version').set({ text: 'نص مزور' }).where('id', '=', edit.id).execute();
    const report = await verifyArchive(h.db);
    expect(report.ok).toBe(false);
    expect(report.broken).toHaveLength(1);
    expect(report.broken[0]).toMatchObject({ accountId: a1, account: 'x/first', kind: 'content', postId: edit.post_id, platformPostId: '1', versionId: edit.id });
    expect(report.broken[0].message).toMatch(/content no longer matches its sha256/);
    expect(report.broken[0].message).toContain("its text differs from the post's text");
    expect(report.broken[0].message).toContain('نص مزور');
    expect(formatArchiveReport(report)[0]).toBe(
      `BROKEN account ${a1} (x/first), post ${edit.post_id} (platform id "1"), version ${edit.id}: ${report.broken[0].message}`,
    );
    // The other account's chain is still whole.
    expect(report.chains.find((c) => c.accountId === a2)?.broken).toBeNull();
    await h.db.updateTable('post_version').set({ text: edit.text }).where('id', '=', edit.id).execute();
    expect((await verifyArchive(h.db)).ok).toBe(true);
  });

  test('an altered raw payload or capture time, a version removed from the middle or the start are each named', async () => {
    const original = await versionOf(a1, '3', 'original');
    await sql`update post_version set raw = jsonb_set(raw, '{text}', '"changed"') where id = ${original.id}`.execute(h.db);
    let r = await verifyArchive(h.db, { accountId: a1 });
    expect(r.broken[0]).toMatchObject({ kind: 'content', versionId: original.id, platformPostId: '3' });
    expect(r.broken[0].message).toMatch(/raw payload, kind, capture time or post id was changed/);
    await sql`update post_version set raw = jsonb_set(raw, '{text}', '"third"') where id = ${original.id}`.execute(h.db);
    expect((await verifyArchive(h.db, { accountId: a1 })).ok).toBe(true);

    await sql`update post_version set captured_at = captured_at + interval '1 second' where id = ${original.id}`.execute(h.db);
    expect((await verifyArchive(h.db, { accountId: a1 })).broken[0]).toMatchObject({ kind: 'content', versionId: original.id });
    await sql`update post_version set captured_at = captured_at - interval '1 second' where id = ${original.id}`.execute(h.db);

    // Removing a version from the middle breaks the next link.
    const saved = await h.db.selectFrom('post_version').selectAll().where('id', '=', original.id).executeTakeFirstOrThrow();
    await h.db.deleteFrom('post_version').where('id', '=', original.id).execute();
    r = await verifyArchive(h.db, { accountId: a1 });
    expect(r.broken[0].kind).toBe('prev');
    expect(r.broken[0].message).toContain(`(version ${original.id - 1})`);
    expect(r.broken[0].versionId).toBeGreaterThan(original.id);
    await h.db.insertInto('post_version').values({ ...saved, raw: JSON.stringify(saved.raw) }).execute();
    expect((await verifyArchive(h.db, { accountId: a1 })).ok).toBe(true);

    // The first version removed: the new first one still points at a predecessor.
    const first = await versionOf(a2, 'b1', 'original');
    await page(a2, [post('b2', 'another')], at(3));
    const firstRow = await h.db.selectFrom('post_version').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    await h.db.deleteFrom('post_version').where('id', '=', first.id).execute();
    r = await verifyArchive(h.db, { accountId: a2 });
    expect(r.broken[0]).toMatchObject({ kind: 'first', platformPostId: 'b2' });
    await h.db.insertInto('post_version').values({ ...firstRow, raw: JSON.stringify(firstRow.raw) }).execute();
    expect((await verifyArchive(h.db, { accountId: a2 })).ok).toBe(true);
  });

  test('two writers appending to one account at once never fork its chain (advisory lock)', async () => {
    const a3 = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'busy', type: 'official' });
    await page(a3, Array.from({ length: 8 }, (_, i) => post(`p${i}`, `post ${i}`)), at(10));
    const posts = await h.db.selectFrom('post').select(['id', 'platform_post_id']).where('account_id', '=', a3).orderBy('id').execute();
    // Eight concurrent transactions, each appending an edit of every post.
    await Promise.all(
      Array.from({ length: 8 }, (_, w) =>
        h.db.transaction().execute(async (trx) => {
          await appendPostVersions(
            trx,
            a3,
            posts.map((p) => ({ postId: p.id, platformPostId: p.platform_post_id, kind: 'edit' as const, text: `writer ${w}`, rawJson: JSON.stringify({ w }), capturedAt: at(11) })),
          );
        }),
      ),
    );
    const chain = await h.db.selectFrom('post_version').select(['sha256', 'prev_sha256']).where('account_id', '=', a3).orderBy('id').execute();
    expect(chain).toHaveLength(8 + 64);
    expect(new Set(chain.map((c) => c.prev_sha256)).size).toBe(chain.length);
    const r = await verifyArchive(h.db, { accountId: a3 });
    expect(r).toMatchObject({ ok: true, versions: 72 });
  });

  test('engagement snapshots: one at first capture, one per change, none for an unchanged poll', async () => {
    const a4 = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'counts', type: 'official' });
    await page(a4, [post('v', 'viral', { likes: 10, views: 3_000_000_000 })], at(20));
    await page(a4, [post('v', 'viral', { likes: 10, views: 3_000_000_000 })], at(25));
    await page(a4, [post('v', 'viral', { likes: 12, shares: 1, views: 3_000_000_100 })], at(30));
    await page(a4, [post('v', 'viral', { likes: 12, shares: 1, views: 3_000_000_100 })], at(35));
    await page(a4, [post('v', 'viral, edited', { likes: 20, shares: 1, replies: 2, views: 3_000_000_200 })], at(40));
    const { id } = await h.db.selectFrom('post').select('id').where('account_id', '=', a4).executeTakeFirstOrThrow();
    expect(await listEngagementSnapshots(h.db, id)).toEqual([
      { capturedAt: at(20).toISOString(), likes: 10, shares: 0, replies: 0, views: 3_000_000_000 },
      { capturedAt: at(30).toISOString(), likes: 12, shares: 1, replies: 0, views: 3_000_000_100 },
      { capturedAt: at(40).toISOString(), likes: 20, shares: 1, replies: 2, views: 3_000_000_200 },
    ]);
    // The edit took the new counts too.
    expect(await h.db.selectFrom('post').select(['likes', 'replies']).where('id', '=', id).executeTakeFirstOrThrow()).toEqual({ likes: 20, replies: 2 });
    expect(await listEngagementSnapshots(h.db, 999_999_999)).toEqual([]);
  });

  test('the migration hashes the versions captured before it, per account in insertion order, and snapshots every post', async () => {
    const before = await h.db.selectFrom('post_version').select(['id', 'sha256', 'prev_sha256']).orderBy('id').execute();
    const posts = await h.db.selectFrom('post').select('id').execute();
    await m0010.down(h.db);
    // Versions written by an older Mizan: no account_id, no hashes.
    await m0010.up(h.db);
    const after = await h.db.selectFrom('post_version').select(['id', 'sha256', 'prev_sha256']).orderBy('id').execute();
    expect(after).toEqual(before);
    expect((await verifyArchive(h.db)).ok).toBe(true);
    const snaps = await h.db.selectFrom('engagement_snapshot').select('post_id').execute();
    expect(new Set(snaps.map((s) => s.post_id))).toEqual(new Set(posts.map((p) => p.id)));
  });
});

// The CLI contract: `verify-archive [--account ID]` prints OK with counts, or names the first broken link and exits 1.
describe.each(BACKENDS)('npm run cli -- verify-archive on %s', (kind: DbKind) => {
  let dir: string;
  let h: DbHandle & { url?: string };
  let env: Record<string, string>;
  let accountId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mizan-verify-'));
    const base = { ...process.env, MIZAN_DATA_DIR: join(dir, 'data') } as Record<string, string>;
    delete base.DATABASE_URL;
    if (kind === 'pglite') {
      h = await createDb({ dataDir: join(dir, 'data') });
      await migrateToLatest(h.db);
    } else {
      h = await testDb(kind);
      base.DATABASE_URL = h.url!;
    }
    env = base;
    const entityId = await upsertEntity(h.db, { slug: 'cli-archive', nameAr: 'أرشيف', nameEn: 'CLI archive' });
    accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'cli', type: 'official' });
    await savePostsPage(h.db, { id: accountId, entityId, timezone: 'Asia/Bahrain' }, [post('1', 'one'), post('2', 'two')], null, 'c1', at(0));
    // The embedded database allows one process: let the CLI have it.
    if (kind === 'pglite') await h.close();
  });
  afterAll(async () => {
    if (kind !== 'pglite') await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'jobs/cli.ts', ...args], { env, encoding: 'utf8', timeout: 60_000 });
  const tamper = async (text: string) => {
    const db = kind === 'pglite' ? await createDb({ dataDir: join(dir, 'data') }) : h;
    await db.db.updateTable('post_version').set({ text }).where('account_id', '=', accountId).where('kind', '=', 'original').where('text', '=', 'two').execute();
    if (kind === 'pglite') await db.close();
  };

  test('OK with counts, then the tampered version named with exit 1', async () => {
    let r = cli('verify-archive');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/OK: \d+ accounts, 2 versions, every chain intact\n$/);
    expect(r.stdout).toMatch(new RegExp(`account ${accountId} \\(x/cli\\): 2 versions, head [0-9a-f]{64}`));

    await tamper('TAMPERED');
    r = cli('verify-archive', '--account', String(accountId));
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^BROKEN account ${accountId} \\(x/cli\\), post \\d+ \\(platform id "2"\\), version \\d+: its content no longer matches its sha256`));
    expect(r.stdout).toContain('"TAMPERED" in the version, "two" in the post');
  }, 180_000);
});
