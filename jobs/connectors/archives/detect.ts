// Tells a file's format from its content (never its name), by fixed rules tried in this order, so the same
// file always gets the same answer with the same explanation:
//  1. starts with `window.YTD.<name>.part<N> =`                       → x-archive
//  2. starts with `<` (XML, HTML)                                       → refused, naming what it is (RSS, Atom…)
//  3. the whole file is one JSON value:
//     an object with a `messages` list                                   → telegram
//     an object with a `data` list and `paging` (or Facebook/Instagram items) → meta-json
//     an object with `data` holding X API v2 tweets (or a tweet)         → twarc
//     a list of Mastodon statuses (content, created_at, uri…)            → mastodon-json
//     a list of `{ tweet: {...} }` (an archive without its prefix)       → x-archive
//     a list of X API v2 tweets                                          → twarc
//     a list of Facebook/Instagram export posts (or { ig_reels_media })   → meta-export
//     any other list                                                     → refused, naming its items' fields
//     a single object: decided as a one-line file (next rule)
//  4. lines (a file starting with `{` or `[`): the first line (of the first 50 not blank) that is a JSON object
//     decides: an X API v2 page or tweet → twarc, else → jsonl
//  5. a first line of comma-separated names including id, text, posted_at or an alias → csv; else rule 4 for a
//     JSONL file whose first line is damaged
//  6. anything else is refused with the start of the file and the list of formats.
import { FILE_FORMATS, isObject, keysOf, parseJsonExact, type FileFormat } from './common.ts';
import { isMastodonStatus } from './mastodon.ts';
import { isFacebookPost, isGraphPage, isInstagramMedia } from './meta.ts';
import { isFacebookExportPost, isInstagramExportPost, metaExportList } from './meta-export.ts';
import { accountExportChannel, isTelegramAccountExport, isTelegramExport } from './telegram.ts';
import { isV2Page, isV2Tweet } from './twarc.ts';
import { X_ARCHIVE_PREFIX } from './x-archive.ts';

export const FORMAT_HELP: Record<FileFormat, string> = {
  jsonl: 'one JSON object per line with id, text, posted_at',
  csv: 'a header row naming id, text, posted_at, then one post per row',
  'x-archive': "an X account archive's data/tweets.js, tweet.js or deleted-tweets.js",
  telegram: "a Telegram Desktop channel export's result.json (or a whole-account export with one channel)",
  twarc: 'X API v2 tweets as JSONL: twarc2 response pages or one tweet per line',
  'mastodon-json': 'a saved Mastodon /api/v1/accounts/:id/statuses JSON list',
  'meta-json': 'a saved Graph API page { data, paging } of Facebook posts or Instagram media',
  'meta-export': "a Facebook or Instagram \"Download your information\" JSON file of posts (your_posts…_1.json, posts_1.json)",
};

export const formatsList = () => FILE_FORMATS.map((f) => `${f} (${FORMAT_HELP[f]})`).join('; ');

/** Columns that make a first line a CSV header: the fields and the aliases the jsonl/csv mapping accepts. */
export const CSV_HEADER_NAMES = ['id', 'id_str', 'text', 'full_text', 'message', 'caption', 'body', 'content', 'posted_at', 'created_at', 'date', 'timestamp', 'published'];

export interface Detection {
  format: FileFormat;
  /** Why, in words: `line 1 is an X API v2 response page (data, includes, meta)`. */
  reason: string;
  /** The whole file parsed as JSON, when rule 3 parsed it (so it is not parsed twice). */
  value?: unknown;
}

export class UnsupportedFormat extends Error {}

const quoteStart = (s: string, n = 80) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

/** Splits a CSV header line (quotes allowed) into its names, lower-cased. */
function headerNames(line: string): string[] {
  const names: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(?:,|$)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < line.length && (m = re.exec(line))) {
    names.push((m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]).trim().toLowerCase());
    if (m[0].length === 0) break;
  }
  return names;
}

