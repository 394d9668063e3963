// A fake Graph API (Facebook Pages and Instagram professional accounts) on 127.0.0.1, serving the documented shapes
// (test/fixtures/platforms/facebook, instagram) from a timeline the test controls: keyset cursors in `paging.next`
// (with the access token in it, as Meta sends it), `since`, a page size cap, the usage headers, and faults taken one
// per request from a queue: HTTP statuses, OAuthException codes with business-use-case headers, delays, connection
// resets, truncated JSON and a repeated page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve, type FakeEnv } from './serve.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'platforms');
export const graphFixture = (platform: 'facebook' | 'instagram', name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, platform, name), 'utf8'));

export type GraphFault =
  /** This request is answered normally. */
  | { type: 'none' }
  | { type: 'status'; status: number }
  /** An error object with this code; throttling codes carry X-Business-Use-Case-Usage with the regain time. */
  | { type: 'oauth'; code: number; status?: number; regainMinutes?: number }
  | { type: 'delay'; ms: number }
  | { type: 'reset' }
  | { type: 'truncate' }
  /** The answer to the previous request, served again. */
  | { type: 'repeat' };

export interface FakeGraph {
  url: string;
  /** Page id → posts as Graph serves them (any order; served newest first by created_time). */
  pages: Map<string, Record<string, unknown>[]>;
  /** IG user id → media (served newest first by timestamp). */
  media: Map<string, Record<string, unknown>[]>;
  tokens: Set<string>;
  faults: GraphFault[];
  /** Percent reported in X-App-Usage on every answer. */
  usage: number;
  /** Largest page served whatever `limit` asks. */
  pageSize: number;
  /** Each request's path and query, the token replaced by [token]. */
  requests: string[];
  close(): Promise<void>;
}

const unix = (s: unknown) => Math.floor(Date.parse(String(s).replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) / 1000);
const enc = (t: number, id: string) => Buffer.from(`${t}:${id}`).toString('base64url');
const dec = (c: string) => {
  const s = Buffer.from(c, 'base64url').toString();
  const at = s.indexOf(':');
  return { t: Number(s.slice(0, at)), id: s.slice(at + 1) };
};

export async function startFakeGraph(opts: { tokens?: string[]; pageSize?: number } = {}): Promise<FakeGraph> {
  const state = {
    pages: new Map<string, Record<string, unknown>[]>(),
    media: new Map<string, Record<string, unknown>[]>(),
    tokens: new Set(opts.tokens ?? ['good-token']),
    faults: [] as GraphFault[],
    usage: 10,
    pageSize: opts.pageSize ?? 100,
    requests: [] as string[],
  };
  let previous: { status: number; body: string; headers: Record<string, string> } | null = null;
  const app = new Hono<FakeEnv>();

  app.get('/:version/:id/:edge', async (c) => {
    const u = new URL(c.req.url);
    const token = u.searchParams.get('access_token') ?? '';
    state.requests.push(`${u.pathname}${u.search}`.replace(token ? encodeURIComponent(token) : '\u0000', '[token]').replace(token || '\u0000', '[token]'));
    const usage = { 'X-App-Usage': JSON.stringify({ call_count: state.usage, total_time: Math.max(1, state.usage - 5), total_cputime: Math.max(1, state.usage - 5) }) };

    const fault = state.faults.shift();
    if (fault?.type === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'reset') {
      c.env.incoming.socket.destroy();
      return new Response(null);
    }
    if (fault?.type === 'status') return c.body(`<html><body>${fault.status} Bad gateway</body></html>`, fault.status as 500, { 'content-type': 'text/html' });
    if (fault?.type === 'repeat' && previous) return c.body(previous.body, previous.status as 200, previous.headers);
    if (fault?.type === 'oauth') {
      const file = fault.code === 190 ? 'error-oauth-190.json' : fault.code === 100 ? 'error-100.json' : fault.code >= 80000 ? 'error-throttle-80001.json' : 'error-throttle-4.json';
      const body = graphFixture('facebook', file) as { error: Record<string, unknown> };
      body.error.code = fault.code;
      body.error.message = String(body.error.message).replace(/\(#\d+\)/, `(#${fault.code})`);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_request"' };
      if (fault.regainMinutes !== undefined) {
        headers['X-Business-Use-Case-Usage'] = JSON.stringify({
          [c.req.param('id')]: [{ type: 'pages', call_count: 100, total_cputime: 30, total_time: 30, estimated_time_to_regain_access: fault.regainMinutes }],
        });
      } else Object.assign(headers, usage);
      return c.body(JSON.stringify(body), (fault.status ?? (fault.code === 190 || fault.code === 100 ? 400 : 403)) as 400, headers);
    }

    if (!state.tokens.has(token)) {
      return c.json(graphFixture('facebook', 'error-oauth-190.json') as object, 400, { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token"' });
    }
    const edge = c.req.param('edge');
    const id = c.req.param('id');
    const list = edge === 'posts' ? state.pages.get(id) : edge === 'media' ? state.media.get(id) : undefined;
    if (!list) {
      const body = graphFixture('facebook', 'error-100.json') as { error: Record<string, unknown> };
      body.error.message = String(body.error.message).replace("'999'", `'${id}'`);
      return c.json(body, 400);
    }
    const timeKey = edge === 'posts' ? 'created_time' : 'timestamp';
    const fields = (u.searchParams.get('fields') ?? '').split(',');
    for (const f of edge === 'posts' ? ['id', 'message', 'created_time'] : ['id', 'caption', 'timestamp']) {
      if (!fields.includes(f)) return c.json({ error: { message: `(#100) fields must include ${f}`, type: 'OAuthException', code: 100 } }, 400);
    }
    const sorted = list
      .map((r) => ({ r, t: unix(r[timeKey]), id: String(r.id) }))
      .sort((a, b) => b.t - a.t || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    const since = u.searchParams.get('since');
    const after = u.searchParams.get('after');
    let rows = since ? sorted.filter((x) => x.t >= Number(since)) : sorted;
    if (after) {
      const k = dec(after);
      rows = rows.filter((x) => x.t < k.t || (x.t === k.t && x.id < k.id));
    }
    const limit = Math.min(Number(u.searchParams.get('limit') ?? 25), state.pageSize);
    const page = rows.slice(0, limit);
    const body: Record<string, unknown> = { data: page.map((x) => x.r) };
    if (page.length) {
      const paging: Record<string, unknown> = { cursors: { before: enc(page[0].t, page[0].id), after: enc(page.at(-1)!.t, page.at(-1)!.id) } };
      if (rows.length > page.length) {
        const next = new URL(u);
        next.searchParams.set('after', enc(page.at(-1)!.t, page.at(-1)!.id));
        paging.next = next.toString();
      }
      body.paging = paging;
    }
    let text = JSON.stringify(body);
    const headers = { 'content-type': 'application/json; charset=UTF-8', ...usage };
    previous = { status: 200, body: text, headers };
    if (fault?.type === 'truncate') text = text.slice(0, Math.floor(text.length / 2));
    return c.body(text, 200, headers);
  });

  const served = await serve(app);
  return Object.assign(state, { url: served.url, close: served.close }) as FakeGraph;
}
