// The X (Twitter) account archive: data/tweets.js (older archives: tweet.js), data/deleted-tweets.js, and the
// parts of big archives (tweets-part1.js). Each is JavaScript: `window.YTD.tweets.part0 = [ { "tweet": {...} }, ... ]`.
// A tweet is in the v1.1 shape: id_str (the numeric id exceeds 2^53), full_text (HTML-escaped: &amp; &lt; &gt;),
// created_at "Wed Oct 10 20:19:24 +0000 2018", favorite_count and retweet_count as strings,
// in_reply_to_status_id_str, lang, entities; a retweet is written "RT @user: …" (its `retweeted` flag is false in
// archives). Entries of deleted-tweets.js carry `deleted_at`. The oldest archives have no `tweet` wrapper.
import type { ImportedPost } from '../types.ts';
import {
  Reject,
  countOf,
  dateOf,
  decodeEntities,
  idOf,
  isObject,
  keysOf,
  langOf,
  parseJsonExact,
  parseTwitterDate,
  parseAnyDate,
  recordEntries,
  refById,
  type Parsed,
} from './common.ts';

/** `window.YTD.<name>.part<N> =` at the start of the file (after a BOM and blanks). */
export const X_ARCHIVE_PREFIX = /^\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=\s*/;

const TWEET_FILES = new Set(['tweets', 'tweet', 'deleted_tweets', 'deleted_tweet', 'community_tweet', 'tweets_media']);

export function mapArchiveTweet(entry: unknown, deletedFile: boolean): ImportedPost {
  if (!isObject(entry)) throw new Reject('not an object');
  const t = isObject(entry.tweet) ? entry.tweet : entry;
  const id = idOf(t);
  const raw = t.full_text ?? t.text;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') throw new Reject('full_text: must be a string');
  const text = decodeEntities(typeof raw === 'string' ? raw : '');
  const postedAt = dateOf(t.created_at, 'created_at', 'the X format "Wed Oct 10 20:19:24 +0000 2018"', (s) => parseTwitterDate(s) ?? parseAnyDate(s));
  const reply = t.in_reply_to_status_id_str ?? t.in_reply_to_status_id;
  return {
    ref: `tweet ${id}`,
    platformPostId: id,
    url: `https://x.com/i/web/status/${id}`,
    text,
    lang: langOf(t.lang),
    postedAt,
    metrics: { likes: countOf(t.favorite_count, 'favorite_count'), shares: countOf(t.retweet_count, 'retweet_count'), replies: countOf(t.reply_count, 'reply_count'), views: 0 },
    isReply: reply !== undefined && reply !== null && reply !== '',
    isRepost: t.retweeted === true || isObject(t.retweeted_status) || /^RT @\w{1,15}:/.test(text),
    deleted: deletedFile || (t.deleted_at !== undefined && t.deleted_at !== null),
    raw: entry,
  };
}

/** Reads an archive file's content (BOM removed); throws when it is not one. */
export function parseXArchive(content: string): Parsed & { file: string } {
  const m = X_ARCHIVE_PREFIX.exec(content);
  if (!m) throw new Error('not an X archive file: it does not start with "window.YTD.<name>.part0 ="');
  const file = m[1];
  if (!TWEET_FILES.has(file)) {
    throw new Error(`this X archive file holds "${file}", not tweets: give data/tweets.js (or tweet.js, deleted-tweets.js)`);
  }
  const body = content.slice(m[0].length).replace(/;\s*$/, '');
  let list: unknown;
  try {
    list = parseJsonExact(body);
  } catch (e) {
    throw new Error(`the X archive's list of tweets is not valid JSON after the "window.YTD.${file}.part${m[2]} =" prefix (${(e as Error).message})`);
  }
  if (!Array.isArray(list)) throw new Error(`the X archive's "window.YTD.${file}.part${m[2]}" is not a list (it is ${keysOf(list)})`);
  return { ...archiveEntries(list, file.startsWith('deleted')), file };
}

/** The entries of a list of archive tweets (also a JSON array of `{ tweet }` saved without the prefix). */
export function archiveEntries(list: unknown[], deletedFile: boolean): Parsed {
  return recordEntries(
    list,
    (item, n) => refById('tweet', isObject(item) && isObject(item.tweet) ? item.tweet : item, n),
    (item) => mapArchiveTweet(item, deletedFile),
  );
}
