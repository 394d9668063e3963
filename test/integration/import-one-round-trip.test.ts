// Issue 11, import speed with issue 7's guarantees: a page of new posts is written in one statement (one round trip)
// when the importer knows its account's chain head; its guard (migration 0019) refuses a moved cursor, falls back to
// the locked path when the chain moved or a post of the page is stored already, and the archive chain stays intact.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { ConcurrentImportError, savePostsPage, type ChainHint } from '../../db/queries/imports.ts';
import { startImportRun } from '../../db/queries/import-runs.ts';
import { listImportAccounts } from '../../db/queries/accounts.ts';
import type { Connector, ImportedPost } from '../../jobs/connectors/types.ts';
import { verifyArchive } from '../../jobs/archive.ts';
import { importAccounts } from '../../jobs/import.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

function post(id: string, text: string, likes = 0): ImportedPost {
  return {
    platformPostId: id,
    url: `https://x.com/a/status/${id}`,
    text,
    lang: 'ar',
    postedAt: new Date(`2026-11-${String(1 + (Number(id) % 18)).padStart(2, '0')}T08:00:00Z`),
    metrics: { likes, shares: 1, replies: 0, views: 10 },
    isReply: false,
    isRepost: false,
    raw: { id, text, nested: { b: [1, 'ب'], a: null } },
  };
}
const posts = (from: number, n: number) => Array.from({ length: n }, (_, i) => post(String(from + i), `منشور رقم ${from + i} عن الخدمات`));

