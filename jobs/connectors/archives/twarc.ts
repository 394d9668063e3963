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
// array of tweets (the whole file one JSON value) is read too.
import type { ImportedPost, RejectedRecord } from '../types.ts';
import { snowflakeTime } from '../x.ts';
import {
  MAX_RECORD_CHARS,
  Reject,
  countOf,
  dateOf,
  decodeEntities,
  has,
  idOf,
  isObject,
  keysOf,
  langOf,
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

const fullText = (t: Record<string, unknown>): string => {
  const note = isObject(t.note_tweet) && typeof t.note_tweet.text === 'string' ? t.note_tweet.text : undefined;
  const text = note ?? t.text;
  if (text !== undefined && text !== null && typeof text !== 'string') throw new Reject('text: must be a string');
  return decodeEntities(text ?? '');
};

export function mapV2Tweet(t: unknown, included: Map<string, Record<string, unknown>>, refSuffix = ''): ImportedPost {
  if (!isObject(t)) throw new Reject('not an object');
  const id = idOf(t, ['id', 'id_str']);
  if (!has(t, 'created_at')) {
    throw new Reject('missing created_at (ask the X API for tweet.fields=created_at; twarc2 asks for it by default)');
  }
  const created = dateOf(t.created_at, 'created_at', 'ISO 8601');
  // An edit is a new tweet id: the post is the original's (edit_history_tweet_ids[0]), as the X connector stores it.
  const history = Array.isArray(t.edit_history_tweet_ids) ? t.edit_history_tweet_ids.filter((h): h is string => typeof h === 'string' && /^\d{1,20}$/.test(h)) : [];
  const originalId = history.length > 0 ? history[0] : id;
  const edited = history.length > 1 && originalId !== id;
  const postedAt = edited ? (snowflakeTime(originalId) ?? created) : created;
  const refs = Array.isArray(t.referenced_tweets) ? t.referenced_tweets.filter(isObject) : [];
  const retweeted = refs.find((r) => r.type === 'retweeted');
  let text = fullText(t);
  if (retweeted) {
    // An endorsement is scored on what was reposted: the original's full text when the page includes it, or the
    // referenced tweet's own fields when the line was flattened (twarc2 flatten merges them into the reference).
    const original =
      (typeof retweeted.id === 'string' ? included.get(retweeted.id) : undefined) ??
      (isObject(retweeted.tweet) ? retweeted.tweet : typeof retweeted.text === 'string' ? retweeted : undefined);
    if (original) text = fullText(original);
  }
  const pm = isObject(t.public_metrics) ? t.public_metrics : {};
  return {
    ref: `tweet ${id}${refSuffix}`,
    platformPostId: originalId,
    url: `https://x.com/i/web/status/${id}`,
    text,
    lang: langOf(t.lang),
    postedAt,
    editedAt: edited ? created : null,
    metrics: {
      likes: countOf(pm.like_count, 'public_metrics.like_count'),
      shares: countOf(pm.retweet_count, 'public_metrics.retweet_count') + countOf(pm.quote_count, 'public_metrics.quote_count'),
      replies: countOf(pm.reply_count, 'public_metrics.reply_count'),
      views: countOf(pm.impression_count, 'public_metrics.impression_count'),
    },
    isReply: refs.some((r) => r.type === 'replied_to') || has(t, 'in_reply_to_user_id'),
    isRepost: Boolean(retweeted),
    raw: t,
  };
}

/** The posts, refusals and notes of one JSON value of the file (a page, a tweet, or a list of tweets). */
function valueEntry(v: unknown, start: number, end: number, where: string): Entry {
  const entry: Entry = { start, end, posts: [], rejected: [] };
  const at = (id: unknown) => (typeof id === 'string' || typeof id === 'number' ? `tweet ${id}` : null);
  const add = (t: unknown, i: number, included: Map<string, Record<string, unknown>>) => {
    const ref = at(isObject(t) ? t.id : undefined) ?? `item ${i + 1}`;
    const r = mapRecord(`${ref} (${where})`, t, () => mapV2Tweet(t, included, ` (${where})`));
    if (r.post) entry.posts.push(r.post);
    if (r.rejected) entry.rejected.push(r.rejected);
  };
  if (isObject(v) && (Object.hasOwn(v, 'data') || Object.hasOwn(v, 'errors') || Object.hasOwn(v, 'meta'))) {
    const includes = isObject(v.includes) ? v.includes : {};
    const included = new Map<string, Record<string, unknown>>();
    if (Array.isArray(includes.tweets)) for (const t of includes.tweets) if (isObject(t) && typeof t.id === 'string') included.set(t.id, t);
    const data = Array.isArray(v.data) ? v.data : v.data === undefined || v.data === null ? [] : [v.data];
    data.forEach((t, i) => add(t, i, included));
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
