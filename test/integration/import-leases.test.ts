// Several workers share one round of imports through account leases: every account is imported exactly
// once, none twice at once, and the account of a worker that died is taken over when its lease runs out.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { extendAccountLease, leaseNextAccount } from '../../db/queries/account-leases.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import type { Connector, ImportedPost } from '../../jobs/connectors/types.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const rulebook = loadRulebook();
const ROUND = new Date('2026-11-20T09:00:00Z');
const ACCOUNTS = 24;

/** Every account has three posts, one page each; counts fetches and notices two fetches of one account at once. */
function countingSource() {
  const fetches = new Map<string, number>();
  const inFlight = new Set<string>();
  let overlaps = 0;
  const connector: Connector = {
    platform: 'counting',
    async fetchPage(account, ctx) {
      if (inFlight.has(account.handle)) overlaps++;
      inFlight.add(account.handle);
      try {
        await new Promise((r) => setTimeout(r, 5));
        const page = ctx.cursor ? Number(ctx.cursor) : 0;
        if (page > 2) return { posts: [], nextCursor: ctx.cursor, done: true };
        if (page === 0) fetches.set(account.handle, (fetches.get(account.handle) ?? 0) + 1);
        const post: ImportedPost = {
          platformPostId: `${account.handle}-${page}`,
          url: null,
          text: `خبر ${page}`,
          lang: 'ar',
          postedAt: new Date(Date.UTC(2026, 10, 1, page)),
          metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
          isReply: false,
          isRepost: false,
          raw: {},
        };
        return { posts: [post], nextCursor: String(page + 1), done: page === 2 };
      } finally {
        inFlight.delete(account.handle);
      }
    },
  };
  return { connector, fetches, overlaps: () => overlaps };
}

describe.each(BACKENDS)('import leases on %s', (kind) => {
  let h: DbHandle;
  let ids: number[];
  beforeAll(async () => {
    h = await testDb(kind);
    const entityId = await upsertEntity(h.db, { slug: 'leases', nameAr: 'جهة', nameEn: 'Leases' });
    ids = [];
    for (let i = 0; i < ACCOUNTS; i++) ids.push(await upsertAccount(h.db, { entityId, platform: 'x', connector: 'counting', handle: `acct_${i}`, type: 'official' }));
  });
  afterAll(async () => {
    await h?.close();
  });

  test('three workers in one round: each account imported exactly once, never twice at once, the work shared', async () => {
    const source = countingSource();
    const deps = { db: h.db, rulebook, connectors: { counting: source.connector }, log: () => {} };
    const results = await Promise.all(['w1', 'w2', 'w3'].map((owner) => runImportPipeline(deps, { now: new Date(ROUND.getTime() + 1000), round: ROUND, owner })));
    expect([...source.fetches.values()]).toEqual(Array(ACCOUNTS).fill(1));
    expect(source.overlaps()).toBe(0);
    expect(results.reduce((n, r) => n + r.counts.accounts, 0)).toBe(ACCOUNTS);
    expect(results.reduce((n, r) => n + r.counts.inserted, 0)).toBe(3 * ACCOUNTS);
    const runs = await h.db.selectFrom('import_run').select(['account_id', 'worker', 'status']).execute();
    expect(runs).toHaveLength(ACCOUNTS);
    expect(new Set(runs.map((r) => r.account_id)).size).toBe(ACCOUNTS);
    expect(runs.every((r) => r.status === 'ok')).toBe(true);
    // On PostgreSQL the workers run side by side; on the embedded database (one connection) they still interleave.
    expect(new Set(runs.map((r) => r.worker)).size).toBeGreaterThan(1);
    // No lease is left behind.
    expect(await h.db.selectFrom('account').select('id').where('lease_owner', 'is not', null).execute()).toEqual([]);
    // The same round again finds nothing to do.
    const again = await runImportPipeline(deps, { now: new Date(ROUND.getTime() + 2000), round: ROUND, owner: 'w4' });
    expect(again.counts.accounts).toBe(0);
  });

  test("a dead worker's account is taken over when its lease runs out, and the dead worker cannot extend it", async () => {
    const round = new Date(ROUND.getTime() + 3_600_000);
    const dead = await leaseNextAccount(h.db, 'dead-worker', { round, accountIds: [ids[0]] });
    expect(dead).toBe(ids[0]);
    // While the lease holds, nobody else takes the account.
    expect(await leaseNextAccount(h.db, 'live-worker', { round, accountIds: [ids[0]] })).toBeNull();
    // The dead worker stops beating; its lease runs out.
    await sql`update account set lease_until = now() - interval '1 second' where id = ${ids[0]}`.execute(h.db);
    const source = countingSource();
    const r = await runImportPipeline({ db: h.db, rulebook, connectors: { counting: source.connector }, log: () => {} }, { now: round, round, owner: 'live-worker', accountIds: [ids[0]] });
    expect(r.counts.accounts).toBe(1);
    const runs = await h.db.selectFrom('import_run').select(['worker', 'status']).where('account_id', '=', ids[0]).where('worker', '=', 'live-worker').execute();
    expect(runs).toEqual([{ worker: 'live-worker', status: 'ok' }]);
    expect(await extendAccountLease(h.db, ids[0], 'dead-worker')).toBe(false);
  });
});

