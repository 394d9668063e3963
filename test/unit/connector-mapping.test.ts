// The connectors' mapping against the platforms' documented response shapes (test/fixtures/platforms/*/SOURCES.md
// and README.md say where each fixture comes from): the cases where the code once read a field from the wrong place
// or missed a documented form.
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { afterEach, describe, expect, test } from 'vitest';
import { mapFeedItem, type BskyFeedItem } from '../../jobs/connectors/bluesky.ts';
import { createFacebookConnector } from '../../jobs/connectors/graph.ts';
import { clearRateLimitPauses, parseRateLimit } from '../../jobs/connectors/http.ts';
import { mapStatus, type MastodonStatus } from '../../jobs/connectors/mastodon.ts';
import { mapFeedDocument } from '../../jobs/connectors/rss.ts';
import type { ConnectorAccount, ImportedPost } from '../../jobs/connectors/types.ts';
import { createYouTubeConnector, mapPlaylistItem } from '../../jobs/connectors/youtube.ts';
import { mapV2Tweet } from '../../jobs/connectors/archives/twarc.ts';
import { includesOf, mapStoredTweet, mapTweet, type XTimelineResponse } from '../../jobs/connectors/x.ts';
import { serve } from '../fakes/serve.ts';

const fixture = (path: string) => readFileSync(new URL(`../fixtures/platforms/${path}`, import.meta.url), 'utf8');
const json = <T = any>(path: string): T => JSON.parse(fixture(path)) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
const NOW = new Date('2026-11-20T09:00:00Z');
const account = (over: Partial<ConnectorAccount>): ConnectorAccount => ({ id: 1, entityId: 1, platform: 'x', handle: 'h', platformAccountId: null, type: 'official', config: {}, ...over });

afterEach(() => clearRateLimitPauses());

describe('rate-limit header dialects (http/rate-limit-headers.json)', () => {
  const cases = json<Record<string, { headers: Record<string, string>; expect: { limit: number; remaining: number; resetInSeconds: number } }>>('http/rate-limit-headers.json');
  test.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    expect(parseRateLimit(new Headers(c.headers), NOW)).toEqual({
      limit: c.expect.limit,
      remaining: c.expect.remaining,
      resetAt: new Date(NOW.getTime() + c.expect.resetInSeconds * 1000),
    });
  });
});

describe('Bluesky', () => {
  test('an author whose handle no longer verifies ("handle.invalid") is linked by DID', () => {
    const feed = json<{ feed: BskyFeedItem[] }>('bluesky/author-feed-invalid-handle.json').feed;
    const post = mapFeedItem(feed[0]) as ImportedPost;
    expect(post.url).toBe('https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3l6pqwk2mvc2x');
    expect(post).toMatchObject({ text: 'Vaccination campaign starts Sunday.', lang: 'en', metrics: { likes: 9, shares: 2, replies: 0, views: 0 } });
  });
});

describe('Mastodon', () => {
  test('a reblog (url null, uri the Announce activity) links to the reblogged status', () => {
    const statuses = json<MastodonStatus[]>('mastodon/account-statuses.json');
    const reblog = mapStatus(statuses[1]) as ImportedPost;
    expect(reblog.isRepost).toBe(true);
    expect(reblog.platformPostId).toBe('103270100000000000');
    expect(reblog.url).toBe('https://example.gov/@ministry/103269900000000000');
    // A status of the account keeps its own url.
    expect((mapStatus(statuses[0]) as ImportedPost).url).toBe('https://mastodon.social/@Gargron/103270115826048975');
  });
});

describe('RSS 2.0', () => {
  test('a guid is the permalink unless isPermaLink="false"; a link wins', () => {
    const { posts, rejected } = mapFeedDocument(fixture('rss/rss2-guid-permalink.xml'), { now: NOW });
    expect(rejected).toEqual([]);
    expect(posts.map((p) => [p.platformPostId, p.url])).toEqual([
      ['http://liftoff.msfc.nasa.gov/2003/06/03.html#item573', 'http://liftoff.msfc.nasa.gov/2003/06/03.html#item573'],
      ['http://liftoff.msfc.nasa.gov/2003/05/20.html#item570', 'http://liftoff.msfc.nasa.gov/2003/05/20.html#item570'],
      ['liftoff-2003-05-27-item571', null],
      ['http://liftoff.msfc.nasa.gov/2003/06/03.html#item999', 'http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp'],
    ]);
    expect(posts[0].text).toContain('Star City');
    expect(posts[0].postedAt.toISOString()).toBe('2003-06-03T09:39:21.000Z');
    expect(posts[0].lang).toBe('en-us');
  });
});

describe('RSS dates', () => {
  test('RFC 5322: a comment after the zone, and the military one-letter zones (read as UTC)', () => {
    const { posts, rejected } = mapFeedDocument(fixture('rss/rss2-dates-rfc5322.xml'), { now: NOW });
    expect(rejected).toEqual([]);
    expect(posts.map((p) => [p.platformPostId, p.postedAt.toISOString()])).toEqual([
      ['news-1', '2026-11-17T07:52:37.000Z'],
      ['news-2', '2026-11-16T08:00:00.000Z'],
      ['news-3', '2026-11-15T08:00:00.000Z'],
    ]);
  });
});

