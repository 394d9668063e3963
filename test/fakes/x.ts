// A fake X API v2 (Hono): GET /2/users/by/username/:username and GET /2/users/:id/tweets in the documented shapes
// (see test/fixtures/platforms/README.md): data / includes.tweets / meta { result_count, newest_id, oldest_id,
// next_token } / errors[] problems; only the fields asked for in tweet.fields (besides id, text and
// edit_history_tweet_ids); since_id and pagination_token paging over the newest 3,200 posts; x-rate-limit-* headers and
// 429s; a timeline the test edits between polls (an edit is a new tweet id with the edit history, as on X), and faults.
// GET /2/tweets?ids= (tweet lookup, at most 100 ids): `data` for the tweets that exist (a withheld one with its
// `withheld` object), and in `errors` a resource-not-found problem for a deleted id and an Authorization Error for a
// tweet the app may not see (`hidden`: a protected or suspended author; a per-tweet switch so one timeline has both).
import { Hono } from 'hono';
import { faultsAndLimits, RateWindow, serve, type FakeEnv, type Fault, type FaultLog, type Served } from './serve.ts';

const SNOWFLAKE_EPOCH = 1288834974657n;

export interface FakeTweet {
  id: string;
  text: string;
  created_at: string;
  author_id: string;
  conversation_id: string;
  lang?: string;
  edit_history_tweet_ids: string[];
  referenced_tweets?: { type: 'retweeted' | 'quoted' | 'replied_to'; id: string }[];
  in_reply_to_user_id?: string;
  public_metrics: { retweet_count: number; reply_count: number; like_count: number; quote_count: number; bookmark_count: number; impression_count: number };
  entities?: Record<string, unknown>;
  note_tweet?: { text: string };
  withheld?: { copyright: boolean; country_codes: string[] };
}

export interface NewTweet {
  text: string;
  lang?: string;
  at?: Date;
  likes?: number;
  retweets?: number;
  replies?: number;
  quotes?: number;
  views?: number;
  replyTo?: string;
  retweetOf?: string;
  quoteOf?: string;
  /** A long post: text is the first 280 characters, note_tweet.text the whole. */
  long?: boolean;
}

interface FakeUser {
  id: string;
  username: string;
  name: string;
  /** Current versions, oldest first. */
  tweets: FakeTweet[];
  /** A generated timeline (bulkUser): tweets made on request, none kept. */
  bulk?: { count: number; startMs: number; stepMs: number; gen: (i: number) => NewTweet };
}

export class FakeX {
  readonly users = new Map<string, FakeUser>();
  /** Tweets of other accounts that posts reference (retweeted, quoted). */
  readonly others = new Map<string, FakeTweet>();
  readonly faults: Fault[] = [];
  /** Faults for the tweet lookup only (the timeline answers as usual): a 429 until `resetSeconds`, or a 5xx. */
  readonly lookupFaults: ({ kind: '429'; resetSeconds?: number } | { kind: '500' | '503' })[] = [];
  /** Tweet ids the lookup answers with an Authorization Error (their author became protected or was suspended). */
  readonly hidden = new Set<string>();
  readonly log: FaultLog = { requests: [], limited: 0 };
  readonly window: RateWindow;
  tokens: Set<string>;
  cap: number;
  private clock: number;
  private seq = 0n;
  readonly app = new Hono<FakeEnv>();

