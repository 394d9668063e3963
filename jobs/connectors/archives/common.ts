// What the file connector's format readers share: the parsed-file shape that the connector pages through,
// the way a record is refused (Reject), and the field readers every format needs (exact ids, counts, dates
// with their offset, HTML to text).
import type { ImportedPost, RejectedRecord } from '../types.ts';
import { SAMPLE_CHARS, sampleOf } from '../http.ts';

/** The formats the file connector reads; `auto` (or none) detects one from the content. */
export const FILE_FORMATS = ['jsonl', 'csv', 'x-archive', 'telegram', 'twarc', 'mastodon-json', 'meta-json', 'meta-export'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const isFileFormat = (s: unknown): s is FileFormat => typeof s === 'string' && (FILE_FORMATS as readonly string[]).includes(s);

/** A JSONL line or CSV record (or one record of a whole-file format, serialized) longer than this is refused. */
export const MAX_RECORD_CHARS = 1_000_000;
/** Refused in a sample after this many characters. */

/**
 * One unit of the file, in order: a line (JSONL, CSV, twarc) or a record (X archive, Telegram, JSON arrays).
 * `start`/`end` are 1-based unit numbers; the cursor is the number of units consumed (an entry is consumed
 * when `end` is). A unit gives any number of posts (a twarc page gives up to 100), refusals and notes.
 */
export interface Entry {
  start: number;
  end: number;
  posts: ImportedPost[];
  rejected: RejectedRecord[];
  warnings?: string[];
}

export interface Parsed {
  entries: Entry[];
  /** Units in the file (a trailing newline does not start a new line); the cursor at the end. */
  total: number;
  /** What the cursor counts. */
  unit: 'line' | 'record';
}

/** Thrown by a record mapper: the record is refused with this reason, the others go on. */
export class Reject extends Error {}

// One sample rule for connectors and archive readers.
export { SAMPLE_CHARS, sampleOf };

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether an object has a key with a value that is not null, undefined or ''. */
export const has = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k) && o[k] !== null && o[k] !== undefined && o[k] !== '';

/** A short description of an object's keys, for a message: `id, text, created_at and 4 more`. */
export function keysOf(o: unknown, max = 8): string {
  if (!isObject(o)) return Array.isArray(o) ? 'an array' : o === null ? 'null' : typeof o;
  const keys = Object.keys(o);
  if (!keys.length) return 'no fields';
  return keys.length > max ? `${keys.slice(0, max).join(', ')} and ${keys.length - max} more` : keys.join(', ');
}

/**
 * Maps one record: `fn` returns the post, or throws Reject (or any error) to refuse the record with its reason.
 * The refusal names the record (`ref`) and keeps the start of it (`sample`).
 */
export function mapRecord(ref: string, source: unknown, fn: () => ImportedPost | null): { post?: ImportedPost; rejected?: RejectedRecord } {
  try {
    const post = fn();
    return post ? { post } : {};
  } catch (e) {
    const reason = e instanceof Reject ? e.message : `cannot be read: ${(e as Error).message}`;
    return { rejected: { ref, reason, sample: sampleOf(source) } };
  }
}

// ---------------------------------------------------------------------------------------------------------
// JSON with exact big integers

const LONG_DIGITS = /\d{16}/;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * JSON text with every integer beyond Number.MAX_SAFE_INTEGER turned into a string of its exact digits, so that
 * JSON.parse cannot round it (tweet ids 1800000000000000001 and ...002 would both become 1800000000000000000).
 * Strings are skipped whole (with indexOf), escapes included; any other text is left as it is for JSON.parse to judge.
 */
