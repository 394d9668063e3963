// A fake Mastodon instance (Hono): GET /api/v1/accounts/lookup and GET /api/v1/accounts/:id/statuses in the documented
// shapes (see test/fixtures/platforms/README.md): Status entities with HTML content, spoiler_text, edited_at, reblog;
// limit (default 20, at most 40), max_id / since_id / min_id, a Link header with rel="next" (max_id) and rel="prev"
// (min_id); X-RateLimit-Limit/-Remaining/-Reset (an ISO 8601 date) and 429 {"error": "Too many requests"}; a timeline
// the test edits between polls (an edit keeps the id and sets edited_at), and faults.
import { Hono } from 'hono';
import { faultsAndLimits, RateWindow, serve, type FakeEnv, type Fault, type FaultLog, type Served } from './serve.ts';

export interface FakeStatus {
  id: string;
  created_at: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  sensitive: boolean;
  spoiler_text: string;
  visibility: 'public';
  language: string | null;
  uri: string;
  url: string | null;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  edited_at: string | null;
  content: string;
  reblog: FakeStatus | null;
  account: { id: string; username: string; acct: string };
  media_attachments: unknown[];
  mentions: unknown[];
  tags: unknown[];
  emojis: unknown[];
}

export interface NewStatus {
  /** HTML, as Mastodon serves it. */
  content: string;
  spoiler?: string;
  language?: string | null;
  at?: Date;
  likes?: number;
  reblogs?: number;
  replies?: number;
  replyTo?: string;
  /** Reblogs this status of another account. */
  reblogOf?: FakeStatus;
}

interface FakeAccount {
  id: string;
  username: string;
  statuses: FakeStatus[];
}

export class FakeMastodon {
  readonly accounts = new Map<string, FakeAccount>();
  readonly faults: Fault[] = [];
  readonly log: FaultLog = { requests: [], limited: 0 };
  readonly window: RateWindow;
  readonly app = new Hono<FakeEnv>();
  host = 'social.example';
  private clock: number;
  private seq = 0;

  constructor(opts: { window?: RateWindow; start?: Date; slowMs?: number } = {}) {
    this.window = opts.window ?? new RateWindow(300, 300_000);
    this.clock = (opts.start ?? new Date('2026-01-01T00:00:00Z')).getTime();
    this.app.use(
      '*',
      faultsAndLimits({
        faults: this.faults,
        window: this.window,
        log: this.log,
        slowMs: opts.slowMs,
        headers: (s) => ({ 'X-RateLimit-Limit': String(s.limit), 'X-RateLimit-Remaining': String(s.remaining), 'X-RateLimit-Reset': s.resetAt.toISOString() }),
        limitedBody: { error: 'Too many requests' },
      }),
    );
    this.app.get('/api/v1/accounts/lookup', (c) => {
      const acct = (c.req.query('acct') ?? '').replace(/^@/, '');
      const a = this.accounts.get(acct.toLowerCase());
      if (!a) return c.json({ error: 'Record not found' }, 404);
      return c.json({ id: a.id, username: a.username, acct: a.username, display_name: a.username, url: `https://${this.host}/@${a.username}` });
    });
    this.app.get('/api/v1/accounts/:id/statuses', (c) => {
      const a = [...this.accounts.values()].find((x) => x.id === c.req.param('id'));
      if (!a) return c.json({ error: 'Record not found' }, 404);
      const q = new URL(c.req.url).searchParams;
      const limit = Math.min(40, Math.max(1, Number(q.get('limit') ?? '20') || 20));
      const big = (s: string) => BigInt(s);
      let list = [...a.statuses].sort((x, y) => (big(x.id) < big(y.id) ? 1 : -1));
      const maxId = q.get('max_id');
      const sinceId = q.get('since_id');
      const minId = q.get('min_id');
      if (maxId) list = list.filter((s) => big(s.id) < big(maxId));
      if (sinceId) list = list.filter((s) => big(s.id) > big(sinceId));
      let page: FakeStatus[];
      if (minId) {
        // min_id: the statuses immediately newer than it, still served newest first.
        page = list.filter((s) => big(s.id) > big(minId)).slice(-limit);
      } else page = list.slice(0, limit);
      const headers: Record<string, string> = {};
      if (page.length) {
        const base = new URL(c.req.url);
        const link = (k: string, v: string) => {
          const u = new URL(`${base.origin}${base.pathname}`);
          u.searchParams.set('limit', String(limit));
          u.searchParams.set(k, v);
          return u.toString();
        };
        headers.link = `<${link('max_id', page[page.length - 1].id)}>; rel="next", <${link('min_id', page[0].id)}>; rel="prev"`;
      }
      return c.json(page, 200, headers);
    });
  }

  start(): Promise<Served> {
    return serve(this.app);
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  addAccount(username: string): string {
    const id = String(109_000_000_000_000_000n + BigInt(this.accounts.size + 1));
    this.accounts.set(username.toLowerCase(), { id, username, statuses: [] });
    return id;
  }

  private nextId(ms: number): string {
    this.seq++;
    return String((BigInt(ms) << 16n) + BigInt(this.seq % 65536));
  }

  /** A status of another account (to reblog). */
  foreign(s: NewStatus): FakeStatus {
    return this.make({ id: '1', username: 'someone', statuses: [] }, s);
  }

  private make(a: FakeAccount, s: NewStatus): FakeStatus {
    const ms = s.at ? s.at.getTime() : (this.clock += 60_000);
    const id = this.nextId(ms);
    return {
      id,
      created_at: new Date(ms).toISOString(),
      in_reply_to_id: s.replyTo ?? null,
      in_reply_to_account_id: s.replyTo ? '42' : null,
      sensitive: Boolean(s.spoiler),
      spoiler_text: s.spoiler ?? '',
      visibility: 'public',
      language: s.reblogOf ? null : s.language === undefined ? 'ar' : s.language,
      uri: `https://${this.host}/users/${a.username}/statuses/${id}`,
      url: s.reblogOf ? null : `https://${this.host}/@${a.username}/${id}`,
      replies_count: s.replies ?? 0,
      reblogs_count: s.reblogs ?? 0,
      favourites_count: s.likes ?? 0,
      edited_at: null,
      content: s.reblogOf ? '' : s.content,
      reblog: s.reblogOf ?? null,
      account: { id: a.id, username: a.username, acct: a.username },
      media_attachments: [],
      mentions: [],
      tags: [],
      emojis: [],
    };
  }

  post(username: string, s: NewStatus): FakeStatus {
    const a = this.account(username);
    const status = this.make(a, s);
    a.statuses.push(status);
    return status;
  }

  edit(username: string, id: string, content: string, spoiler?: string): FakeStatus {
    const s = this.account(username).statuses.find((x) => x.id === id);
    if (!s) throw new Error(`no status ${id}`);
    s.content = content;
    if (spoiler !== undefined) s.spoiler_text = spoiler;
    s.edited_at = new Date((this.clock += 60_000)).toISOString();
    return s;
  }

  remove(username: string, id: string): void {
    const a = this.account(username);
    a.statuses = a.statuses.filter((s) => s.id !== id);
  }

  timeline(username: string): FakeStatus[] {
    return [...this.account(username).statuses];
  }

  private account(username: string): FakeAccount {
    const a = this.accounts.get(username.toLowerCase());
    if (!a) throw new Error(`no account ${username}`);
    return a;
  }
}
