// The platform HTTP client: every rate-limit dialect, retries, waits for a reset, time limits, resets, bad JSON,
// and no token in any message.
import { Hono } from 'hono';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  AuthError,
  PlatformError,
  RateLimitedError,
  clearRateLimitPauses,
  httpGet,
  httpGetJson,
  parseRateLimit,
  rateLimitPause,
  redact,
} from '../../jobs/connectors/http.ts';
import { serve, type FakeEnv, type Served } from '../fakes/serve.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const h = (o: Record<string, string>) => new Headers(o);

describe('parseRateLimit', () => {
  test('X: x-rate-limit-* with the reset in epoch seconds', () => {
    expect(parseRateLimit(h({ 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '847', 'x-rate-limit-reset': '1705420800' }), NOW)).toEqual({
      limit: 900,
      remaining: 847,
      resetAt: new Date(1705420800 * 1000),
    });
  });
  test('Mastodon: X-RateLimit-* with an ISO 8601 reset', () => {
    expect(parseRateLimit(h({ 'X-RateLimit-Limit': '300', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '2026-11-20T09:05:00.019685Z' }), NOW)).toEqual({
      limit: 300,
      remaining: 0,
      resetAt: new Date('2026-11-20T09:05:00.019Z'),
    });
  });
  test('IETF RateLimit-* (seconds from now) and RateLimit-Policy; Bluesky-style epoch reset', () => {
    expect(parseRateLimit(h({ 'RateLimit-Remaining': '12', 'RateLimit-Reset': '30', 'RateLimit-Policy': '3000;w=300' }), NOW)).toEqual({
      limit: 3000,
      remaining: 12,
      resetAt: new Date(NOW.getTime() + 30_000),
    });
    expect(parseRateLimit(h({ 'ratelimit-limit': '3000', 'ratelimit-remaining': '2999', 'ratelimit-reset': '1763630000' }), NOW).resetAt).toEqual(new Date(1763630000_000));
    expect(parseRateLimit(h({ RateLimit: '"default";r=5;t=7', 'RateLimit-Policy': '"default";q=100;w=60' }), NOW)).toEqual({
      limit: 100,
      remaining: 5,
      resetAt: new Date(NOW.getTime() + 7000),
    });
    expect(parseRateLimit(h({ RateLimit: 'limit=10, remaining=0, reset=3' }), NOW)).toEqual({ limit: 10, remaining: 0, resetAt: new Date(NOW.getTime() + 3000) });
  });
  test('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRateLimit(h({ 'Retry-After': '120' }), NOW)).toEqual({ limit: null, remaining: null, resetAt: new Date(NOW.getTime() + 120_000) });
    expect(parseRateLimit(h({ 'Retry-After': 'Fri, 20 Nov 2026 09:10:00 GMT' }), NOW).resetAt).toEqual(new Date('2026-11-20T09:10:00Z'));
  });
  test('Facebook X-App-Usage and X-Business-Use-Case-Usage percentages', () => {
    expect(parseRateLimit(h({ 'X-App-Usage': '{"call_count":28,"total_time":25,"total_cputime":35}' }), NOW)).toEqual({ limit: 100, remaining: 65, resetAt: null });
    const buc = { '1234': [{ type: 'pages', call_count: 100, total_cputime: 25, total_time: 25, estimated_time_to_regain_access: 19 }] };
    expect(parseRateLimit(h({ 'X-Business-Use-Case-Usage': JSON.stringify(buc) }), NOW)).toEqual({
      limit: 100,
      remaining: 0,
      resetAt: new Date(NOW.getTime() + 19 * 60_000),
    });
    expect(parseRateLimit(h({ 'X-App-Usage': 'not json' }), NOW)).toEqual({ limit: null, remaining: null, resetAt: null });
  });
  test('no headers: nothing known', () => {
    expect(parseRateLimit(h({}), NOW)).toEqual({ limit: null, remaining: null, resetAt: null });
  });
});

test('redact removes query credentials and Bearer tokens', () => {
  expect(redact('GET /x?access_token=EAAB123456&fields=a failed; Authorization: Bearer abcdefghijkl')).toBe(
    'GET /x?access_token=[redacted]&fields=a failed; Authorization: Bearer [redacted]',
  );
  expect(redact('token s3cr3t-token here', ['s3cr3t-token'])).toBe('token [redacted] here');
});

