// The file connector: imports posts from a file drop. The format is the account's `config.format`, or detected
// from the content (never the name) when it is absent or `auto` (see archives/detect.ts for the rules):
//   jsonl, csv        Mizan's own: fields id, text, posted_at (required; the aliases below are accepted), url,
//                     lang, likes, shares, replies, views, is_reply, is_repost (optional)
//   x-archive         an X account archive's data/tweets.js, tweet.js, deleted-tweets.js   (archives/x-archive.ts)
//   telegram          a Telegram Desktop channel export, result.json                         (archives/telegram.ts)
//   twarc             X API v2 tweets as JSONL                                               (archives/twarc.ts)
//   mastodon-json     a saved Mastodon statuses JSON list                                    (archives/mastodon.ts)
//   meta-json         a saved Graph API page of Facebook posts or Instagram media            (archives/meta.ts)
//   meta-export       a Facebook or Instagram "Download your information" posts file         (archives/meta-export.ts)
// A record that cannot be mapped is refused in the page's `rejected` (ref `line N`, `tweet ID`, `message N`, with
// the reason and the start of the record) and the rest is imported. The cursor is the number of units consumed:
// lines for jsonl, csv and twarc (the CSV header is line 1), records for the whole-file formats.
import { stat, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost, RejectedRecord } from './types.ts';
import {
  FILE_FORMATS,
  MAX_RECORD_CHARS,
  Reject,
  SAMPLE_CHARS,
  isFileFormat,
  isObject,
  mapRecord,
  parseAnyDate,
  parseIsoDate,
  parseJsonExact,
  quoteBigIntegers,
  type Entry,
  type FileFormat,
  type Parsed,
} from './archives/common.ts';
import { UnsupportedFormat, describeContent, detectFormat, formatsList, type Detection } from './archives/detect.ts';
import { parseMastodon } from './archives/mastodon.ts';
import { parseMeta } from './archives/meta.ts';
import { parseMetaExport } from './archives/meta-export.ts';
import { parseTelegram } from './archives/telegram.ts';
import { parseTwarc } from './archives/twarc.ts';
import { X_ARCHIVE_PREFIX, archiveEntries, parseXArchive } from './archives/x-archive.ts';

export { FILE_FORMATS, MAX_RECORD_CHARS, parseIsoDate, quoteBigIntegers, detectFormat, describeContent, UnsupportedFormat };
export type { FileFormat, Detection };

export const FILE_PAGE_SIZE = 1000;
/** Files are read whole: past this size they are refused with a message (split them). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------
// jsonl and csv: Mizan's own fields, with the common aliases when there is no doubt

/** Empty CSV cells and JSON nulls count as absent. */
const absent = (v: unknown) => (v === '' || v === null ? undefined : v);

