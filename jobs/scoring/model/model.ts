// The trained bilingual classifier at scoring time: the artifact format (model.bin), loading, scoring a
// normalized post with every language model whose script it contains, and explaining a finding.
//
// model.bin = "MZM1" | u32 header length | header JSON (utf-8) | per language, int8 weights laid out
// bucket-major ([bucket * heads + head]) so that one hashed feature reads its heads from one cache line.
// The model version is the content hash of the file: a new model is a new rulebook version.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Normalized } from '../normalize.ts';
import type { Category, Severity } from '../types.ts';
import { extractFeatures, newFeatureBuffer, tokenScript, type ModelLang } from './features.ts';
import { HEADS, type HeadId } from './heads.ts';

export const MODEL_FILE = join(dirname(fileURLToPath(import.meta.url)), 'model.bin');
const MAGIC = 'MZM1';

export interface HeadHeader {
  id: HeadId;
  /** quantization step: weight = int8 * scale */
  scale: number;
  bias: number;
  /** Platt scaling: p = 1 / (1 + exp(-(a * z + b))) */
  platt: [number, number];
  /** probability at and above which the head fires (medium) */
  fire: number;
  /** probability at and above which the finding is high (> 1: never) */
  high: number;
}

export interface LangHeader {
  bits: number;
  /** character n-grams are features (else words only) */
  chars: boolean;
  /** the emoji of the original text are features (absent: no) */
  emoji?: boolean;
  /** the light stems of Latin words are features (absent: no) */
  stems?: boolean;
  /** the model runs on a post with at least this many tokens of its script */
  minTokens: number;
  heads: HeadHeader[];
}

export interface ModelHeader {
  format: 1;
  langs: Partial<Record<ModelLang, LangHeader>>;
  /** free-form training facts (seed, sizes), shown in the report */
  training: Record<string, unknown>;
}

export interface LangModel {
  lang: ModelLang;
  bits: number;
  chars: boolean;
  emoji: boolean;
  stems: boolean;
  minTokens: number;
  heads: HeadHeader[];
  H: number;
  /** quantized weights, [bucket * H + head] (weight = Q * heads[h].scale); int8 keeps the table small enough for the cache */
  Q: Int8Array;
  scale: Float64Array;
  /** the raw score z at and above which each head fires (its fire probability mapped back through Platt) */
  zFire: Float64Array;
}

export interface Model {
  version: string;
  header: ModelHeader;
  langs: LangModel[];
}

/** Weights as trained (float), before quantization. */
export interface RawLang {
  bits: number;
  chars: boolean;
  /** emoji are features (see features.ts) */
  emoji?: boolean;
  /** light stems of Latin words are features (see features.ts) */
  stems?: boolean;
  minTokens: number;
  heads: HeadHeader[];
  W: Float64Array;
}

export function modelVersionOf(bytes: Uint8Array): string {
  return 'm-' + createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}