describe.each(BACKENDS)('a page written in one round trip on %s', (kind) => {
  let h: DbHandle;
  let entityId: number;
  let n = 0;
  const newAccount = async () => {
    const id = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'x', handle: `acc${++n}`, type: 'official' });
    return { id, entityId, timezone: 'Asia/Bahrain' };
  };
  const stored = async (accountId: number) => {
    const count = (t: 'post' | 'post_version') =>
      h.db.selectFrom(t).select((eb) => eb.fn.countAll<string>().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow().then((r) => Number(r.n));
    const snapshots = await h.db
      .selectFrom('engagement_snapshot as s')
      .innerJoin('post as p', 'p.id', 's.post_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('p.account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    const queued = await h.db
      .selectFrom('score_pending as q')
      .innerJoin('post as p', 'p.id', 'q.post_id')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('p.account_id', '=', accountId)
      .executeTakeFirstOrThrow();
    const { import_cursor } = await h.db.selectFrom('account').select('import_cursor').where('id', '=', accountId).executeTakeFirstOrThrow();
    return { posts: await count('post'), versions: await count('post_version'), snapshots: Number(snapshots.n), queued: Number(queued.n), cursor: import_cursor };
  };

  beforeAll(async () => {
    h = await testDb(kind);
    entityId = await upsertEntity(h.db, { slug: 'e', nameAr: 'جهة', nameEn: 'Entity' });
  });
  afterAll(async () => h?.close());

  test('new posts: the same rows, versions, snapshots, queue and chain as the locked path; the hint follows the head', async () => {
    const fast = await newAccount();
    const locked = await newAccount();
    const run = await startImportRun(h.db, fast.id, NOW, null);
    expect(run.head).toBeNull();
    const chain: ChainHint = { head: run.head };
    expect(await savePostsPage(h.db, fast, posts(1, 700), null, '1', NOW, chain)).toMatchObject({ inserted: 700, edited: 0, skipped: 0 });
    expect(await savePostsPage(h.db, fast, posts(701, 300), '1', '2', NOW, chain)).toMatchObject({ inserted: 300 });
    await savePostsPage(h.db, locked, posts(1, 700), null, '1', NOW);
    await savePostsPage(h.db, locked, posts(701, 300), '1', '2', NOW);
    const a = await stored(fast.id);
    expect(a).toEqual({ posts: 1000, versions: 1000, snapshots: 1000, queued: 1000, cursor: '2' });
    expect(await stored(locked.id)).toEqual(a);
    const report = await verifyArchive(h.db, { accountId: fast.id });
    expect(report).toMatchObject({ ok: true, versions: 1000 });
    expect(chain).toEqual({ head: report.chains[0].head });
    expect((await startImportRun(h.db, fast.id, NOW, null)).head).toBe(chain.head);
  });

  test('a head that moved meanwhile: the locked path saves the page, chained to the real head', async () => {
    const account = await newAccount();
    const chain: ChainHint = { head: null };
    await savePostsPage(h.db, account, posts(1, 3), null, '1', NOW, chain);
    const stale: ChainHint = { head: 'f'.repeat(64) };
    expect(await savePostsPage(h.db, account, posts(4, 3), '1', '2', NOW, stale)).toMatchObject({ inserted: 3 });
    expect(stale.head).not.toBe('f'.repeat(64));
    expect(await verifyArchive(h.db, { accountId: account.id })).toMatchObject({ ok: true, versions: 6 });
    expect(await stored(account.id)).toMatchObject({ posts: 6, cursor: '2' });
  });

  test('a page with a stored post (an edit): the locked path records the edit, and the run keeps to it', async () => {
    const account = await newAccount();
    const chain: ChainHint = { head: null };
    await savePostsPage(h.db, account, posts(1, 3), null, '1', NOW, chain);
    const page = [{ ...post('2', 'نص معدل'), metrics: { likes: 5, shares: 1, replies: 0, views: 10 } }, ...posts(4, 2)];
    expect(await savePostsPage(h.db, account, page, '1', '2', NOW, chain)).toMatchObject({ inserted: 2, edited: 1 });
    expect(chain.fresh).toBe(false);
    expect(await savePostsPage(h.db, account, posts(6, 2), '2', '3', NOW, chain)).toMatchObject({ inserted: 2 });
    expect(await verifyArchive(h.db, { accountId: account.id })).toMatchObject({ ok: true, versions: 8 });
    expect(await stored(account.id)).toMatchObject({ posts: 7, versions: 8, cursor: '3' });
    // Re-importing the same pages stores nothing twice.
    expect(await savePostsPage(h.db, account, posts(6, 2), '3', '4', NOW, { head: chain.head })).toMatchObject({ inserted: 0, unchanged: 2 });
    expect(await stored(account.id)).toMatchObject({ posts: 7, versions: 8, cursor: '4' });
  });

  test('a moved cursor is refused and nothing of the page is kept', async () => {
    const account = await newAccount();
    const chain: ChainHint = { head: null };
    await savePostsPage(h.db, account, posts(1, 2), null, '1', NOW, chain);
    const before = await stored(account.id);
    await expect(savePostsPage(h.db, account, posts(3, 2), '0', '2', NOW, chain)).rejects.toThrow(ConcurrentImportError);
    expect(await stored(account.id)).toEqual(before);
  });

  test('two importers save the same page at once: one is kept, the other refused; the chain stays whole', async () => {
    const account = await newAccount();
    await savePostsPage(h.db, account, posts(1, 2), null, '1', NOW, { head: null });
    const head = (await startImportRun(h.db, account.id, NOW, null)).head;
    const outcomes = await Promise.allSettled([
      savePostsPage(h.db, account, posts(3, 200), '1', '2', NOW, { head }),
      savePostsPage(h.db, account, posts(3, 200), '1', '2', NOW, { head }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(ConcurrentImportError);
    expect(await stored(account.id)).toMatchObject({ posts: 202, versions: 202, cursor: '2' });
    expect(await verifyArchive(h.db, { accountId: account.id })).toMatchObject({ ok: true, versions: 202 });
  });

  test('the next page is fetched while one is written, never past the page limit; a failed fetch leaves the saved pages', async () => {
    const account = await newAccount();
    await h.db.updateTable('account').set({ connector: 'paged' }).where('id', '=', account.id).execute();
    const log: string[] = [];
    let failAt = -1;
    // Five pages of two posts; the cursor is the number of pages read.
    const paged: Connector = {
      platform: 'x',
      async fetchPage(_a, ctx) {
        const page = Number(ctx.cursor ?? 0);
        log.push(`fetch ${page}`);
        if (page === failAt) throw new Error('the platform failed');
        return { posts: posts(1000 + page * 2, 2), nextCursor: String(page + 1), done: page === 4 };
      },
    };
    const deps = { db: h.db, rulebook: loadRulebook(), connectors: { paged }, log: () => {} };
    const run = async (maxPagesPerAccount: number) =>
      importAccounts(deps, await listImportAccounts(h.db, { accountIds: [account.id] }), {
        now: NOW,
        maxPagesPerAccount,
        onProgress: (p) => log.push(`saved ${p.pages}`),
      });
    expect((await run(3)).counts).toMatchObject({ pages: 3, inserted: 6 });
    expect(log).toEqual(['fetch 0', 'fetch 1', 'saved 1', 'fetch 2', 'saved 2', 'saved 3']);
    log.length = 0;
    failAt = 4;
    const failed = await run(10);
    expect(failed.counts).toMatchObject({ pages: 1, inserted: 2 });
    expect(failed.errors[0].error).toBe('the platform failed');
    expect(log).toEqual(['fetch 3', 'fetch 4', 'saved 1']);
    expect(await stored(account.id)).toMatchObject({ posts: 8, versions: 8, cursor: '4' });
    expect(await verifyArchive(h.db, { accountId: account.id })).toMatchObject({ ok: true, versions: 8 });
  });
});
