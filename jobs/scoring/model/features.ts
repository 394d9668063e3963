// Hashed features of a normalized text, for the linear models (training and scoring share this file).
//
// Features of one language are taken from the tokens written in its script (Arabic letters for `ar`,
// Latin letters for `en`), so a mixed post gives each language model its own words:
//   - character n-grams (2 to 4 code units) of each token padded with a boundary mark on both sides,
//   - word unigrams and bigrams of consecutive tokens of that script,
//   - when the language model takes them, one feature per emoji of the original text (the normalizer
//     drops emoji as separators, and the rulebook matches on its output: the model reads them from
//     `nz.text` beside it, so rule matching and its offsets do not change). An emoji is one pictographic
//     code point (Extended_Pictographic): skin-tone modifiers, variation selectors and zero-width joiners
//     are left out, so 👍🏽 and 👍 are one feature and ❤️ and ❤ another; a ZWJ sequence gives its parts
//     (👨‍👩‍👧 → 👨 👩 👧); two regional indicators are one flag (🇸🇦). Emoji features belong to no token:
//     they push the score but are never a finding's evidence, which stays on words.
//   - when the language model takes them (English), the light stem of each Latin word of more than four
//     letters whose ending is one of -ing, -er, -ed, -in, -es, -s (not -ss), -y, leaving at least three
//     letters: "fucking", "fucked", "fucker" and "fuckin" share the stem feature "fuck", "idiots" and
//     "idiot" share "idiot". A feature of its own beside the word, from whole words only: unlike
//     character n-grams it never reads "pussy" in "pussycat" or "bitc" in "Bitcoin".
// Hashes are rolling (FNV-1a style, one multiply per code unit) over the normalized code units; the
// bucket indices go into a module-level Int32Array: no allocation per post.

import { isArabicCode, type Normalized } from '../normalize.ts';

export type ModelLang = 'ar' | 'en';
export const MODEL_LANGS: readonly ModelLang[] = ['ar', 'en'];

const BOUNDARY = 0x2063; // a code unit that never appears in normalized text (invisible separator is stripped)
const MAX_N = 4;
const SEED_CHAR = 0x811c9dc5 | 0;
const SEED_WORD = 0x2f6b1a3d | 0;
const SEED_BIGRAM = 0x5bd1e995 | 0;
const SEED_EMOJI = 0x3c6ef372 | 0;
const SEED_STEM = 0x1b873593 | 0;
const PRIME = 0x01000193;
/** per n-gram length (k + 1 code units), mixed into its hash so that n-grams of different lengths differ */
const NGRAM_MIX = Int32Array.from({ length: MAX_N }, (_, k) => Math.imul(k + 1, 0x27d4eb2f));

/** The script a token belongs to: 1 Arabic, 2 Latin, 0 other (digits only, other scripts). */
export function tokenScript(codes: Uint16Array, a: number, b: number): number {
  for (let i = a; i < b; i++) {
    const c = codes[i];
    if (isArabicCode(c)) return 1;
    if (c >= 97 && c <= 122) return 2;
  }
  return 0;
}

const LANG_SCRIPT: Record<ModelLang, number> = { ar: 1, en: 2 };

// Fibonacci hashing: the top bits of h * 2^32/φ pick the bucket (one multiply per feature).
function fmix(h: number): number {
  return Math.imul(h ^ (h >>> 15), 0x9e3779b1) >>> 0;
}

/** Extracted features: bucket indices (with repeats) and, when asked, the token each came from. */
export interface FeatureBuffer {
  buckets: Int32Array;
  /** token index (in the Normalized view) of each feature; a bigram records its second token; -1 for an emoji */
  tok: Int32Array;
  /** 1 for a bigram (it also covers the token before) */
  bigram: Uint8Array;
  count: number;
  /** tokens of the language's script */
  tokens: number;
}

export function newFeatureBuffer(cap = 4096): FeatureBuffer {
  return { buckets: new Int32Array(cap), tok: new Int32Array(cap), bigram: new Uint8Array(cap), count: 0, tokens: 0 };
}

function grow(fb: FeatureBuffer, need: number): void {
  let c = fb.buckets.length;
  while (c < need) c *= 2;
  const b = new Int32Array(c);
  b.set(fb.buckets);
  const t = new Int32Array(c);
  t.set(fb.tok);
  const g = new Uint8Array(c);
  g.set(fb.bigram);
  fb.buckets = b;
  fb.tok = t;
  fb.bigram = g;
}

// Emoji of planes 0 and 1 (every Extended_Pictographic code point lies below 0x20000): 1 pictograph,
// 2 regional indicator (a flag is two of them). Code points below 0x2000 (© and ®) are not read.
const EMOJI_FIRST = 0x2000;
const EMOJI_KIND = new Uint8Array(0x20000);
{
  const re = /\p{Extended_Pictographic}/u;
  for (let c = EMOJI_FIRST; c < 0x20000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    if (c < 0x10000 ? c >= 0x3300 : c < 0x1f000) continue; // no pictographs there (Extended_Pictographic as of Unicode 15)
    if (re.test(String.fromCodePoint(c))) EMOJI_KIND[c] = 1;
  }
  for (let c = 0x1f1e6; c <= 0x1f1ff; c++) EMOJI_KIND[c] = 2;
}

// The emoji of the last text scanned (a post is scanned once for all its language models).
let emojiText: string | null = null;
let emojiCodes = new Int32Array(64);
let emojiCount = 0;

