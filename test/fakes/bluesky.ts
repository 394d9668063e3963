// A fake Bluesky AppView (Hono): GET /xrpc/app.bsky.feed.getAuthorFeed in the lexicon's shape (see
// test/fixtures/platforms/README.md): { feed: FeedViewPost[], cursor } with post { uri, cid, author, record { $type,
// text, createdAt, langs, reply }, replyCount, repostCount, likeCount, quoteCount, indexedAt }, reason
// app.bsky.feed.defs#reasonRepost for reposts; limit (default 50, at most 100) and an opaque cursor; IETF RateLimit-*
// headers as Bluesky sends them (the reset in epoch seconds, RateLimit-Policy "3000;w=300"); 400 InvalidRequest for an
// unknown actor; a feed the test changes between polls, and faults.
import { Hono } from 'hono';
import { faultsAndLimits, RateWindow, serve, type FakeEnv, type Fault, type FaultLog, type Served } from './serve.ts';

export interface FakeFeedItem {
  post: {
    uri: string;
    cid: string;
    author: { did: string; handle: string; displayName: string };
    record: { $type: 'app.bsky.feed.post'; text: string; createdAt: string; langs?: string[]; reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } } };
    replyCount: number;
    repostCount: number;
    likeCount: number;
    quoteCount: number;
    indexedAt: string;
    labels: unknown[];
  };
  reason?: { $type: 'app.bsky.feed.defs#reasonRepost'; by: { did: string; handle: string }; uri: string; cid: string; indexedAt: string };
}

export interface NewSkeet {
  text: string;
  langs?: string[];
  at?: Date;
  likes?: number;
  reposts?: number;
  replies?: number;
  quotes?: number;
  replyTo?: string;
}

interface FakeActor {
  did: string;
  handle: string;
  items: FakeFeedItem[];
}

export class FakeBluesky {
  readonly actors = new Map<string, FakeActor>();
  readonly faults: Fault[] = [];
  readonly log: FaultLog = { requests: [], limited: 0 };
  readonly window: RateWindow;
  readonly app = new Hono<FakeEnv>();
  private clock: number;
  private seq = 0;

  constructor(opts: { window?: RateWindow; start?: Date; slowMs?: number } = {}) {
    this.window = opts.window ?? new RateWindow(3000, 300_000);
    this.clock = (opts.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
    this.app.use(
      '*',
      faultsAndLimits({
        faults: this.faults,
        window: this.window,
        log: this.log,
        slowMs: opts.slowMs,
        headers: (s) => ({
          'RateLimit-Limit': String(s.limit),
          'RateLimit-Remaining': String(s.remaining),
          'RateLimit-Reset': String(Math.ceil(s.resetAt.getTime() / 1000)),
          'RateLimit-Policy': `${s.limit};w=${Math.round(this.window.windowMs / 1000)}`,
        }),
        limitedBody: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' },
      }),
    );
    this.app.get('/xrpc/app.bsky.feed.getAuthorFeed', (c) => {
      const actorParam = c.req.query('actor') ?? '';
      const a = [...this.actors.values()].find((x) => x.handle === actorParam || x.did === actorParam);
      if (!a) return c.json({ error: 'InvalidRequest', message: 'Profile not found' }, 400);
      const limit = Math.min(100, Math.max(1, Number(c.req.query('limit') ?? '50') || 50));
      const sorted = this.sorted(a);
      const cursor = c.req.query('cursor');
      let start = 0;
      if (cursor) {
        const [t, cid] = cursor.split('::');
        start = sorted.findIndex((it) => this.key(it) < `${t}::${cid}`);
        if (start < 0) start = sorted.length;
      }
      const page = sorted.slice(start, start + limit);
      const body: Record<string, unknown> = { feed: page };
      if (page.length) body.cursor = this.key(page[page.length - 1]);
      return c.json(body);
    });
  }

  private at(it: FakeFeedItem): string {
    return it.reason ? it.reason.indexedAt : it.post.indexedAt;
  }
  private key(it: FakeFeedItem): string {
    return `${this.at(it)}::${it.reason ? it.reason.cid : it.post.cid}`;
  }
  private sorted(a: FakeActor): FakeFeedItem[] {
    return [...a.items].sort((x, y) => (this.key(x) < this.key(y) ? 1 : -1));
  }

  start(): Promise<Served> {
    return serve(this.app);
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  addActor(handle: string): string {
    const did = `did:plc:fake${this.actors.size + 1}`;
    this.actors.set(handle, { did, handle, items: [] });
    return did;
  }

  private rkey(): string {
    this.seq++;
    return `3l${this.seq.toString(36).padStart(11, '0')}`;
  }

  private postOf(a: { did: string; handle: string }, s: NewSkeet): FakeFeedItem['post'] {
    const ms = s.at ? s.at.getTime() : (this.clock += 60_000);
    const rkey = this.rkey();
    const record: FakeFeedItem['post']['record'] = { $type: 'app.bsky.feed.post', text: s.text, createdAt: new Date(ms).toISOString() };
    if (s.langs) record.langs = s.langs;
    if (s.replyTo) record.reply = { root: { uri: s.replyTo, cid: 'bafyroot' }, parent: { uri: s.replyTo, cid: 'bafyparent' } };
    return {
      uri: `at://${a.did}/app.bsky.feed.post/${rkey}`,
      cid: `bafyrei${rkey}`,
      author: { did: a.did, handle: a.handle, displayName: a.handle },
      record,
      replyCount: s.replies ?? 0,
      repostCount: s.reposts ?? 0,
      likeCount: s.likes ?? 0,
      quoteCount: s.quotes ?? 0,
      indexedAt: new Date(ms + 150).toISOString(),
      labels: [],
    };
  }

  post(handle: string, s: NewSkeet): FakeFeedItem {
    const a = this.actor(handle);
    const item: FakeFeedItem = { post: this.postOf(a, s) };
    a.items.push(item);
    return item;
  }

  /** The actor reposts a post of another account. */
  repost(handle: string, other: { handle: string; did: string }, s: NewSkeet): FakeFeedItem {
    const a = this.actor(handle);
    const original = this.postOf(other, s);
    const ms = (this.clock += 60_000);
    const rkey = this.rkey();
    const item: FakeFeedItem = {
      post: original,
      reason: { $type: 'app.bsky.feed.defs#reasonRepost', by: { did: a.did, handle: a.handle }, uri: `at://${a.did}/app.bsky.feed.repost/${rkey}`, cid: `bafyrei${rkey}`, indexedAt: new Date(ms).toISOString() },
    };
    a.items.push(item);
    return item;
  }

  remove(handle: string, uri: string): void {
    const a = this.actor(handle);
    a.items = a.items.filter((it) => it.post.uri !== uri && it.reason?.uri !== uri);
  }

  /** Newest first, as the feed serves it. */
  timeline(handle: string): FakeFeedItem[] {
    return this.sorted(this.actor(handle));
  }

  private actor(handle: string): FakeActor {
    const a = this.actors.get(handle);
    if (!a) throw new Error(`no actor ${handle}`);
    return a;
  }
}