describe('YouTube Data API', () => {
  test('the language is the video snippet’s defaultLanguage, else defaultAudioLanguage', () => {
    const items = json('youtube/playlist-items.json').items;
    const videos = json('youtube/videos-snippet-statistics.json').items;
    const m = mapPlaylistItem(items[0], videos[0], 0);
    expect('post' in m && m.post).toMatchObject({ lang: 'ar', metrics: { views: 3_000_000_000, likes: 1520, replies: 87, shares: 0 } });
    const short = { ...items[0], snippet: { ...items[0].snippet, resourceId: { kind: 'youtube#video', videoId: 'ZyXwVuTsRq2' } }, contentDetails: { videoId: 'ZyXwVuTsRq2', videoPublishedAt: '2026-11-18T15:30:00Z' } };
    const m2 = mapPlaylistItem(short, videos[1], 1);
    expect('post' in m2 && m2.post).toMatchObject({ lang: 'en-US', metrics: { views: 42, likes: 0, replies: 0 } });
  });

  test('the connector asks videos.list for the snippet, where the languages are', async () => {
    const asked: string[] = [];
    const app = new Hono();
    app.get('/youtube/v3/channels', (c) => c.json(json('youtube/channels.json')));
    app.get('/youtube/v3/playlistItems', (c) => {
      const body = json('youtube/playlist-items.json');
      delete body.nextPageToken;
      return c.json(body);
    });
    app.get('/youtube/v3/videos', (c) => {
      const part = c.req.query('part') ?? '';
      asked.push(part);
      // videos.list answers only the parts asked for.
      const items = json('youtube/videos-snippet-statistics.json').items.map((v: Record<string, unknown>) => ({
        kind: v.kind,
        etag: v.etag,
        id: v.id,
        ...(part.split(',').includes('snippet') ? { snippet: v.snippet } : {}),
        ...(part.split(',').includes('statistics') ? { statistics: v.statistics } : {}),
      }));
      return c.json({ kind: 'youtube#videoListResponse', etag: 'e', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
    });
    const served = await serve(app);
    try {
      const yt = createYouTubeConnector({ apiBaseUrl: served.url, apiKey: 'AIzaSyD-test-key-0123456789', retries: 0 });
      const page = await yt.fetchPage(account({ platform: 'youtube', handle: 'UCq1a2B3c4D5e6F7g8H9i0Jk' }), { cursor: null, now: NOW });
      expect(asked).toEqual(['snippet,statistics']);
      expect(page.posts.map((p) => [p.platformPostId, p.lang])).toEqual([['AbCdEfGhIj1', 'ar']]);
    } finally {
      await served.close();
    }
  });
});

describe('Facebook Graph API', () => {
  test('a permission error longer than 300 characters is still recognised by its code (#10)', async () => {
    const app = new Hono();
    app.get('/v21.0/:id/posts', (c) => c.json(json('facebook/error-permission-10.json'), 400));
    const served = await serve(app);
    try {
      const fb = createFacebookConnector({ baseUrl: `${served.url}/v21.0`, accessToken: 'EAAB-test-token-0123456789', retries: 0 });
      const e = await fb.fetchPage(account({ platform: 'facebook', handle: '104180105201436' }), { cursor: null, now: NOW }).catch((x: unknown) => x as Error);
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toBe('Facebook: the token lacks the permission to read "104180105201436" (Graph API error 10)');
    } finally {
      await served.close();
    }
  });
});

// test/fixtures/archives/twarc2.jsonl (SOURCES.md there: what twarc2 timeline writes, X API v2 response pages).
describe('X API v2: one mapping for the X connector and twarc files', () => {
  const pages = readFileSync(new URL('../fixtures/archives/twarc2.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as XTimelineResponse);
  const page = pages[0];
  const { tweets, users } = includesOf(page.includes);

  test.each(page.data!.map((t) => [t.id!, t] as const))('tweet %s: the twarc reader gives what mapTweet gives', (_id, t) => {
    const direct = mapTweet(t, tweets, null, users);
    if (typeof direct === 'string') throw new Error(direct);
    const { ref: _ref, ...fromFile } = mapV2Tweet(t, tweets, users);
    const { ref: _r, ...fromX } = direct.post;
    expect(fromFile).toEqual(fromX);
  });

  test('the raw envelope keeps what the mapping read (the retweeted tweet, the author) and maps again to the same post', () => {
    const rt = page.data!.find((t) => t.referenced_tweets?.some((r) => r.type === 'retweeted'))!;
    const post = mapV2Tweet(rt, tweets, users);
    expect(post.raw).toEqual({ data: rt, includes: { tweets: [tweets.get(rt.referenced_tweets![0].id)], users: [users.get(rt.author_id!)] } });
    const again = mapStoredTweet(JSON.parse(JSON.stringify(post.raw)), null);
    if (typeof again === 'string') throw new Error(again);
    expect(again.text).toBe(post.text);
    expect(again.url).toBe(post.url);
    expect(again.isRepost).toBe(true);
  });
});
