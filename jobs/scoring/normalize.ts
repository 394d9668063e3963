// The one text normalizer of the scoring engine.
//
// It turns a post into a stream of normalized tokens separated by single spaces and keeps, for every
// normalized character, the original [start, end) offsets (JS string indices) it came from, so that a
// match found on normalized text can always be reported on the original text.
//
// Arabic: tashkeel/tatweel removed, أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي, Persian letters unified,
// Arabic-Indic / Persian digits → 0-9, elongation (3+ repeats) collapsed, zero-width and bidi controls
// stripped, letters split by spaces/dots/dashes (ك ل ب, ك.ل.ب) re-joined.
// English/Latin: case folding, NFKD accent stripping, leetspeak inside words that contain letters
// (@→a, $→s, !→i, 0→o, 1→i, 3→e, 4→a, 5→s, 7→t, 8→b; a trailing $ too: a$$), masking stars kept as '*' (f*ck),
// '@' between consonants read as a mask (f@ck → f*ck), 3+ repeats collapsed; "a b i t c h" keeps its "a".
// Tokens are runs of Unicode letters and numbers (\p{L}\p{N}); never ASCII \b.
//
// Performance: classification and folding use 64K lookup tables built once; the output lives in
// module-level scratch buffers that are reused between calls (the engine is synchronous). The text is
// copied once into a code-unit buffer, and most texts take a one-pass fast path (fastInto).

import { Buffer } from 'node:buffer';

// character classes
const C_SEP = 0; // separator (space, punctuation, emoji, anything not a letter/number)
const C_LETTER = 1;
const C_DIGIT = 2;
const C_STRIP = 3; // removed without breaking the word: marks, tatweel, zero-width, bidi controls
const C_LEET = 4; // @ $ * : part of a word only when next to Latin letters
const C_EXPAND = 5; // a letter that folds to several letters (ligatures such as ﻻ and ﷲ)

const CLASS = new Uint8Array(65536);
const FOLD = new Uint16Array(65536); // folded single code unit
const EXPAND = new Map<number, string>(); // code units that fold to several characters (ligatures)
const LATIN = new Uint8Array(65536); // 1 when the folded char is a-z

