// API rate limits: a token bucket per session or API token, per address for anonymous requests and for bad
// credentials; 429 in the one error shape with Retry-After; /api/health never limited.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { loadConfig, testConfig } from '../../jobs/config.ts';
import { createApp } from '../../server/app.ts';
import { SESSION_COOKIE } from '../../server/auth.ts';
import { TokenBuckets } from '../../server/rate-limit.ts';
import { signedIn } from '../helpers/auth.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

describe(TokenBuckets.name, () => {
  test('a burst goes through, the next request waits for its token, and the bucket refills at the rate', () => {
    let ms = 0;
    const b = new TokenBuckets({ perSecond: 2, burst: 3 }, () => ms);
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(1);
    // Another caller has a bucket of its own.
    expect(b.take('b')).toBe(0);
    ms += 500; // one token back at 2 a second
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBe(1);
    ms += 60_000; // never more than the burst
    expect([b.take('a'), b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0, 1]);
  });

  test('Retry-After is the whole seconds until a token is back', () => {
    let ms = 0;
    const b = new TokenBuckets({ perSecond: 0.1, burst: 1 }, () => ms);
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBe(10);
    ms += 2_500;
    expect(b.take('a')).toBe(8);
    expect(b.waitFor('a')).toBe(8);
  });

  test('a rate of 0 is no limit', () => {
    const b = new TokenBuckets({ perSecond: 0, burst: 1 }, () => 0);
    for (let i = 0; i < 10; i++) expect(b.take('a')).toBe(0);
  });

  test('buckets that are full again are dropped, so strangers do not fill the memory', () => {
    let ms = 0;
    const b = new TokenBuckets({ perSecond: 10, burst: 10 }, () => ms);
    ms = 60_000;
    for (let i = 0; i < 1000; i++) b.take(`address-${i}`);
    expect(b.size).toBe(1000);
    ms += 61_000;
    b.take('late');
    expect(b.size).toBe(1);
  });
});

describe.each(BACKENDS)('rate limits through the app on %s', (kind) => {
  let h: DbHandle;
  // A token comes back every 1000 s: nothing refills while the test runs, so the counts are exact.
  const config = testConfig({ MIZAN_WEB_DIR: '/nonexistent', MIZAN_RATE_LIMIT: 0.001, MIZAN_RATE_BURST: 5, MIZAN_RATE_LIMIT_ANONYMOUS: 0.001, MIZAN_RATE_BURST_ANONYMOUS: 3 });
  const fresh = () => createApp({ db: h.db, dbKind: h.kind, config });

  beforeAll(async () => {
    h = await testDb(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  const expectLimited = async (res: Response) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(900);
    const body = (await res.json()) as { error: { code: string; message: string; details: { retryAfterSeconds: number } } };
    expect(body.error.code).toBe('rate-limited');
    expect(body.error.message).toMatch(/^Too many requests/);
    expect(body.error.details.retryAfterSeconds).toBe(retryAfter);
    // The security headers are on a refusal as on any answer.
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  };

  test('each session has its own bucket: the sixth request of a burst of five is refused, another session goes on', async () => {
    const app = fresh();
    const a = await signedIn(app, h.db, { role: 'viewer' });
    const b = await signedIn(app, h.db, { role: 'viewer' });
    for (let i = 0; i < 5; i++) expect((await a.request('/api/auth/me')).status).toBe(200);
    await expectLimited(await a.request('/api/auth/me'));
    // Refused requests take nothing, and an unknown path counts like any other.
    await expectLimited(await a.request('/api/nothing-here'));
    expect((await b.request('/api/auth/me')).status).toBe(200);
  });

  test('an API token has its own bucket too', async () => {
    const app = fresh();
    const t = await signedIn(app, h.db, { role: 'admin', token: 'read' });
    for (let i = 0; i < 5; i++) expect((await t.request('/api/auth/me')).status).toBe(200);
    await expectLimited(await t.request('/api/auth/me'));
  });

  test('anonymous requests count by address; signed-in callers from the same address are not affected', async () => {
    const app = fresh();
    const user = await signedIn(app, h.db, { role: 'viewer' });
    for (let i = 0; i < 3; i++) expect((await app.request('/api/overview')).status).toBe(401);
    await expectLimited(await app.request('/api/overview'));
    await expectLimited(await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    expect((await user.request('/api/auth/me')).status).toBe(200);
  });

  test('an address that keeps sending bad credentials is refused before they are looked up', async () => {
    const app = fresh();
    for (let i = 0; i < 3; i++) expect((await app.request('/api/overview', { headers: { cookie: `${SESSION_COOKIE}=stolen-${i}` } })).status).toBe(401);
    await expectLimited(await app.request('/api/overview', { headers: { authorization: 'Bearer guessed' } }));
  });

  test('/api/health is never limited', async () => {
    const app = fresh();
    for (let i = 0; i < 20; i++) expect((await app.request('/api/health')).status).toBe(200);
  });

  test('the limits are off when the rate is 0 (the default in tests)', async () => {
    const app = createApp({ db: h.db, dbKind: h.kind, config: testConfig({ MIZAN_WEB_DIR: '/nonexistent' }) });
    const a = await signedIn(app, h.db, { role: 'viewer' });
    for (let i = 0; i < 150; i++) expect((await a.request('/api/auth/me')).status).toBe(200);
    for (let i = 0; i < 30; i++) expect((await app.request('/api/overview')).status).toBe(401);
  });

  test('the defaults: 20 a second with bursts of 100 per caller (a dashboard page sends about ten at once), 5 and 20 anonymous', () => {
    const c = loadConfig({});
    expect([c.MIZAN_RATE_LIMIT, c.MIZAN_RATE_BURST, c.MIZAN_RATE_LIMIT_ANONYMOUS, c.MIZAN_RATE_BURST_ANONYMOUS]).toEqual([20, 100, 5, 20]);
  });
});
