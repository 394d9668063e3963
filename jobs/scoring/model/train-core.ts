// Training of the linear models, as plain functions (npm run train and the tests use them).
//
// Logistic regression per head over the hashed features of features.ts, trained with Adagrad in a
// fixed order (a seeded shuffle per epoch), then Platt-calibrated on a calibration split. Every step
// is deterministic: the same rows give the same weights, bit for bit.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalize } from '../normalize.ts';
import { extractFeatures, newFeatureBuffer, type ModelLang } from './features.ts';
import { LANG_HEADS, type HeadId } from './heads.ts';

export type Label = 0 | 1;

export interface TrainRow {
  id: string;
  text: string;
  lang: ModelLang;
  source: string;
  labels: Partial<Record<HeadId, Label>>;
  /** example weight (reviewers' decisions count more) */
  weight?: number;
  /** not from the public training data (demo posts): reported apart from the held-back public figures */
  inDomain?: boolean;
}

interface RawTrainingLine {
  id: string;
  text: string;
  lang: string;
  offensive: boolean;
  source: string;
  hate?: string | null;
  vulgar?: boolean | null;
}

const BELIEF_TARGETS = new Set(['religion', 'ideology']);
const GROUP_TARGETS = new Set(['race', 'gender', 'disability', 'social_class']);

/**
 * Labels of one line of ../shared/training. A head is labelled only where the source annotates it:
 * hate targets and vulgarity come from OSACT2022 (its rows without a target are not hate), Davidson's
 * `hate` class is the English hate head; OSACT2020 has offensiveness only.
 */
export function labelsOf(r: RawTrainingLine, annotatesTargets: boolean, annotatesVulgar: boolean, annotatesHateClass: boolean): Partial<Record<HeadId, Label>> {
  const l: Partial<Record<HeadId, Label>> = { offensive: r.offensive ? 1 : 0 };
  if (r.lang === 'ar') {
    if (annotatesTargets) {
      l.hate_beliefs = r.hate && BELIEF_TARGETS.has(r.hate) ? 1 : 0;
      l.hate_abuse = r.hate && GROUP_TARGETS.has(r.hate) ? 1 : 0;
    }
    if (annotatesVulgar && typeof r.vulgar === 'boolean') l.vulgar = r.vulgar ? 1 : 0;
  } else if (annotatesHateClass) l.hate_abuse = r.hate === 'hate' ? 1 : 0;
  return l;
}

/** Every *.jsonl file of the training directory, in file-name order, lines in file order. */
export function readTrainingRows(dir: string): TrainRow[] {
  const raw: RawTrainingLine[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) if (line.trim()) raw.push(JSON.parse(line) as RawTrainingLine);
  }
  // which source annotates what, from the data itself
  const targets = new Set<string>();
  const vulgar = new Set<string>();
  const hateClass = new Set<string>();
  for (const r of raw) {
    if (r.lang === 'ar' && r.hate && GROUP_TARGETS.has(r.hate)) targets.add(r.source);
    if (typeof r.vulgar === 'boolean') vulgar.add(r.source);
    if (r.lang === 'en' && r.hate === 'neither') hateClass.add(r.source);
  }
  return raw
    .filter((r) => (r.lang === 'ar' || r.lang === 'en') && typeof r.text === 'string' && r.text.length > 0)
    .map((r) => ({
      id: r.id,
      text: r.text,
      lang: r.lang as ModelLang,
      source: r.source,
      labels: labelsOf(r, targets.has(r.source), vulgar.has(r.source), hateClass.has(r.source)),
    }));
}

export type SplitName = 'train' | 'cal' | 'held';

const idHash = (id: string): string => createHash('sha256').update(id).digest('hex');

/**
 * Per source, rows sorted by the hash of their id: the first 20% are held back (never trained on, never
 * used to calibrate), the next 10% calibrate, the rest train.
 */
export function splitRows(rows: readonly TrainRow[], held = 0.2, cal = 0.1): Record<SplitName, TrainRow[]> {
  const bySource = new Map<string, { h: string; r: TrainRow }[]>();
  for (const r of rows) {
    let l = bySource.get(r.source);
    if (!l) bySource.set(r.source, (l = []));
    l.push({ h: idHash(r.id + '\u0000' + r.source), r });
  }
  const out: Record<SplitName, TrainRow[]> = { train: [], cal: [], held: [] };
  for (const source of [...bySource.keys()].sort()) {
    const l = bySource.get(source)!.sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
    const nh = Math.round(l.length * held);
    const nc = Math.round(l.length * cal);
    l.forEach((x, i) => out[i < nh ? 'held' : i < nh + nc ? 'cal' : 'train'].push(x.r));
  }
  return out;
}