/** What an XML or HTML file is, for the refusal. */
function describeMarkup(head: string): string {
  if (/<rss\b/i.test(head)) return 'an RSS feed (XML whose root element is <rss>)';
  if (/<feed\b[^>]*w3\.org\/2005\/Atom/i.test(head) || /<feed\b/i.test(head)) return 'an Atom feed (XML whose root element is <feed>)';
  if (/<rdf:RDF\b/i.test(head)) return 'an RSS 1.0 feed (RDF XML)';
  if (/<html\b|<!doctype html/i.test(head)) return 'an HTML page';
  return 'an XML document';
}

const FEED_HINT = 'a feed is read by its own connector: register it with `npm run cli -- account add --platform rss --url URL`';

function describeList(list: unknown[]): string {
  const first = list.find((x) => x !== null && x !== undefined);
  if (first === undefined) return 'an empty JSON list';
  return `a JSON list of ${list.length} items whose first has ${keysOf(first)}`;
}

/** A short description of what a content looks like, for a refusal (also when a format was given and does not fit). */
export function describeContent(content: string): string {
  const t = content.trimStart();
  if (!t) return 'an empty file';
  if (X_ARCHIVE_PREFIX.test(t)) return `an X archive file (${t.slice(0, t.indexOf('=') + 1).trim()})`;
  if (t.startsWith('<')) return describeMarkup(t.slice(0, 2000));
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      const v = parseJsonExact(t);
      return Array.isArray(v) ? describeList(v) : `a JSON object with ${keysOf(v)}`;
    } catch {
      const line = t.split(/\r?\n/, 1)[0];
      try {
        const v = JSON.parse(line);
        return `JSON lines, the first with ${keysOf(v)}`;
      } catch {
        return `text starting with ${quoteStart(line)} that is not valid JSON`;
      }
    }
  }
  const line = t.split(/\r?\n/, 1)[0];
  if (line.includes(',')) return `comma-separated text whose first line is ${quoteStart(line)}`;
  return `text starting with ${quoteStart(line)}`;
}

/**
 * Detects the format of `content` (BOM removed). Throws UnsupportedFormat, saying what the file looks like
 * and listing the formats, when no rule matches. An empty file has no format: null.
 */
