// A fake YouTube on 127.0.0.1: the public channel feed and the Data API v3 (channels.list, playlistItems.list with
// pageToken, videos.list with string counts), rendered from a timeline of videos the test controls, in the shapes of
// test/fixtures/platforms/youtube; faults one per request from a queue: statuses, 403 quotaExceeded, delays, resets,
// truncated bodies, a repeated page.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { serve, type FakeEnv } from './serve.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'platforms', 'youtube');
export const youtubeFixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

export interface FakeVideo {
  id: string;
  title: string;
  description: string;
  /** ISO 8601 */
  publishedAt: string;
  views: number;
  likes: number;
  comments: number;
  /** Listed in the uploads playlist as "Private video". */
  private?: boolean;
  /** snippet.defaultLanguage / defaultAudioLanguage of videos.list (absent when the uploader set none). */
  defaultLanguage?: string;
  defaultAudioLanguage?: string;
}

export type YouTubeFault =
  | { type: 'none' }
  | { type: 'status'; status: number }
  | { type: 'quota' }
  | { type: 'delay'; ms: number }
  | { type: 'reset' }
  | { type: 'truncate' }
  | { type: 'repeat' };

export interface FakeYouTube {
  url: string;
  /** Channel id → videos (any order; served newest first). */
  channels: Map<string, FakeVideo[]>;
  /** A fixed feed document for a channel, instead of one rendered from its videos. */
  feedBodies: Map<string, string>;
  keys: Set<string>;
  faults: YouTubeFault[];
  pageSize: number;
  requests: string[];
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#39;').replace(/"/g, '&quot;');
const newestFirst = (v: FakeVideo[]) => [...v].sort((a, b) => Date.parse(b.publishedAt) - Date.parse(a.publishedAt) || (a.id < b.id ? 1 : -1));

function renderFeed(channel: string, videos: FakeVideo[]): string {
  const entries = newestFirst(videos)
    .filter((v) => !v.private)
    .slice(0, 15)
    .map(
      (v) => ` <entry>
  <id>yt:video:${v.id}</id>
  <yt:videoId>${v.id}</yt:videoId>
  <yt:channelId>${channel}</yt:channelId>
  <title>${xmlEscape(v.title)}</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=${v.id}"/>
  <published>${v.publishedAt.replace('Z', '+00:00')}</published>
  <updated>2026-11-20T08:00:00+00:00</updated>
  <media:group>
   <media:title>${xmlEscape(v.title)}</media:title>
   <media:description>${xmlEscape(v.description)}</media:description>
   <media:community>
    <media:starRating count="${v.likes}" average="5.00" min="1" max="5"/>
    <media:statistics views="${v.views}"/>
   </media:community>
  </media:group>
 </entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <id>yt:channel:${channel.slice(2)}</id>
 <title>Channel</title>
 <published>2014-03-02T09:12:41+00:00</published>
${entries}
</feed>
`;
}

export async function startFakeYouTube(opts: { keys?: string[]; pageSize?: number } = {}): Promise<FakeYouTube> {
  const state = {
    channels: new Map<string, FakeVideo[]>(),
    feedBodies: new Map<string, string>(),
    keys: new Set(opts.keys ?? ['good-key']),
    faults: [] as YouTubeFault[],
    pageSize: opts.pageSize ?? 50,
    requests: [] as string[],
  };
  // The last answer of each API path, for a repeated page.
  const previous = new Map<string, string>();
  const app = new Hono<FakeEnv>();

  app.use('*', async (c, next) => {
    const u = new URL(c.req.url);
    state.requests.push(`${u.pathname}${u.search}`.replace(/([?&]key=)[^&]*/, '$1[key]'));
    const fault = state.faults.shift();
    if (fault?.type === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.type === 'reset') {
      c.env.incoming.socket.destroy();
      return new Response(null);
    }
    if (fault?.type === 'status') return c.body('<html><body>Error</body></html>', fault.status as 500, { 'content-type': 'text/html' });
    if (fault?.type === 'quota') return c.body(youtubeFixture('error-quota.json'), 403, { 'content-type': 'application/json; charset=UTF-8' });
    if (fault?.type === 'repeat' && previous.has(u.pathname)) return c.body(previous.get(u.pathname)!, 200, { 'content-type': 'application/json; charset=UTF-8' });
    if (u.pathname.startsWith('/youtube/v3/') && !state.keys.has(u.searchParams.get('key') ?? '')) {
      return c.body(youtubeFixture('error-key-invalid.json'), 400, { 'content-type': 'application/json; charset=UTF-8' });
    }
    await next();
    if (u.pathname.startsWith('/youtube/v3/') && c.res.status === 200) {
      const text = await c.res.clone().text();
      previous.set(u.pathname, text);
      if (fault?.type === 'truncate') c.res = new Response(text.slice(0, Math.floor(text.length / 2)), { status: 200, headers: c.res.headers });
    } else if (fault?.type === 'truncate') {
      const text = await c.res.clone().text();
      c.res = new Response(text.slice(0, Math.floor(text.length * 0.6)), { status: c.res.status, headers: c.res.headers });
    }
  });

  app.get('/feeds/videos.xml', (c) => {
    const id = c.req.query('channel_id') ?? '';
    const fixed = state.feedBodies.get(id);
    const videos = state.channels.get(id);
    if (fixed === undefined && !videos) return c.body('<html><body>404 Not Found</body></html>', 404, { 'content-type': 'text/html' });
    return c.body(fixed ?? renderFeed(id, videos!), 200, { 'content-type': 'text/xml; charset=UTF-8' });
  });

  app.get('/youtube/v3/channels', (c) => {
    const id = c.req.query('id') ?? '';
    const items = state.channels.has(id)
      ? [{ kind: 'youtube#channel', etag: 'e', id, contentDetails: { relatedPlaylists: { likes: '', uploads: `UU${id.slice(2)}` } } }]
      : [];
    return c.json({ kind: 'youtube#channelListResponse', etag: 'e', pageInfo: { totalResults: items.length, resultsPerPage: 5 }, items });
  });

  app.get('/youtube/v3/playlistItems', (c) => {
    const playlist = c.req.query('playlistId') ?? '';
    const channel = `UC${playlist.slice(2)}`;
    const videos = state.channels.get(channel);
    if (!videos || !playlist.startsWith('UU')) {
      return c.json({ error: { code: 404, message: "The playlist identified with the request's <code>playlistId</code> parameter cannot be found.", errors: [{ domain: 'youtube.playlistItem', reason: 'playlistNotFound' }] } }, 404);
    }
    const sorted = newestFirst(videos);
    const offset = c.req.query('pageToken') ? Number(Buffer.from(c.req.query('pageToken')!, 'base64url').toString()) : 0;
    const size = Math.min(Number(c.req.query('maxResults') ?? 5), state.pageSize);
    const page = sorted.slice(offset, offset + size);
    const items = page.map((v, i) => ({
      kind: 'youtube#playlistItem',
      etag: `e${v.id}`,
      id: Buffer.from(`${playlist}.${v.id}`).toString('base64'),
      snippet: {
        publishedAt: v.publishedAt,
        channelId: channel,
        title: v.private ? 'Private video' : htmlEscape(v.title),
        description: v.private ? 'This video is private.' : v.description,
        thumbnails: {},
        channelTitle: 'Channel',
        playlistId: playlist,
        position: offset + i,
        resourceId: { kind: 'youtube#video', videoId: v.id },
      },
      contentDetails: v.private ? { videoId: v.id } : { videoId: v.id, videoPublishedAt: v.publishedAt },
    }));
    const body: Record<string, unknown> = { kind: 'youtube#playlistItemListResponse', etag: 'e', items, pageInfo: { totalResults: sorted.length, resultsPerPage: size } };
    if (offset + size < sorted.length) body.nextPageToken = Buffer.from(String(offset + size)).toString('base64url');
    return c.json(body);
  });

  app.get('/youtube/v3/videos', (c) => {
    const ids = (c.req.query('id') ?? '').split(',');
    const parts = (c.req.query('part') ?? '').split(',');
    const all = new Map([...state.channels.values()].flat().map((v) => [v.id, v]));
    const items = ids
      .map((id) => all.get(id))
      .filter((v): v is FakeVideo => !!v && !v.private)
      .map((v) => ({
        kind: 'youtube#video',
        etag: 'e',
        id: v.id,
        // Each part asked for, as videos.list answers: snippet (unescaped title, languages when set), statistics (strings).
        ...(parts.includes('snippet')
          ? {
              snippet: {
                publishedAt: v.publishedAt,
                channelId: 'UC',
                title: v.title,
                description: v.description,
                thumbnails: {},
                channelTitle: 'Channel',
                categoryId: '25',
                liveBroadcastContent: 'none',
                ...(v.defaultLanguage ? { defaultLanguage: v.defaultLanguage } : {}),
                localized: { title: v.title, description: v.description },
                ...(v.defaultAudioLanguage ? { defaultAudioLanguage: v.defaultAudioLanguage } : {}),
              },
            }
          : {}),
        ...(parts.includes('statistics') ? { statistics: { viewCount: String(v.views), likeCount: String(v.likes), favoriteCount: '0', commentCount: String(v.comments) } } : {}),
      }));
    return c.json({ kind: 'youtube#videoListResponse', etag: 'e', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
  });

  const served = await serve(app);
  return Object.assign(state, { url: served.url, close: served.close });
}