const fb = newFeatureBuffer();

/** The features of a text for one language model (a copy). */
export function featuresOf(text: string, lang: ModelLang, bits: number, chars = true, emoji = false, stems = false): Int32Array {
  extractFeatures(normalize(text), lang, bits, fb, chars, false, emoji, stems);
  return fb.buckets.slice(0, fb.count);
}

export interface TrainOptions {
  bits: number;
  /** languages whose model takes character n-grams (the others: words only) */
  chars: ModelLang[];
  /** languages whose model takes the emoji of the original text as features (absent: none; see DEFAULT_OPTIONS) */
  emoji?: ModelLang[];
  /** languages whose model takes the light stems of Latin words as features (absent: none; see DEFAULT_OPTIONS) */
  stems?: ModelLang[];
  epochs: number;
  /** Adagrad learning rate */
  lr: number;
  /** L2 penalty on the weights a step touches */
  l2: number;
  seed: number;
  /** runs averaged, each with its own shuffling seed (seed, seed + 7919, …); 1 = one run */
  seeds?: number;
}

// English stays words only: character n-grams raise OLID's AUC on the calibration split (0.774 → 0.807) but
// read "hoe", "damn", "dick" in the project's clean English posts as profanity, and the clean-post budget
// then lifts the firing threshold to 0.997 (held-back OLID recall 0.42 → lower macro-F1 than words only).
// Four seeds averaged: on the calibration split (rulebook + model, mean macro-F1 of the public sources) Arabic
// 0.786 → 0.791 and English 0.772 → 0.776 against one run; eight gave no more (0.790, 0.771).
// Emoji stay out (features.ts can take them, `npm run train -- --emoji ar`): OSACT 2022 was collected through
// emoji, and one feature per emoji raises its ranking on the calibration split (AUC 0.850 → 0.859) but not
// at the operating point, where the 4% false-alarm cap puts the threshold: rulebook + model, mean macro-F1
// of the public sources, Arabic 0.791 → 0.786 (0.785–0.787 with repeats collapsed or counted once, or emoji
// left out of the length normalization; 0.783–0.785 with word + emoji bigrams; the same without the clean-post
// budget), English 0.776 → 0.775.
// English light stems (features.ts) are on: on the calibration split they raise OLID's AUC 0.757 → 0.765 and,
// unlike character n-grams, lower the project's clean English posts the model scored highest ("Moby Dick is a
// classic" 0.861 → 0.838, "Shovel and hoe for the community garden" 0.860 → 0.792), so that the English
// false-alarm cap of build.ts (5%) can lower the firing threshold 0.865 → 0.792 without breaking the clean-post
// budget: rulebook + model, mean macro-F1 of the public sources, English 0.776 → 0.788 (OLID 0.662 → 0.679);
// with the 4% cap they give 0.775, and without them the 5% cap stops at 0.860 (0.777), held by those posts.
export const DEFAULT_OPTIONS: TrainOptions = { bits: 18, chars: ['ar'], stems: ['en'], epochs: 6, lr: 0.25, l2: 1e-6, seed: 20261202, seeds: 4 };

/** mulberry32: a small seeded PRNG (deterministic shuffles). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Trained {
  lang: ModelLang;
  chars: boolean;
  emoji: boolean;
  stems: boolean;
  heads: HeadId[];
  bits: number;
  /** [bucket * H + head] */
  W: Float64Array;
  bias: Float64Array;
}

/**
 * Logistic regression of every head of `lang` on the rows (a row trains only the heads it labels): the
 * mean of `opt.seeds` runs that differ only in the order of the rows (a linear model still, so scoring
 * costs the same; the averaged weights vary less with the order than one run's).
 */
export function trainLang(lang: ModelLang, rows: readonly TrainRow[], opt: TrainOptions = DEFAULT_OPTIONS): Trained {
  const bag = Math.max(1, opt.seeds ?? 1);
  if (bag > 1) {
    const ts = Array.from({ length: bag }, (_, b) => trainOnce(lang, rows, { ...opt, seed: opt.seed + b * 7919 }));
    const W = new Float64Array(ts[0].W.length);
    const bias = new Float64Array(ts[0].bias.length);
    for (const t of ts) {
      for (let i = 0; i < W.length; i++) W[i] += t.W[i] / bag;
      for (let i = 0; i < bias.length; i++) bias[i] += t.bias[i] / bag;
    }
    return { ...ts[0], W, bias };
  }
  return trainOnce(lang, rows, opt);
}