function buildTables(): void {
  const reL = /\p{L}/u;
  const reN = /\p{N}/u;
  const reM = /\p{M}/u;
  const reCf = /\p{Cf}/u;
  const reMarks = /\p{M}/gu;
  for (let c = 0; c < 65536; c++) {
    FOLD[c] = c;
    if (c >= 0xd800 && c <= 0xdfff) {
      CLASS[c] = C_SEP;
      continue;
    }
    const ch = String.fromCharCode(c);
    if (reM.test(ch) || reCf.test(ch)) {
      CLASS[c] = C_STRIP;
      continue;
    }
    if (reL.test(ch) || reN.test(ch)) {
      let f = ch.normalize('NFKD').replace(reMarks, '').toLowerCase();
      if (f.length === 0) {
        CLASS[c] = C_STRIP;
        continue;
      }
      if (f.length === 1) {
        FOLD[c] = f.charCodeAt(0);
      } else {
        // keep only letter/number content of the expansion
        f = f.replace(/[^\p{L}\p{N}]/gu, '');
        if (f.length === 1) FOLD[c] = f.charCodeAt(0);
        else if (f.length > 1) EXPAND.set(c, f);
        else {
          CLASS[c] = C_SEP;
          continue;
        }
      }
      const fc = FOLD[c];
      CLASS[c] = EXPAND.has(c) ? C_LETTER : reN.test(String.fromCharCode(fc)) && !reL.test(String.fromCharCode(fc)) ? C_DIGIT : C_LETTER;
    } else {
      CLASS[c] = C_SEP;
    }
  }
  // digits of every script that NFKD does not fold: Arabic-Indic and Persian
  for (let d = 0; d < 10; d++) {
    FOLD[0x0660 + d] = 48 + d;
    FOLD[0x06f0 + d] = 48 + d;
    CLASS[0x0660 + d] = C_DIGIT;
    CLASS[0x06f0 + d] = C_DIGIT;
  }
  // Arabic letter unification
  const ar: [number, number][] = [
    [0x0623, 0x0627], // أ
    [0x0625, 0x0627], // إ
    [0x0622, 0x0627], // آ
    [0x0671, 0x0627], // ٱ
    [0x0672, 0x0627],
    [0x0673, 0x0627],
    [0x0649, 0x064a], // ى
    [0x0629, 0x0647], // ة
    [0x0624, 0x0648], // ؤ
    [0x0626, 0x064a], // ئ
    [0x06a9, 0x0643], // ک
    [0x06af, 0x0643], // گ
    [0x06cc, 0x064a], // ی
    [0x06d2, 0x064a], // ے
    [0x06d5, 0x0647], // ە
    [0x06c0, 0x0647], // ۀ
    [0x06c1, 0x0647], // ہ
    [0x067e, 0x0628], // پ
    [0x0686, 0x062c], // چ
    [0x06a4, 0x0641], // ڤ
    [0x0698, 0x0632], // ژ
  ];
  for (const [from, to] of ar) {
    FOLD[from] = to;
    CLASS[from] = C_LETTER;
  }
  // fold targets that are themselves foldable (presentation forms → ة etc.)
  for (let c = 0; c < 65536; c++) {
    if (CLASS[c] === C_LETTER && !EXPAND.has(c)) {
      const f = FOLD[c];
      if (f !== c && FOLD[f] !== f) FOLD[c] = FOLD[f];
    }
  }
  for (const [k, v] of EXPAND) {
    let out = '';
    for (let i = 0; i < v.length; i++) out += String.fromCharCode(FOLD[v.charCodeAt(i)]);
    EXPAND.set(k, out);
  }
  CLASS[0x0640] = C_STRIP; // tatweel (a letter modifier in Unicode)
  CLASS[0x00ad] = C_STRIP; // soft hyphen
  CLASS[0x034f] = C_STRIP;
  for (const c of [0x40, 0x24, 0x2a, 0x21]) CLASS[c] = C_LEET; // @ $ * ! (sh!t)
  for (const c of EXPAND.keys()) CLASS[c] = C_EXPAND;
  for (let c = 97; c <= 122; c++) LATIN[c] = 1;
  for (let c = 0; c < 65536; c++) if (CLASS[c] === C_LETTER && FOLD[c] >= 97 && FOLD[c] <= 122) LATIN[c] = 1;
}
buildTables();