export function quoteBigIntegers(json: string): string {
  if (!LONG_DIGITS.test(json)) return json;
  const parts: string[] = [];
  let copied = 0;
  const n = json.length;
  for (let i = 0; i < n; ) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // Skip to the closing quote: one not escaped by an odd run of backslashes.
      let j = i + 1;
      for (;;) {
        const q = json.indexOf('"', j);
        if (q < 0) {
          j = n;
          break;
        }
        let k = q - 1;
        while (json.charCodeAt(k) === 0x5c) k--;
        j = q + 1;
        if ((q - 1 - k) % 2 === 0) break;
      }
      i = j;
      continue;
    }
    if (c !== 0x2d && !isDigit(c)) {
      i++;
      continue;
    }
    // A number: -?digits, then a fraction or an exponent makes it one JSON.parse keeps as it is.
    let j = c === 0x2d ? i + 1 : i;
    const digitsFrom = j;
    while (j < n && isDigit(json.charCodeAt(j))) j++;
    const integer = j - digitsFrom;
    const after = json.charCodeAt(j);
    if (after === 0x2e || after === 0x65 || after === 0x45) {
      // Fraction or exponent: skip the rest of the number.
      j++;
      while (j < n && (isDigit(json.charCodeAt(j)) || json.charCodeAt(j) === 0x2b || json.charCodeAt(j) === 0x2d || json.charCodeAt(j) === 0x65 || json.charCodeAt(j) === 0x45 || json.charCodeAt(j) === 0x2e)) j++;
    } else if (integer > 15) {
      const token = json.slice(i, j);
      if (!Number.isSafeInteger(Number(token))) {
        parts.push(json.slice(copied, i), `"${token}"`);
        copied = j;
      }
    }
    i = j > i ? j : i + 1;
  }
  if (copied === 0) return json;
  parts.push(json.slice(copied));
  return parts.join('');
}

/** JSON.parse that keeps integers beyond 2^53 as strings of their exact digits. */
export const parseJsonExact = (text: string): unknown => JSON.parse(quoteBigIntegers(text));

// ---------------------------------------------------------------------------------------------------------
// Field readers

/**
 * An id as a string of its exact digits: `id_str` first (X v1.1, whose numeric `id` exceeds 2^53), then `id`.
 * A number is accepted only when exact (parseJsonExact turns longer integers into strings first).
 */
export function idOf(o: Record<string, unknown>, keys: string[] = ['id_str', 'id']): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return String(v);
      throw new Reject(`${k}: a numeric id must be a whole number up to 2^53 (write longer ids as strings)`);
    }
  }
  throw new Reject(`missing ${keys.join(' or ')}`);
}

/** A count given as a number or a numeric string (X archives write "12"); absent is 0. */
export function countOf(v: unknown, name: string): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' ? Number(v.trim().replace(/,/g, '')) : v;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new Reject(`${name}: must be a number (got ${sampleOf(v).slice(0, 40)})`);
  if (!Number.isInteger(n)) throw new Reject(`${name}: must be a whole number`);
  if (n < 0) throw new Reject(`${name}: must not be negative`);
  if (n > Number.MAX_SAFE_INTEGER) throw new Reject(`${name}: must be at most ${Number.MAX_SAFE_INTEGER}`);
  return n;
}

/** An optional string field; anything else than a string or absent is refused. */
export function stringOf(v: unknown, name: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new Reject(`${name}: must be a string`);
  return v;
}

export const httpUrl = (v: unknown): string | null => (typeof v === 'string' && /^https?:\/\/\S+$/i.test(v.trim()) ? v.trim() : null);

export function langOf(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

// ---------------------------------------------------------------------------------------------------------
// Dates: each with its offset

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

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function utcFromParts(y: number, mon: string, d: number, hh: number, mm: number, ss: number, offset: string): Date | null {
  const m = MONTHS.indexOf(mon.toLowerCase());
  if (m < 0) return null;
  const check = new Date(Date.UTC(y, m, d));
  if (check.getUTCMonth() !== m || check.getUTCDate() !== d || hh > 23 || mm > 59 || ss > 60) return null;
  let off = 0;
  if (/^[+-]\d{4}$/.test(offset)) off = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3)));
  else if (!/^(?:GMT|UT|UTC|Z)$/i.test(offset)) return null;
  return new Date(Date.UTC(y, m, d, hh, mm, ss) - off * 60_000);
}

