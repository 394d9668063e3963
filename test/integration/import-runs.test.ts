// Issue 7's silent loss: a run that rejects records keeps them (count, reasons, samples) on the run, a
// second run does not hide them, a run that stored nothing and rejected everything is 'failed', and the
// account reads 'ok' only when nothing failed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { MAX_RUN_SAMPLES } from '../../db/queries/import-runs.ts';
import { testConfig } from '../../jobs/config.ts';
import type { Connector, FetchPage, ImportedPost } from '../../jobs/connectors/types.ts';
import { importAccounts } from '../../jobs/import.ts';
import { listImportAccounts } from '../../db/queries/accounts.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import type { AccountDetail, JobsView } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const rulebook = loadRulebook();
const post = (id: string): ImportedPost => ({
  platformPostId: id,
  url: null,
  text: `خبر ${id}`,
  lang: 'ar',
  postedAt: new Date('2026-11-19T09:00:00Z'),
  metrics: { likes: 0, shares: 0, replies: 0, views: 0 },
  isReply: false,
  isRepost: false,
  raw: { id },
});

/** A source whose pages are given by the test, one page per run (cursor = the page index). */
function scripted(pages: Record<string, FetchPage[]>): Connector {
  return {
    platform: 'scripted',
    async fetchPage(account, ctx) {
      const list = pages[account.handle];
      const i = ctx.cursor ? Number(ctx.cursor) : 0;
      if (i >= list.length) return { posts: [], nextCursor: String(i), done: true };
      const page = list[i];
      if (page.posts.length === 0 && !page.rejected?.length && page.warnings?.[0] === 'throw') throw new Error('Scripted: HTTP 503 after 4 attempts');
      return { ...page, nextCursor: String(i + 1), done: true };
    },
  };
}

describe.each(BACKENDS)('import runs on %s', (kind) => {
  let h: DbHandle;
  let app: TestClient;
  let entityId: number;
  const get = async <T>(url: string) => (await app.request(url)).json() as Promise<T>;

  beforeAll(async () => {
    h = await testDb(kind);
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }), now: () => NOW }), h.db, { now: NOW });
    entityId = await upsertEntity(h.db, { slug: 'runs', nameAr: 'جهة', nameEn: 'Runs' });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function run(handle: string, connector: Connector) {
    const id = (await h.db.selectFrom('account').select('id').where('handle', '=', handle).executeTakeFirst())?.id ?? (await upsertAccount(h.db, { entityId, platform: 'x', connector: 'scripted', handle, type: 'official' }));
    const accounts = await listImportAccounts(h.db, { accountIds: [id] });
    const result = await importAccounts({ db: h.db, rulebook, connectors: { scripted: connector }, log: () => {} }, accounts, { now: NOW });
    return { id, result, detail: await get<AccountDetail>(`/api/accounts/${id}`) };
  }

  test('every record rejected: the run is failed, its reasons and samples stay on it, and the next run does not hide them', async () => {
    const rejected = Array.from({ length: 100 }, (_, i) => ({ ref: `line ${i + 1}`, reason: 'no posted_at (the record has created_at)', sample: `{"id":"${i}","created_at":"2026-11-19T09:00:00.000Z","text":"${'x'.repeat(600)}"}` }));
    const connector = scripted({ v2: [{ posts: [], nextCursor: null, done: true, rejected }] });
    const first = await run('v2', connector);
    expect(first.result.counts).toMatchObject({ failedAccounts: 1, rejected: 100, inserted: 0 });
    expect(first.result.errors[0].error).toMatch(/every record was rejected \(100\); first line 1: no posted_at \(the record has created_at\)/);
    expect(first.detail.lastRunStatus).toBe('failed');
    expect(first.detail.lastError).toMatch(/100 record\(s\) rejected, first line 1: no posted_at \(the record has created_at\)/);
    const [r] = first.detail.runs;
    expect(r).toMatchObject({ status: 'failed', rejected: 100, inserted: 0 });
    expect(r.rejectedSamples).toHaveLength(MAX_RUN_SAMPLES);
    expect(r.rejectedSamples[0]).toMatchObject({ ref: 'line 1', reason: 'no posted_at (the record has created_at)' });
    expect([...r.rejectedSamples[0].sample!].length).toBe(500);

    // The source has nothing new: the second run is ok, and the first one's rejections are still there.
    const second = await run('v2', connector);
    expect(second.detail.lastRunStatus).toBe('ok');
    expect(second.detail.runs.map((x) => [x.status, x.rejected])).toEqual([
      ['ok', 0],
      ['failed', 100],
    ]);
    const jobs = await get<JobsView>('/api/jobs');
    expect(jobs.importProblems.find((p) => p.accountId === first.id)).toMatchObject({ status: 'failed', rejected: 100, handle: 'v2' });
  });

  test('some records rejected: partial, with the stored posts kept; nothing rejected: ok', async () => {
    const some = await run('mixed', scripted({ mixed: [{ posts: [post('a'), post('b')], nextCursor: null, done: true, rejected: [{ ref: 'tweet 9', reason: 'withheld in this country' }] }] }));
    expect(some.detail.lastRunStatus).toBe('partial');
    expect(some.detail.runs[0]).toMatchObject({ status: 'partial', inserted: 2, rejected: 1, rejectedSamples: [{ ref: 'tweet 9', reason: 'withheld in this country' }] });
    const clean = await run('clean', scripted({ clean: [{ posts: [post('c')], nextCursor: null, done: true }] }));
    expect(clean.detail).toMatchObject({ lastRunStatus: 'ok', lastError: null });
  });

  test('a record the store refuses is a rejection too, named by its ref', async () => {
    const future = { ...post('future'), postedAt: new Date('9999-01-01T00:00:00Z'), ref: 'line 7' };
    const r = await run('store', scripted({ store: [{ posts: [post('ok'), future], nextCursor: null, done: true }] }));
    expect(r.detail.runs[0]).toMatchObject({ status: 'partial', inserted: 1, rejected: 1 });
    expect(r.detail.runs[0].rejectedSamples[0].ref).toBe('line 7');
  });

  test('a source that fails is failed with its message; other accounts go on', async () => {
    const down = await run('down', scripted({ down: [{ posts: [], nextCursor: null, done: true, warnings: ['throw'] }] }));
    expect(down.detail).toMatchObject({ lastRunStatus: 'failed', lastError: 'Scripted: HTTP 503 after 4 attempts' });
    expect(down.detail.runs[0]).toMatchObject({ status: 'failed', error: 'Scripted: HTTP 503 after 4 attempts' });
  });
});
