// The file connector: imports posts from a file drop, JSONL (one JSON object per line) or CSV (with a
// header row). Fields: id, text, posted_at (required), url, lang, likes, shares, replies, views,
// is_reply, is_repost (optional). Malformed lines are reported as warnings (`line N: reason`, 1-based,
// the CSV header is line 1) and the rest is imported. The cursor is the number of lines consumed.
import { stat, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { z } from 'zod';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost } from './types.ts';

export const FILE_PAGE_SIZE = 1000;
/** A JSONL line or CSV record longer than this (in UTF-16 units, ~1 MB) is refused as a record, with a warning. */
export const MAX_RECORD_CHARS = 1_000_000;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Parses an ISO 8601 date or date-time; a time without an offset is taken as UTC. */
export function parseIsoDate(s: string): Date | null {
  const t = s.trim();
  if (!ISO_8601.test(t)) return null;
  let norm = t.replace(' ', 'T');
  if (/T/i.test(norm) && !/(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(norm)) norm += 'Z';
  // Offsets without a colon (+0300) are not accepted by every Date parser: add it.
  norm = norm.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(norm);
  if (Number.isNaN(ms)) return null;
  // Reject impossible calendar dates that Date.parse would roll over (e.g. 2026-02-31).
  const [y, m, d] = t.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return new Date(ms);
}

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
  text: z.preprocess(absent, z.string({ error: 'missing text' }).refine((s) => s.trim().length > 0, 'missing text')),
  posted_at: z.preprocess(
    absent,
    z
      .string({ error: 'missing posted_at' })
      .refine((s) => parseIsoDate(s) !== null, { error: (iss) => `invalid posted_at ${JSON.stringify(iss.input)} (expected ISO 8601)` }),
  ),
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
type Row = z.infer<typeof RowSchema>;

/** When the row gives no language: Arabic if Arabic letters make up a fair share of the letters, else English if Latin. */
function guessLang(text: string): 'ar' | 'en' | null {
  const arabic = (text.match(/[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (arabic > 0 && arabic >= 0.3 * (arabic + latin)) return 'ar';
  if (latin > 0) return 'en';
  return null;
}

function normalizeLang(l: string | undefined, text: string): 'ar' | 'en' | null {
  const s = l?.trim().toLowerCase();
  if (!s) return guessLang(text);
  if (s === 'ar' || s.startsWith('ar-') || s === 'arabic') return 'ar';
  if (s === 'en' || s.startsWith('en-') || s === 'english') return 'en';
  return null;
}

function toPost(row: Row, raw: unknown, line: number): ImportedPost {
  return {
    ref: `line ${line}`,
    platformPostId: row.id,
    url: row.url?.trim() ?? null,
    text: row.text,
    lang: normalizeLang(row.lang, row.text),
    postedAt: parseIsoDate(row.posted_at)!,
    metrics: { likes: row.likes ?? 0, shares: row.shares ?? 0, replies: row.replies ?? 0, views: row.views ?? 0 },
    isReply: row.is_reply ?? false,
    isRepost: row.is_repost ?? false,
    raw,
  };
}

function describe(error: z.ZodError): string {
  const first = error.issues[0];
  if (!first) return 'invalid row';
  const field = first.path.join('.');
  const msg = first.message;
  if (/^(missing|invalid) /.test(msg) || !field) return msg;
  return `${field}: ${msg}`;
}

/** One line (JSONL) or record (CSV) of the file: its 1-based start and end lines, and what came of it. */
interface Entry {
  line: number;
  endLine: number;
  post?: ImportedPost;
  warning?: string;
}

interface Parsed {
  entries: Entry[];
  /** Lines in the file (a trailing newline does not start a new line). */
  totalLines: number;
}

function validate(obj: unknown, line: number, endLine: number): Entry {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return { line, endLine, warning: `line ${line}: not a JSON object` };
  }
  const r = RowSchema.safeParse(obj);
  if (!r.success) return { line, endLine, warning: `line ${line}: ${describe(r.error)}` };
  return { line, endLine, post: toPost(r.data, obj, line) };
}

function splitLines(content: string): string[] {
  const lines = content.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const LONG_DIGITS = /\d{16}/;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * JSON text with every integer beyond Number.MAX_SAFE_INTEGER turned into a string of its exact digits, so that
 * JSON.parse cannot round it (tweet ids 1800000000000000001 and ...002 would both become 1800000000000000000).
 * Strings are skipped whole, escapes included; any other text is left as it is for JSON.parse to judge.
 */
export function quoteBigIntegers(json: string): string {
  if (!LONG_DIGITS.test(json)) return json;
  let out = '';
  let copied = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // Skip to the closing quote: one not escaped by an odd run of backslashes.
      for (i++; i < json.length && json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    JSON_NUMBER.lastIndex = i;
    const token = JSON_NUMBER.exec(json)?.[0];
    if (!token) continue;
    if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out += `${json.slice(copied, i)}"${token}"`;
      copied = i + token.length;
    }
    i += token.length - 1;
  }
  return copied === 0 ? json : out + json.slice(copied);
}

function parseJsonl(content: string): Parsed {
  const lines = splitLines(content);
  const entries: Entry[] = [];
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!text.trim()) return;
    if (text.length > MAX_RECORD_CHARS) {
      entries.push({ line: n, endLine: n, warning: `line ${n}: longer than ${MAX_RECORD_CHARS} characters, not imported` });
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(quoteBigIntegers(text));
    } catch (e) {
      entries.push({ line: n, endLine: n, warning: `line ${n}: invalid JSON (${(e as Error).message})` });
      return;
    }
    entries.push(validate(obj, n, n));
  });
  return { entries, totalLines: lines.length };
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

function parseCsvContent(content: string): Parsed {
  const lines = splitLines(content);
  const entries: Entry[] = [];
  let columns: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const n = i + 1;
    const read = readCsvRecord(lines, i);
    if (read.error !== undefined) {
      if (!columns) throw new Error(`file connector: cannot read the CSV header on line ${n}: ${read.error}`);
      if (read.end === null) {
        entries.push({ line: n, endLine: n, warning: `line ${n}: ${read.error}` });
        continue;
      }
      entries.push({ line: n, endLine: read.end + 1, warning: `line ${n}: ${read.error}` });
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
      entries.push({ line: n, endLine: n, warning: `line ${n}: a quoted field runs from line ${n} to line ${read.end + 1} and leaves ${read.fields.length} fields for ${columns.length} columns (a quote not closed?)` });
      continue;
    }
    const record: Record<string, string> = {};
    columns.forEach((c, k) => {
      if (k < read.fields.length) record[c] = read.fields[k];
    });
    entries.push(validate(record, n, read.end + 1));
    i = read.end;
  }
  return { entries, totalLines: lines.length };
}

