// The one HTTP client of every platform connector: a time limit on each attempt, retries with exponential
// backoff and full jitter on network errors, resets, timeouts and 5xx, one rate-limit model that every header
// dialect maps into, and a memory per bucket (scope) of when it is exhausted, so that no request is sent to a
// bucket known to be empty: it waits for the reset when that is near, or fails with a message a person reads
// ("X: rate limited until 14:05 UTC"). Error messages never carry a token: only the URL path is named, and any
// credential the request carried is replaced by [redacted] wherever it would appear.
import { createHash } from 'node:crypto';
import { decodeHTML } from 'entities';

export interface RateLimit {
  limit: number | null;
  remaining: number | null;
  resetAt: Date | null;
}

export class PlatformError extends Error {
  platform: string;
  status: number | null;
  retryable: boolean;
  constructor(platform: string, message: string, opts: { status?: number | null; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PlatformError';
    this.platform = platform;
    this.status = opts.status ?? null;
    this.retryable = opts.retryable ?? false;
  }
}

export class RateLimitedError extends PlatformError {
  until: Date;
  scope: string;
  constructor(platform: string, until: Date, scope: string, opts: { status?: number | null; message?: string } = {}) {
    super(platform, opts.message ?? `${platform}: rate limited until ${formatUntil(until)}`, { status: opts.status ?? 429, retryable: true });
    this.name = 'RateLimitedError';
    this.until = until;
    this.scope = scope;
  }
}

export class AuthError extends PlatformError {
  constructor(platform: string, message: string, opts: { status?: number | null } = {}) {
    super(platform, message, { status: opts.status ?? 401, retryable: false });
    this.name = 'AuthError';
  }
}

export interface HttpRequest {
  /** Display name used in messages: 'X', 'Mastodon', 'Facebook'. */
  platform: string;
  url: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Per attempt; default 20000. */
  timeoutMs?: number;
  /** Further attempts after the first; default 3. */
  retries?: number;
  /** Rate-limit bucket, e.g. 'x:app' or 'mastodon:social.example'; default '<platform>:<host>'. */
  scope?: string;
  /** Longest wait for a bucket's reset before giving up with RateLimitedError; default 60000. */
  maxWaitMs?: number;
  /** Base of the exponential backoff (full jitter, capped at 10 s); default 500. */
  backoffMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
  rateLimit: RateLimit;
  /** The final URL (after redirects). */
  url: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_MAX_WAIT_MS = 60_000;
const DEFAULT_BACKOFF_MS = 500;
const BACKOFF_CAP_MS = 10_000;
/** When a 429 names no reset at all, the bucket is taken as empty for this long. */
const UNKNOWN_RESET_MS = 60_000;

// ---------------------------------------------------------------------------------------------------------------
// Rate-limit buckets known to this process.

const pauses = new Map<string, Date>();

/** When this process knows the bucket is exhausted: the time it resets; else null. */
export function rateLimitPause(scope: string): Date | null {
  const until = pauses.get(scope);
  if (!until) return null;
  if (until.getTime() <= Date.now()) {
    pauses.delete(scope);
    return null;
  }
  return until;
}

/** Records that a bucket is exhausted until a time (for connectors that recognise throttling in a body, e.g. Graph API codes 4/17/32/613). */
export function markRateLimited(scope: string, until: Date): void {
  const known = pauses.get(scope);
  if (!known || known.getTime() < until.getTime()) pauses.set(scope, until);
}

/** Forgets every known pause (tests). */
export function clearRateLimitPauses(): void {
  pauses.clear();
}

function formatUntil(d: Date): string {
  const iso = d.toISOString();
  const hm = `${iso.slice(11, 16)} UTC`;
  return d.getTime() - Date.now() > 20 * 3600_000 ? `${iso.slice(0, 10)} ${hm}` : hm;
}

// ---------------------------------------------------------------------------------------------------------------
// Header dialects.

function num(v: string | null): number | null {
  if (v === null) return null;
  const t = v.trim();
  if (!/^-?\d+(?:\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * A reset value: a number is epoch seconds when it is a plausible epoch (past 2001), epoch milliseconds when larger
 * still, else seconds from now (the IETF drafts); anything else is read as a date (ISO 8601 as Mastodon sends, or an
 * HTTP date).
 */
function parseReset(v: string | null, now: Date): Date | null {
  if (v === null || !v.trim()) return null;
  const n = num(v);
  if (n !== null) {
    if (n >= 1e12) return new Date(n);
    if (n >= 1e9) return new Date(n * 1000);
    if (n < 0) return null;
    return new Date(now.getTime() + n * 1000);
  }
  const ms = Date.parse(v.trim());
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Retry-After: delta seconds or an HTTP date. */
function parseRetryAfter(v: string | null, now: Date): Date | null {
  if (v === null || !v.trim()) return null;
  const n = num(v);
  if (n !== null) return n < 0 ? null : new Date(now.getTime() + n * 1000);
  const ms = Date.parse(v.trim());
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** The name of a Structured Fields item (`"default";q=100` or `permin;r=5`), unquoted; null for a bare number. */
function itemName(item: string): string | null {
  const head = item.split(';')[0].trim().replace(/^"(.*)"$/, '$1');
  return head && !/^\d+$/.test(head) ? head : null;
}

/**
 * `RateLimit-Policy: 100;w=60` (drafts up to 06), `"default";q=100;w=60` (draft 07 on) or `default;l=100;w=10` (an
 * example of the later drafts): the quota of the policy named `name`, else of the first policy.
 */
function policyLimit(v: string | null, name: string | null = null): number | null {
  if (!v) return null;
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  const first = (name !== null ? items.find((it) => itemName(it) === name) : undefined) ?? items[0];
  if (!first) return null;
  const q = /(?:^|;)\s*[ql]\s*=\s*(\d+)/.exec(first);
  if (q) return Number(q[1]);
  const lead = /^(\d+)\s*(?:;|$)/.exec(first);
  return lead ? Number(lead[1]) : null;
}

/**
 * `RateLimit-Limit`: a bare integer, or (drafts 00–02 and servers that kept that form, e.g. GitLab) the quota followed
 * by its policies, `100, 100;w=60, 1000;w=3600`: the leading quota.
 */
function limitField(v: string | null): number | null {
  const n = num(v);
  if (n !== null || v === null) return n;
  const lead = /^\s*(\d+)\s*(?:,|$)/.exec(v);
  return lead ? Number(lead[1]) : null;
}

/**
 * The combined field: `RateLimit: limit=100, remaining=50, reset=5` (a Dictionary, drafts 03–06), or one item per
 * policy, `"default";r=50;t=30` or `permin;r=20;t=23, perhr;r=0;t=2402` (draft 07 on): with several policies the one
 * with the least remaining quota governs (the draft asks servers to send that one; some send them all).
 */
function parseCombinedRateLimit(v: string | null, now: Date, policy: string | null): Partial<RateLimit> | null {
  if (!v) return null;
  const out: Partial<RateLimit> = {};
  if (/(?:^|[,;\s])(?:limit|remaining|reset)\s*=/i.test(v)) {
    const kv = (k: string) => new RegExp(`(?:^|[;,\\s])${k}\\s*=\\s*(\\d+)`, 'i').exec(v)?.[1] ?? null;
    const limit = kv('limit');
    const remaining = kv('remaining');
    const reset = kv('reset');
    if (limit !== null) out.limit = Number(limit);
    if (remaining !== null) out.remaining = Number(remaining);
    if (reset !== null) out.resetAt = new Date(now.getTime() + Number(reset) * 1000);
    if (out.limit === undefined) {
      const l = policyLimit(policy);
      if (l !== null) out.limit = l;
    }
    return Object.keys(out).length ? out : null;
  }
  let best: { name: string | null; r: number | null; t: number | null } | null = null;
  for (const item of v.split(',')) {
    const r = /(?:^|;)\s*r\s*=\s*(\d+)/i.exec(item.trim());
    const t = /(?:^|;)\s*t\s*=\s*(\d+)/i.exec(item.trim());
    if (!r && !t) continue;
    const cand = { name: itemName(item), r: r ? Number(r[1]) : null, t: t ? Number(t[1]) : null };
    const rank = (x: typeof cand) => x.r ?? Number.POSITIVE_INFINITY;
    if (!best || rank(cand) < rank(best) || (rank(cand) === rank(best) && (cand.t ?? 0) > (best.t ?? 0))) best = cand;
  }
  if (!best) return null;
  if (best.r !== null) out.remaining = best.r;
  if (best.t !== null) out.resetAt = new Date(now.getTime() + best.t * 1000);
  const l = policyLimit(policy, best.name);
  if (l !== null) out.limit = l;
  return out;
}

interface FacebookUsage {
  call_count?: number;
  total_time?: number;
  total_cputime?: number;
  estimated_time_to_regain_access?: number;
}

function facebookUsages(headers: Headers): FacebookUsage[] {
  const out: FacebookUsage[] = [];
  const read = (name: string) => {
    const v = headers.get(name);
    if (!v) return null;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return null;
    }
  };
  for (const name of ['x-app-usage', 'x-page-usage', 'x-ad-account-usage']) {
    const u = read(name);
    if (u && typeof u === 'object' && !Array.isArray(u)) out.push(u as FacebookUsage);
  }
  const buc = read('x-business-use-case-usage');
  if (buc && typeof buc === 'object') {
    for (const list of Object.values(buc as Record<string, unknown>)) {
      if (Array.isArray(list)) for (const u of list) if (u && typeof u === 'object') out.push(u as FacebookUsage);
    }
  }
  return out;
}

/** Maps every rate-limit header dialect into one model (null where the headers say nothing). */
export function parseRateLimit(headers: Headers, now: Date): RateLimit {
  let rl: RateLimit = { limit: null, remaining: null, resetAt: null };
  const h = (n: string) => headers.get(n);
  if (h('x-rate-limit-limit') !== null || h('x-rate-limit-remaining') !== null || h('x-rate-limit-reset') !== null) {
    // X: epoch seconds.
    rl = { limit: num(h('x-rate-limit-limit')), remaining: num(h('x-rate-limit-remaining')), resetAt: parseReset(h('x-rate-limit-reset'), now) };
  } else if (h('x-ratelimit-limit') !== null || h('x-ratelimit-remaining') !== null || h('x-ratelimit-reset') !== null) {
    // Mastodon (and GitHub-style): the reset is an ISO 8601 date on Mastodon, epoch seconds elsewhere.
    rl = { limit: num(h('x-ratelimit-limit')), remaining: num(h('x-ratelimit-remaining')), resetAt: parseReset(h('x-ratelimit-reset'), now) };
  } else if (h('ratelimit-limit') !== null || h('ratelimit-remaining') !== null || h('ratelimit-reset') !== null) {
    // IETF draft: the reset is seconds from now (Bluesky's PDS sends epoch seconds: parseReset tells them apart).
    rl = {
      limit: limitField(h('ratelimit-limit')) ?? policyLimit(h('ratelimit-policy')),
      remaining: num(h('ratelimit-remaining')),
      resetAt: parseReset(h('ratelimit-reset'), now),
    };
  } else if (h('ratelimit') !== null) {
    const c = parseCombinedRateLimit(h('ratelimit'), now, h('ratelimit-policy'));
    if (c) rl = { limit: c.limit ?? null, remaining: c.remaining ?? null, resetAt: c.resetAt ?? null };
  } else {
    const usages = facebookUsages(headers);
    if (usages.length) {
      let used = 0;
      let regainMin = 0;
      for (const u of usages) {
        for (const v of [u.call_count, u.total_time, u.total_cputime]) if (typeof v === 'number' && v > used) used = v;
        if (typeof u.estimated_time_to_regain_access === 'number' && u.estimated_time_to_regain_access > regainMin) regainMin = u.estimated_time_to_regain_access;
      }
      rl = {
        limit: 100,
        remaining: Math.max(0, Math.floor(100 - used)),
        resetAt: regainMin > 0 ? new Date(now.getTime() + regainMin * 60_000) : null,
      };
    }
  }
  const retryAfter = parseRetryAfter(h('retry-after'), now);
  if (retryAfter && (!rl.resetAt || retryAfter.getTime() > rl.resetAt.getTime())) rl.resetAt = retryAfter;
  return rl;
}

// ---------------------------------------------------------------------------------------------------------------
// Redaction.

const SECRET_PARAMS = /^(?:access_token|token|key|api_key|apikey|client_secret|bearer_token|input_token|appsecret_proof)$/i;

function secretsOf(req: HttpRequest): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (/^(?:authorization|x-api-key|cookie|proxy-authorization)$/i.test(k) && v) {
      out.push(v);
      const m = /^\S+\s+(.+)$/.exec(v);
      if (m) out.push(m[1]);
    }
  }
  try {
    for (const [k, v] of new URL(req.url).searchParams) if (SECRET_PARAMS.test(k) && v) out.push(v, encodeURIComponent(v));
  } catch {
    /* not a URL: nothing to take */
  }
  return out.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/** Removes every credential of the request from a text, and any access_token/key query value or Bearer token. */
export function redact(text: string, secrets: string[] = []): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('[redacted]');
  return out
    .replace(/([?&](?:access_token|token|key|api_key|apikey|client_secret|input_token|appsecret_proof)=)[^&\s"']+/gi, '$1[redacted]')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/%=-]{8,}/g, '$1 [redacted]');
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '(invalid URL)';
  }
}

function defaultScope(req: HttpRequest): string {
  let host = '';
  try {
    host = new URL(req.url).host;
  } catch {
    /* reported when fetched */
  }
  return `${req.platform.toLowerCase()}:${host}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests.

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function backoff(attempt: number, base: number): number {
  return Math.random() * Math.min(BACKOFF_CAP_MS, base * 2 ** attempt);
}

/** The error message of a JSON error body, in the shapes platforms use. */
function bodyMessage(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const err = b.error;
  if (err && typeof err === 'object') {
    const e = err as Record<string, unknown>;
    const msg = str(e.message);
    const code = e.code !== undefined ? ` (${str(e.type) ?? 'code'} ${String(e.code)})` : '';
    if (msg) return msg + code;
  }
  if (Array.isArray(b.errors) && b.errors.length) {
    const e = b.errors[0] as Record<string, unknown>;
    const msg = str(e?.message) ?? str(e?.detail) ?? str(e?.title);
    if (msg) return msg;
  }
  return str(b.detail) ?? str(b.title) ?? str(b.message) ?? str(b.error_description) ?? str(err);
}

/**
 * A body's message cut to `max` characters, keeping the error type and code it ends with ("… (OAuthException 10)"):
 * Meta's permission messages run past 300 characters, and the code is what says what went wrong.
 */
function shorten(msg: string, max: number): string {
  if (msg.length <= max) return msg;
  const code = /\s\([A-Za-z_]*\s?-?\d+\)$/.exec(msg)?.[0] ?? '';
  return `${msg.slice(0, max - code.length - 1).trimEnd()}…${code}`;
}

function networkReason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const code = err?.cause?.code;
  if (code) return `connection failed (${code})`;
  const m = err?.cause?.message ?? err?.message ?? String(e);
  return `connection failed (${m})`;
}

/** A GET with timeouts, retries and rate-limit waits. 2xx and 304 are returned; anything else throws a PlatformError. */
export async function httpGet(req: HttpRequest): Promise<HttpResponse> {
  const platform = req.platform;
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = Math.max(0, req.retries ?? DEFAULT_RETRIES);
  const maxWaitMs = req.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const base = req.backoffMs ?? DEFAULT_BACKOFF_MS;
  const scope = req.scope ?? defaultScope(req);
  const secrets = secretsOf(req);
  const path = pathOf(req.url);
  const fail = (message: string, opts: { status?: number | null; retryable?: boolean } = {}) =>
    new PlatformError(platform, redact(message, secrets), opts);

  let attempts = 0;
  let limitedTimes = 0;
  let lastProblem = '';
  for (;;) {
    // A bucket known to be empty: wait for its reset when near, else give up without sending.
    const until = rateLimitPause(scope);
    if (until) {
      const wait = until.getTime() - Date.now();
      if (wait > maxWaitMs || limitedTimes > retries) throw new RateLimitedError(platform, until, scope);
      try {
        await sleep(wait + 50, req.signal);
      } catch {
        throw fail(`${platform}: request to ${path} cancelled while waiting for the rate limit to reset`);
      }
    }
    if (req.signal?.aborted) throw fail(`${platform}: request to ${path} cancelled`);

    attempts++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await fetch(req.url, { headers: req.headers, signal, redirect: 'follow' });
      text = await res.text();
    } catch (e) {
      if (req.signal?.aborted) throw fail(`${platform}: request to ${path} cancelled`);
      lastProblem = timeout.aborted ? `no answer within ${Math.round(timeoutMs / 100) / 10} s` : networkReason(e);
      if (attempts > retries) {
        throw fail(`${platform}: ${lastProblem} from ${path} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, { retryable: true });
      }
      await sleepOrCancel(backoff(attempts - 1, base));
      continue;
    }

    const now = new Date();
    const rateLimit = parseRateLimit(res.headers, now);
    if (res.status === 429) {
      limitedTimes++;
      const reset = rateLimit.resetAt && rateLimit.resetAt.getTime() > now.getTime() ? rateLimit.resetAt : new Date(now.getTime() + UNKNOWN_RESET_MS);
      markRateLimited(scope, reset);
      attempts--; // waiting for the reset is not a failed attempt; limitedTimes bounds it
      continue;
    }
    if (rateLimit.remaining === 0 && rateLimit.resetAt && rateLimit.resetAt.getTime() > now.getTime()) markRateLimited(scope, rateLimit.resetAt);

    if ((res.status >= 200 && res.status < 300) || res.status === 304) {
      return { status: res.status, headers: res.headers, text, rateLimit, url: res.url || req.url };
    }
    const msg = bodyMessage(text);
    const detail = msg ? `: ${shorten(msg, 300)}` : '';
    if (res.status === 401) throw new AuthError(platform, redact(`${platform}: HTTP 401 unauthorized for ${path}${detail}`, secrets), { status: 401 });
    if (res.status >= 500) {
      lastProblem = `HTTP ${res.status}`;
      if (attempts > retries) {
        throw fail(`${platform}: HTTP ${res.status} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${path})${detail}`, { status: res.status, retryable: true });
      }
      // A 503 with Retry-After says when to come back: honour it when near, else back off.
      const ra = parseRetryAfter(res.headers.get('retry-after'), now);
      const raWait = ra ? ra.getTime() - now.getTime() : null;
      await sleepOrCancel(raWait !== null && raWait <= maxWaitMs ? Math.max(raWait, backoff(attempts - 1, base)) : backoff(attempts - 1, base));
      continue;
    }
    throw fail(`${platform}: HTTP ${res.status} for ${path}${detail}`, { status: res.status, retryable: false });
  }

