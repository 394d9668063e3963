// The fake X API of `npm run bench:import`, in a process of its own: `node --import tsx test/bench/fake-x-process.ts
// POSTS ACCOUNTS TOKEN NOW_ISO`. It builds the generated timelines, walks every account once with the X connector
// (as the import will) so that each page's answer is rendered and kept, then prints {"url": …} and serves the kept
// answers (a request it has not seen is answered live). The platform's own work (making and serializing 200,000
// tweets) is then neither on the import's process nor in its timing, as with a real platform.
import { Hono } from 'hono';
import { createXConnector } from '../../jobs/connectors/x.ts';
import type { ConnectorAccount } from '../../jobs/connectors/types.ts';
import { FakeX, type NewTweet } from '../fakes/x.ts';
import { serve, type FakeEnv } from '../fakes/serve.ts';
import { generatedText, rng } from './corpus.ts';

const [posts, accounts, token, nowIso] = process.argv.slice(2);
const NOW = new Date(nowIso);

/** Tweet i of account a: 80–280 characters, 60% Arabic, ~15% with something the rulebook flags, some replies. */
function tweet(a: number, i: number): NewTweet {
  const r = rng(a * 1_000_003 + i);
  const { text, lang } = generatedText(r, 0.15);
  const views = Math.floor(r() * 50_000);
  return {
    text,
    lang,
    likes: Math.floor(views * r() * 0.05),
    retweets: Math.floor(r() * 40),
    replies: Math.floor(r() * 25),
    quotes: Math.floor(r() * 5),
    views,
    replyTo: r() < 0.05 ? '1234567890123456789' : undefined,
  };
}

const fake = new FakeX({ token, cap: Number.MAX_SAFE_INTEGER });
const perAccount = Math.floor(Number(posts) / Number(accounts));
// A post every 1.75 hours: 10,000 posts span about two years.
const stepMs = 6_300_000;
for (let a = 0; a < Number(accounts); a++) fake.bulkUser(`bench_${a}`, perAccount, (i) => tweet(a, i), new Date(NOW.getTime() - 3_600_000 - perAccount * stepMs), stepMs);

const kept = new Map<string, { status: number; headers: [string, string][]; body: Uint8Array }>();
const front = new Hono<FakeEnv>();
front.all('*', async (c) => {
  const url = new URL(c.req.url);
  const key = url.pathname + url.search;
  let answer = kept.get(key);
  if (!answer) {
    const res = await fake.app.fetch(c.req.raw, c.env);
    answer = { status: res.status, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) };
    if (res.status === 200) kept.set(key, answer);
  }
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
});
const served = await serve(front);

// The walk: every page the import will ask for, in its order.
const x = createXConnector({ baseUrl: served.url, bearerToken: token });
for (let a = 0; a < Number(accounts); a++) {
  const account: ConnectorAccount = { id: a + 1, entityId: 1, platform: 'x', handle: `bench_${a}`, platformAccountId: null, type: 'official', config: {} };
  let cursor: string | null = null;
  for (;;) {
    const page = await x.fetchPage(account, { cursor, now: NOW });
    cursor = page.nextCursor;
    if (page.done) break;
  }
}
console.log(JSON.stringify({ url: served.url, pages: kept.size }));