describe.each(BACKENDS)('import lanes on %s', (kind) => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await testDb(kind);
    const entityId = await upsertEntity(h.db, { slug: 'lanes', nameAr: 'جهة', nameEn: 'Lanes' });
    for (let i = 0; i < ACCOUNTS; i++) await upsertAccount(h.db, { entityId, platform: 'x', connector: 'counting', handle: `lane_${i}`, type: 'official' });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('one worker importing three accounts at once: each imported once, never twice at once, every post scored and rolled up', async () => {
    const round = ROUND;
    const source = countingSource();
    const deps = { db: h.db, rulebook, connectors: { counting: source.connector }, log: () => {}, importLanes: 3 };
    const r = await runImportPipeline(deps, { now: new Date(round.getTime() + 1000), round, owner: 'lanes' });
    expect(r.errors).toEqual([]);
    expect(r.counts.accounts).toBe(ACCOUNTS);
    expect([...source.fetches.values()]).toEqual(Array(ACCOUNTS).fill(1));
    expect(source.overlaps()).toBe(0);
    const runs = await h.db.selectFrom('import_run').select(['account_id', 'status']).where('worker', '=', 'lanes').execute();
    expect(runs).toHaveLength(ACCOUNTS);
    expect(new Set(runs.map((x) => x.account_id)).size).toBe(ACCOUNTS);
    // The scorer that ran beside the lanes left nothing behind: every post has its score, no day is left dirty.
    const { rows } = await sql<{ unscored: number; pending: number; dirty: number }>`
      select (select count(*) from post p where not exists (select 1 from post_score s where s.post_id = p.id))::int as unscored,
        (select count(*) from score_pending)::int as pending, (select count(*) from rollup_dirty)::int as dirty`.execute(h.db);
    expect(rows[0]).toEqual({ unscored: 0, pending: 0, dirty: 0 });
    // The search index's pending list (16 MB, migration 0027) was merged at the end of the round: nothing left to merge.
    const { rows: gin } = await sql<{ options: string[]; left: number }>`
      select (select reloptions from pg_class where relname = 'post_text_folded_trgm_idx') as options,
        gin_clean_pending_list('post_text_folded_trgm_idx'::regclass)::int as left`.execute(h.db);
    expect(gin[0]).toEqual({ options: ['gin_pending_list_limit=16384'], left: 0 });
  });

  test('a scoring failure beside the lanes stops the round and is reported, after the accounts under way are saved', async () => {
    const round = new Date(ROUND.getTime() + 3_600_000);
    await sql`update account set import_cursor = null`.execute(h.db);
    const source = countingSource();
    // The scores cannot be written (as on a full disk): the scorer's error reaches the caller; no lease is left behind.
    await sql`create function lanes_refuse() returns trigger language plpgsql as $$ begin raise exception 'no space left'; end $$`.execute(h.db);
    await sql`create trigger lanes_refuse before insert on post_score for each statement execute function lanes_refuse()`.execute(h.db);
    // New posts (other ids), so that there is something to score.
    const renamed = { ...source.connector, fetchPage: async (a: Parameters<Connector['fetchPage']>[0], ctx: Parameters<Connector['fetchPage']>[1]) => {
      const page = await source.connector.fetchPage(a, ctx);
      return { ...page, posts: page.posts.map((p) => ({ ...p, platformPostId: `again-${p.platformPostId}` })) };
    } };
    const deps = { db: h.db, rulebook, connectors: { counting: renamed }, log: () => {}, importLanes: 2 };
    await expect(runImportPipeline(deps, { now: new Date(round.getTime() + 1000), round, owner: 'lanes-broken' })).rejects.toThrow(/no space left/);
    expect(await h.db.selectFrom('account').select('id').where('lease_owner', 'is not', null).execute()).toEqual([]);
    await sql`drop trigger lanes_refuse on post_score`.execute(h.db);
    // Nothing stored is lost: the next round scores what the failed one could not.
    const again = await runImportPipeline({ ...deps, importLanes: 1 }, { now: new Date(round.getTime() + 2000), round: new Date(round.getTime() + 2000), owner: 'lanes-again' });
    expect(again.errors).toEqual([]);
    const { rows } = await sql<{ unscored: number }>`select count(*)::int as unscored from post p where not exists (select 1 from post_score s where s.post_id = p.id)`.execute(h.db);
    expect(rows[0].unscored).toBe(0);
  });
});