  async function sleepOrCancel(ms: number): Promise<void> {
    try {
      await sleep(ms, req.signal);
    } catch {
      throw fail(`${platform}: request to ${path} cancelled${lastProblem ? ` (after ${lastProblem})` : ''}`);
    }
  }
}

/**
 * httpGet, then JSON. A body that is not JSON (cut off, malformed) is fetched again like a 5xx; when it stays bad the
 * PlatformError names the URL path. A 304 or an empty body gives `body` undefined.
 */
export async function httpGetJson<T>(req: HttpRequest): Promise<{ body: T; response: HttpResponse }> {
  const retries = Math.max(0, req.retries ?? DEFAULT_RETRIES);
  const base = req.backoffMs ?? DEFAULT_BACKOFF_MS;
  const path = pathOf(req.url);
  for (let attempt = 0; ; attempt++) {
    const response = await httpGet(req);
    if (response.status === 304 || response.text.trim() === '') return { body: undefined as T, response };
    try {
      return { body: JSON.parse(response.text) as T, response };
    } catch (e) {
      if (attempt >= retries) {
        const problem = (e as Error).message.replace(/\s+/g, ' ').slice(0, 120);
        throw new PlatformError(req.platform, redact(`${req.platform}: malformed JSON from ${path} after ${attempt + 1} attempt${attempt ? 's' : ''} (${problem})`, secretsOf(req)), {
          status: response.status,
          retryable: true,
        });
      }
      try {
        await sleep(backoff(attempt, base), req.signal);
      } catch {
        throw new PlatformError(req.platform, `${req.platform}: request to ${path} cancelled`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small mapping helpers every platform connector needs.

/** Decodes HTML character references as browsers do (the `entities` package: every named reference, numeric ones, the legacy forms without a semicolon). */
export function decodeEntities(s: string): string {
  return s.includes('&') ? decodeHTML(s) : s;
}

/** Plain text of an HTML fragment: line breaks for <br> and paragraph ends, tags removed, entities decoded. */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(?:p|div|blockquote|h[1-6]|pre)\s*>\s*(?=<(?:p|div|blockquote|h[1-6]|pre|ul|ol)\b)/gi, '\n\n')
    .replace(/<\/(?:p|div|blockquote|h[1-6]|pre|li)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** How much of a rejected record is kept as its sample. */
export const SAMPLE_CHARS = 500;

/** The start of a record for a rejected-record sample (at most SAMPLE_CHARS characters). */
export function sampleOf(record: unknown): string {
  let s: string | undefined;
  try {
    s = typeof record === 'string' ? record : JSON.stringify(record);
  } catch {
    s = String(record);
  }
  return (s ?? String(record)).slice(0, SAMPLE_CHARS);
}

/** An ISO 8601 date-time as platform APIs send it (Mastodon, Bluesky), with its offset; anything else is null. */
export function parseIsoDateTime(s: unknown): Date | null {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A count from a platform payload: a non-negative safe integer (numbers or digit strings), else null. */
export function countOf(v: unknown): number | null {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** A short stable hash prefix of a secret, to name its rate-limit bucket without revealing it. */
export function secretTag(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}