/** One run of Adagrad over the rows in the order of `opt.seed`. */
function trainOnce(lang: ModelLang, rows: readonly TrainRow[], opt: TrainOptions): Trained {
  const heads = LANG_HEADS[lang];
  const H = heads.length;
  const size = (1 << opt.bits) * H;
  const W = new Float64Array(size);
  const G = new Float64Array(size); // Adagrad accumulators
  const bias = new Float64Array(H);
  const gb = new Float64Array(H);
  const emoji = opt.emoji?.includes(lang) ?? false;
  const stems = opt.stems?.includes(lang) ?? false;
  const feats = rows.map((r) => featuresOf(r.text, lang, opt.bits, opt.chars.includes(lang), emoji, stems));
  const ys = rows.map((r) => heads.map((h) => (r.labels[h] === undefined ? -1 : r.labels[h]!)));
  // bias starts at the base rate of each head
  for (let h = 0; h < H; h++) {
    let pos = 0;
    let n = 0;
    for (const y of ys)
      if (y[h] >= 0) {
        n++;
        pos += y[h];
      }
    const p = Math.min(0.99, Math.max(0.01, n ? pos / n : 0.5));
    bias[h] = Math.log(p / (1 - p));
  }
  const order = rows.map((_, i) => i);
  const rnd = prng(opt.seed ^ (lang === 'ar' ? 0x61 : 0x65));
  const z = new Float64Array(H);
  const g = new Float64Array(H);
  for (let ep = 0; ep < opt.epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (const idx of order) {
      const f = feats[idx];
      const y = ys[idx];
      const wt = rows[idx].weight ?? 1;
      const n = f.length;
      const inv = n > 0 ? 1 / Math.sqrt(n) : 0;
      z.fill(0);
      for (let i = 0; i < n; i++) {
        const o = f[i] * H;
        for (let h = 0; h < H; h++) z[h] += W[o + h];
      }
      let any = false;
      for (let h = 0; h < H; h++) {
        if (y[h] < 0) {
          g[h] = 0;
          continue;
        }
        const p = 1 / (1 + Math.exp(-(bias[h] + z[h] * inv)));
        g[h] = (p - y[h]) * wt;
        any = true;
        gb[h] += g[h] * g[h];
        bias[h] -= (opt.lr * g[h]) / Math.sqrt(gb[h] + 1e-8);
      }
      if (!any) continue;
      for (let i = 0; i < n; i++) {
        const o = f[i] * H;
        for (let h = 0; h < H; h++) {
          if (g[h] === 0) continue;
          const k = o + h;
          const grad = g[h] * inv + opt.l2 * W[k];
          G[k] += grad * grad;
          W[k] -= (opt.lr * grad) / Math.sqrt(G[k] + 1e-8);
        }
      }
    }
  }
  return { lang, chars: opt.chars.includes(lang), emoji, stems, heads, bits: opt.bits, W, bias };
}

/** Raw scores z (before calibration) of every head for one feature vector, with float weights. */
export function rawScore(t: { W: Float64Array | Float32Array; bias: ArrayLike<number>; heads: readonly unknown[] }, f: Int32Array, out: Float64Array): void {
  const H = t.heads.length;
  out.fill(0);
  for (let i = 0; i < f.length; i++) {
    const o = f[i] * H;
    for (let h = 0; h < H; h++) out[h] += t.W[o + h];
  }
  const inv = f.length > 0 ? 1 / Math.sqrt(f.length) : 0;
  for (let h = 0; h < H; h++) out[h] = t.bias[h] + out[h] * inv;
}

/**
 * Platt scaling fitted by Newton's method with a backtracking line search (Lin, Lin & Weng 2007: a full
 * Newton step can overshoot and diverge on a head with few positives), with Platt's smoothed targets.
 * Returns [a, b].
 */