/** Quantize and serialize (deterministic: same weights and header → same bytes). */
export function encodeModel(header: Omit<ModelHeader, 'langs'>, raw: Partial<Record<ModelLang, RawLang>>): Uint8Array {
  const langs: Partial<Record<ModelLang, LangHeader>> = {};
  const blobs: Int8Array[] = [];
  for (const lang of ['ar', 'en'] as const) {
    const r = raw[lang];
    if (!r) continue;
    const H = r.heads.length;
    const q = new Int8Array(r.W.length);
    const heads: HeadHeader[] = r.heads.map((h, k) => {
      let max = 0;
      for (let i = k; i < r.W.length; i += H) max = Math.max(max, Math.abs(r.W[i]));
      const scale = max > 0 ? max / 127 : 1;
      for (let i = k; i < r.W.length; i += H) q[i] = Math.max(-127, Math.min(127, Math.round(r.W[i] / scale)));
      return { ...h, scale: Number(scale.toPrecision(9)) };
    });
    // `emoji` and `stems` are written only when set: a model without them keeps the header it had before them
    langs[lang] = { bits: r.bits, chars: r.chars, ...(r.emoji ? { emoji: true } : {}), ...(r.stems ? { stems: true } : {}), minTokens: r.minTokens, heads };
    blobs.push(q);
  }
  const head = Buffer.from(JSON.stringify({ ...header, format: 1, langs }), 'utf8');
  const out = Buffer.alloc(8 + head.length + blobs.reduce((s, b) => s + b.length, 0));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(head.length, 4);
  head.copy(out, 8);
  let off = 8 + head.length;
  for (const b of blobs) {
    Buffer.from(b.buffer, b.byteOffset, b.length).copy(out, off);
    off += b.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

const logit = (p: number): number => Math.log(p / (1 - p));

export function decodeModel(bytes: Uint8Array): Model {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.toString('latin1', 0, 4) !== MAGIC) throw new Error('model file: bad magic');
  const hl = buf.readUInt32LE(4);
  const header = JSON.parse(buf.toString('utf8', 8, 8 + hl)) as ModelHeader;
  if (header.format !== 1) throw new Error(`model file: unknown format ${String(header.format)}`);
  let off = 8 + hl;
  const langs: LangModel[] = [];
  for (const lang of ['ar', 'en'] as const) {
    const lh = header.langs[lang];
    if (!lh) continue;
    const H = lh.heads.length;
    const n = (1 << lh.bits) * H;
    if (off + n > buf.length) throw new Error('model file: truncated');
    const Q = new Int8Array(n);
    Q.set(new Int8Array(buf.buffer, buf.byteOffset + off, n));
    off += n;
    const scale = Float64Array.from(lh.heads, (h) => h.scale);
    const zFire = Float64Array.from(lh.heads, (h) => (h.fire >= 1 || h.platt[0] <= 0 ? Infinity : (logit(h.fire) - h.platt[1]) / h.platt[0]));
    langs.push({ lang, bits: lh.bits, chars: lh.chars !== false, emoji: lh.emoji === true, stems: lh.stems === true, minTokens: lh.minTokens, heads: lh.heads, H, Q, scale, zFire });
  }
  return { version: modelVersionOf(bytes), header, langs };
}

let shipped: Model | null | undefined;

/** The committed model (jobs/scoring/model/model.bin), loaded once; null when the file is absent. */
export function shippedModel(): Model | null {
  if (shipped === undefined) shipped = existsSync(MODEL_FILE) ? decodeModel(readFileSync(MODEL_FILE)) : null;
  return shipped;
}

// ------------------------------------------------------------------------------------- scoring

export interface Evidence {
  start: number;
  end: number;
  /** how much these words pushed the head's raw score (logit units) */
  weight: number;
}

export interface ModelHit {
  rule: string;
  category: Category;
  severity: Severity;
  probability: number;
  lang: ModelLang;
  /** the words that pushed most, on the original text, strongest first */
  evidence: Evidence[];
}

const fb = newFeatureBuffer();
let zScratch = new Float64Array(8);
let tokContrib = new Float64Array(256);

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Raw scores z of every head of `lm` for the current features in `fb` (needs fb filled for lm). */
function rawScores(lm: LangModel, z: Float64Array): void {
  const H = lm.H;
  const Q = lm.Q;
  const B = fb.buckets;
  const n = fb.count;
  // integer sums of int8 weights: exact, and the table stays in cache
  if (H === 4) {
    let z0 = 0;
    let z1 = 0;
    let z2 = 0;
    let z3 = 0;
    for (let i = 0; i < n; i++) {
      const o = B[i] << 2;
      z0 += Q[o];
      z1 += Q[o + 1];
      z2 += Q[o + 2];
      z3 += Q[o + 3];
    }
    z[0] = z0;
    z[1] = z1;
    z[2] = z2;
    z[3] = z3;
  } else if (H === 2) {
    let z0 = 0;
    let z1 = 0;
    for (let i = 0; i < n; i++) {
      const o = B[i] << 1;
      z0 += Q[o];
      z1 += Q[o + 1];
    }
    z[0] = z0;
    z[1] = z1;
  } else {
    for (let h = 0; h < H; h++) z[h] = 0;
    for (let i = 0; i < n; i++) {
      const o = B[i] * H;
      for (let h = 0; h < H; h++) z[h] += Q[o + h];
    }
  }
  const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (let h = 0; h < H; h++) z[h] = lm.heads[h].bias + z[h] * lm.scale[h] * inv;
}

/** The probability of each head of one language for a normalized text (tests, eval, training report). */
export function headProbabilities(lm: LangModel, nz: Normalized): Float64Array {
  extractFeatures(nz, lm.lang, lm.bits, fb, lm.chars, true, lm.emoji, lm.stems);
  const z = new Float64Array(lm.H);
  if (fb.tokens < lm.minTokens) return z.fill(0);
  rawScores(lm, z);
  for (let h = 0; h < lm.H; h++) z[h] = sigmoid(lm.heads[h].platt[0] * z[h] + lm.heads[h].platt[1]);
  return z;
}

/** Raw (uncalibrated) scores of every head of one language for a normalized text; null when the model does not run on it. */
export function headRawScores(lm: LangModel, nz: Normalized): Float64Array | null {
  extractFeatures(nz, lm.lang, lm.bits, fb, lm.chars, true, lm.emoji, lm.stems);
  if (fb.tokens < lm.minTokens) return null;
  const z = new Float64Array(lm.H);
  rawScores(lm, z);
  return z;
}

/** Top tokens by contribution to head h (the features in `fb` are those of lm). */
function explain(lm: LangModel, h: number, nz: Normalized, max: number): Evidence[] {
  if (tokContrib.length < nz.tokCount) tokContrib = new Float64Array(nz.tokCount * 2);
  tokContrib.fill(0, 0, nz.tokCount);
  const inv = fb.count > 0 ? 1 / Math.sqrt(fb.count) : 0;
  for (let i = 0; i < fb.count; i++) {
    const w = lm.Q[fb.buckets[i] * lm.H + h] * lm.scale[h] * inv;
    const t = fb.tok[i];
    if (t < 0) continue; // an emoji: no token, never evidence
    if (fb.bigram[i] === 1) {
      tokContrib[t] += w / 2;
      tokContrib[t - 1] += w / 2;
    } else tokContrib[t] += w;
  }
  const order: number[] = [];
  for (let t = 0; t < nz.tokCount; t++) if (tokContrib[t] > 0 && tokenScript(nz.codes, nz.tokStart[t], nz.tokEnd[t]) !== 0) order.push(t);
  order.sort((a, b) => tokContrib[b] - tokContrib[a] || a - b);
  return order.slice(0, max).map((t) => ({
    start: nz.starts[nz.tokStart[t]],
    end: nz.ends[nz.tokEnd[t] - 1],
    weight: Math.round(tokContrib[t] * 1000) / 1000,
  }));
}

/**
 * Score a normalized post with every language model that has enough tokens of its script in it, and
 * push one hit per firing head into `out`. Allocation-free unless a head fires.
 */
export function runModel(model: Model, nz: Normalized, out: ModelHit[]): void {
  for (const lm of model.langs) {
    extractFeatures(nz, lm.lang, lm.bits, fb, lm.chars, false, lm.emoji, lm.stems);
    if (fb.tokens < lm.minTokens) continue;
    if (zScratch.length < lm.H) zScratch = new Float64Array(lm.H);
    const z = zScratch;
    rawScores(lm, z);
    let tracked = false;
    for (let h = 0; h < lm.H; h++) {
      if (z[h] < lm.zFire[h]) continue;
      const hd = lm.heads[h];
      const p = sigmoid(hd.platt[0] * z[h] + hd.platt[1]);
      // the tokens of the features, for the explanation: the same features again, now recorded
      if (!tracked) extractFeatures(nz, lm.lang, lm.bits, fb, lm.chars, true, lm.emoji, lm.stems);
      tracked = true;
      const def = HEADS[hd.id];
      out.push({
        rule: def.rule,
        category: def.category,
        severity: p >= hd.high ? 'high' : 'medium',
        probability: Math.round(p * 1000) / 1000,
        lang: lm.lang,
        evidence: explain(lm, h, nz, 3),
      });
    }
  }
}