describe('httpGet against a scripted server', () => {
  const TOKEN = 'SECRET-TOKEN-abcdef123456';
  type Step = 'ok' | 'json' | '500' | '503' | '429' | '429-far' | 'empty-bucket' | 'slow' | 'reset' | 'truncated' | '401' | '404';
  let script: Step[] = [];
  let hits = 0;
  let served: Served;
  const app = new Hono<FakeEnv>();
  app.get('/api/*', async (c) => {
    hits++;
    const step = script.shift() ?? 'ok';
    const epoch = (s: number) => String(Math.ceil(Date.now() / 1000) + s);
    switch (step) {
      case '500':
        return c.json({ error: 'boom' }, 500);
      case '503':
        return c.text('unavailable', 503);
      case '429':
        return c.json({ title: 'Too Many Requests' }, 429, { 'retry-after': '1' });
      case '429-far':
        return c.json({ title: 'Too Many Requests' }, 429, { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': epoch(900) });
      case 'empty-bucket':
        return c.json({ ok: true, n: hits }, 200, { 'x-rate-limit-limit': '900', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': epoch(1) });
      case 'slow':
        await new Promise((r) => setTimeout(r, 1500));
        return c.json({ ok: true, slow: true });
      case 'reset':
        c.env.incoming.socket.destroy();
        return new Response(null);
      case 'truncated':
        return c.body('{"data": [{"id": "1", "text": "cut', 200, { 'content-type': 'application/json' });
      case '401':
        return c.json({ title: 'Unauthorized', detail: `Unauthorized: token ${TOKEN} is not valid` }, 401);
      case '404':
        return c.json({ errors: [{ message: 'Sorry, that page does not exist' }] }, 404);
      default:
        return c.json({ ok: true, n: hits, path: c.req.path });
    }
  });
  beforeAll(async () => {
    served = await serve(app);
  });
  afterAll(async () => {
    await served.close();
  });
  beforeEach(() => {
    script = [];
    hits = 0;
    clearRateLimitPauses();
  });
  const req = (path: string, extra: Record<string, unknown> = {}) => ({
    platform: 'X',
    url: `${served.url}${path}`,
    headers: { authorization: `Bearer ${TOKEN}` },
    timeoutMs: 500,
    backoffMs: 20,
    scope: `test:${path}`,
    ...extra,
  });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return e as PlatformError;
    }
    throw new Error('expected a failure');
  };

  test('5xx, a reset connection and a timeout are retried', async () => {
    script = ['500', 'reset', 'slow'];
    const { body, response } = await httpGetJson<{ ok: boolean; n: number }>(req('/api/a'));
    expect(body).toMatchObject({ ok: true, n: 4 });
    expect(response.status).toBe(200);
  });

  test('persistent 503: "X: HTTP 503 after 4 attempts", retryable, no token', async () => {
    script = ['503', '503', '503', '503', '503'];
    const e = await failure(httpGet(req('/api/b?access_token=QUERYSECRET123')));
    expect(e).toBeInstanceOf(PlatformError);
    expect(e.message).toMatch(/^X: HTTP 503 after 4 attempts/);
    expect(e).toMatchObject({ status: 503, retryable: true, platform: 'X' });
    expect(hits).toBe(4);
    expect(e.message).not.toContain('QUERYSECRET123');
    expect(e.message).not.toContain(TOKEN);
  });

  test('a timeout on every attempt names the time limit and the path, not the query', async () => {
    script = ['slow', 'slow'];
    const e = await failure(httpGet(req('/api/slow?key=APIKEY99999', { retries: 1 })));
    expect(e.message).toBe('X: no answer within 0.5 s from /api/slow after 2 attempts');
  });

  test('429 with Retry-After 1 s: waits for the reset, then succeeds; the same bucket waits too', async () => {
    script = ['429'];
    const t0 = Date.now();
    const { body } = await httpGetJson<{ n: number }>(req('/api/c'));
    expect(body.n).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(hits).toBe(2);
  });

  test('remaining 0: the next request to that bucket waits for the reset instead of hammering', async () => {
    script = ['empty-bucket'];
    await httpGet(req('/api/d'));
    expect(rateLimitPause('test:/api/d')).not.toBeNull();
    const t0 = Date.now();
    await httpGet(req('/api/d'));
    expect(Date.now() - t0).toBeGreaterThan(200);
    expect(hits).toBe(2);
  });

  test('429 with a reset beyond maxWaitMs: RateLimitedError with the time; later requests are not sent', async () => {
    script = ['429-far'];
    const e = await failure(httpGet(req('/api/e', { maxWaitMs: 1000 })));
    expect(e).toBeInstanceOf(RateLimitedError);
    const r = e as RateLimitedError;
    expect(r.scope).toBe('test:/api/e');
    expect(r.message).toBe(`X: rate limited until ${r.until.toISOString().slice(11, 16)} UTC`);
    expect(r.until.getTime() - Date.now()).toBeGreaterThan(800_000);
    expect(rateLimitPause('test:/api/e')).toEqual(r.until);
    const again = await failure(httpGet(req('/api/e', { maxWaitMs: 1000 })));
    expect(again).toBeInstanceOf(RateLimitedError);
    expect(hits).toBe(1);
    // Another bucket is not paused.
    await httpGet(req('/api/other'));
    expect(hits).toBe(2);
  });

  test('truncated JSON is fetched again, then fails naming the path', async () => {
    script = ['truncated', 'ok'];
    expect((await httpGetJson<{ ok: boolean }>(req('/api/f'))).body.ok).toBe(true);
    script = ['truncated', 'truncated'];
    const e = await failure(httpGetJson(req('/api/f?access_token=QS1234567', { retries: 1 })));
    expect(e).toBeInstanceOf(PlatformError);
    expect(e.message).toMatch(/^X: malformed JSON from \/api\/f after 2 attempts \(/);
    expect(e.message).not.toContain('QS1234567');
  });

  test('401 is an AuthError, the token echoed by the body redacted; 404 carries the body message and is not retried', async () => {
    script = ['401'];
    const e = await failure(httpGet(req('/api/g')));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toBe('X: HTTP 401 unauthorized for /api/g: Unauthorized: token [redacted] is not valid');
    script = ['404'];
    const n = await failure(httpGet(req('/api/h')));
    expect(n).not.toBeInstanceOf(AuthError);
    expect(n).toMatchObject({ status: 404, retryable: false, message: 'X: HTTP 404 for /api/h: Sorry, that page does not exist' });
    expect(hits).toBe(2);
  });

  test("the caller's signal cancels the request and the waits", async () => {
    script = ['slow'];
    const e = await failure(httpGet(req('/api/i', { timeoutMs: 5000, signal: AbortSignal.timeout(100) })));
    expect(e.message).toBe('X: request to /api/i cancelled');
  });
});
