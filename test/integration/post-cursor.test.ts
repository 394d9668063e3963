// /api/posts keyset cursors for every posted_at a timestamptz holds: before 1970, in year 9999, at the ends
// of PostgreSQL's range, ±infinity and microseconds apart, on posts inserted straight into the table.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import type { PostList } from '../../server/api-types.ts';
import { signedIn, type TestClient } from '../helpers/auth.ts';
import { createApp } from '../../server/app.ts';
import { testConfig } from '../../jobs/config.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const cursorOf = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');

describe.each(BACKENDS)('post cursors on %s', (kind) => {
  let h: DbHandle;
  let app: TestClient;
  let entityId: number;

  /** Inserts posts of a new account at the given posted_at literals (as PostgreSQL reads them); returns the account id. */
  async function account(handle: string, postedAt: string[]) {
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle, type: 'official' });
    for (const [i, at] of postedAt.entries()) {
      await sql`insert into post (account_id, entity_id, platform_post_id, text, posted_at, local_day, raw)
        values (${accountId}, ${entityId}, ${`${handle}-${i}`}, ${`post ${i}`}, ${at}::timestamptz, date '2026-01-01', '{}'::jsonb)`.execute(h.db);
    }
    return accountId;
  }

  /** Every page of /api/posts?account=… with limit 1. */
  async function walk(accountId: number, extra = '') {
    const seen: PostList['items'] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await app.request(`/api/posts?account=${accountId}&limit=1${extra}${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as PostList;
      expect(res.status, JSON.stringify(body)).toBe(200);
      seen.push(...body.items);
      cursor = body.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error('pagination did not end');
  }

  beforeAll(async () => {
    h = await testDb(kind);
    app = await signedIn(createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) }), h.db);
    entityId = await upsertEntity(h.db, { slug: 'cursor-test', nameAr: 'جهة', nameEn: 'Cursor Entity' });
  });

  afterAll(async () => {
    await h?.close();
  });

  test('pages with limit 1 through posts dated 9999, 2026, 1969 and 1950', async () => {
    const id = await account('dates', ['1969-12-31 00:00:00+00', '2026-03-01 12:00:00+00', '1950-01-01 00:00:00+00', '9999-06-01 00:00:00+00']);
    const seen = await walk(id);
    expect(seen.map((p) => p.postedAt)).toEqual(['9999-06-01T00:00:00.000Z', '2026-03-01T12:00:00.000Z', '1969-12-31T00:00:00.000Z', '1950-01-01T00:00:00.000Z']);
  });

  test('posts microseconds apart or at the same instant are each listed once, in order', async () => {
    const id = await account('micros', [
      '2020-01-01 00:00:00.123456+00',
      '2020-01-01 00:00:00.123400+00',
      '2020-01-01 00:00:00.123999+00',
      '2020-01-01 00:00:00.123456+00',
      '1969-12-31 23:59:59.999999+00',
      '1969-12-31 23:59:59.999001+00',
    ]);
    const seen = await walk(id);
    expect(seen.map((p) => p.text)).toEqual(['post 2', 'post 3', 'post 0', 'post 1', 'post 4', 'post 5']);
    expect(seen.map((p) => p.postedAt)).toEqual([
      '2020-01-01T00:00:00.123Z',
      '2020-01-01T00:00:00.123Z',
      '2020-01-01T00:00:00.123Z',
      '2020-01-01T00:00:00.123Z',
      '1969-12-31T23:59:59.999Z',
      '1969-12-31T23:59:59.999Z',
    ]);
  });

  test('the ends of the timestamptz range and ±infinity', async () => {
    const id = await account('extremes', ['-infinity', '4714-11-24 00:00:00+00 BC', '0044-03-15 12:00:00+00 BC', 'infinity', '294276-12-31 23:59:59.999999+00', '275760-09-13 00:00:00.001+00']);
    const seen = await walk(id);
    expect(seen.map((p) => p.postedAt)).toEqual([
      'infinity',
      '+294276-12-31T23:59:59.999Z',
      '+275760-09-13T00:00:00.001Z',
      '-000043-03-15T12:00:00.000Z',
      '-004713-11-24T00:00:00.000Z',
      '-infinity',
    ]);
  });

  test('a search pages the same way', async () => {
    const id = await account('search-dates', ['1969-12-31 00:00:00+00', '1950-01-01 00:00:00+00', '9999-06-01 00:00:00+00']);
    expect((await walk(id, '&q=post')).map((p) => p.postedAt)).toEqual(['9999-06-01T00:00:00.000Z', '1969-12-31T00:00:00.000Z', '1950-01-01T00:00:00.000Z']);
  });

  test('a cursor of the earlier form (an ISO date) is still accepted', async () => {
    const id = await account('legacy', ['2026-01-02 00:00:00+00', '2026-01-01 00:00:00+00', '1960-01-01 00:00:00+00']);
    const newest = (await h.db.selectFrom('post').select('id').where('account_id', '=', id).orderBy('posted_at', 'desc').executeTakeFirstOrThrow()).id;
    const res = await app.request(`/api/posts?account=${id}&cursor=${cursorOf({ t: '2026-01-02T00:00:00.000Z', id: newest })}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as PostList).items.map((p) => p.postedAt)).toEqual(['2026-01-01T00:00:00.000Z', '1960-01-01T00:00:00.000Z']);
  });

  test.each([
    ['a key past the end of the range', { k: '9223371331200000000', id: 1 }],
    ['a key before the start of the range', { k: '-211813488000000001', id: 1 }],
    ['a key that is not an integer', { k: '1e5', id: 1 }],
    ['a key with a fraction', { k: '1.5', id: 1 }],
    ['an ISO date outside the range', { t: '-200000-01-01T00:00:00Z', id: 1 }],
    ['no id', { k: '0' }],
    ['a negative id', { k: '0', id: -1 }],
  ])('%s is a 400', async (_name, payload) => {
    const res = await app.request(`/api/posts?cursor=${cursorOf(payload)}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid-request');
  });
});
