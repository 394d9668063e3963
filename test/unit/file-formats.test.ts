// Issue 7: the file connector reads the platforms' own export files, detected from their content: X archives
// (tweets.js), Telegram Desktop exports (result.json), twarc JSONL, Mastodon and Graph API JSON pages. Fixtures in
// test/fixtures/archives follow the shapes documented in SOURCES.md there.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { FILE_PAGE_SIZE, MAX_FILE_BYTES, MAX_RECORD_CHARS, checkImportFile, clearFileCache, detectFormat, fileConnector } from '../../jobs/connectors/file.ts';
import type { ConnectorAccount, FetchPage, ImportedPost } from '../../jobs/connectors/types.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/archives');
const fx = (name: string) => join(FIXTURES, name);
const NOW = new Date('2026-11-24T13:20:00Z');
const tmp = mkdtempSync(join(tmpdir(), 'mizan-file-formats-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => clearFileCache());

const account = (path: string, format?: string): ConnectorAccount => ({
  id: 9,
  entityId: 1,
  platform: 'x',
  handle: 'DemoServicesBH',
  platformAccountId: null,
  type: 'official',
  config: format === undefined ? { path } : { path, format },
});
const fetch = (path: string, cursor: string | null = null, format?: string) => fileConnector.fetchPage(account(path, format), { cursor, now: NOW });
const refusals = (page: FetchPage) => page.rejected?.map((r) => `${r.ref}: ${r.reason}`);
let n = 0;
const write = (name: string, content: string | Buffer) => {
  const path = join(tmp, `${++n}-${name}`);
  writeFileSync(path, content);
  return path;
};
async function fetchAll(path: string, format?: string): Promise<{ pages: FetchPage[]; posts: ImportedPost[] }> {
  const pages: FetchPage[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 100; i++) {
    const page = await fetch(path, cursor, format);
    pages.push(page);
    cursor = page.nextCursor;
    if (page.done) break;
  }
  return { pages, posts: pages.flatMap((p) => p.posts) };
}
const byId = (posts: ImportedPost[]) => Object.fromEntries(posts.map((p) => [p.platformPostId, p]));

describe('format detection from the content', () => {
  it.each([
    ['tweets.js', 'x-archive', /window\.YTD\.tweets\.part0 =/],
    ['tweet.js', 'x-archive', /window\.YTD\.tweet\.part0 =/],
    ['deleted-tweets.js', 'x-archive', /deleted_tweets/],
    ['telegram-result.json', 'telegram', /"messages" list \(6 messages\)/],
    ['tweets-part1.js', 'x-archive', /window\.YTD\.tweets\.part1 =/],
    ['telegram-account-result.json', 'telegram', /whole Telegram account export; its one channel "Demo Ministry" \(4 messages\) is read/],
    ['twarc2.jsonl', 'twarc', /line 1 is an X API v2 response page/],
    ['twarc2-flattened.jsonl', 'twarc', /line 1 is an X API v2 tweet/],
    ['mastodon-statuses.json', 'mastodon-json', /3 Mastodon statuses/],
    ['facebook-page-posts.json', 'meta-json', /3 items: Facebook posts.*paging/],
    ['instagram-media.json', 'meta-json', /2 items: Instagram media/],
    ['facebook-your-posts_1.json', 'meta-export', /a Facebook export file/],
    ['instagram-posts_1.json', 'meta-export', /an Instagram export file/],
  ])('%s → %s', async (file, format, reason) => {
    const check = await checkImportFile(fx(file));
    expect(check).toMatchObject({ format, detected: true });
    expect(check.reason).toMatch(reason);
    // The name plays no part: the same content under another name gets the same answer.
    const renamed = write('data.txt', readFileSync(fx(file)));
    expect((await checkImportFile(renamed)).format).toBe(format);
  });

  it('tells twarc lines (X API v2 tweets) from Mizan JSONL by the v2 fields, and CSV by its header', () => {
    expect(detectFormat('{"id":"1","text":"a","edit_history_tweet_ids":["1"],"created_at":"2024-01-01T00:00:00Z"}\n')?.format).toBe('twarc');
    expect(detectFormat('{"id":"1","text":"a","created_at":"2024-01-01T00:00:00Z"}\n')?.format).toBe('jsonl');
    expect(detectFormat('not json\n{"id":"1","text":"a","posted_at":"2024-01-01"}\n')).toMatchObject({ format: 'jsonl', reason: expect.stringMatching(/^line 2 is a JSON object/) });
    expect(detectFormat('ID,Text,Posted_At\r\n1,a,2024-01-01\r\n')).toMatchObject({ format: 'csv', reason: expect.stringMatching(/naming id, text, posted_at/) });
    expect(detectFormat('  \n\n')).toBeNull();
  });

  it('refuses an RSS feed given to import-file, naming what it is and listing the formats', async () => {
    const err = await checkImportFile(fx('feed.rss')).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/looks like an RSS feed \(XML whose root element is <rss>\)/);
    expect((err as Error).message).toMatch(/account add --platform rss --url/);
    for (const f of ['jsonl', 'csv', 'x-archive', 'telegram', 'twarc', 'mastodon-json', 'meta-json', 'meta-export']) expect((err as Error).message).toContain(`${f} (`);
    // The scheduled import refuses it the same way (nothing half-imported).
    await expect(fetch(fx('feed.rss'))).rejects.toThrow(/RSS feed/);
  });

  it('refuses other unknown content with what it looked like', async () => {
    const cases: [string, RegExp][] = [
      ['hello world', /looks like text starting with "hello world"/],
      ['<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>', /an Atom feed/],
      ['<!DOCTYPE html><html><body>login</body></html>', /an HTML page/],
      ['[{"id":"1","text":"a","posted_at":"2024-01-01"}]', /a JSON list of 1 items whose first has id, text, posted_at.*as JSONL, one object per line/],
      ['[]', /an empty JSON list/],
      ['name,age\nali,3\n', /comma-separated text whose first line "name,age" names none of id, text, posted_at/],
      ['window.YTD.like.part0 = [ { "like" : { "tweetId" : "1" } } ]', /holds "like", not tweets: give data\/tweets\.js/],
      ['{"about":"","chats":{"list":[]}}', /a whole Telegram account export.*Export chat history/],
    ];
    for (const [content, message] of cases) {
      await expect(checkImportFile(write('unknown', content)), content).rejects.toThrow(message);
    }
  });

  it('refuses an empty file at registration unless a format is given; the connector reads it as nothing', async () => {
    const empty = write('empty.jsonl', '');
    await expect(checkImportFile(empty)).rejects.toThrow(/is empty: there is nothing to detect a format from \(give --format/);
    expect(await checkImportFile(empty, 'jsonl')).toMatchObject({ format: 'jsonl', detected: false, records: 0 });
    expect(await fetch(empty)).toEqual({ posts: [], nextCursor: '0', done: true });
    expect(await fetch(write('blank.json', '\n\n'))).toEqual({ posts: [], nextCursor: '2', done: true });
  });

  it('refuses an unknown format name, a bad config.format, a format that does not fit, UTF-16 and a file over the size limit', async () => {
    await expect(checkImportFile(fx('tweets.js'), 'rss')).rejects.toThrow(/unknown format "rss": expected auto or one of jsonl, csv, x-archive/);
    await expect(fetch(fx('tweets.js'), null, 'tiktok')).rejects.toThrow(/config\.format "tiktok"; expected auto or one of/);
    const csv = write('posts.csv', 'id,text,posted_at\n1,a,2024-01-01\n');
    await expect(checkImportFile(csv, 'telegram')).rejects.toThrow(/not readable as telegram: it is not one JSON value .*looks like comma-separated text whose first line is "id,text,posted_at"/);
    await expect(checkImportFile(fx('telegram-result.json'), 'x-archive')).rejects.toThrow(/not readable as x-archive: .*window\.YTD.*looks like a JSON object with name, type, id, messages/);
    await expect(checkImportFile(write('utf16.jsonl', Buffer.from('\ufeff{"id":"1"}', 'utf16le')))).rejects.toThrow(/UTF-16 text: save it as UTF-8/);
    const huge = write('huge.jsonl', '');
    truncateSync(huge, MAX_FILE_BYTES + 1); // sparse: no disk used
    await expect(checkImportFile(huge)).rejects.toThrow(/is 256 MB; files are read whole, up to 256 MB: split it/);
  });
});

describe('X account archive (tweets.js)', () => {
  it('maps every tweet: exact ids, decoded text, dates with their offset, replies, retweets, any language tag', async () => {
    const page = await fetch(fx('tweets.js'));
    expect(page).toMatchObject({ nextCursor: '6', done: true });
    const posts = byId(page.posts);
    expect(Object.keys(posts)).toEqual(['1760000000000000101', '1760000000000000102', '1760000000000000103', '1760000000000000104', '1760000000000000105']);
    const [a, reply, rt, photo, numeric] = page.posts;
    expect(a).toMatchObject({
      ref: 'tweet 1760000000000000101',
      text: 'تعلن الهيئة عن تمديد ساعات العمل & فتح مركز جديد <المحرق> #البحرين',
      lang: 'ar',
      url: 'https://x.com/i/web/status/1760000000000000101',
      metrics: { likes: 120, shares: 14, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
      deleted: false,
    });
    expect(a.postedAt.toISOString()).toBe('2024-02-20T08:00:00.000Z');
    expect(reply.isReply).toBe(true);
    expect(reply.postedAt.toISOString()).toBe('2024-02-20T06:30:00.000Z'); // +0300
    expect(rt).toMatchObject({ isRepost: true, text: 'RT @DemoHealthBH: حملة التطعيم ضد الإنفلونزا مستمرة' });
    expect(photo).toMatchObject({ lang: 'zxx', text: 'https://t.co/AbCdEfGhIj' });
    // id_str is taken over the numeric id; a numeric id alone beyond 2^53 keeps its digits.
    expect(photo.platformPostId).toBe('1760000000000000104');
    expect(numeric.platformPostId).toBe('1760000000000000105');
    expect((numeric.raw as { tweet: { id: unknown } }).tweet.id).toBe('1760000000000000105');
    expect(a.raw).toMatchObject({ tweet: { edit_info: { initial: { editTweetIds: ['1760000000000000101'] } }, favorite_count: '120' } });
    expect(page.rejected).toEqual([
      {
        ref: 'tweet 1760000000000000106',
        reason: 'invalid created_at "yesterday" (expected the X format "Wed Oct 10 20:19:24 +0000 2018")',
        sample: expect.stringMatching(/^\{"tweet":\{"id_str":"1760000000000000106"/),
      },
    ]);
  });

  it('reads the older tweet.js (no "tweet" wrapper) and marks deleted-tweets.js entries deleted', async () => {
    const old = await fetch(fx('tweet.js'));
    expect(old.posts.map((p) => [p.platformPostId, p.text, p.postedAt.toISOString()])).toEqual([['1048691011140956160', 'Our offices are closed on Sunday & Monday.', '2018-10-06T23:20:06.000Z']]);
    const deleted = await fetch(fx('deleted-tweets.js'));
    expect(deleted.posts).toHaveLength(1);
    expect(deleted.posts[0]).toMatchObject({ platformPostId: '1764000000000000001', deleted: true, lang: 'ar' });
  });

  it('reads an archive with a UTF-8 BOM and CRLF line endings, and a numeric id beyond 2^53 without id_str', async () => {
    const tweet = (id: string, text: string) =>
      `  {\r\n    "tweet" : {\r\n      "id" : ${id},\r\n      "created_at" : "Mon Jan 01 00:00:00 +0000 2024",\r\n      "full_text" : "${text}",\r\n      "favorite_count" : "1",\r\n      "retweet_count" : "0"\r\n    }\r\n  }`;
    const path = write('tweets.js', `\ufeffwindow.YTD.tweets.part0 = [\r\n${[tweet('1800000000000000001', 'one'), tweet('1800000000000000002', 'two')].join(',\r\n')}\r\n]\r\n`);
    expect((await checkImportFile(path)).format).toBe('x-archive');
    const page = await fetch(path);
    expect(page.posts.map((p) => [p.platformPostId, p.text])).toEqual([
      ['1800000000000000001', 'one'],
      ['1800000000000000002', 'two'],
    ]);
    expect(page.posts[0].lang).toBeNull();
  });

  it('reads a later part (tweets-part1.js) and gives the versions of an edited post as one post: the original id and time, the last text, editedAt', async () => {
    const page = await fetch(fx('tweets-part1.js'));
    expect(page).toMatchObject({ nextCursor: '3', done: true });
    // The edit comes first in the file (newest first): both versions are given at the original's record, oldest first.
    expect(page.posts.map((p) => [p.ref, p.platformPostId, p.text, p.postedAt.toISOString(), p.editedAt?.toISOString() ?? null])).toEqual([
      ['tweet 1764923803038647001', '1764923803038647001', 'يبدأ التسجيل في برنامج التدريب الصيفي يوم السبت 10 مارس', '2024-03-05T08:00:00.000Z', null],
      ['tweet 1764928836203447001', '1764923803038647001', 'يبدأ التسجيل في برنامج التدريب الصيفي يوم الأحد 10 مارس', '2024-03-05T08:00:00.000Z', '2024-03-05T08:20:00.000Z'],
      ['tweet 1764621813150647001', '1764621813150647001', 'تفاصيل برنامج التدريب الصيفي: https://t.co/Qw3rTy7890', '2024-03-04T12:00:00.000Z', null],
    ]);
    expect(page.posts[1]).toMatchObject({ url: 'https://x.com/i/web/status/1764928836203447001', metrics: { likes: 31, shares: 7 } });
    // Paging stops after the first record: the versions are not split, they come with the record that holds them.
    expect((await fetch(fx('tweets-part1.js'), '1')).posts.map((p) => p.ref)).toEqual(['tweet 1764923803038647001', 'tweet 1764928836203447001', 'tweet 1764621813150647001']);
  });

  it('refuses note-tweet.js (long posts without their tweet ids), saying what it holds and which file to give', async () => {
    await expect(checkImportFile(fx('note-tweet.js'))).rejects.toThrow(/holds "note_tweet": the full texts of long posts, without the posts' ids; give data\/tweets\.js/);
  });

  it('reads a list of { tweet } saved without the prefix, detected or given as x-archive (the format stored in the account)', async () => {
    const path = write('tweets.json', JSON.stringify([{ tweet: { id_str: '7', created_at: 'Mon Jan 01 00:00:00 +0000 2024', full_text: 'no prefix' } }]));
    expect((await checkImportFile(path)).format).toBe('x-archive');
    clearFileCache();
    expect((await fetch(path, null, 'x-archive')).posts.map((p) => p.text)).toEqual(['no prefix']);
    expect((await fetch(fx('tweets.js'), null, 'x-archive')).posts).toHaveLength(5);
  });

  it('pages through a big archive by record index: no post lost or repeated across pages, resumable from the cursor', async () => {
    const entries = Array.from({ length: 2500 }, (_, i) => ({ tweet: { id_str: String(1800000000000000000n + BigInt(i)), created_at: 'Mon Jan 01 00:00:00 +0000 2024', full_text: `t${i}` } }));
    entries[1500] = { tweet: { id_str: '1', created_at: 'never', full_text: 'bad' } } as never;
    const path = write('tweets.js', `window.YTD.tweets.part0 = ${JSON.stringify(entries, null, 2)}`);
    const { pages, posts } = await fetchAll(path);
    expect(pages.map((p) => [p.posts.length, p.rejected?.length ?? 0, p.nextCursor, p.done])).toEqual([
      [FILE_PAGE_SIZE, 0, '1000', false],
      [1000, 1, '2001', false],
      [499, 0, '2500', true],
    ]);
    expect(new Set(posts.map((p) => p.platformPostId)).size).toBe(2499);
    expect((await fetch(path, '2001')).posts.map((p) => p.platformPostId)).toEqual(posts.slice(2000).map((p) => p.platformPostId));
    expect(await fetch(path, '2500')).toEqual({ posts: [], nextCursor: '2500', done: true });
    // A newer archive of the same account (more tweets): only the new records.
    entries.push({ tweet: { id_str: '1900000000000000000', created_at: 'Tue Jan 02 00:00:00 +0000 2024', full_text: 'new' } });
    writeFileSync(path, `window.YTD.tweets.part0 = ${JSON.stringify(entries)}`);
    expect((await fetch(path, '2500')).posts.map((p) => p.platformPostId)).toEqual(['1900000000000000000']);
  });
});

describe('Telegram Desktop export (result.json)', () => {
  it('joins text arrays with bold and link entities, skips service messages, and maps dates, edits, forwards, replies and reactions', async () => {
    const page = await fetch(fx('telegram-result.json'));
    expect(page).toMatchObject({ nextCursor: '6', done: true });
    expect(page.posts.map((p) => p.ref)).toEqual(['message 2', 'message 3', 'message 4', 'message 5']);
    const [announce, photo, forward, reply] = page.posts;
    expect(announce).toMatchObject({
      platformPostId: '2',
      text: 'تعلن الوزارة عن تمديد ساعات العمل في مراكز الخدمة. التفاصيل: https://example.gov.bh/news/1',
      lang: null,
      metrics: { likes: 18, shares: 0, replies: 0, views: 0 },
      isReply: false,
      isRepost: false,
    });
    // date has no offset: date_unixtime is the time.
    expect(announce.postedAt.toISOString()).toBe('2024-03-01T10:15:00.000Z');
    expect(announce.editedAt?.toISOString()).toBe('2024-03-01T11:00:00.000Z');
    expect(photo).toMatchObject({ text: '', editedAt: null }); // a photo without a caption is still a post
    expect(forward).toMatchObject({ isRepost: true, text: 'Flu vaccination continues at all health centres.' });
    expect(reply).toMatchObject({ isReply: true, text: 'للمزيد اضغط هنا #البحرين' });
    expect(reply.raw).toMatchObject({ text: [expect.any(String), { type: 'text_link', href: 'https://example.gov.bh/news/1' }, ' ', { type: 'hashtag' }] });
    expect(refusals(page)).toEqual(['message 6: invalid date_unixtime "not a time" (expected seconds since 1970)']);
  });

  it('refuses, by message, a message from an old export with no date_unixtime, one with bad text, and one over the size limit', async () => {
    const path = write(
      'result.json',
      JSON.stringify({
        name: 'c',
        type: 'public_channel',
        id: 1,
        messages: [
          { id: 10, type: 'message', date: '2020-01-01T10:00:00', text: 'old export' },
          { id: 11, type: 'message', date_unixtime: '1709288100', text: [{ type: 'bold' }] },
          { id: 12, type: 'message', date_unixtime: '1709288100', text: 'x'.repeat(MAX_RECORD_CHARS + 1) },
          { id: 13, type: 'message', date_unixtime: 1709288100, text_entities: [{ type: 'plain', text: 'from text_entities' }] },
        ],
      }),
    );
    const page = await fetch(path);
    expect(page.posts.map((p) => [p.platformPostId, p.text])).toEqual([['13', 'from text_entities']]);
    expect(refusals(page)).toEqual([
      'message 10: no date_unixtime (the message has date "2020-01-01T10:00:00", which has no time zone; export again with a recent Telegram Desktop)',
      'message 11: text: a part is type, not a string or an entity with text',
      `message 12: longer than ${MAX_RECORD_CHARS} characters, not imported`,
    ]);
    expect(page.rejected![2].sample).toHaveLength(500);
  });
});

describe('Telegram Desktop whole-account export (chats.list)', () => {
  it('reads the one channel of the export, not the saved messages or personal chats, and refuses an unsupported message', async () => {
    const page = await fetch(fx('telegram-account-result.json'));
    expect(page).toMatchObject({ nextCursor: '4', done: true });
    expect(page.posts.map((p) => [p.ref, p.text, p.postedAt.toISOString(), p.metrics.likes])).toEqual([
      ['message 2', 'تعلن الوزارة عن تمديد ساعات العمل في مراكز الخدمة.', '2024-03-01T10:15:00.000Z', 4],
      ['message 4', 'Watch: the new service centre', '2024-03-02T06:00:00.000Z', 0],
    ]);
    expect(refusals(page)).toEqual(['message 3: type "unsupported": Telegram Desktop exported this message without its date or content (a media type it cannot export)']);
  });

  it('refuses an account export with several channels or none, naming them', async () => {
    const doc = JSON.parse(readFileSync(fx('telegram-account-result.json'), 'utf8'));
    doc.left_chats.list.push({ name: 'Old Announcements', type: 'private_channel', id: 1555, messages: [] });
    const two = write('result.json', JSON.stringify(doc));
    await expect(checkImportFile(two)).rejects.toThrow(
      /whole Telegram account export \(chats\.list\) with 2 channels: "Demo Ministry" \(id 1987654321, 4 messages\), "Old Announcements" \(id 1555, 0 messages\); export the channel to import with its "Export chat history"/,
    );
    doc.chats.list = doc.chats.list.slice(0, 2);
    doc.left_chats.list = [];
    await expect(checkImportFile(write('result.json', JSON.stringify(doc)))).rejects.toThrow(/with 2 chats and no channel in it/);
  });
});

describe('twarc (X API v2 JSONL)', () => {
  it('reads response pages and single tweets: the reposted text from includes, long posts, metrics, errors as notes', async () => {
    const page = await fetch(fx('twarc2.jsonl'));
    expect(page).toMatchObject({ nextCursor: '4', done: true });
    const [first, retweet, long, quote] = page.posts;
    expect(first).toMatchObject({
      ref: 'tweet 1760000000000000001 (line 1)',
      platformPostId: '1760000000000000001',
      text: 'تعلن الهيئة عن إطلاق خدمة جديدة & التفاصيل على الموقع https://t.co/xYz1234567',
      lang: 'ar',
      metrics: { likes: 40, shares: 6, replies: 2, views: 3200 },
      isReply: false,
      isRepost: false,
    });
    expect(first.postedAt.toISOString()).toBe('2024-02-20T08:00:00.000Z');
    expect(retweet).toMatchObject({ isRepost: true, text: 'حملة التطعيم ضد الإنفلونزا مستمرة في جميع المراكز الصحية حتى نهاية الشهر، ونذكّر كبار السن والحوامل بأهمية التطعيم' });
    expect(long).toMatchObject({ isReply: true, lang: 'en', ref: 'tweet 1760000000000000003 (line 2)' });
    expect(long.text).toMatch(/during the Ramadan period\.$/);
    expect(quote).toMatchObject({ lang: 'qme', isRepost: false, metrics: { shares: 3 } });
    // What the mapping took from the page's includes stays in raw: the retweeted tweet and the author (includes.users).
    expect(retweet.raw).toMatchObject({
      data: { id: '1760000000000000002' },
      includes: { tweets: [{ id: '1759000000000000009' }], users: [{ id: '987654321', username: 'DemoServicesBH' }] },
    });
    expect(retweet.url).toBe('https://x.com/DemoServicesBH/status/1760000000000000002');
    // A tweet alone on its line (no includes) keeps the bare envelope and X's handle-free address.
    expect(long.raw).toEqual({ data: expect.objectContaining({ id: '1760000000000000003' }) });
    expect(long.url).toBe('https://x.com/i/web/status/1760000000000000003');
    expect(page.warnings).toEqual(['line 3: the X API reported Not Found Error: Could not find tweet with referenced_tweets.id: [1758000000000000001].']);
    expect(refusals(page)).toEqual(['tweet 1760000000000000005 (line 4): missing created_at (ask the X API for tweet.fields=created_at; twarc2 asks for it by default)']);
  });

  it('reads twarc2 flatten output: the retweeted text from the merged reference, an edited tweet under its original id', async () => {
    const page = await fetch(fx('twarc2-flattened.jsonl'));
    expect(page).toMatchObject({ nextCursor: '3', done: true });
    const [retweet, edited, lost] = page.posts;
    expect(retweet).toMatchObject({
      ref: 'tweet 1765301290398647100 (line 1)',
      isRepost: true,
      text: expect.stringMatching(/^حملة التطعيم ضد الإنفلونزا .*والمقيمين في جميع المراكز$/),
    });
    // The author (twarc2 flatten's `author`) names the post's address and stays in raw beside the tweet.
    expect(edited).toMatchObject({ ref: 'tweet 1765680036049847001 (line 2)', platformPostId: '1765678777758647001', url: 'https://x.com/DemoServicesBH/status/1765680036049847001' });
    expect(edited.raw).toMatchObject({ data: { id: '1765680036049847001' }, includes: { users: [{ id: '987654321', username: 'DemoServicesBH' }] } });
    // The merged reference is kept as the included tweet it was.
    expect(retweet.raw).toMatchObject({ includes: { tweets: [{ text: expect.stringMatching(/^حملة التطعيم/) }] } });
    expect(edited.postedAt.toISOString()).toBe('2024-03-07T10:00:00.000Z'); // the original's snowflake time
    expect(edited.editedAt?.toISOString()).toBe('2024-03-07T10:05:00.000Z');
    // The retweeted tweet was not returned (twarc leaves { type, id }): the retweet's own text.
    expect(lost).toMatchObject({ isRepost: true, text: expect.stringMatching(/^RT @DemoTransportBH: /) });
    expect(page.rejected).toBeUndefined();
  });

  it('keeps a numeric tweet id beyond 2^53 exact, reads CRLF lines and a pretty-printed page', async () => {
    const crlf = write(
      'tweets.jsonl',
      [1, 2].map((i) => `{"id": 180000000000000000${i}, "text": "t${i}", "created_at": "2024-01-0${i}T00:00:00.000Z", "edit_history_tweet_ids": ["180000000000000000${i}"]}`).join('\r\n') + '\r\n',
    );
    const page = await fetch(crlf);
    expect(page.posts.map((p) => [p.platformPostId, p.text])).toEqual([
      ['1800000000000000001', 't1'],
      ['1800000000000000002', 't2'],
    ]);
    expect(page.nextCursor).toBe('2');
    const pretty = write('page.json', JSON.stringify({ data: [{ id: '5', text: 'a', created_at: '2024-01-01T00:00:00Z', edit_history_tweet_ids: ['5'] }], meta: { result_count: 1 } }, null, 2));
    expect((await checkImportFile(pretty)).format).toBe('twarc');
    expect((await fetch(pretty)).posts.map((p) => p.platformPostId)).toEqual(['5']);
  });
});

describe('Mastodon statuses (JSON list)', () => {
  it('scores the HTML as text (entities decoded, paragraphs kept), with the content warning, edits and boosts', async () => {
    const page = await fetch(fx('mastodon-statuses.json'));
    expect(page).toMatchObject({ nextCursor: '3', done: true });
    const posts = byId(page.posts);
    expect(posts['112000000000000003']).toMatchObject({ text: "@citizen Thanks & welcome! It's open from 7:30\u00a0am.", isReply: true, lang: 'en', metrics: { likes: 1 } });
    const cw = posts['112000000000000002'];
    expect(cw.text).toBe('تنبيه: صور من موقع الحادث\n\nتعلن الهيئة عن إغلاق الطريق مؤقتاً.\n\nالتفاصيل:\nhttps://example.gov.bh/news/2');
    expect(cw.editedAt?.toISOString()).toBe('2024-03-01T12:20:00.000Z');
    expect(cw.metrics).toEqual({ likes: 21, shares: 9, replies: 4, views: 0 });
    const boost = posts['112000000000000001'];
    expect(boost).toMatchObject({ isRepost: true, text: 'Flu vaccination continues at all health centres <until 31 March>.', lang: 'en', url: 'https://health.example.gov/@DemoHealth/111990000000000007' });
    expect((boost.raw as { content: string }).content).toBe(''); // the HTML payload is kept as it came
  });
});

describe('Graph API pages (meta-json)', () => {
  it('maps Facebook posts: message or none, created_time with its offset, shares, reactions and comments', async () => {
    const page = await fetch(fx('facebook-page-posts.json'));
    const [opening, cover, ramadan] = page.posts;
    expect(opening).toMatchObject({ platformPostId: '104857600000001_987650000000001', url: 'https://www.facebook.com/104857600000001/posts/987650000000001', metrics: { shares: 12 }, ref: 'post 104857600000001_987650000000001' });
    expect(cover.text).toBe('');
    expect(ramadan.postedAt.toISOString()).toBe('2024-03-10T16:00:00.000Z');
    expect(ramadan.metrics).toEqual({ likes: 230, shares: 0, replies: 17, views: 0 });
    expect(page.rejected).toBeUndefined();
  });

  it('maps Instagram media, a missing caption being an empty text', async () => {
    const page = await fetch(fx('instagram-media.json'));
    expect(page.posts.map((p) => [p.ref, p.text, p.metrics.likes, p.metrics.replies, p.url, p.postedAt.toISOString()])).toEqual([
      ['media 17895695668004550', 'زيارة معالي الوزير لمركز الخدمات الجديد 📍 المحرق', 120, 4, 'https://www.instagram.com/p/C4AbCdEfGhI/', '2024-03-01T10:15:00.000Z'],
      ['media 17912345678901234', '', 56, 0, 'https://www.instagram.com/reel/C4XyZaBcDeF/', '2024-03-02T17:45:30.000Z'],
    ]);
  });
});

describe('Facebook and Instagram "Download your information" files (meta-export)', () => {
  it('decodes the escaped UTF-8, takes the post text or the caption, and gives each post a stable id from its time and content', async () => {
    const fb = await fetch(fx('facebook-your-posts_1.json'));
    expect(fb.posts.map((p) => [p.text, p.postedAt.toISOString(), p.editedAt?.toISOString() ?? null])).toEqual([
      ['تعلن الوزارة عن افتتاح مركز الخدمات الجديد في مدينة عيسى.', '2024-03-01T10:15:00.000Z', '2024-03-01T11:00:00.000Z'],
      ['Ramadan Kareem — رمضان كريم', '2024-03-02T06:00:00.000Z', null],
    ]);
    expect(fb.posts[0].platformPostId).toMatch(/^fb-export:1709288100:[0-9a-f]{16}$/);
    expect(refusals(fb)).toEqual(['post at position 3: invalid timestamp "yesterday" (expected seconds since 1970)']);
    const again = await fetch(write('copy.json', readFileSync(fx('facebook-your-posts_1.json'))));
    expect(again.posts.map((p) => p.platformPostId)).toEqual(fb.posts.map((p) => p.platformPostId));

    const ig = await fetch(fx('instagram-posts_1.json'));
    expect(ig.posts.map((p) => [p.text, p.postedAt.toISOString()])).toEqual([
      ['زيارة معالي الوزير لمركز الخدمات الجديد 📍 المحرق', '2024-03-01T10:15:00.000Z'],
      ['Open day at the service centre: photos', '2024-03-02T17:45:30.000Z'],
      ['', '2024-03-03T17:46:40.000Z'],
    ]);
    expect(new Set(ig.posts.map((p) => p.platformPostId)).size).toBe(3);
    // A photo shared without words: attachments and no `data` at all.
    const photoOnly = write(
      'your_posts_1.json',
      JSON.stringify([
        { timestamp: 1709288100, attachments: [{ data: [{ media: { uri: 'posts/media/Yourposts/1.jpg', creation_timestamp: 1709288090, title: '' } }] }], title: 'Demo Ministry updated their status.' },
      ]),
    );
    const photo = await fetch(photoOnly);
    expect(photo.rejected).toBeUndefined();
    expect(photo.posts.map((p) => [p.text, p.postedAt.toISOString()])).toEqual([['', '2024-03-01T10:15:00.000Z']]);
    const reels = write('reels.json', JSON.stringify({ ig_reels_media: [{ media: [{ uri: 'media/reels/1.mp4', creation_timestamp: 1709288100, title: 'reel' }] }] }));
    expect((await checkImportFile(reels)).format).toBe('meta-export');
    expect((await fetch(reels)).posts.map((p) => p.text)).toEqual(['reel']);
  });
});

describe('Mizan JSONL/CSV: the date and text fields by other names', () => {
  it('takes created_at, date, timestamp or published for posted_at when only one is there, and names the fields otherwise', async () => {
    const path = write(
      'aliases.jsonl',
      [
        { id: 'a', text: 'x', created_at: '2024-01-01T10:00:00+03:00' },
        { id: 'b', text: 'x', date: '2024-01-02' },
        { id: 'c', text: 'x', timestamp: 1704067200 },
        { id: 'd', text: 'x', published: 'Mon, 01 Jan 2024 12:00:00 +0100' },
        { id: 'e', text: 'x', created_at: 'Wed Oct 10 20:19:24 +0000 2018' },
        { id: 'f', text: 'x', created_at: '2024-01-01T00:00:00Z', date: '2024-01-01' },
        { id: 'g', text: 'x', created_time: '2024-01-01T00:00:00+0000' },
        { id: 'h', text: 'x', date_unixtime: '1709288100' },
        { id: 'i', text: 'x' },
        { id: 'j', full_text: 'from full_text', posted_at: '2024-01-01' },
        { id: 'k', message: 'm', caption: 'c', posted_at: '2024-01-01' },
        { id_str: '1800000000000000009', text: 'x', posted_at: '2024-01-01' },
        { id: 'l', text: 'x', created_at: 'last tuesday' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const page = await fetch(path);
    expect(page.posts.map((p) => [p.platformPostId, p.postedAt.toISOString()])).toEqual([
      ['a', '2024-01-01T07:00:00.000Z'],
      ['b', '2024-01-02T00:00:00.000Z'],
      ['c', '2024-01-01T00:00:00.000Z'],
      ['d', '2024-01-01T11:00:00.000Z'],
      ['e', '2018-10-10T20:19:24.000Z'],
      ['j', '2024-01-01T00:00:00.000Z'],
      ['1800000000000000009', '2024-01-01T00:00:00.000Z'],
    ]);
    expect(page.posts.find((p) => p.platformPostId === 'j')?.text).toBe('from full_text');
    expect(refusals(page)).toEqual([
      'line 6: no posted_at (the record has created_at and date; rename the one that is the posting time to posted_at)',
      'line 7: no posted_at (the record has created_time; use --format meta-json or rename the field)',
      'line 8: no posted_at (the record has date_unixtime; use --format telegram or rename the field)',
      'line 9: missing posted_at',
      "line 11: no text (the record has message and caption; rename the one that is the post's text to text)",
      'line 13: invalid created_at "last tuesday" (expected ISO 8601)',
    ]);
    expect(page.rejected![0].sample).toBe('{"id":"f","text":"x","created_at":"2024-01-01T00:00:00Z","date":"2024-01-01"}');
  });

  it('imports the X API v2 JSONL of the issue (created_at, no posted_at) whether detected as twarc or given as jsonl', async () => {
    const lines = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ id: String(1760000000000001000 + i * 1000), text: `tweet ${i}`, created_at: '2024-02-20T08:00:00.000Z', edit_history_tweet_ids: ['x'], lang: 'en' }),
    );
    const path = write('x-v2.jsonl', lines.join('\n'));
    const detected = await fetch(path);
    expect(detected.posts).toHaveLength(100);
    expect(detected.rejected).toBeUndefined();
    clearFileCache();
    const asJsonl = await fetch(path, null, 'jsonl');
    expect(asJsonl.posts).toHaveLength(100);
    expect(asJsonl.rejected).toBeUndefined();
  });

  it('reads CSV with a UTF-8 BOM and CRLF line endings, the header naming aliases', async () => {
    const path = write('bom.csv', '\ufeffid,Full_Text,Created_At,lang\r\n1,"مرحبا, بكم",2024-01-01T08:00:00+03:00,ar-BH\r\n2,,2024-01-02T00:00:00Z,\r\n');
    const check = await checkImportFile(path);
    expect(check).toMatchObject({ format: 'csv', records: 2, posts: 2, rejected: 0 });
    const page = await fetch(path);
    expect(page.posts.map((p) => [p.platformPostId, p.text, p.lang, p.postedAt.toISOString()])).toEqual([
      ['1', 'مرحبا, بكم', 'ar-BH', '2024-01-01T05:00:00.000Z'],
      ['2', '', null, '2024-01-02T00:00:00.000Z'],
    ]);
    expect(page.nextCursor).toBe('3');
  });
});

describe('checkImportFile', () => {
  it('counts records, posts and refusals and shows the first refusals, for the CLI to print before registering', async () => {
    expect(await checkImportFile(fx('tweets.js'))).toEqual({
      path: fx('tweets.js'),
      format: 'x-archive',
      detected: true,
      reason: 'it starts with "window.YTD.tweets.part0 =", an X account archive file',
      records: 6,
      posts: 5,
      rejected: 1,
      firstRejected: [expect.objectContaining({ ref: 'tweet 1760000000000000106' })],
    });
    expect(await checkImportFile(fx('telegram-result.json'), 'telegram')).toMatchObject({ format: 'telegram', detected: false, reason: 'given', records: 5, posts: 4 });
  });
});