  constructor(opts: { token?: string | string[]; cap?: number; window?: RateWindow; start?: Date; slowMs?: number } = {}) {
    this.tokens = new Set(Array.isArray(opts.token) ? opts.token : [opts.token ?? 'x-test-token']);
    this.cap = opts.cap ?? 3200;
    this.window = opts.window ?? new RateWindow();
    this.clock = (opts.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
    this.app.use(
      '*',
      faultsAndLimits({
        faults: this.faults,
        window: this.window,
        log: this.log,
        slowMs: opts.slowMs,
        headers: (s) => ({
          'x-rate-limit-limit': String(s.limit),
          'x-rate-limit-remaining': String(s.remaining),
          'x-rate-limit-reset': String(Math.ceil(s.resetAt.getTime() / 1000)),
        }),
        limitedBody: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
      }),
    );
    this.app.use('/2/*', async (c, next) => {
      const auth = c.req.header('authorization') ?? '';
      const m = /^Bearer (.+)$/.exec(auth);
      if (!m || !this.tokens.has(m[1])) return c.json({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }, 401);
      await next();
    });
    this.app.get('/2/users/by/username/:username', (c) => {
      const username = c.req.param('username');
      const u = this.users.get(username.toLowerCase());
      if (!u) {
        return c.json({
          errors: [
            {
              value: username,
              detail: `Could not find user with username: [${username}].`,
              title: 'Not Found Error',
              resource_type: 'user',
              parameter: 'username',
              resource_id: username,
              type: 'https://api.twitter.com/2/problems/resource-not-found',
            },
          ],
        });
      }
      return c.json({ data: { id: u.id, name: u.name, username: u.username } });
    });
    this.app.get('/2/users/:id/tweets', (c) => this.timelinePage(c.req.param('id'), new URL(c.req.url).searchParams));
    this.app.get('/2/tweets', (c) => this.lookup(new URL(c.req.url).searchParams));
  }

  start(): Promise<Served> {
    return serve(this.app);
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  addUser(username: string, name = username): string {
    const id = String(1_000_000 + this.users.size);
    this.users.set(username.toLowerCase(), { id, username, name, tweets: [] });
    return id;
  }

  /**
   * A user with a long generated timeline (benchmarks): tweet `i` (0 = oldest) of `count` is `gen(i)`, posted a
   * `stepMs` (a minute) after tweet i - 1 from `start`, made when a page asks for it, so memory does not grow with `count`. The
   * pages have the same shape and paging (since_id, pagination_token, the cap) as the others; no edits or deletions.
   */
  bulkUser(username: string, count: number, gen: (i: number) => NewTweet, start = new Date('2025-01-01T00:00:00Z'), stepMs = 60_000): string {
    const id = String(1_000_000 + this.users.size);
    this.users.set(username.toLowerCase(), { id, username, name: username, tweets: [], bulk: { count, startMs: start.getTime(), stepMs: Math.max(1, Math.floor(stepMs)), gen } });
    return id;
  }

  private nextId(ms: number): string {
    this.seq++;
    return String(((BigInt(ms) - SNOWFLAKE_EPOCH) << 22n) + (this.seq % 4096n));
  }

  private make(authorId: string, t: NewTweet): FakeTweet {
    const ms = t.at ? t.at.getTime() : (this.clock += 60_000);
    const id = this.nextId(ms);
    const tweet: FakeTweet = {
      id,
      text: t.long ? t.text.slice(0, 280) : t.text,
      created_at: new Date(ms).toISOString(),
      author_id: authorId,
      conversation_id: id,
      edit_history_tweet_ids: [id],
      public_metrics: { retweet_count: t.retweets ?? 0, reply_count: t.replies ?? 0, like_count: t.likes ?? 0, quote_count: t.quotes ?? 0, bookmark_count: 0, impression_count: t.views ?? 0 },
    };
    if (t.lang !== undefined) tweet.lang = t.lang;
    if (t.long) tweet.note_tweet = { text: t.text };
    const refs: FakeTweet['referenced_tweets'] = [];
    if (t.replyTo) {
      refs.push({ type: 'replied_to', id: t.replyTo });
      tweet.in_reply_to_user_id = '42';
    }
    if (t.retweetOf) {
      refs.push({ type: 'retweeted', id: t.retweetOf });
      const orig = this.others.get(t.retweetOf);
      tweet.text = `RT @someone: ${(orig?.text ?? '').slice(0, 100)}`;
    }
    if (t.quoteOf) refs.push({ type: 'quoted', id: t.quoteOf });
    if (refs.length) tweet.referenced_tweets = refs;
    return tweet;
  }

  post(username: string, t: NewTweet): FakeTweet {
    const u = this.user(username);
    const tweet = this.make(u.id, t);
    u.tweets.push(tweet);
    u.tweets.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    return tweet;
  }

  /** A tweet of another account (to retweet or quote). */
  external(t: NewTweet): FakeTweet {
    const tweet = this.make('999', t);
    this.others.set(tweet.id, tweet);
    return tweet;
  }

  /** Edits a post: a new tweet id carrying the edit history; the timeline shows the new version only. */
  edit(username: string, id: string, text: string, at?: Date): FakeTweet {
    const u = this.user(username);
    const i = u.tweets.findIndex((t) => t.id === id || t.edit_history_tweet_ids.includes(id));
    if (i < 0) throw new Error(`no tweet ${id}`);
    const old = u.tweets[i];
    const ms = at ? at.getTime() : (this.clock += 60_000);
    const newId = this.nextId(ms);
    const next: FakeTweet = { ...old, id: newId, text, created_at: new Date(ms).toISOString(), edit_history_tweet_ids: [...old.edit_history_tweet_ids, newId] };
    if (old.note_tweet) next.note_tweet = { text };
    u.tweets.splice(i, 1);
    u.tweets.push(next);
    return next;
  }

  remove(username: string, id: string): void {
    const u = this.user(username);
    u.tweets = u.tweets.filter((t) => t.id !== id && !t.edit_history_tweet_ids.includes(id));
  }

  /** Withholds a tweet in some countries: still served, with its `withheld` object. */
  withhold(username: string, id: string, countryCodes = ['BH']): void {
    const t = this.user(username).tweets.find((x) => x.id === id || x.edit_history_tweet_ids.includes(id));
    if (!t) throw new Error(`no tweet ${id}`);
    t.withheld = { copyright: false, country_codes: countryCodes };
  }

  /** Current versions, newest first. */
  timeline(username: string): FakeTweet[] {
    return [...this.user(username).tweets].reverse();
  }

  private user(username: string): FakeUser {
    const u = this.users.get(username.toLowerCase());
    if (!u) throw new Error(`no user ${username}`);
    return u;
  }

  private timelinePage(userId: string, q: URLSearchParams): Response {
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    const u = [...this.users.values()].find((x) => x.id === userId);
    if (!u) {
      return json({
        errors: [
          {
            value: userId,
            detail: `Could not find user with id: [${userId}].`,
            title: 'Not Found Error',
            resource_type: 'user',
            parameter: 'id',
            resource_id: userId,
            type: 'https://api.twitter.com/2/problems/resource-not-found',
          },
        ],
      });
    }
    const maxResults = Number(q.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return json(
        {
          errors: [{ parameters: { max_results: [q.get('max_results')] }, message: `The \`max_results\` query parameter value [${q.get('max_results')}] is not between 5 and 100` }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        },
        400,
      );
    }
    const fields = new Set((q.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const expand = (q.get('expansions') ?? '').split(',').includes('referenced_tweets.id');
    if (u.bulk) return this.bulkPage(u, u.bulk, q, maxResults, fields, json);
    let reachable = [...u.tweets].reverse().slice(0, this.cap);
    const sinceId = q.get('since_id');
    if (sinceId) reachable = reachable.filter((t) => BigInt(t.id) > BigInt(sinceId));
    const token = q.get('pagination_token');
    if (token) {
      const before = /^before:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
      if (!before) {
        return json({ errors: [{ parameters: { pagination_token: [token] }, message: 'The `pagination_token` query parameter value is not valid' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, 400);
      }
      reachable = reachable.filter((t) => BigInt(t.id) < BigInt(before[1]));
    }
    const page = reachable.slice(0, maxResults);
    const shape = (t: FakeTweet) => {
      const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: t.edit_history_tweet_ids };
      for (const f of fields) if (f in t) out[f] = (t as unknown as Record<string, unknown>)[f];
      return out;
    };
    if (page.length === 0) return json({ meta: { result_count: 0 } });
    const body: Record<string, unknown> = { data: page.map(shape) };
    if (expand) {
      const included: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const t of page) {
        for (const r of t.referenced_tweets ?? []) {
          const ref = this.others.get(r.id) ?? [...this.users.values()].flatMap((x) => x.tweets).find((x) => x.id === r.id);
          if (ref) included.push(shape(ref));
          else {
            errors.push({
              value: r.id,
              detail: `Could not find tweet with referenced_tweets.id: [${r.id}].`,
              title: 'Not Found Error',
              resource_type: 'tweet',
              parameter: 'referenced_tweets.id',
              resource_id: r.id,
              section: 'includes',
              type: 'https://api.twitter.com/2/problems/resource-not-found',
            });
          }
        }
      }
      if (included.length) body.includes = { tweets: included };
      if (errors.length) body.errors = errors;
    }
    const meta: Record<string, unknown> = { result_count: page.length, newest_id: page[0].id, oldest_id: page[page.length - 1].id };
    if (reachable.length > page.length) meta.next_token = Buffer.from(`before:${page[page.length - 1].id}`).toString('base64url');
    body.meta = meta;
    return json(body);
  }

  private lookup(q: URLSearchParams): Response {
    const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
    const fault = this.lookupFaults.shift();
    if (fault?.kind === '429') {
      const reset = String(Math.ceil(Date.now() / 1000 + (fault.resetSeconds ?? 1)));
      return json({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, 429, { 'x-rate-limit-limit': '15', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': reset });
    }
    if (fault) return json({ title: 'Internal Server Error', type: 'about:blank', status: Number(fault.kind) }, Number(fault.kind));
    const ids = (q.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100 || ids.some((id) => !/^\d{1,19}$/.test(id))) {
      return json(
        {
          errors: [{ parameters: { ids: [q.get('ids') ?? ''] }, message: 'The `ids` query parameter value must be 1 to 100 comma-separated tweet ids' }],
          title: 'Invalid Request',
          detail: 'One or more parameters to your request was invalid.',
          type: 'https://api.twitter.com/2/problems/invalid-request',
        },
        400,
      );
    }
    const fields = new Set((q.get('tweet.fields') ?? '').split(',').filter(Boolean));
    const all = [...this.users.values()].flatMap((u) => u.tweets);
    const data: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const id of ids) {
      // An earlier version's id finds the tweet too (its versions stay readable while it exists).
      const t = all.find((x) => x.id === id || x.edit_history_tweet_ids.includes(id));
      if (t && this.hidden.has(t.id)) {
        errors.push({
          value: id,
          detail: `Sorry, you are not authorized to see the Tweet with ids: [${id}].`,
          title: 'Authorization Error',
          resource_type: 'tweet',
          parameter: 'ids',
          resource_id: id,
          type: 'https://api.twitter.com/2/problems/not-authorized-for-resource',
        });
      } else if (t) {
        const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: t.edit_history_tweet_ids };
        for (const f of fields) if (f in t) out[f] = (t as unknown as Record<string, unknown>)[f];
        if (t.withheld) out.withheld = t.withheld;
        data.push(out);
      } else {
        errors.push({
          value: id,
          detail: `Could not find tweet with ids: [${id}].`,
          title: 'Not Found Error',
          resource_type: 'tweet',
          parameter: 'ids',
          resource_id: id,
          type: 'https://api.twitter.com/2/problems/resource-not-found',
        });
      }
    }
    const body: Record<string, unknown> = {};
    if (data.length) body.data = data;
    if (errors.length) body.errors = errors;
    return json(body);
  }

  // Tweet i of a generated timeline: its id is the snowflake of its time, so an id tells its index.
  private bulkId(b: NonNullable<FakeUser['bulk']>, i: number): string {
    return String(((BigInt(b.startMs + i * b.stepMs) - SNOWFLAKE_EPOCH) << 22n) + BigInt(i % 4096));
  }

  private bulkIndex(b: NonNullable<FakeUser['bulk']>, id: string): number {
    return Math.floor((Number((BigInt(id) >> 22n) + SNOWFLAKE_EPOCH) - b.startMs) / b.stepMs);
  }

  private bulkTweet(u: FakeUser, b: NonNullable<FakeUser['bulk']>, i: number): FakeTweet {
    const t = b.gen(i);
    const ms = b.startMs + i * b.stepMs;
    const id = this.bulkId(b, i);
    const tweet: FakeTweet = {
      id,
      text: t.long ? t.text.slice(0, 280) : t.text,
      created_at: new Date(ms).toISOString(),
      author_id: u.id,
      conversation_id: id,
      edit_history_tweet_ids: [id],
      public_metrics: { retweet_count: t.retweets ?? 0, reply_count: t.replies ?? 0, like_count: t.likes ?? 0, quote_count: t.quotes ?? 0, bookmark_count: 0, impression_count: t.views ?? 0 },
    };
    if (t.lang !== undefined) tweet.lang = t.lang;
    if (t.long) tweet.note_tweet = { text: t.text };
    if (t.replyTo) {
      tweet.referenced_tweets = [{ type: 'replied_to', id: t.replyTo }];
      tweet.in_reply_to_user_id = '42';
    }
    return tweet;
  }

  private bulkPage(u: FakeUser, b: NonNullable<FakeUser['bulk']>, q: URLSearchParams, maxResults: number, fields: Set<string>, json: (body: unknown, status?: number) => Response): Response {
    // Reachable: indices [lo, hi), served newest first.
    let lo = Math.max(0, b.count - this.cap);
    let hi = b.count;
    const sinceId = q.get('since_id');
    if (sinceId) lo = Math.max(lo, this.bulkIndex(b, sinceId) + 1);
    const token = q.get('pagination_token');
    if (token) {
      const before = /^before:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
      if (!before) {
        return json({ errors: [{ parameters: { pagination_token: [token] }, message: 'The `pagination_token` query parameter value is not valid' }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request' }, 400);
      }
      hi = Math.min(hi, this.bulkIndex(b, before[1]));
    }
    if (hi <= lo) return json({ meta: { result_count: 0 } });
    const from = Math.max(lo, hi - maxResults);
    const data: Record<string, unknown>[] = [];
    for (let i = hi - 1; i >= from; i--) {
      const t = this.bulkTweet(u, b, i);
      const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: t.edit_history_tweet_ids };
      for (const f of fields) if (f in t) out[f] = (t as unknown as Record<string, unknown>)[f];
      data.push(out);
    }
    const meta: Record<string, unknown> = { result_count: data.length, newest_id: data[0].id, oldest_id: data[data.length - 1].id };
    if (from > lo) meta.next_token = Buffer.from(`before:${data[data.length - 1].id}`).toString('base64url');
    return json({ data, meta });
  }
}