const LEET = new Uint16Array(128);
for (const [a, b] of [
  ['0', 'o'],
  ['1', 'i'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['8', 'b'],
  ['@', 'a'],
  ['$', 's'],
  ['*', '*'],
  ['!', 'i'],
] as const)
  LEET[a.charCodeAt(0)] = b.charCodeAt(0);

// No letter folds to a digit or a leet symbol, so in a normalized word a code with a LEET entry is a digit
// or a symbol, never a letter (the fast path relies on it; without it, everything takes the general path).
const LEET_BY_CODE = ((): boolean => {
  for (let c = 0; c < 65536; c++) if (CLASS[c] === C_LETTER && FOLD[c] < 128 && LEET[FOLD[c]] !== 0) return false;
  return true;
})();

const VOWEL = new Uint8Array(128);
for (const v of 'aeiouy') VOWEL[v.charCodeAt(0)] = 1;

/** A Latin consonant (a-z but not a vowel). */
function consonant(c: number): boolean {
  return c >= 97 && c <= 122 && VOWEL[c] === 0;
}

/**
 * '@' between two consonants inside a Latin word masks a letter (f@ck, b@tch, sh@t) rather than standing
 * for 'a' (h@te is h*te either way, @ss and fin@l keep their 'a'): it reads as the masking '*', which the
 * lexicon's masked variants match. Decided on the word's units before any leet mapping.
 */
function maskAt(codes: Uint16Array, m: number, from: number, to: number): boolean {
  return codes[m] === 64 && m > from && m + 1 < to && consonant(codes[m - 1]) && consonant(codes[m + 1]);
}

/** Is this (folded) code unit an Arabic letter? */
export function isArabicCode(c: number): boolean {
  return c >= 0x0600 && c <= 0x06ff;
}

/** The normalized view of one text. Arrays are scratch buffers: valid until the next normalize() call. */
export interface Normalized {
  /** the original text (the model reads its emoji, which normalization drops as separators) */
  text: string;
  /** normalized code units; tokens separated by one space (32) */
  codes: Uint16Array;
  /** original start offset of each normalized unit */
  starts: Int32Array;
  /** original end offset (exclusive) of each normalized unit */
  ends: Int32Array;
  /** token index of each normalized unit (-1 for separators) */
  tokOf: Int32Array;
  /** normalized length */
  length: number;
  /** token boundaries in normalized indices [tokStart, tokEnd) */
  tokStart: Int32Array;
  tokEnd: Int32Array;
  tokCount: number;
  /** the text had an ASCII or Arabic-Indic digit / an '@' / a non-ASCII digit */
  hasDigit: boolean;
  hasAt: boolean;
  hasIndicDigit: boolean;
  /** the text has a character outside the BMP (emoji) / a '*' */
  hasAstral: boolean;
  hasStar: boolean;
  /** number of digits (any script) in the text */
  digitCount: number;
  /** most digits in one cluster (digits separated by at most one other character) */
  maxDigitRun: number;
  /** the ASCII characters of the original text: c occurs iff ascii[c] === asciiGen (detector triggers' prefilter) */
  ascii: Int32Array;
  asciiGen: number;
}

// scratch buffers (grown on demand)
const ASCII_SEEN = new Int32Array(128); // stamped with asciiGen: no clearing per call
let asciiGen = 0;
let cap = 0;
let uCode = new Uint16Array(0);
let uS = new Int32Array(0);
let uE = new Int32Array(0);
let uCls = new Uint8Array(0);
let oCode = new Uint16Array(0);
let oS = new Int32Array(0);
let oE = new Int32Array(0);
let oTok = new Int32Array(0);
let tS = new Int32Array(0);
let tE = new Int32Array(0);
// raw token boundaries in unit indices
let rS = new Int32Array(0);
let rE = new Int32Array(0);
let rL = new Uint8Array(0);
// the input text as UTF-16 code units (one native copy instead of a charCodeAt call per character)
let inBuf = Buffer.alloc(0);
let inCodes = new Uint16Array(0);

function ensure(n: number): void {
  if (n <= cap) return;
  let c = Math.max(1024, cap);
  while (c < n) c *= 2;
  cap = c;
  uCode = new Uint16Array(c);
  uS = new Int32Array(c);
  uE = new Int32Array(c);
  uCls = new Uint8Array(c);
  oCode = new Uint16Array(c);
  oS = new Int32Array(c);
  oE = new Int32Array(c);
  oTok = new Int32Array(c);
  tS = new Int32Array(c);
  tE = new Int32Array(c);
  rS = new Int32Array(c);
  rE = new Int32Array(c);
  rL = new Uint8Array(c);
}

/** Copy the text's code units into `inCodes`. */
function load(text: string, n: number): void {
  if (n > inCodes.length) {
    let c = Math.max(1024, inCodes.length);
    while (c < n) c *= 2;
    inBuf = Buffer.alloc(c * 2);
    inCodes = new Uint16Array(inBuf.buffer, inBuf.byteOffset, c);
  }
  if (n > 0) inBuf.write(text, 0, 'utf16le');
}

const result: Normalized = {
  text: '',
  codes: oCode,
  starts: oS,
  ends: oE,
  tokOf: oTok,
  length: 0,
  tokStart: tS,
  tokEnd: tE,
  tokCount: 0,
  hasDigit: false,
  hasAt: false,
  hasIndicDigit: false,
  digitCount: 0,
  maxDigitRun: 0,
  hasAstral: false,
  hasStar: false,
  ascii: ASCII_SEEN,
  asciiGen: 0,
};

/** Both normalizer paths end here: the result views the current buffers and carries the text's flags. */
function finish(
  length: number,
  tokCount: number,
  hasDigit: boolean,
  hasAt: boolean,
  hasIndicDigit: boolean,
  digitCount: number,
  maxDigitRun: number,
  hasAstral: boolean,
  hasStar: boolean,
): void {
  result.codes = oCode;
  result.starts = oS;
  result.ends = oE;
  result.tokOf = oTok;
  result.tokStart = tS;
  result.tokEnd = tE;
  result.length = length;
  result.tokCount = tokCount;
  result.hasDigit = hasDigit;
  result.hasAt = hasAt;
  result.hasIndicDigit = hasIndicDigit;
  result.digitCount = digitCount;
  result.maxDigitRun = maxDigitRun;
  result.hasAstral = hasAstral;
  result.hasStar = hasStar;
  result.asciiGen = asciiGen;
}

const JOINABLE_GAP = 3; // max original chars between single letters that are re-joined (ك . ل . ب)

/**
 * Normalize `text`. Returns a view over shared scratch buffers: copy what you need before calling again.
 */
export function normalize(text: string): Normalized {
  const n = text.length;
  ensure(n * 2 + 64);
  load(text, n);
  if (++asciiGen === 0x7fffffff) {
    ASCII_SEEN.fill(0);
    asciiGen = 1;
  }
  result.text = text;
  if (fastInto(inCodes, n)) return result;
  if (!normalizeInto(text, inCodes)) {
    // ligature expansions overflowed the buffers: retry with room for the worst case
    ensure(n * 40 + 64);
    normalizeInto(text, inCodes);
  }
  return result;
}

/** Collapse elongation in the token [from, to): 3+ identical letters → 1 (Arabic and Latin), and "اا" → "ا";
 * digits untouched. Returns the new end. */
function collapse(oCode_: Uint16Array, oS_: Int32Array, oE_: Int32Array, oTok_: Int32Array, from: number, to: number, tc: number): number {
  let w = from;
  for (let i = from; i < to; ) {
    const c = oCode_[i];
    let j = i + 1;
    while (j < to && oCode_[j] === c) j++;
    if (c > 64 && (j - i >= 3 || (c === 0x0627 && j - i === 2))) {
      oCode_[w] = c;
      oS_[w] = oS_[i];
      oE_[w] = oE_[j - 1];
      oTok_[w] = tc;
      w++;
    } else if (w !== i) {
      for (let m = i; m < j; m++, w++) {
        oCode_[w] = oCode_[m];
        oS_[w] = oS_[m];
        oE_[w] = oE_[m];
        oTok_[w] = tc;
      }
    } else w = j;
    i = j;
  }
  return w;
}

/**
 * One-pass fast path for the common text (letters, digits, separators, stripped marks, leet symbols in and
 * between words): it writes the same output as the general passes below, straight into the output
 * buffers. It returns false, leaving the general path to redo the whole text, on anything it does not
 * handle: surrogates (emoji, astral letters), ligature expansions, a '$' outside a word, a symbol inside a
 * non-Latin word (a split), and runs of ≥3 single letters (re-joining of ك ل ب).
 */
function fastInto(T: Uint16Array, n: number): boolean {
  if (!LEET_BY_CODE) return false;
  const seen = ASCII_SEEN;
  const gen = asciiGen;
  const CLASS_ = CLASS;
  const FOLD_ = FOLD;
  const LATIN_ = LATIN;
  const oCode_ = oCode;
  const oS_ = oS;
  const oE_ = oE;
  const oTok_ = oTok;
  const tS_ = tS;
  const tE_ = tE;
  let o = 0;
  let tc = 0;
  let inTok = false;
  let tokStartO = 0;
  let tokDigit = false;
  let tokLeet = false;
  let dup = false;
  let prev = -1;
  let chain = 0; // single-letter tokens in a row (close enough to be re-joined)
  let chainEnd = 0;
  let hasDigit = false;
  let hasAt = false;
  let hasIndic = false;
  let digits = 0;
  let lastDigit = -10;
  let run = 0;
  let maxRun = 0;
  let hasStar = false;
  for (let i = 0; i <= n; i++) {
    let endTok = false;
    if (i === n) endTok = inTok;
    else {
      const c = T[i];
      if (c < 128) seen[c] = gen;
      const cls = CLASS_[c];
      if (cls === C_LETTER || cls === C_DIGIT) {
        if (cls === C_DIGIT) {
          hasDigit = true;
          digits++;
          if (c > 127) hasIndic = true;
          if (i - lastDigit <= 2) run++;
          else run = 1;
          lastDigit = i;
          if (run > maxRun) maxRun = run;
        }
        const f = FOLD_[c];
        if (!inTok) {
          if (tc > 0) {
            oCode_[o] = 32;
            oS_[o] = oE_[o - 1];
            oE_[o] = oE_[o - 1];
            oTok_[o] = -1;
            o++;
          }
          inTok = true;
          tokStartO = o;
          tokDigit = false;
          tokLeet = false;
          dup = false;
          prev = -1;
        }
        if (cls === C_DIGIT) tokDigit = true;
        if (f === prev) dup = true;
        prev = f;
        oCode_[o] = f;
        oS_[o] = i;
        oE_[o] = i + 1;
        oTok_[o] = tc;
        o++;
        continue;
      }
      if (cls === C_STRIP) continue;
      if (cls === C_SEP) {
        if (c >= 0xd800 && c <= 0xdfff) return false;
        if (!inTok) continue;
        endTok = true;
      } else if (cls === C_LEET) {
        if (c === 64) hasAt = true;
        else if (c === 42) hasStar = true;
        if (inTok) {
          // part of the word for now: kept (leetspeak), trimmed or split when the word ends
          tokLeet = true;
          oCode_[o] = c;
          oS_[o] = i;
          oE_[o] = i + 1;
          oTok_[o] = tc;
          o++;
        } else if (c === 36) return false; // '$' may start a word ($hit)
        continue; // outside a word: a separator
      } else return false; // ligature expansion
    }
    if (!endTok) break;
    // end of the current token
    inTok = false;
    if (tokLeet || tokDigit) {
      // trailing symbols are dropped (words start with a letter or digit here)
      if (tokLeet) while (CLASS_[oCode_[o - 1]] === C_LEET && oCode_[o - 1] !== 36) o--; // a trailing '$' is an s (a$$)
      let latin = false;
      for (let m = tokStartO; m < o; m++) if (LATIN_[oCode_[m]] === 1) latin = true;
      if (latin) {
        // leetspeak: digits and symbols inside a Latin word read as letters (b1tch, sh!t, f*ck)
        // masks first ('@' and '*' are not consonants, so a mask written here reads as before for the next one)
        for (let m = tokStartO; m < o; m++) if (maskAt(oCode_, m, tokStartO, o)) oCode_[m] = 42;
        for (let m = tokStartO; m < o; m++) {
          const c = oCode_[m];
          if (c < 128 && LEET[c] !== 0) oCode_[m] = LEET[c];
        }
      } else if (tokLeet) {
        // a symbol inside a non-Latin word splits it: left to the general path
        for (let m = tokStartO; m < o; m++) if (CLASS_[oCode_[m]] === C_LEET) return false;
      }
      dup = false;
      for (let m = tokStartO + 1; m < o; m++) if (oCode_[m] === oCode_[m - 1]) dup = true;
    }
    if (o - tokStartO === 1 && !tokDigit) {
      if (chain > 0 && oS_[tokStartO] - chainEnd <= JOINABLE_GAP) {
        if (++chain >= 3) return false; // split letters (ك ل ب) are re-joined by the general path
      } else chain = 1;
      chainEnd = oE_[tokStartO];
    } else chain = 0;
    if (dup) o = collapse(oCode_, oS_, oE_, oTok_, tokStartO, o, tc);
    tS_[tc] = tokStartO;
    tE_[tc] = o;
    tc++;
  }
  finish(o, tc, hasDigit, hasAt, hasIndic, digits, maxRun, false, hasStar);
  return true;
}

function normalizeInto(text: string, T: Uint16Array): boolean {
  const n = text.length;
  const capU = cap >> 1; // units may use half the capacity; the output needs up to twice the units
  const uCode_ = uCode;
  const uS_ = uS;
  const uE_ = uE;
  const uCls_ = uCls;
  const CLASS_ = CLASS;
  const FOLD_ = FOLD;
  let u = 0;
  let hasDigit = false;
  let hasAt = false;
  let hasIndic = false;
  let digits = 0;
  let lastDigit = -10;
  let run = 0;
  let maxRun = 0;
  let hasAstral = false;
  let hasStar = false;
  const seen = ASCII_SEEN;
  const gen = asciiGen;
  for (let i = 0; i < n; i++) {
    const c = T[i];
    if (c < 128) seen[c] = gen;
    const cls = CLASS_[c];
    if (cls === C_LETTER) {
      uCode_[u] = FOLD_[c];
      uS_[u] = i;
      uE_[u] = i + 1;
      uCls_[u] = C_LETTER;
      u++;
      continue;
    }
    if (cls === C_SEP) {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const d = T[i + 1];
        if (d >= 0xdc00 && d <= 0xdfff) {
          // astral: mathematical alphanumerics fold to ASCII, tag characters vanish, the rest separates
          const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          hasAstral = true;
          i++;
          if (cp >= 0x1d400 && cp <= 0x1d7ff) {
            const f = String.fromCodePoint(cp).normalize('NFKD').toLowerCase();
            if (f.length === 1) {
              const fc = f.charCodeAt(0);
              uCode_[u] = fc;
              uS_[u] = i - 1;
              uE_[u] = i + 1;
              const dig = fc >= 48 && fc <= 57;
              uCls_[u] = dig ? C_DIGIT : C_LETTER;
              if (dig) {
                hasDigit = true;
                digits++;
              }
              u++;
              continue;
            }
          } else if (cp >= 0xe0000 && cp <= 0xe007f) continue;
          if (u > 0 && uCls_[u - 1] === C_SEP) uE_[u - 1] = i + 1;
          else {
            uCode_[u] = 32;
            uS_[u] = i - 1;
            uE_[u] = i + 1;
            uCls_[u] = C_SEP;
            u++;
          }
          continue;
        }
      }
      if (u > 0 && uCls_[u - 1] === C_SEP) {
        uE_[u - 1] = i + 1;
        continue;
      }
      uCode_[u] = 32;
      uS_[u] = i;
      uE_[u] = i + 1;
      uCls_[u] = C_SEP;
      u++;
      continue;
    }
    if (cls === C_STRIP) continue;
    if (cls === C_DIGIT) {
      hasDigit = true;
      digits++;
      if (c > 127) hasIndic = true;
      // digit clusters: digits separated by at most one other character (3612 3456, 10.0.1.5)
      if (i - lastDigit <= 2) run++;
      else run = 1;
      lastDigit = i;
      if (run > maxRun) maxRun = run;
    } else if (cls === C_LEET) {
      if (c === 64) hasAt = true;
      else if (c === 42) hasStar = true;
      uCode_[u] = c;
      uS_[u] = i;
      uE_[u] = i + 1;
      uCls_[u] = C_LEET;
      u++;
      continue;
    } else if (cls === C_EXPAND) {
      const ex = EXPAND.get(c)!;
      if (u + ex.length >= capU) return false;
      for (let k = 0; k < ex.length; k++) {
        uCode_[u] = ex.charCodeAt(k);
        uS_[u] = i;
        uE_[u] = i + 1;
        uCls_[u] = C_LETTER;
        u++;
      }
      continue;
    }
    uCode_[u] = FOLD_[c];
    uS_[u] = i;
    uE_[u] = i + 1;
    uCls_[u] = cls;
    u++;
  }

  // pass 2: raw token boundaries over units (letters, digits, and leet symbols glued to Latin words)
  const rS_ = rS;
  const rE_ = rE;
  const rL_ = rL;
  const LATIN_ = LATIN;
  let rt = 0;
  let k = 0;
  while (k < u) {
    const cls = uCls_[k];
    if (cls === C_SEP || (cls === C_LEET && !(uCode_[k] === 36 && k + 1 < u && LATIN_[uCode_[k + 1]] === 1))) {
      k++;
      continue;
    }
    const s = k;
    let latin = false;
    let leet = false;
    while (k < u) {
      const cl = uCls_[k];
      if (cl === C_LETTER || cl === C_DIGIT) {
        if (LATIN_[uCode_[k]] === 1) latin = true;
        k++;
      } else if (cl === C_LEET) {
        leet = true;
        k++;
      } else break;
    }
    let e = k;
    if (!latin) {
      if (!leet) {
        rS_[rt] = s;
        rE_[rt] = e;
        rL_[rt] = 0;
        rt++;
        continue;
      }
      // no Latin letter: leet symbols are separators; split the run on them
      let a = s;
      for (let m = s; m <= e; m++) {
        if (m === e || uCls_[m] === C_LEET) {
          if (m > a) {
            rS_[rt] = a;
            rE_[rt] = m;
            rL_[rt] = 0;
            rt++;
          }
          a = m + 1;
        }
      }
      continue;
    }
    // Latin word: trim leading/trailing symbols except a leading '$' (s)
    let s2 = s;
    while (s2 < e && uCls_[s2] === C_LEET && uCode_[s2] !== 36) s2++;
    while (e > s2 && uCls_[e - 1] === C_LEET && uCode_[e - 1] !== 36) e--; // a trailing '$' is an s (a$$)
    if (e > s2) {
      rS_[rt] = s2;
      rE_[rt] = e;
      rL_[rt] = 1;
      rt++;
    }
  }

  // pass 3: emit tokens, re-joining runs of ≥3 single letters split by short separators
  const oCode_ = oCode;
  const oS_ = oS;
  const oE_ = oE;
  const oTok_ = oTok;
  const tS_ = tS;
  const tE_ = tE;
  let o = 0;
  let tc = 0;
  let t = 0;
  while (t < rt) {
    let runEnd = t + 1;
    if (rE_[t] - rS_[t] === 1 && uCls_[rS_[t]] === C_LETTER) {
      while (
        runEnd < rt &&
        rE_[runEnd] - rS_[runEnd] === 1 &&
        uCls_[rS_[runEnd]] === C_LETTER &&
        uS_[rS_[runEnd]] - uE_[rE_[runEnd - 1] - 1] <= JOINABLE_GAP
      )
        runEnd++;
      if (runEnd - t < 3) runEnd = t + 1;
      // an English one-letter word before spaced letters stays a word: "a b i t c h" is "a bitch"
      else if (runEnd - t >= 4 && rL_[t] === 1 && (uCode_[rS_[t]] === 97 || uCode_[rS_[t]] === 105)) runEnd = t + 1;
    }
    if (tc > 0) {
      oCode_[o] = 32;
      oS_[o] = oE_[o - 1];
      oE_[o] = oE_[o - 1];
      oTok_[o] = -1;
      o++;
    }
    const tokStartO = o;
    let latin = false;
    for (let q = t; q < runEnd; q++) if (rL_[q] === 1) latin = true;
    let dup = false;
    let prev = -1;
    for (let q = t; q < runEnd; q++) {
      const qe = rE_[q];
      for (let m = rS_[q]; m < qe; m++) {
        let c = uCode_[m];
        if (latin && c < 128 && LEET[c] !== 0 && uCls_[m] !== C_LETTER) c = maskAt(uCode_, m, rS_[q], qe) ? 42 : LEET[c];
        if (c === prev) dup = true;
        prev = c;
        oCode_[o] = c;
        oS_[o] = uS_[m];
        oE_[o] = uE_[m];
        oTok_[o] = tc;
        o++;
      }
    }
    if (dup) o = collapse(oCode_, oS_, oE_, oTok_, tokStartO, o, tc);
    tS_[tc] = tokStartO;
    tE_[tc] = o;
    tc++;
    t = runEnd;
  }

  finish(o, tc, hasDigit, hasAt, hasIndic, digits, maxRun, hasAstral, hasStar);
  return true;
}

/** The normalized text as a string (for tests, lexicon compilation and debugging). */
export function normalizedString(nz: Normalized): string {
  let s = '';
  const CH = 4096;
  for (let i = 0; i < nz.length; i += CH) s += String.fromCharCode(...nz.codes.subarray(i, Math.min(nz.length, i + CH)));
  return s;
}

/** Normalize a term or phrase to the same form the engine matches on. */
export function normalizeTerm(text: string): string {
  return normalizedString(normalize(text));
}

/** Replace Arabic-Indic and Persian digits by ASCII digits, keeping the string length (for detectors). */
export function asciiDigits(text: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 0x0660 && c <= 0x0669) || (c >= 0x06f0 && c <= 0x06f9)) {
      out += text.slice(last, i) + String.fromCharCode(48 + (c & 0xf));
      last = i + 1;
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