export function detectFormat(content: string): Detection | null {
  const t = content.trimStart();
  if (!t) return null;
  const refuse = (looks: string, hint?: string): never => {
    throw new UnsupportedFormat(`the file looks like ${looks}, which is not a format the file connector reads${hint ? ` (${hint})` : ''}. Formats: ${formatsList()}`);
  };

  const ytd = X_ARCHIVE_PREFIX.exec(t);
  if (ytd) return { format: 'x-archive', reason: `it starts with "window.YTD.${ytd[1]}.part${ytd[2]} =", an X account archive file` };
  if (t.startsWith('<')) {
    const looks = describeMarkup(t.slice(0, 2000));
    refuse(looks, /feed/.test(looks) ? FEED_HINT : undefined);
  }

  if (t.startsWith('{') || t.startsWith('[')) {
    let whole: unknown;
    let parsed = false;
    try {
      whole = parseJsonExact(t);
      parsed = true;
    } catch {
      /* not one JSON value: lines */
    }
    if (parsed && isObject(whole)) {
      const v = whole;
      if (isTelegramExport(v)) return { format: 'telegram', reason: `it is one JSON object with a "messages" list (${v.messages.length} messages), a Telegram Desktop export`, value: v };
      if (isTelegramAccountExport(v)) {
        const found = accountExportChannel(v);
        const which = 'chat' in found ? `; its one channel ${JSON.stringify(found.chat.name)} (${found.chat.messages.length} messages) is read` : '';
        return { format: 'telegram', reason: `it is one JSON object with "chats.list", a whole Telegram account export${which}`, value: v };
      }
      if (isGraphPage(v)) {
        const kind = v.data.some(isInstagramMedia) ? 'Instagram media' : v.data.some(isFacebookPost) ? 'Facebook posts' : 'no items';
        return { format: 'meta-json', reason: `it is one JSON object with a "data" list (${v.data.length} items: ${kind})${Object.hasOwn(v, 'paging') ? ' and "paging"' : ''}, a Graph API page`, value: v };
      }
      if (isV2Page(v)) return { format: 'twarc', reason: 'it is one X API v2 response page (data holding tweets with id, text and v2 fields)', value: v };
      const reels = metaExportList(v);
      if (reels?.some(isInstagramExportPost)) return { format: 'meta-export', reason: `it is one JSON object with "${Object.keys(v)[0]}", an Instagram export file`, value: v };
      // Otherwise one object: a one-line JSONL file (or a pretty-printed object, refused below by line).
    }
    if (parsed && Array.isArray(whole)) {
      const list = whole;
      const first = list.find((x) => x !== null && x !== undefined);
      if (first === undefined) refuse('an empty JSON list, which says nothing about its format', 'give --format when the list is a Mastodon page, or wait for posts');
      if (isMastodonStatus(first)) return { format: 'mastodon-json', reason: `it is a JSON list of ${list.length} Mastodon statuses (content, created_at, uri)`, value: list };
      if (isObject(first) && isObject(first.tweet)) return { format: 'x-archive', reason: `it is a JSON list of ${list.length} { "tweet": … } entries, an X archive without its window.YTD prefix`, value: list };
      if (isV2Tweet(first)) return { format: 'twarc', reason: `it is a JSON list of ${list.length} X API v2 tweets`, value: list };
      if (isFacebookExportPost(first)) return { format: 'meta-export', reason: `it is a JSON list of ${list.length} posts with timestamp and data, a Facebook export file`, value: list };
      if (isInstagramExportPost(first)) return { format: 'meta-export', reason: `it is a JSON list of ${list.length} posts with media (uri, creation_timestamp), an Instagram export file`, value: list };
      refuse(describeList(list), 'a JSON list of your own records can be imported as JSONL, one object per line');
    }
    const byLine = detectLines(content);
    if (byLine) return byLine;
    refuse(describeContent(t));
  }

  const firstLine = t.split(/\r?\n/, 1)[0];
  const names = firstLine.includes(',') ? headerNames(firstLine) : [];
  const known = names.filter((n) => CSV_HEADER_NAMES.includes(n));
  if (known.length) return { format: 'csv', reason: `its first line is a comma-separated header naming ${known.join(', ')}` };
  // A JSONL file whose first line is damaged.
  const byLine = detectLines(content);
  if (byLine) return byLine;
  if (names.length > 1) refuse(`comma-separated text whose first line ${quoteStart(firstLine)} names none of id, text, posted_at`);
  return refuse(describeContent(t));
}

/** Rule 4: the first line (of the first 50 not blank) that is a JSON object decides; null when none is. */
function detectLines(content: string): Detection | null {
  const lines = content.split(/\r?\n/);
  for (let i = 0, seen = 0; i < lines.length && seen < 50; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    seen++;
    if (line[0] !== '{') continue;
    let v: unknown;
    try {
      v = parseJsonExact(line);
    } catch {
      continue;
    }
    const n = i + 1;
    if (isV2Page(v)) return { format: 'twarc', reason: `line ${n} is an X API v2 response page (${keysOf(v)})` };
    if (isV2Tweet(v)) return { format: 'twarc', reason: `line ${n} is an X API v2 tweet (id, text and ${Object.keys(v).filter((k) => ['edit_history_tweet_ids', 'public_metrics', 'author_id', 'conversation_id', 'referenced_tweets'].includes(k)).join(', ') || 'v2 fields'})` };
    if (isObject(v)) return { format: 'jsonl', reason: `line ${n} is a JSON object (${keysOf(v)})` };
  }
  return null;
}