const count = z.preprocess(
  (v) => {
    const a = absent(v);
    return typeof a === 'string' ? Number(a.trim().replace(/,/g, '')) : a;
  },
  z
    .number({ error: 'must be a number' })
    .refine(Number.isInteger, 'must be a whole number')
    .nonnegative('must not be negative')
    .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`)
    .optional(),
);

const flag = z.preprocess((v) => {
  const a = absent(v);
  if (typeof a === 'string') {
    const s = a.trim().toLowerCase();
    if (['true', '1', 'yes', 'y'].includes(s)) return true;
    if (['false', '0', 'no', 'n'].includes(s)) return false;
  }
  if (a === 1) return true;
  if (a === 0) return false;
  return a;
}, z.boolean({ error: 'must be true or false' }).optional());

const RowSchema = z.object({
  // A numeric id is kept only when it is exact: integers beyond 2^53 arrive as strings (see quoteBigIntegers),
  // a fraction or an exponent that JSON.parse rounded is refused rather than merged with a neighbour's id.
  id: z.preprocess(
    (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v.trim() : v),
    z
      .string({ error: (iss) => (typeof iss.input === 'number' ? 'a numeric id must be a whole number up to 2^53 (write longer ids as strings)' : 'missing id') })
      .min(1, 'missing id'),
  ),
  // A post may have no text (a photo without a caption): an empty or null text is kept as ''.
  text: z.preprocess((v) => (v === null ? '' : v), z.string({ error: (iss) => (iss.input === undefined ? 'missing text' : 'text: must be a string') })),
  url: z.preprocess(
    absent,
    z
      .string()
      .refine((s) => /^https?:\/\/\S+$/i.test(s.trim()), 'url must be an http(s) URL')
      .optional(),
  ),
  lang: z.preprocess(absent, z.string().optional()),
  likes: count,
  shares: count,
  replies: count,
  views: count,
  is_reply: flag,
  is_repost: flag,
});

/** Taken for posted_at when it is absent and exactly one of them is there. */
export const DATE_ALIASES = ['created_at', 'date', 'timestamp', 'published'];
/** Taken for text when it is absent and exactly one of them is there. */
export const TEXT_ALIASES = ['full_text', 'message', 'caption', 'body', 'content'];
/** Fields that look like a date but are not taken: named in the refusal, with the format that reads them. */
const DATE_HINTS: Record<string, string> = {
  created_at: 'use --format twarc or rename the field',
  created_time: 'use --format meta-json or rename the field',
  timestamp: 'use --format meta-json or rename the field',
  date_unixtime: 'use --format telegram or rename the field',
};
const DATE_LIKE = /(?:^|_)(?:date|time|timestamp|datetime|created|published|posted|updated)(?:_|$)|_at$|unixtime/i;

const present = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k) && absent(o[k]) !== undefined;
const andList = (xs: string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** The posting date of a jsonl/csv record: posted_at, else the one alias there is; a refusal names what is there. */
function postedAtOf(o: Record<string, unknown>): Date {
  let field = 'posted_at';
  if (!present(o, 'posted_at')) {
    const aliases = DATE_ALIASES.filter((k) => present(o, k));
    if (aliases.length > 1) throw new Reject(`no posted_at (the record has ${andList(aliases)}; rename the one that is the posting time to posted_at)`);
    if (aliases.length === 0) {
      // A CSV column (or a JSON null) under an alias, empty in this record.
      const empty = [...(Object.hasOwn(o, 'posted_at') ? ['posted_at'] : []), ...DATE_ALIASES.filter((k) => Object.hasOwn(o, k))];
      if (empty.length) throw new Reject(`missing ${empty[0]}`);
      const dateLike = Object.keys(o).filter((k) => k !== 'posted_at' && DATE_LIKE.test(k) && present(o, k));
      if (dateLike.length) {
        const hint = DATE_HINTS[dateLike[0]] ?? 'rename the field that is the posting time to posted_at';
        throw new Reject(`no posted_at (the record has ${andList(dateLike)}; ${hint})`);
      }
      throw new Reject('missing posted_at');
    }
    field = aliases[0];
  }
  const v = o[field];
  // posted_at is ISO 8601; X's "Wed Oct 10 20:19:24 +0000 2018", RFC 2822 and Unix times (for `timestamp`) are read too.
  const d = typeof v === 'string' || typeof v === 'number' ? (field === 'posted_at' && typeof v === 'number' ? null : parseAnyDate(v)) : null;
  if (!d) throw new Reject(`invalid ${field} ${JSON.stringify(v)?.slice(0, 80)} (expected ISO 8601)`);
  return d;
}

/** The field, or else its one alias that the record has; two aliases are refused. */
function aliasFor(o: Record<string, unknown>, field: string, aliases: string[], what: string): string {
  if (Object.hasOwn(o, field)) return field;
  // By key, not value: a CSV column named full_text with an empty cell is a post without text.
  const there = aliases.filter((k) => Object.hasOwn(o, k));
  if (there.length > 1) throw new Reject(`no ${field} (the record has ${andList(there)}; rename the one that is the post's ${what} to ${field})`);
  return there[0] ?? field;
}

/** When the record gives no language: Arabic if Arabic letters make up a fair share of the letters, else English if Latin. */
function guessLang(text: string): 'ar' | 'en' | null {
  const arabic = (text.match(/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (arabic > 0 && arabic >= 0.3 * (arabic + latin)) return 'ar';
  if (latin > 0) return 'en';
  return null;
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid row';
  const field = first.path.join('.');
  const msg = first.message;
  if (/^(missing|invalid) /.test(msg) || !field || msg.startsWith(`${field}:`)) return msg;
  return `${field}: ${msg}`;
}

/** Maps a jsonl line's object or a csv record (its fields by lower-cased column name); throws Reject. */
export function mapGenericRecord(obj: unknown, line: number): ImportedPost {
  if (!isObject(obj)) throw new Reject('not a JSON object');
  const idKey = Object.hasOwn(obj, 'id') || !present(obj, 'id_str') ? 'id' : 'id_str';
  const textKey = aliasFor(obj, 'text', TEXT_ALIASES, 'text');
  const r = RowSchema.safeParse({ ...obj, id: obj[idKey], text: obj[textKey] });
  const head = r.success ? undefined : r.error.issues.find((i) => i.path[0] === 'id' || i.path[0] === 'text');
  if (!r.success && head) throw new Reject(describe(new z.ZodError([head])));
  const postedAt = postedAtOf(obj);
  if (!r.success) throw new Reject(describe(r.error));
  const row = r.data;
  const lang = row.lang?.trim();
  return {
    ref: `line ${line}`,
    platformPostId: row.id,
    url: row.url?.trim() ?? null,
    text: row.text,
    // The language tag as given (`ar-BH`, `und`…): the scorer decides; a guess only when there is none.
    lang: lang ? lang : guessLang(row.text),
    postedAt,
    metrics: { likes: row.likes ?? 0, shares: row.shares ?? 0, replies: row.replies ?? 0, views: row.views ?? 0 },
    isReply: row.is_reply ?? false,
    isRepost: row.is_repost ?? false,
    raw: obj,
  };
}

const one = (start: number, end: number, r: { post?: ImportedPost; rejected?: RejectedRecord }): Entry => ({
  start,
  end,
  posts: r.post ? [r.post] : [],
  rejected: r.rejected ? [r.rejected] : [],
});
const refused = (start: number, end: number, reason: string, sample: string): Entry => ({
  start,
  end,
  posts: [],
  rejected: [{ ref: `line ${start}`, reason, sample: sample.slice(0, SAMPLE_CHARS) }],
});

function splitLines(content: string): string[] {
  const lines = content.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseJsonl(lines: string[]): Parsed {
  const entries: Entry[] = [];
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!text.trim()) return;
    if (text.length > MAX_RECORD_CHARS) {
      entries.push(refused(n, n, `longer than ${MAX_RECORD_CHARS} characters, not imported`, text));
      return;
    }
    let obj: unknown;
    try {
      obj = parseJsonExact(text);
    } catch (e) {
      entries.push(refused(n, n, `invalid JSON (${(e as Error).message})`, text));
      return;
    }
    entries.push(one(n, n, mapRecord(`line ${n}`, text, () => mapGenericRecord(obj, n))));
  });
  return { entries, total: lines.length, unit: 'line' };
}

type CsvRead = { fields: string[]; end: number; error?: undefined } | { error: string; end: number | null };

/**
 * Reads one CSV record (RFC 4180: a field that starts with a quote runs to the matching quote, `""` inside it is a
 * quote, and it may span lines) from line index `start`. `end` is the index of its last line. A quoting error
 * returns end null: the caller reports the record's first line and reads on from the next line, so one stray quote
 * costs one record, not the records its quoted field would swallow. Quotes inside an unquoted field are kept.
 */
function readCsvRecord(lines: string[], start: number): CsvRead {
  const fields: string[] = [];
  let li = start;
  let s = lines[li];
  let pos = 0;
  let size = 0;
  for (;;) {
    if (s.charCodeAt(pos) === 0x22) {
      const quoteLine = li + 1;
      const opened = li === start ? 'a quote' : `the quote opened on line ${quoteLine}`;
      let field = '';
      pos++;
      for (;;) {
        const q = s.indexOf('"', pos);
        if (q < 0) {
          size += s.length - pos + 1;
          // Past the limit the record is only scanned for its end, not kept.
          if (size <= MAX_RECORD_CHARS) field += `${s.slice(pos)}\n`;
          if (++li >= lines.length) return { error: `${opened} is never closed`, end: null };
          s = lines[li];
          pos = 0;
          continue;
        }
        size += q - pos;
        if (size <= MAX_RECORD_CHARS) field += s.slice(pos, q);
        if (s.charCodeAt(q + 1) === 0x22) {
          field += '"';
          pos = q + 2;
          continue;
        }
        pos = q + 1;
        break;
      }
      while (s[pos] === ' ' || s[pos] === '\t') pos++;
      fields.push(field);
      if (pos >= s.length) break;
      if (s[pos] !== ',') {
        const at = li + 1 === quoteLine ? '' : ` on line ${li + 1}`;
        return { error: `${opened} is closed${at} before ${JSON.stringify(s.slice(pos, pos + 12))} instead of a comma or the end of the line`, end: null };
      }
      pos++;
      continue;
    }
    const comma = s.indexOf(',', pos);
    const stop = comma < 0 ? s.length : comma;
    size += stop - pos;
    fields.push(s.slice(pos, stop));
    if (comma < 0) break;
    pos = comma + 1;
  }
  if (size > MAX_RECORD_CHARS) return { error: `record longer than ${MAX_RECORD_CHARS} characters, not imported`, end: li };
  return { fields, end: li };
}

function parseCsv(lines: string[]): Parsed {
  const entries: Entry[] = [];
  let columns: string[] | null = null;
  const sample = (from: number, to: number) => lines.slice(from, Math.min(to + 1, from + 20)).join('\n').slice(0, SAMPLE_CHARS);
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const n = i + 1;
    const read = readCsvRecord(lines, i);
    if (read.error !== undefined) {
      if (!columns) throw new Error(`cannot read the CSV header on line ${n}: ${read.error}`);
      if (read.end === null) {
        entries.push(refused(n, n, read.error, lines[i]));
        continue;
      }
      entries.push(refused(n, read.end + 1, read.error, sample(i, read.end)));
      i = read.end;
      continue;
    }
    if (!columns) {
      columns = read.fields.map((h) => h.trim().toLowerCase());
      i = read.end;
      continue;
    }
    // A record that spans lines and has more fields than the header most likely swallowed the next records
    // into a quote that was never closed where it should have been: refuse it and read on from the next line.
    if (read.end > i && read.fields.length > columns.length) {
      entries.push(refused(n, n, `a quoted field runs from line ${n} to line ${read.end + 1} and leaves ${read.fields.length} fields for ${columns.length} columns (a quote not closed?)`, sample(i, read.end)));
      continue;
    }
    const record: Record<string, string> = {};
    columns.forEach((c, k) => {
      if (k < read.fields.length) record[c] = read.fields[k];
    });
    entries.push(one(n, read.end + 1, mapRecord(`line ${n}`, sample(i, read.end), () => mapGenericRecord(record, n))));
    i = read.end;
  }
  return { entries, total: lines.length, unit: 'line' };
}