/** The emoji of `text` as code points (a flag: both indicators in one number), in `emojiCodes[0..emojiCount)`. */
function scanEmoji(text: string): void {
  if (text === emojiText) return;
  emojiText = text;
  emojiCount = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < EMOJI_FIRST) continue;
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        i++;
      }
    }
    const kind = cp < 0x20000 ? EMOJI_KIND[cp] : 0;
    if (kind === 0) continue;
    if (kind === 2 && i + 2 < n && text.charCodeAt(i + 1) === 0xd83c) {
      // a pair of regional indicators is one flag; a lone one stands for itself
      const cp2 = 0x1f000 + ((text.charCodeAt(i + 2) - 0xdc00) & 0x3ff);
      if (cp2 >= 0x1f1e6 && cp2 <= 0x1f1ff) {
        cp = 0x200000 + (cp - 0x1f1e6) * 26 + (cp2 - 0x1f1e6);
        i += 2;
      }
    }
    if (emojiCount === emojiCodes.length) {
      const g = new Int32Array(emojiCodes.length * 2);
      g.set(emojiCodes);
      emojiCodes = g;
    }
    emojiCodes[emojiCount++] = cp;
  }
}

/** Tokens of each script (to decide which language models run on a post). */
export function scriptCounts(nz: Normalized): { ar: number; en: number } {
  let ar = 0;
  let en = 0;
  const codes = nz.codes;
  for (let t = 0; t < nz.tokCount; t++) {
    const s = tokenScript(codes, nz.tokStart[t], nz.tokEnd[t]);
    if (s === 1) ar++;
    else if (s === 2) en++;
  }
  return { ar, en };
}

/**
 * The end of the light stem of the Latin word codes[a..b) (see the header), or b when it has none. The
 * normalizer has lowercased it and collapsed repeated letters.
 */
export function stemEnd(codes: Uint16Array, a: number, b: number): number {
  if (b - a <= 4) return b;
  const c1 = codes[b - 1];
  const c2 = codes[b - 2];
  let e = b;
  if (c1 === 103 && c2 === 110 && codes[b - 3] === 105) e = b - 3; // -ing
  else if (c2 === 101 && (c1 === 114 || c1 === 100 || c1 === 115)) e = b - 2; // -er, -ed, -es
  else if (c2 === 105 && c1 === 110) e = b - 2; // -in
  else if (c1 === 115 && c2 !== 115) e = b - 1; // -s, not -ss
  else if (c1 === 121) e = b - 1; // -y
  return e - a >= 3 ? e : b;
}

/**
 * Fill `fb` with the features of the tokens of `lang` in `nz`; `bits` = log2 of the number of buckets;
 * `chars` = whether character n-grams are taken (word features always are); `track` = whether the token
 * of each feature is recorded (only explanations need it: scoring leaves it out); `emoji` = whether the
 * emoji of the original text are features; `stems` = whether the light stems of Latin words are.
 */
export function extractFeatures(nz: Normalized, lang: ModelLang, bits: number, fb: FeatureBuffer, chars = true, track = true, emoji = false, stems = false): void {
  const codes = nz.codes;
  const tS = nz.tokStart;
  const tE = nz.tokEnd;
  const want = LANG_SCRIPT[lang];
  const shift = 32 - bits;
  let n = 0;
  let tokens = 0;
  let prevWord = 0;
  let prevTok = -2;
  for (let t = 0; t < nz.tokCount; t++) {
    const a = tS[t];
    const b = tE[t];
    if (tokenScript(codes, a, b) !== want) continue;
    tokens++;
    const len = b - a;
    // room for every n-gram of this token plus three word features
    const need = n + (len + 2) * (MAX_N - 1) + 3;
    if (need > fb.buckets.length) grow(fb, need);
    const B = fb.buckets;
    const T = fb.tok;
    const G = fb.bigram;
    // character n-grams over [BOUNDARY, codes[a..b), BOUNDARY]
    const n0 = n;
    if (chars)
    for (let i = a - 1; i < b; i++) {
      let h = SEED_CHAR;
      for (let k = 0; k < MAX_N; k++) {
        const j = i + k;
        if (j > b) break;
        const c = j < a || j === b ? BOUNDARY : codes[j];
        h = Math.imul(h ^ c, PRIME);
        if (k >= 1) B[n++] = fmix(h ^ NGRAM_MIX[k]) >>> shift;
        if (j === b) break;
      }
    }
    if (track) {
      T.fill(t, n0, n);
      G.fill(0, n0, n);
    }
    // word unigram
    let w = SEED_WORD;
    for (let i = a; i < b; i++) w = Math.imul(w ^ codes[i], PRIME);
    B[n] = fmix(w) >>> shift;
    T[n] = t;
    G[n] = 0;
    n++;
    // word bigram with the previous token of the same script, when adjacent
    if (prevTok === t - 1) {
      B[n] = fmix(Math.imul(prevWord ^ SEED_BIGRAM, PRIME) ^ w) >>> shift;
      T[n] = t;
      G[n] = 1;
      n++;
    }
    if (stems && want === 2) {
      const e = stemEnd(codes, a, b);
      if (e < b) {
        let st = SEED_STEM;
        for (let i = a; i < e; i++) st = Math.imul(st ^ codes[i], PRIME);
        B[n] = fmix(st) >>> shift;
        T[n] = t;
        G[n] = 0;
        n++;
      }
    }
    prevWord = w;
    prevTok = t;
  }
  if (emoji) {
    // one feature per emoji, repeats counted like repeated words
    scanEmoji(nz.text);
    if (n + emojiCount > fb.buckets.length) grow(fb, n + emojiCount);
    const B = fb.buckets;
    for (let e = 0; e < emojiCount; e++) {
      B[n] = fmix(Math.imul(SEED_EMOJI ^ emojiCodes[e], PRIME)) >>> shift;
      if (track) {
        fb.tok[n] = -1;
        fb.bigram[n] = 0;
      }
      n++;
    }
  }
  fb.count = n;
  fb.tokens = tokens;
}
