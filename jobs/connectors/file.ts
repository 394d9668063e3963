// The file connector: imports posts from a file drop, JSONL (one JSON object per line) or CSV (with a
// header row). Fields: id, text, posted_at (required), url, lang, likes, shares, replies, views,
// is_reply, is_repost (optional). Malformed lines are reported as warnings (`line N: reason`, 1-based,
// the CSV header is line 1) and the rest is imported. The cursor is the number of lines consumed.
import { stat, readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { Connector, ConnectorAccount, FetchContext, FetchPage, ImportedPost } from './types.ts';

export const FILE_PAGE_SIZE = 1000;

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
  z.number({ error: 'must be a number' }).int('must be a whole number').nonnegative('must not be negative').optional(),
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
  id: z.preprocess(
    (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : v),
    z.string({ error: 'missing id' }).min(1, 'missing id'),
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

function toPost(row: Row, raw: unknown): ImportedPost {
  return {
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
  return { line, endLine, post: toPost(r.data, obj) };
}

function splitLines(content: string): string[] {
  const lines = content.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parseJsonl(content: string): Parsed {
  const lines = splitLines(content);
  const entries: Entry[] = [];
  lines.forEach((text, i) => {
    const n = i + 1;
    if (!text.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      entries.push({ line: n, endLine: n, warning: `line ${n}: invalid JSON (${(e as Error).message})` });
      return;
    }
    entries.push(validate(obj, n, n));
  });
  return { entries, totalLines: lines.length };
}

interface CsvRecord {
  record: Record<string, string>;
  raw: string;
  info: { lines: number };
}

function parseCsvContent(content: string): Parsed {
  const totalLines = splitLines(content).length;
  const entries: Entry[] = [];
  const records = parseCsv(content, {
    columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) {
        const line = typeof err.lines === 'number' ? err.lines : totalLines;
        entries.push({ line, endLine: line, warning: `line ${line}: ${err.message}` });
      }
      return undefined;
    },
  }) as unknown as CsvRecord[];
  for (const { record, raw, info } of records) {
    const internalBreaks = (raw.replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
    const endLine = info.lines;
    const line = endLine - internalBreaks;
    entries.push(validate(record, line, endLine));
  }
  entries.sort((a, b) => a.line - b.line);
  return { entries, totalLines };
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