/** X v1.1 and archives: `Wed Oct 10 20:19:24 +0000 2018`. */
export function parseTwitterDate(s: string): Date | null {
  const r = /^\s*[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})\s*$/.exec(s);
  return r ? utcFromParts(Number(r[7]), r[1], Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), r[6]) : null;
}

/** RFC 822 / 2822 (RSS, e-mail): `Wed, 10 Oct 2018 20:19:24 +0000` or `... GMT`. */
export function parseRfc2822Date(s: string): Date | null {
  const r = /^\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s+([+-]\d{4}|GMT|UTC?|Z)\s*$/i.exec(s);
  return r ? utcFromParts(Number(r[3]), r[2], Number(r[1]), Number(r[4]), Number(r[5]), Number(r[6] ?? 0), r[7]) : null;
}

/** Seconds since 1970 (Telegram's `date_unixtime` is a string of them). */
export function parseUnixSeconds(v: unknown): Date | null {
  const n = typeof v === 'string' && /^\s*\d{1,12}\s*$/.test(v) ? Number(v) : typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : NaN;
  return Number.isNaN(n) ? null : new Date(n * 1000);
}

/** Any of the above date forms that carry their offset (ISO without an offset is UTC), or null. */
export function parseAnyDate(v: unknown): Date | null {
  if (typeof v === 'number') {
    // Unix seconds (10 digits today) or milliseconds (13 digits).
    if (!Number.isInteger(v) || v < 0) return null;
    return new Date(v >= 1e11 ? v : v * 1000);
  }
  if (typeof v !== 'string') return null;
  if (/^\s*\d{9,13}\s*$/.test(v)) return parseAnyDate(Number(v));
  return parseIsoDate(v) ?? parseTwitterDate(v) ?? parseRfc2822Date(v);
}

export function dateOf(v: unknown, name: string, expected: string, parse: (v: string) => Date | null = parseIsoDate): Date {
  if (v === undefined || v === null || v === '') throw new Reject(`missing ${name}`);
  const d = typeof v === 'string' ? parse(v) : null;
  if (!d) throw new Reject(`invalid ${name} ${sampleOf(JSON.stringify(v)).slice(0, 60)} (expected ${expected})`);
  return d;
}

// ---------------------------------------------------------------------------------------------------------
// HTML

// One HTML decoder for the connectors and the archive readers.
export { decodeEntities, htmlToText } from '../http.ts';

/**
 * The entries of a whole-file format: one per record of `list`, the cursor counting records. `map` returns the
 * post, null for a record that is not a post (a Telegram service message), or throws Reject.
 */
export function recordEntries(list: unknown[], refOf: (item: unknown, n: number) => string, map: (item: unknown, n: number) => ImportedPost | null): Parsed {
  const entries: Entry[] = list.map((item, i) => {
    const n = i + 1;
    let ref: string;
    try {
      ref = refOf(item, n);
    } catch {
      ref = `record ${n}`;
    }
    const r = mapRecord(ref, item, () => {
      if ((JSON.stringify(item)?.length ?? 0) > MAX_RECORD_CHARS) throw new Reject(`longer than ${MAX_RECORD_CHARS} characters, not imported`);
      return map(item, n);
    });
    return { start: n, end: n, posts: r.post ? [r.post] : [], rejected: r.rejected ? [r.rejected] : [] };
  });
  return { entries, total: list.length, unit: 'record' };
}

/** `<kind> <id>` when the record has a usable id, else `<kind> at position n`. */
export function refById(kind: string, item: unknown, n: number, keys = ['id_str', 'id']): string {
  if (isObject(item)) {
    for (const k of keys) {
      const v = item[k];
      if ((typeof v === 'string' && v.trim()) || typeof v === 'number') return `${kind} ${String(v).trim().slice(0, 100)}`;
    }
  }
  return `${kind} at position ${n}`;
}
