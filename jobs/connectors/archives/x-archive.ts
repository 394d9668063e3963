// The X (Twitter) account archive: data/tweets.js (older archives: tweet.js), data/deleted-tweets.js, and the
// parts of big archives (tweets-part1.js). Each is JavaScript: `window.YTD.tweets.part0 = [ { "tweet": {...} }, ... ]`.
// A tweet is in the v1.1 shape: id_str (the numeric id exceeds 2^53), full_text (HTML-escaped: &amp; &lt; &gt;),
// created_at "Wed Oct 10 20:19:24 +0000 2018", favorite_count and retweet_count as strings,
// in_reply_to_status_id_str, lang, entities; a retweet is written "RT @user: …" (its `retweeted` flag is false in
// archives). Entries of deleted-tweets.js carry `deleted_at`. The oldest archives have no `tweet` wrapper.
// An edited post is one entry per version: the original with `edit_info.initial.editTweetIds` [original, edit…]
// and each edit with `edit_info.edit.initialTweetId` (and `editControlInitial`). Like the X connector, every
// version is the original's post: an edit takes the original's id, the original's time (its snowflake) and its
// own created_at as editedAt, and the versions of a post are given in time order (the last one wins) at the
// place of the last of them in the file. note-tweet.js (`noteTweet.core.text`, the full text of posts over 280
// characters) has no tweet ids and is refused: tweets.js holds those posts, their text cut.
import type { ImportedPost } from '../types.ts';
import { snowflakeTime } from '../x.ts';
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
  const edit = isObject(t.edit_info) && isObject(t.edit_info.edit) ? t.edit_info.edit : null;
  const initial = edit && typeof edit.initialTweetId === 'string' && /^\d{1,20}$/.test(edit.initialTweetId.trim()) ? edit.initialTweetId.trim() : id;
  const edited = initial !== id;
  return {
    ref: `tweet ${id}`,
    platformPostId: initial,
    url: `https://x.com/i/web/status/${id}`,
    text,
    lang: langOf(t.lang),
    postedAt: edited ? (snowflakeTime(initial) ?? postedAt) : postedAt,
    editedAt: edited ? postedAt : null,
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
    if (/note_tweet/.test(file)) {
      throw new Error(
        `this X archive file holds "${file}": the full texts of long posts, without the posts' ids; give data/tweets.js (or tweet.js, deleted-tweets.js), which holds those posts too`,
      );
    }
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
  return groupVersions(
    recordEntries(
      list,
      (item, n) => refById('tweet', isObject(item) && isObject(item.tweet) ? item.tweet : item, n),
      (item) => mapArchiveTweet(item, deletedFile),
    ),
  );
}

/**
 * The versions of an edited post (several records with one post id) given together, oldest first, in the entry of
 * the last of them: the importer keeps the last version of an id in a page, and a page never splits them.
 */
function groupVersions(parsed: Parsed): Parsed {
  const last = new Map<string, number>();
  const count = new Map<string, number>();
  parsed.entries.forEach((e, i) => {
    for (const p of e.posts) {
      last.set(p.platformPostId, i);
      count.set(p.platformPostId, (count.get(p.platformPostId) ?? 0) + 1);
    }
  });
  if ([...count.values()].every((c) => c < 2)) return parsed;
  const versions = new Map<string, ImportedPost[]>();
  for (const e of parsed.entries) {
    e.posts = e.posts.filter((p) => {
      if ((count.get(p.platformPostId) ?? 0) < 2) return true;
      versions.set(p.platformPostId, [...(versions.get(p.platformPostId) ?? []), p]);
      return false;
    });
  }
  const when = (p: ImportedPost) => (p.editedAt ?? p.postedAt).getTime();
  for (const [id, posts] of versions) {
    parsed.entries[last.get(id)!].posts.push(...posts.sort((a, b) => when(a) - when(b)));
  }
  return parsed;
}
