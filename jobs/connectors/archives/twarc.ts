// X API v2 tweets saved as JSONL, as twarc2 writes them: each line one response page
// { data: [tweet, ...], includes: { tweets, users, media }, meta: { result_count, next_token, ... }, errors?, __twarc? },
// or one tweet per line (twarc2 flatten, or any tool that writes the `data` items). A tweet: { id, text,
// created_at (ISO 8601), author_id, lang, public_metrics: { like_count, retweet_count, reply_count, quote_count,
// impression_count }, referenced_tweets: [{ type: 'replied_to' | 'retweeted' | 'quoted', id }],
// edit_history_tweet_ids, note_tweet?: { text } (posts longer than 280 characters), entities }. Texts are
// HTML-escaped (&amp; &lt; &gt;). A retweet's own text is cut ("RT @user: …"): the reposted tweet's full text is
// taken from includes.tweets, or from the referenced tweet itself in `twarc2 flatten` output, where each
// referenced_tweets item is { type, id } merged with the included tweet's fields (text, note_tweet, author…), and
// each tweet carries `author` and `__twarc` (twarc/expansions.py). An edited tweet is the latest version with
// edit_history_tweet_ids [original, …, latest]: like the X connector, the post id is the original's and the edit's
// created_at is editedAt (postedAt the original's time, from its snowflake id). A pretty-printed page or a JSON
// array of tweets (the whole file one JSON value) is read too. Each tweet is mapped by the X connector's mapTweet
// with its page's includes (tweets and users), which stay in the post's raw envelope.
import type { ImportedPost, RejectedRecord } from '../types.ts';
import { includesOf, mapTweet, type XTweet, type XUser } from '../x.ts';
import {
  MAX_RECORD_CHARS,
  Reject,
  dateOf,
  has,
  idOf,
  isObject,
  keysOf,
  mapRecord,
  parseJsonExact,
  type Entry,
  type Parsed,
} from './common.ts';

/** Fields only an X API v2 tweet has (besides id, text): how a tweet is told from a generic JSONL record. */
export const V2_MARKERS = ['edit_history_tweet_ids', 'public_metrics', 'author_id', 'conversation_id', 'referenced_tweets', 'note_tweet', 'possibly_sensitive', 'reply_settings'];

export const isV2Tweet = (v: unknown): v is Record<string, unknown> =>
  isObject(v) && typeof v.id === 'string' && typeof v.text === 'string' && V2_MARKERS.some((k) => Object.hasOwn(v, k));

/** A response page: `data` a list of tweets (or one tweet, for a lookup), or only `errors`/`meta`. */
export const isV2Page = (v: unknown): v is Record<string, unknown> =>
  isObject(v) &&
  (Array.isArray(v.data) ? v.data.length === 0 || v.data.some(isV2Tweet) || Object.hasOwn(v, 'meta') || Object.hasOwn(v, '__twarc') : isV2Tweet(v.data)) &&
  !Object.hasOwn(v, 'paging');

/**
 * One tweet of the file through the X connector's mapping (mapTweet, the one mapping of an X API v2 tweet): only what
 * a file adds is read here. A numeric id is made its string; `twarc2 flatten` output carries the referenced tweets'
 * fields in each reference and the author in `author`, which join the page's includes. `raw` is the v2 envelope
 * `{ data, includes: { tweets, users } }` with the referenced tweets and the author, so the post can be re-mapped.
 */
export function mapV2Tweet(t: unknown, included: Map<string, XTweet>, users: Map<string, XUser> = new Map(), refSuffix = ''): ImportedPost {
  if (!isObject(t)) throw new Reject('not an object');
  const id = idOf(t, ['id', 'id_str']);
  if (!has(t, 'created_at')) {
    throw new Reject('missing created_at (ask the X API for tweet.fields=created_at; twarc2 asks for it by default)');
  }
  dateOf(t.created_at, 'created_at', 'ISO 8601');
  const tweets = new Map(included);
  const refs = Array.isArray(t.referenced_tweets) ? t.referenced_tweets.filter(isObject) : [];
  for (const r of refs) {
    const merged = isObject(r.tweet) ? r.tweet : typeof r.text === 'string' || isObject(r.note_tweet) ? r : undefined;
    if (merged && typeof r.id === 'string' && !tweets.has(r.id)) tweets.set(r.id, { ...merged, id: r.id } as XTweet);
  }
  const people = new Map(users);
  if (isObject(t.author) && typeof t.author.id === 'string' && !people.has(t.author.id)) people.set(t.author.id, t.author as XUser);
  const tweet = { ...t, id } as XTweet;
  if (typeof tweet.author_id !== 'string' && isObject(t.author) && typeof t.author.id === 'string') tweet.author_id = t.author.id;
  const m = mapTweet(tweet, tweets, null, people);
  if (typeof m === 'string') throw new Reject(m);
  return { ...m.post, ref: `tweet ${id}${refSuffix}` };
}