export function fitPlatt(z: readonly number[], y: readonly Label[]): [number, number] {
  let pos = 0;
  for (const v of y) pos += v;
  const neg = y.length - pos;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (neg + 2);
  // cross-entropy against the smoothed targets, computed stably
  const loss = (a: number, b: number): number => {
    let f = 0;
    for (let i = 0; i < z.length; i++) {
      const t = y[i] ? hi : lo;
      const m = a * z[i] + b;
      // -t log p - (1 - t) log (1 - p) = log(1 + e^-m) + (1 - t) m
      f += (m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))) + (1 - t) * m;
    }
    return f;
  };
  let a = 1;
  let b = 0;
  let fab = loss(a, b);
  for (let it = 0; it < 100; it++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-9;
    let h22 = 1e-9;
    let h12 = 0;
    for (let i = 0; i < z.length; i++) {
      const t = y[i] ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * z[i] + b)));
      const d = p - t;
      const w = p * (1 - p);
      g1 += d * z[i];
      g2 += d;
      h11 += w * z[i] * z[i];
      h22 += w;
      h12 += w * z[i];
    }
    const det = h11 * h22 - h12 * h12;
    if (Math.abs(det) < 1e-12) break;
    const da = (h22 * g1 - h12 * g2) / det;
    const db = (h11 * g2 - h12 * g1) / det;
    // backtrack until the loss decreases enough (Armijo); the full step is taken whenever it does
    const slope = g1 * da + g2 * db;
    let step = 1;
    let na = a - da;
    let nb = b - db;
    let fn = loss(na, nb);
    while (step >= 1e-10 && fn > fab - 1e-4 * step * slope) {
      step /= 2;
      na = a - step * da;
      nb = b - step * db;
      fn = loss(na, nb);
    }
    if (step < 1e-10) break;
    a = na;
    b = nb;
    fab = fn;
    if (Math.abs(step * da) < 1e-10 && Math.abs(step * db) < 1e-10) break;
  }
  return [a, b];
}

export interface BinaryFigures {
  n: number;
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
  /** FP / negatives */
  false_alarm_rate: number;
  /** mean of the F1 of the positive and the negative class */
  macro_f1: number;
  auc: number;
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;

export function auc(p: readonly number[], y: readonly Label[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[a] - p[b] || a - b);
  let rankSum = 0;
  let pos = 0;
  // average ranks for ties
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && p[idx[j + 1]] === p[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[idx[k]]) rankSum += rank;
    i = j + 1;
  }
  for (const v of y) pos += v;
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return 0;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function binaryFigures(p: readonly number[], y: readonly Label[], threshold: number): BinaryFigures {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let i = 0; i < p.length; i++) {
    const hit = p[i] >= threshold;
    if (hit && y[i]) tp++;
    else if (hit) fp++;
    else if (y[i]) fn++;
    else tn++;
  }
  const prec = tp + fp ? tp / (tp + fp) : 0;
  const rec = tp + fn ? tp / (tp + fn) : 0;
  const f1 = prec + rec ? (2 * prec * rec) / (prec + rec) : 0;
  const nprec = tn + fn ? tn / (tn + fn) : 0;
  const nrec = tn + fp ? tn / (tn + fp) : 0;
  const nf1 = nprec + nrec ? (2 * nprec * nrec) / (nprec + nrec) : 0;
  return {
    n: p.length,
    positives: tp + fn,
    tp,
    fp,
    fn,
    precision: r4(prec),
    recall: r4(rec),
    f1: r4(f1),
    false_alarm_rate: r4(tn + fp ? fp / (tn + fp) : 0),
    macro_f1: r4((f1 + nf1) / 2),
    auc: r4(auc(p, y)),
  };
}

/** The threshold (among the scores) that maximizes F1. */
export function bestF1Threshold(p: readonly number[], y: readonly Label[]): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  let pos = 0;
  for (const v of y) pos += v;
  let tp = 0;
  let best = 0;
  let bestT = 1.01;
  for (let k = 0; k < idx.length; k++) {
    if (y[idx[k]]) tp++;
    if (k + 1 < idx.length && p[idx[k + 1]] === p[idx[k]]) continue;
    const prec = tp / (k + 1);
    const rec = pos ? tp / pos : 0;
    const f1 = prec + rec ? (2 * prec * rec) / (prec + rec) : 0;
    if (f1 > best) {
      best = f1;
      bestT = p[idx[k]];
    }
  }
  return bestT;
}

/** The lowest threshold ≥ `from` whose precision is at least `minPrecision` with at least `minTp` hits (> 1: none). */
export function precisionThreshold(p: readonly number[], y: readonly Label[], minPrecision: number, minTp: number, from: number): number {
  const idx = p.map((_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  let tp = 0;
  let best = 1.01;
  for (let k = 0; k < idx.length; k++) {
    if (p[idx[k]] < from) break;
    if (y[idx[k]]) tp++;
    if (k + 1 < idx.length && p[idx[k + 1]] === p[idx[k]]) continue;
    if (tp >= minTp && tp / (k + 1) >= minPrecision) best = p[idx[k]];
  }
  return best;
}