// ---------------------------------------------------------------------------------------------------------
// Reading a file

interface Loaded {
  format: FileFormat | null;
  /** How the format was chosen: `given` or the detection's reason. */
  reason: string;
  parsed: Parsed;
}

/** Reads `content` (BOM removed) as `format`, or as the detected format; throws a message naming what it looks like. */
export function parseContent(content: string, format?: FileFormat | 'auto'): Loaded {
  let detection: Detection | null = null;
  let fmt: FileFormat;
  if (format === undefined || format === 'auto') {
    detection = detectFormat(content);
    if (!detection) return { format: null, reason: 'the file is empty', parsed: { entries: [], total: splitLines(content).length, unit: 'line' } };
    fmt = detection.format;
  } else fmt = format;
  const json = (): unknown => {
    if (detection?.value !== undefined) return detection.value;
    try {
      return parseJsonExact(content);
    } catch (e) {
      throw new Error(`it is not one JSON value (${(e as Error).message}); the file looks like ${describeContent(content)}`);
    }
  };
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof UnsupportedFormat) throw e;
      const looks = detection ? '' : ` (the file looks like ${describeContent(content)})`;
      throw new Error(`not readable as ${fmt}: ${(e as Error).message}${looks}`);
    }
  };
  const reason = detection ? detection.reason : 'given in the account';
  const lines = () => splitLines(content);
  switch (fmt) {
    case 'jsonl':
      return { format: fmt, reason, parsed: parseJsonl(lines()) };
    case 'csv':
      return { format: fmt, reason, parsed: wrap(() => parseCsv(lines())) };
    case 'twarc':
      return { format: fmt, reason, parsed: wrap(() => parseTwarc(content, lines())) };
    case 'x-archive':
      return {
        format: fmt,
        reason,
        parsed: wrap(() => {
          // With the window.YTD prefix, or a JSON list of { tweet } saved without it.
          if (X_ARCHIVE_PREFIX.test(content)) return parseXArchive(content);
          const v = json();
          if (Array.isArray(v)) return archiveEntries(v, false);
          return parseXArchive(content);
        }),
      };
    case 'telegram':
      return { format: fmt, reason, parsed: wrap(() => parseTelegram(json())) };
    case 'mastodon-json':
      return { format: fmt, reason, parsed: wrap(() => parseMastodon(json())) };
    case 'meta-json':
      return { format: fmt, reason, parsed: wrap(() => parseMeta(json())) };
    case 'meta-export':
      return { format: fmt, reason, parsed: wrap(() => parseMetaExport(json())) };
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;

// A cache of the last few files parsed, so that paging through a big file does not re-parse it for every page (nor
// the import that follows checkImportFile: a parse with the format detected serves the same format given). A few,
// not one: import workers of one process page through different files at once, and with one entry each page of
// one evicted the other's file (every page re-read its whole file). Bounded as one file was: at most 4 files and
// MAX_FILE_BYTES of them in all (the newest is always kept).
const CACHED_FILES = 4;
const cache = new Map<string, { key: string; requested: string; loaded: Loaded; bytes: number }>();

async function loadFile(path: string, format: FileFormat | 'auto' | undefined): Promise<Loaded> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`file connector: cannot read "${path}"${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
  }
  if (!st.isFile()) throw new Error(`file connector: "${path}" is not a file`);
  if (st.size > MAX_FILE_BYTES) {
    throw new Error(
      `file connector: "${path}" is ${mb(st.size)}; files are read whole, up to ${mb(MAX_FILE_BYTES)}: split it (JSONL and CSV by lines, an X archive into its tweets-partN.js files)`,
    );
  }
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  const requested = format ?? 'auto';
  const hit = cache.get(path);
  if (hit?.key === key && (hit.requested === requested || (hit.loaded.format !== null && hit.loaded.format === requested))) {
    // Most recently used last.
    cache.delete(path);
    cache.set(path, hit);
    return hit.loaded;
  }
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new Error(`file connector: cannot read "${path}": ${(e as Error).message}`);
  }
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    throw new Error(`file connector: "${path}" is UTF-16 text: save it as UTF-8`);
  }
  let content = buf.toString('utf8');
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  let loaded: Loaded;
  try {
    loaded = parseContent(content, format);
  } catch (e) {
    throw new Error(`file connector: cannot import "${path}": ${(e as Error).message}`);
  }
  cache.delete(path);
  cache.set(path, { key, requested, loaded, bytes: st.size });
  let bytes = 0;
  for (const e of cache.values()) bytes += e.bytes;
  for (const [p, e] of cache) {
    if (cache.size === 1 || (cache.size <= CACHED_FILES && bytes <= MAX_FILE_BYTES)) break;
    cache.delete(p);
    bytes -= e.bytes;
  }
  return loaded;
}

function formatOf(account: Pick<ConnectorAccount, 'id' | 'handle' | 'config'>): FileFormat | 'auto' | undefined {
  const f = account.config?.format;
  if (f === undefined || f === null || f === '' || f === 'auto') return undefined;
  if (!isFileFormat(f)) throw new Error(`file connector: account ${account.id} (${account.handle}) has config.format ${JSON.stringify(f)}; expected auto or one of ${FILE_FORMATS.join(', ')}`);
  return f;
}

export interface FileCheck {
  path: string;
  format: FileFormat;
  /** True when the format was detected from the content, false when it was given. */
  detected: boolean;
  /** Why this format: the detection rule that matched, or `given`. */
  reason: string;
  /** Source records read (posts and refusals; Telegram service messages are not counted). */
  records: number;
  posts: number;
  rejected: number;
  /** The first few refusals, to show before importing. */
  firstRejected: RejectedRecord[];
}

/**
 * Reads and checks a file before an account is registered for it: throws, saying what the file looks like and
 * which formats are read, when it is missing, too big, empty (unless a format is given), or of no known format.
 * The import that follows reuses the parse (one-file cache).
 */
export async function checkImportFile(path: string, format?: string): Promise<FileCheck> {
  if (format !== undefined && format !== 'auto' && !isFileFormat(format)) {
    throw new Error(`unknown format "${format}": expected auto or one of ${FILE_FORMATS.join(', ')}`);
  }
  const full = resolve(path);
  const loaded = await loadFile(full, format as FileFormat | 'auto' | undefined);
  if (!loaded.format) {
    throw new Error(`file connector: "${full}" is empty: there is nothing to detect a format from (give --format to register it anyway). Formats: ${formatsList()}`);
  }
  let posts = 0;
  let rejected = 0;
  const firstRejected: RejectedRecord[] = [];
  for (const e of loaded.parsed.entries) {
    posts += e.posts.length;
    rejected += e.rejected.length;
    for (const r of e.rejected) if (firstRejected.length < 5) firstRejected.push(r);
  }
  const detected = format === undefined || format === 'auto';
  return { path: full, format: loaded.format, detected, reason: detected ? loaded.reason : 'given', records: posts + rejected, posts, rejected, firstRejected };
}

function parseCursor(cursor: string | null, unit: string): number {
  if (cursor === null || cursor === '') return 0;
  if (!/^\d+$/.test(cursor)) throw new Error(`file connector: invalid cursor "${cursor}" (expected a ${unit} count)`);
  return Number(cursor);
}

/** The index of the first entry not consumed by `consumed` units (entries are in order). */
function firstAfter(entries: Entry[], consumed: number): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].end > consumed) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export const fileConnector: Connector = {
  platform: 'file',
  async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
    ctx.signal?.throwIfAborted();
    const p = account.config?.path;
    if (typeof p !== 'string' || !p.trim()) {
      throw new Error(`file connector: account ${account.id} (${account.handle}) has no config.path`);
    }
    const { parsed } = await loadFile(resolve(p), formatOf(account));
    const { entries, total } = parsed;
    const consumed = parseCursor(ctx.cursor, parsed.unit);
    const posts: ImportedPost[] = [];
    const rejected: RejectedRecord[] = [];
    const warnings: string[] = [];
    let last = consumed;
    let i = firstAfter(entries, consumed);
    // A page holds up to FILE_PAGE_SIZE posts (and as many refusals), whole units only.
    for (; i < entries.length && posts.length < FILE_PAGE_SIZE && rejected.length < FILE_PAGE_SIZE; i++) {
      const e = entries[i];
      posts.push(...e.posts);
      rejected.push(...e.rejected);
      if (e.warnings) warnings.push(...e.warnings);
      last = e.end;
    }
    const done = i >= entries.length;
    // At the end, the cursor covers trailing blank lines (and records that are not posts) too; a file that grows resumes after them.
    const nextCursor = String(done ? Math.max(last, total) : last);
    const page: FetchPage = { posts, nextCursor, done };
    if (warnings.length) page.warnings = warnings;
    if (rejected.length) page.rejected = rejected;
    return page;
  },
};

/** For tests: the parse of a file is cached by path, size and time; forget it. */
export function clearFileCache(): void {
  cache.clear();
}