/** The posts, refusals and notes of one JSON value of the file (a page, a tweet, or a list of tweets). */
function valueEntry(v: unknown, start: number, end: number, where: string): Entry {
  const entry: Entry = { start, end, posts: [], rejected: [] };
  const at = (id: unknown) => (typeof id === 'string' || typeof id === 'number' ? `tweet ${id}` : null);
  const add = (t: unknown, i: number, included: Map<string, XTweet>, users: Map<string, XUser> = new Map()) => {
    const ref = at(isObject(t) ? t.id : undefined) ?? `item ${i + 1}`;
    const r = mapRecord(`${ref} (${where})`, t, () => mapV2Tweet(t, included, users, ` (${where})`));
    if (r.post) entry.posts.push(r.post);
    if (r.rejected) entry.rejected.push(r.rejected);
  };
  if (isObject(v) && (Object.hasOwn(v, 'data') || Object.hasOwn(v, 'errors') || Object.hasOwn(v, 'meta'))) {
    // The page's includes: the referenced tweets (a retweet's full text, a quoted post) and the users (the author).
    const { tweets: included, users } = includesOf(v.includes);
    const data = Array.isArray(v.data) ? v.data : v.data === undefined || v.data === null ? [] : [v.data];
    data.forEach((t, i) => add(t, i, included, users));
    // Partial errors (a referenced tweet deleted, withheld, an author suspended): notes, nothing of this account lost.
    if (Array.isArray(v.errors) && v.errors.length) {
      entry.warnings = v.errors.slice(0, 20).map((e) => {
        const o = isObject(e) ? e : {};
        const what = [o.title, o.detail ?? o.message].filter((x) => typeof x === 'string').join(': ') || JSON.stringify(e).slice(0, 200);
        return `${where}: the X API reported ${what}`;
      });
      if (v.errors.length > 20) entry.warnings.push(`${where}: and ${v.errors.length - 20} more X API errors`);
    }
    return entry;
  }
  if (Array.isArray(v)) {
    v.forEach((t, i) => add(t, i, new Map()));
    return entry;
  }
  if (isObject(v)) {
    add(v, 0, new Map());
    return entry;
  }
  entry.rejected.push({ ref: where, reason: `not a tweet or an X API response page (it is ${keysOf(v)})`, sample: JSON.stringify(v)?.slice(0, 500) });
  return entry;
}

/** Reads twarc-style JSONL (lines, the cursor counting lines); a file that is one JSON value is one entry. */
export function parseTwarc(content: string, lines: string[]): Parsed {
  const first = lines.findIndex((l) => l.trim());
  const firstLine = first >= 0 ? lines[first].trim() : '';
  // One JSON value over several lines (a pretty-printed page, an array of tweets): one entry for the whole file.
  if (first >= 0 && lines.length > 1 && !lineParses(firstLine)) {
    let whole: unknown;
    try {
      whole = parseJsonExact(content);
    } catch {
      whole = undefined;
    }
    if (whole !== undefined) {
      const e = valueEntry(whole, 1, lines.length, 'the file');
      return { entries: [e], total: lines.length, unit: 'line' };
    }
  }
  const entries: Entry[] = [];
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!text.trim()) return;
    const where = `line ${n}`;
    if (text.length > MAX_RECORD_CHARS * 100) {
      // A page holds at most 100 tweets: past that the line is not one.
      entries.push({ start: n, end: n, posts: [], rejected: [{ ref: where, reason: `longer than ${MAX_RECORD_CHARS * 100} characters, not imported`, sample: text.slice(0, 500) }] });
      return;
    }
    let v: unknown;
    try {
      v = parseJsonExact(text);
    } catch (e) {
      const rejected: RejectedRecord = { ref: where, reason: `invalid JSON (${(e as Error).message})`, sample: text.slice(0, 500) };
      entries.push({ start: n, end: n, posts: [], rejected: [rejected] });
      return;
    }
    const e = valueEntry(v, n, n, where);
    if (isObject(v) && !Object.hasOwn(v, 'data') && text.length > MAX_RECORD_CHARS) {
      entries.push({ start: n, end: n, posts: [], rejected: [{ ref: where, reason: `longer than ${MAX_RECORD_CHARS} characters, not imported`, sample: text.slice(0, 500) }] });
      return;
    }
    entries.push(e);
  });
  return { entries, total: lines.length, unit: 'line' };
}

function lineParses(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