// A one-file cache so that paging through a big file does not re-parse it for every page.
let cache: { key: string; parsed: Parsed } | null = null;

async function loadFile(path: string): Promise<Parsed> {
  let st;
  try {
    st = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`file connector: cannot read "${path}"${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
  }
  if (!st.isFile()) throw new Error(`file connector: "${path}" is not a file`);
  const ext = extname(path).toLowerCase();
  if (ext !== '.jsonl' && ext !== '.ndjson' && ext !== '.csv') {
    throw new Error(`file connector: "${path}" must be a .jsonl or .csv file`);
  }
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  if (cache?.key === key) return cache.parsed;
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`file connector: cannot read "${path}": ${(e as Error).message}`);
  }
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);
  const parsed = ext === '.csv' ? parseCsvContent(content) : parseJsonl(content);
  cache = { key, parsed };
  return parsed;
}

function parseCursor(cursor: string | null): number {
  if (cursor === null || cursor === '') return 0;
  if (!/^\d+$/.test(cursor)) throw new Error(`file connector: invalid cursor "${cursor}" (expected a line count)`);
  return Number(cursor);
}

export const fileConnector: Connector = {
  platform: 'file',
  async fetchPage(account: ConnectorAccount, ctx: FetchContext): Promise<FetchPage> {
    ctx.signal?.throwIfAborted();
    const p = account.config?.path;
    if (typeof p !== 'string' || !p.trim()) {
      throw new Error(`file connector: account ${account.id} (${account.handle}) has no config.path`);
    }
    const path = resolve(p);
    const { entries, totalLines } = await loadFile(path);
    const consumed = parseCursor(ctx.cursor);
    const posts: ImportedPost[] = [];
    const warnings: string[] = [];
    let last = consumed;
    let i = entries.findIndex((e) => e.endLine > consumed);
    if (i < 0) i = entries.length;
    for (; i < entries.length && posts.length < FILE_PAGE_SIZE; i++) {
      const e = entries[i];
      if (e.post) posts.push(e.post);
      if (e.warning) warnings.push(e.warning);
      last = e.endLine;
    }
    const done = i >= entries.length;
    // At the end, the cursor covers trailing blank lines too; a file that grows resumes after them.
    const nextCursor = String(done ? Math.max(last, totalLines) : last);
    const page: FetchPage = { posts, nextCursor, done };
    if (warnings.length) page.warnings = warnings;
    return page;
  },
};
