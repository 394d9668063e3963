// Builds the model artifact from labelled rows: train each language, quantize, calibrate on the
// calibration split, choose thresholds, and measure on the held-back split. Pure apart from CPU time:
// `npm run train` (jobs/scoring/train.ts) reads the files and the database and writes the results.

import { normalize } from '../normalize.ts';
import type { DecisionExample } from '../../../db/queries/reviews.ts';
import { CORPUS_WEIGHT } from './corpus-rows.ts';
import { scriptCounts, type ModelLang } from './features.ts';
import { HEADS, LANG_HEADS, type HeadId } from './heads.ts';
import { decodeModel, encodeModel, headRawScores, sigmoid, type HeadHeader, type Model, type RawLang } from './model.ts';
import {
  binaryFigures,
  bestF1Threshold,
  DEFAULT_OPTIONS,
  fitPlatt,
  precisionThreshold,
  splitRows,
  trainLang,
  type BinaryFigures,
  type Label,
  type SplitName,
  type TrainOptions,
  type TrainRow,
} from './train-core.ts';

export const MIN_TOKENS: Record<ModelLang, number> = { ar: 1, en: 2 };
/**
 * Share of the project's clean posts of each set and language that may be flagged (the issue's ceiling,
 * and the floors' max_clean_flag_rate): the posts the rulebook already flags use it up first.
 */
export const CLEAN_BUDGET = 0.01;
/** The firing threshold never goes below this probability. */
export const MIN_FIRE = 0.5;
/**
 * False alarms rulebook + model may raise on the calibration split, per language. Arabic: the issue's
 * acceptance ceiling is 5%, this is a margin below it. English: the issue sets no ceiling (its target is
 * OLID's macro-F1); 5% keeps it at the Arabic ceiling. Chosen on the calibration split: with English light
 * stems, 5% gives English 0.788 (mean macro-F1 of the public sources, rulebook + model) against 0.775 at 4%.
 */
export const MAX_FALSE_ALARMS: Record<ModelLang, number> = { ar: 0.04, en: 0.05 };
/** Precision a `high` model finding needs on the calibration split (the held-back split only measures). */
export const HIGH_PRECISION = 0.95;
export const DECISION_WEIGHT = 3;
/** clean posts listed per language in the report, highest probability first */
const TOP_CLEAN = 8;
/** firing thresholds the report compares with the chosen one */
const TRADEOFF_THRESHOLDS = [0.8, 0.7, 0.6, 0.5];

export interface HeadReport {
  lang: ModelLang;
  head: HeadId;
  rule: string;
  fire: number;
  high: number;
  platt: [number, number];
  /** on the held-back split, at the firing threshold */
  held: BinaryFigures;
  /** per source (held-back rows of that source labelled for this head) */
  bySource: Record<string, BinaryFigures>;
  /** clean posts of the project's corpus this head flags */
  cleanFlagged: number;
}

export interface BuildResult {
  bytes: Uint8Array;
  model: Model;
  heads: HeadReport[];
  splits: Record<SplitName, Record<string, number>>;
  clean: { posts: number; flagged: number; rate: number };
  /** per language, the clean posts the offensive head scores highest (those at and just under the firing threshold set it) */
  topClean: { lang: ModelLang; group: string; p: number; text: string }[];
  /** the offensive head at other firing thresholds: held-back figures per source and the project's clean posts it would flag per set */
  tradeoff: { lang: ModelLang; threshold: number; bySource: Record<string, BinaryFigures>; clean: Record<string, string> }[];
  decisions: { examples: number; rows: number; positives: number; negatives: number };
  /** rows added to the training split only, per language (the development corpus's clean posts) */
  trainOnly: Record<string, number>;
  /** per language, the offensive head's threshold chosen for rulebook + model on the calibration split (before the clean-post budget), when a rule view was given */
  calChoice: Partial<Record<ModelLang, number>>;
  options: TrainOptions;
}

function probabilities(model: Model, lang: ModelLang, texts: readonly string[], platt: boolean): (Float64Array | null)[] {
  const lm = model.langs.find((l) => l.lang === lang)!;
  return texts.map((t) => {
    const z = headRawScores(lm, normalize(t));
    if (!z) return null;
    for (let h = 0; h < lm.H; h++) z[h] = platt ? sigmoid(lm.heads[h].platt[0] * z[h] + lm.heads[h].platt[1]) : z[h];
    return z;
  });
}

function countBy(rows: readonly TrainRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) out[r.source] = (out[r.source] ?? 0) + 1;
  return out;
}

/**
 * Reviewers' decisions as training rows: a confirmed finding is a positive of its head, a dismissed one a
 * negative (a dismissed model finding is the most useful negative there is). Model rules map to their
 * head; rulebook findings map by category (abuse → offensive, beliefs → hate against a belief,
 * public_morals → vulgar). A mixed post trains both languages.
 */
export function decisionRows(examples: readonly DecisionExample[]): TrainRow[] {
  const byRule = new Map<string, HeadId>(Object.values(HEADS).map((h) => [h.rule, h.id]));
  const byCategory: Record<string, HeadId> = { abuse: 'offensive', beliefs: 'hate_beliefs', public_morals: 'vulgar' };
  const rows = new Map<string, TrainRow>();
  for (const ex of examples) {
    const head = byRule.get(ex.rule) ?? byCategory[ex.category];
    if (!head || !ex.text) continue;
    const counts = scriptCounts(normalize(ex.text));
    for (const lang of ['ar', 'en'] as const) {
      if (counts[lang] < MIN_TOKENS[lang] || !LANG_HEADS[lang].includes(head)) continue;
      const key = `${ex.postId}:${lang}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { id: `decision-${key}`, text: ex.text, lang, source: "reviewers' decisions", labels: {}, weight: DECISION_WEIGHT }));
      // a confirmation wins over a dismissal of another finding of the same head in the post
      row.labels[head] = (row.labels[head] === 1 ? 1 : ex.decision === 'confirmed' ? 1 : 0) as Label;
    }
  }
  return [...rows.values()];
}

export interface BuildInput {
  rows: readonly TrainRow[];
  /** the project's clean posts (the firing thresholds keep them clean); each group (set and language) has its own budget */
  cleanPosts: readonly { text: string; lang: ModelLang; group: string; silenced?: boolean; ruleFlagged?: boolean }[];
  decisions?: readonly DecisionExample[];
  /** rows added to the training split only (the development corpus's posts: in-domain hard negatives) */
  trainOnly?: readonly TrainRow[];
  options?: Partial<TrainOptions>;
  log?: (m: string) => void;
  /**
   * What the rulebook does with a text (without the model): 1 = flags it offensive (abuse, beliefs or
   * public morals), 2 = keeps the model silent on it without flagging it offensive, 0 = leaves it to the
   * model. With it, the offensive head's firing threshold is chosen for rulebook + model (chooseOffensiveFire).
   */
  ruleView?: (text: string, lang: ModelLang) => 0 | 1 | 2;
}

/** Candidate firing thresholds of the offensive head (on the calibration split). */
const FIRE_GRID = Array.from({ length: 100 }, (_, i) => Math.round((MIN_FIRE + i * 0.005) * 1000) / 1000).filter((t) => t < 1);

/**
 * The offensive head's firing threshold that maximizes the mean macro-F1 over the public sources of the
 * calibration split of rulebook + model (a row is flagged when the rulebook flags it offensive, or when
 * the rulebook leaves it to the model and any head fires, no head below it), among those whose false alarms there (all
 * public sources of the language together) stay at most MAX_FALSE_ALARMS of that language. Null when no threshold does.
 */
export function chooseOffensiveFire(
  cal: { p: (Float64Array | null)[]; rows: readonly TrainRow[] },
  heads: readonly HeadHeader[],
  k: number,
  ruleView: (text: string, lang: ModelLang) => 0 | 1 | 2,
): number | null {
  const idx = cal.rows.map((r, i) => (!r.inDomain && r.labels.offensive !== undefined ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const maxFalseAlarms = MAX_FALSE_ALARMS[cal.rows[idx[0]].lang];
  const view = idx.map((i) => ruleView(cal.rows[i].text, cal.rows[i].lang));
  // the highest probability of another head at or above its own threshold (it fires when that is also ≥ t)
  const other = idx.map((i) => {
    const p = cal.p[i];
    let m = 0;
    if (p !== null) heads.forEach((h, j) => {
      if (j !== k && p[j] >= h.fire) m = Math.max(m, p[j]);
    });
    return m;
  });
  const sources = [...new Set(idx.map((i) => cal.rows[i].source))].sort();
  const src = idx.map((i) => sources.indexOf(cal.rows[i].source));
  let best: { t: number; score: number } | null = null;
  for (const t of FIRE_GRID) {
    const ps: number[][] = sources.map(() => []);
    const ys: Label[][] = sources.map(() => []);
    let fp = 0;
    let neg = 0;
    idx.forEach((i, j) => {
      const p = cal.p[i];
      const hit = view[j] === 1 || (view[j] === 0 && (other[j] >= t || (p !== null && p[k] >= t))) ? 1 : 0;
      const y = cal.rows[i].labels.offensive!;
      ps[src[j]].push(hit);
      ys[src[j]].push(y);
      if (y === 0) {
        neg++;
        fp += hit;
      }
    });
    if (neg > 0 && fp / neg > maxFalseAlarms) continue;
    const score = sources.reduce((s, _, x) => s + binaryFigures(ps[x], ys[x], 0.5).macro_f1, 0) / sources.length;
    if (!best || score > best.score) best = { t, score };
  }
  return best ? best.t : null;
}

export function buildModel(input: BuildInput): BuildResult {
  const options = { ...DEFAULT_OPTIONS, ...input.options };
  const log = input.log ?? (() => {});
  const split = splitRows(input.rows);
  const extra = input.decisions ? decisionRows(input.decisions) : [];
  const raw: Partial<Record<ModelLang, RawLang>> = {};
  const langs = (['ar', 'en'] as const).filter((l) => split.train.some((r) => r.lang === l));
  for (const lang of langs) {
    const rows = [...split.train.filter((r) => r.lang === lang), ...(input.trainOnly ?? []).filter((r) => r.lang === lang), ...extra.filter((r) => r.lang === lang)];
    const t0 = Date.now();
    const t = trainLang(lang, rows, options);
    log(`${lang}: trained on ${rows.length} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    raw[lang] = {
      bits: t.bits,
      chars: t.chars,
      emoji: t.emoji,
      stems: t.stems,
      minTokens: MIN_TOKENS[lang],
      W: t.W,
      heads: t.heads.map((id, k): HeadHeader => ({ id, scale: 1, bias: t.bias[k], platt: [1, 0], fire: 1.01, high: 1.01 })),
    };
  }
  const training = { seed: options.seed, bits: options.bits, chars: options.chars, ...(options.emoji?.length ? { emoji: options.emoji } : {}), ...(options.stems?.length ? { stems: options.stems } : {}), epochs: options.epochs, lr: options.lr, l2: options.l2, seeds: options.seeds ?? 1 };
  // quantize first: calibration and thresholds are chosen on the weights that ship
  let model = decodeModel(encodeModel({ format: 1, training }, raw));

  // Platt scaling and the F1-best threshold on the calibration split
  const heads: { lang: ModelLang; k: number; id: HeadId }[] = [];
  for (const lang of langs) {
    const rows = split.cal.filter((r) => r.lang === lang);
    const zs = probabilities(model, lang, rows.map((r) => r.text), false);
    raw[lang]!.heads.forEach((hh, k) => {
      const z: number[] = [];
      const y: Label[] = [];
      rows.forEach((r, i) => {
        const l = r.labels[hh.id];
        if (l === undefined) return;
        z.push(zs[i] ? zs[i]![k] : -20);
        y.push(l);
      });
      hh.platt = fitPlatt(z, y).map((v) => Number(v.toPrecision(9))) as [number, number];
      const p = z.map((v) => sigmoid(hh.platt[0] * v + hh.platt[1]));
      hh.fire = Math.max(MIN_FIRE, bestF1Threshold(p, y));
      heads.push({ lang, k, id: hh.id });
    });
  }
  model = decodeModel(encodeModel({ format: 1, training }, raw));

  // The project's clean posts stay clean: while the model alone flags more than the budget, raise the
  // threshold of the head whose next clean post costs the fewest calibration positives.
  const cleanTexts = input.cleanPosts.map((p) => p.text);
  const cleanP = new Map<ModelLang, (Float64Array | null)[]>();
  for (const lang of langs) cleanP.set(lang, probabilities(model, lang, cleanTexts, true));
  const calP = new Map<ModelLang, { p: (Float64Array | null)[]; rows: TrainRow[] }>();
  for (const lang of langs) {
    const rows = split.cal.filter((r) => r.lang === lang);
    calP.set(lang, { p: probabilities(model, lang, rows.map((r) => r.text), true), rows });
  }
  // The offensive head fires where the rulebook and the model together do best on the calibration split:
  // the mean macro-F1 of the public sources, with the false alarms of both under MAX_FALSE_ALARMS (per language).
  const calChoice: Partial<Record<ModelLang, number>> = {};
  if (input.ruleView) {
    for (const lang of langs) {
      const k = LANG_HEADS[lang].indexOf('offensive');
      if (k < 0) continue;
      const hh = raw[lang]!.heads[k];
      const choice = chooseOffensiveFire(calP.get(lang)!, raw[lang]!.heads, k, input.ruleView);
      if (choice === null) continue;
      hh.fire = choice;
      calChoice[lang] = choice;
      // hate and vulgarity are kinds of offensive language: their heads never fire below the offensive head
      for (const o of raw[lang]!.heads) if (o !== hh) o.fire = Math.max(o.fire, choice);
    }
  }
  // per group (set and language of the post; a mixed post counts in its own language, both models may flag it)
  const groups = [...new Set(input.cleanPosts.map((p) => p.group))].sort();
  const budget = groups.map((g) => {
    const inGroup = input.cleanPosts.filter((p) => p.group === g);
    return Math.floor(CLEAN_BUDGET * inGroup.length) - inGroup.filter((p) => p.ruleFlagged).length;
  });
  const postLang = input.cleanPosts.map((p) => groups.indexOf(p.group));
  const flaggedBy = (lang: ModelLang, k: number, fire: number): number[] => {
    const out: number[] = [];
    cleanP.get(lang)!.forEach((p, i) => {
      if (p && p[k] >= fire && !input.cleanPosts[i].silenced && !input.cleanPosts[i].ruleFlagged) out.push(i);
    });
    return out;
  };
  for (let guard = 0; guard < 10_000; guard++) {
    const union = groups.map(() => new Set<number>());
    for (const h of heads) for (const i of flaggedBy(h.lang, h.k, raw[h.lang]!.heads[h.k].fire)) union[postLang[i]].add(i);
    const over = union.map((u, g) => u.size > budget[g]);
    if (!over.some((o) => o)) break;
    let best: { h: (typeof heads)[number]; t: number; cost: number } | null = null;
    for (const h of heads) {
      const hh = raw[h.lang]!.heads[h.k];
      const flagged = flaggedBy(h.lang, h.k, hh.fire).filter((i) => over[postLang[i]]);
      if (flagged.length === 0) continue;
      const lowest = Math.min(...flagged.map((i) => cleanP.get(h.lang)![i]![h.k]));
      const t = lowest + 1e-6;
      const { p, rows } = calP.get(h.lang)!;
      let cost = 0;
      rows.forEach((r, i) => {
        const v = p[i] ? p[i]![h.k] : 0;
        if (r.labels[h.id] === 1 && v >= hh.fire && v < t) cost++;
      });
      if (!best || cost < best.cost) best = { h, t, cost };
    }
    if (!best) break;
    raw[best.h.lang]!.heads[best.h.k].fire = Number(best.t.toPrecision(9));
  }

  // `high` on the calibration split (the held-back split only measures): the lowest threshold with precision ≥ HIGH_PRECISION
  for (const h of heads) {
    const hh = raw[h.lang]!.heads[h.k];
    const { p, rows } = calP.get(h.lang)!;
    const ps: number[] = [];
    const ys: Label[] = [];
    rows.forEach((r, i) => {
      const l = r.labels[h.id];
      if (l === undefined) return;
      ps.push(p[i] ? p[i]![h.k] : 0);
      ys.push(l);
    });
    // medium stays the default: `high` needs the precision and at least half the way from fire to 1
    hh.high = Number(Math.max(hh.fire + (1 - hh.fire) / 2, precisionThreshold(ps, ys, HIGH_PRECISION, 10, hh.fire)).toPrecision(9));
  }

  const bytes = encodeModel({ format: 1, training }, raw);
  model = decodeModel(bytes);
  const heldP = new Map<ModelLang, { p: (Float64Array | null)[]; rows: TrainRow[] }>();
  for (const lang of langs) {
    const rows = split.held.filter((r) => r.lang === lang);
    heldP.set(lang, { p: probabilities(model, lang, rows.map((r) => r.text), true), rows });
  }

  // figures of the final model
  const reports: HeadReport[] = [];
  const cleanUnion = new Set<number>();
  for (const h of heads) {
    const hh = raw[h.lang]!.heads[h.k];
    const { p, rows } = heldP.get(h.lang)!;
    const bySrc = new Map<string, { p: number[]; y: Label[] }>();
    const all = { p: [] as number[], y: [] as Label[] };
    rows.forEach((r, i) => {
      const l = r.labels[h.id];
      if (l === undefined) return;
      const v = p[i] ? p[i]![h.k] : 0;
      if (!r.inDomain) {
        all.p.push(v);
        all.y.push(l);
      }
      let s = bySrc.get(r.source);
      if (!s) bySrc.set(r.source, (s = { p: [], y: [] }));
      s.p.push(v);
      s.y.push(l);
    });
    const flagged = flaggedBy(h.lang, h.k, hh.fire);
    for (const i of flagged) cleanUnion.add(i);
    reports.push({
      lang: h.lang,
      head: h.id,
      rule: HEADS[h.id].rule,
      fire: hh.fire,
      high: hh.high,
      platt: hh.platt,
      held: binaryFigures(all.p, all.y, hh.fire),
      bySource: Object.fromEntries([...bySrc.keys()].sort().map((s) => [s, binaryFigures(bySrc.get(s)!.p, bySrc.get(s)!.y, hh.fire)])),
      cleanFlagged: flagged.length,
    });
  }
  const n = input.cleanPosts.length;
  const pos = extra.reduce((s, r) => s + Object.values(r.labels).filter((v) => v === 1).length, 0);
  const neg = extra.reduce((s, r) => s + Object.values(r.labels).filter((v) => v === 0).length, 0);
  return {
    bytes,
    model,
    heads: reports,
    splits: { train: countBy(split.train), cal: countBy(split.cal), held: countBy(split.held) },
    clean: { posts: n, flagged: cleanUnion.size, rate: n ? Math.round((cleanUnion.size / n) * 10000) / 10000 : 0 },
    tradeoff: langs.flatMap((lang) => {
      const k = LANG_HEADS[lang].indexOf('offensive');
      const { p, rows } = heldP.get(lang)!;
      const fire = raw[lang]!.heads[k].fire;
      return [fire, ...TRADEOFF_THRESHOLDS.filter((t) => t < fire)].map((threshold) => {
        const bySource: Record<string, BinaryFigures> = {};
        for (const source of [...new Set(rows.filter((r) => !r.inDomain).map((r) => r.source))].sort()) {
          const idx = rows.map((r, i) => (r.source === source && r.labels.offensive !== undefined ? i : -1)).filter((i) => i >= 0);
          bySource[source] = binaryFigures(idx.map((i) => (p[i] ? p[i]![k] : 0)), idx.map((i) => rows[i].labels.offensive!), threshold);
        }
        const clean: Record<string, string> = {};
        for (const g of groups.filter((x) => x.endsWith('/' + lang))) {
          const inGroup = input.cleanPosts.map((c, i) => (c.group === g ? i : -1)).filter((i) => i >= 0);
          const flagged = inGroup.filter((i) => !input.cleanPosts[i].silenced && !input.cleanPosts[i].ruleFlagged && (cleanP.get(lang)![i]?.[k] ?? 0) >= threshold).length;
          clean[g.split('/')[0]] = `${flagged}/${inGroup.length}`;
        }
        return { lang, threshold, bySource, clean };
      });
    }),
    topClean: langs.flatMap((lang) => {
      const k = LANG_HEADS[lang].indexOf('offensive');
      const scored = input.cleanPosts.flatMap((c, i) => {
        const p = cleanP.get(lang)![i];
        return p && !c.silenced && !c.ruleFlagged ? [{ lang, group: c.group, p: Number(p[k].toFixed(3)), text: c.text }] : [];
      });
      return scored.sort((a, b) => b.p - a.p || (a.text < b.text ? -1 : 1)).slice(0, TOP_CLEAN);
    }),
    decisions: { examples: input.decisions?.length ?? 0, rows: extra.length, positives: pos, negatives: neg },
    trainOnly: Object.fromEntries(langs.map((l) => [l, (input.trainOnly ?? []).filter((r) => r.lang === l).length]).filter(([, n]) => n !== 0)),
    calChoice,
    options,
  };
}

const pct = (x: number): string => (x * 100).toFixed(1);

/** The training report (markdown). `before` is the build without reviewers' decisions, when they were used. */
export function formatReport(r: BuildResult, command: string, before?: BuildResult): string {
  const out: string[] = [];
  out.push('# Mizan model: training report', '');
  out.push(`Model version \`${r.model.version}\` (sha-256 of \`model.bin\`, ${(r.bytes.length / 1024).toFixed(0)} KiB), rebuilt by \`${command}\`.`, '');
  out.push(
    'Logistic regression per language (Arabic, English) over hashed character 2–4-grams and word uni-/bigrams of the normalized text ' +
      (r.options.emoji?.length ? `and the emoji of the original text (${r.options.emoji.join(', ')}) ` : '') +
      (r.options.stems?.length ? `and light stems of Latin words (${r.options.stems.join(', ')}: -ing, -er, -ed, -in, -es, -s, -y stripped) ` : '') +
      `(2^${r.options.bits} buckets, int8 weights), Adagrad, ${r.options.epochs} epochs, the mean of ${r.options.seeds ?? 1} runs with shuffling seeds from ${r.options.seed}; Platt-calibrated on a 10% calibration split; ` +
      'figures on the 20% of each source held back (never trained on, never used for calibration).',
    '',
  );
  out.push(
    "In-domain negatives: the clean posts of Mizan's demo generator (jobs/connectors/demo.ts, six months, deduplicated) are added as a source of their own, labelled clean for every head: without them the Arabic model read formal government vocabulary (job offers, agreements, app releases) as offensive. They are split like the others; the headline figures below leave them out.",
    '',
  );
  if (Object.keys(r.trainOnly).length > 0)
    out.push(
      `In-domain hard negatives: the clean posts of the development corpus (\`test/fixtures/corpus\`, posts without labels, its adversarial ones included: animals named literally, "Killer presentation", "Scunthorpe") are added to the training split only, labelled clean for every head, weight ${CORPUS_WEIGHT} each (chosen on the calibration split): ` +
        Object.entries(r.trainOnly).map(([lang, n]) => `${n} ${lang === 'ar' ? 'Arabic' : 'English'} rows`).join(', ') +
        '. The corpus was written for the rulebook and tuned on already. `test/fixtures/heldout` and `test/fixtures/blind` are never trained on: they measure the clean-post budget below.',
      '',
    );
  out.push('Training data: `../shared/training` — OSACT 2020 and OSACT 2022 shared tasks (Mubarak et al.), OLID v1.0 (Zampieri et al. 2019), Davidson et al. 2017. Research data sets published by their authors for research use.', '');
  out.push('| split | ' + Object.keys(r.splits.train).sort().join(' | ') + ' |');
  out.push('|---|' + Object.keys(r.splits.train).map(() => '---:').join('|') + '|');
  for (const s of ['train', 'cal', 'held'] as const) out.push(`| ${s} | ` + Object.keys(r.splits.train).sort().map((k) => String(r.splits[s][k] ?? 0)).join(' | ') + ' |');
  out.push('', '## Held-back figures (at the firing threshold)', '');
  out.push('Headline figures are on the public sources only (the demo posts left out); macro-F1 is the mean F1 of the offensive and the not-offensive class. The firing thresholds are high because the model only adds to the rulebook (rulebook + model must stay under the false-alarm ceiling below) and because the project\'s clean sets include adversarial hard negatives (animals, "Scunthorpe", "Moby Dick", a gardener\'s hoe) that a bag-of-n-grams model cannot tell from insults: the model is a recall aid for what the rulebook misses, not a judge. `npm run eval` shows what rulebook + model achieve together.', '');
  out.push('| lang | head → rule | n | positives | precision | recall | F1 | macro-F1 | false alarms | AUC | fire ≥ p | high ≥ p | project clean posts flagged |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const h of r.heads) {
    const f = h.held;
    out.push(
      `| ${h.lang} | ${h.head} → \`${h.rule}\` | ${f.n} | ${f.positives} | ${pct(f.precision)} | ${pct(f.recall)} | ${pct(f.f1)} | ${pct(f.macro_f1)} | ${pct(f.false_alarm_rate)}% | ${f.auc.toFixed(3)} | ${h.fire.toFixed(3)} | ${h.high > 1 ? 'never' : h.high.toFixed(3)} | ${h.cleanFlagged} |`,
    );
  }
  out.push('', 'Per source (offensive head):', '');
  out.push('| lang | source | n | precision | recall | F1 | macro-F1 | false alarms | AUC |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const h of r.heads.filter((x) => x.head === 'offensive'))
    for (const [s, f] of Object.entries(h.bySource))
      out.push(
        f.positives === 0
          ? `| ${h.lang} | ${s} | ${f.n} | – | – | – | – | ${pct(f.false_alarm_rate)}% | – |`
          : `| ${h.lang} | ${s} | ${f.n} | ${pct(f.precision)} | ${pct(f.recall)} | ${pct(f.f1)} | ${pct(f.macro_f1)} | ${pct(f.false_alarm_rate)}% | ${f.auc.toFixed(3)} |`,
      );
  out.push('', '## Thresholds', '');
  out.push(
    (Object.keys(r.calChoice).length > 0
      ? `The offensive head fires (a \`medium\` finding, for review) at the probability (from ${MIN_FIRE} in steps of 0.005) at which the rulebook and the model together reach the highest mean macro-F1 over the public sources of the calibration split with at most ${Object.entries(MAX_FALSE_ALARMS).map(([l, v]) => `${pct(v)}% (${l})`).join(', ')} false alarms there (the issue's ceiling is 5% for Arabic; it sets none for English): ` +
        Object.entries(r.calChoice)
          .map(([l, t]) => {
            const fire = r.heads.find((h) => h.lang === l && h.head === 'offensive')?.fire ?? t!;
            return `${l} ${t!.toFixed(3)}` + (fire > t! ? ` (raised to ${fire.toFixed(3)} by the clean-post budget)` : ' (the clean-post budget did not raise it)');
          })
          .join(', ') +
        '; the other heads at the probability that maximizes their F1 there, never below the threshold chosen there for the offensive head of their language (the clean-post budget below may then raise the offensive head above them). Each is '
      : 'A head fires (a `medium` finding, for review) at the probability that maximizes F1 on the calibration split, ') +
      `raised where needed (never below ${MIN_FIRE}) so that at most ${pct(CLEAN_BUDGET)}% of the project's clean posts ` +
      `in each labelled set and language are flagged, the rulebook's own false alarms there counted first (the floors' ceiling; posts without labels in test/fixtures/corpus, heldout and blind; a group of fewer than ${Math.ceil(1 / CLEAN_BUDGET)} posts allows none; posts the rulebook keeps the model silent on — a rule finding of the offensive family, or an offensive word in a context a rule's exceptions or negations know to be clean — do not count, as the engine never shows a model finding there): it flags ${r.clean.flagged} of ${r.clean.posts} (${pct(r.clean.rate)}%). ` +
      `A finding is \`high\` at or above the lowest probability whose precision on the calibration split is ≥ ${pct(HIGH_PRECISION)}% (at least 10 hits), and at least halfway from the firing threshold to 1 (so \`medium\` stays the default); "never" when none reaches it.`,
    '',
  );
  out.push('### What a lower threshold would give', '');
  out.push(
    'The offensive head alone at its firing threshold (first row of each language) and at lower ones: macro-F1 and false alarms on the held-back split per source, and the project\'s clean posts it would flag per set (silenced and rule-flagged posts left out of the count, not of the total). Not used to choose anything: it shows what the clean-post budget costs.',
    '',
  );
  for (const lang of [...new Set(r.tradeoff.map((t) => t.lang))]) {
    const rows = r.tradeoff.filter((t) => t.lang === lang);
    const tsources = Object.keys(rows[0].bySource);
    out.push(`| ${lang}: fire ≥ p | ` + tsources.map((x) => `${x}: macro-F1 / false alarms`).join(' | ') + ' | clean posts flagged |');
    out.push('|---:|' + tsources.map(() => '---:').join('|') + '|---|');
    for (const t of rows)
      out.push(
        `| ${t.threshold.toFixed(3)} | ` +
          tsources.map((x) => `${pct(t.bySource[x].macro_f1)} / ${pct(t.bySource[x].false_alarm_rate)}%`).join(' | ') +
          ` | ${Object.entries(t.clean).map(([g, v]) => `${g} ${v}`).join(', ')} |`,
      );
    out.push('');
  }
  out.push('### The clean posts that set the offensive threshold', '');
  out.push(
    'The project\'s clean posts the offensive head scores highest (posts the rulebook flags or silences the model on left out): where the clean-post budget raised a threshold, those at and just under it are what holds it up; elsewhere they show how close the chosen threshold comes to them. They are mostly literal uses of words that are insults in tweets (animals, "damn", "hoe", "stupid" said of oneself), which a bag of n-grams cannot tell from the insult.',
    '',
  );
  out.push('| lang | set | p | fires | post |');
  out.push('|---|---|---:|---|---|');
  for (const c of r.topClean) {
    const fire = r.heads.find((h) => h.lang === c.lang && h.head === 'offensive')?.fire ?? 1;
    out.push(`| ${c.lang} | ${c.group.split('/')[0]} | ${c.p.toFixed(3)} | ${c.p >= fire ? 'yes' : 'no'} | ${c.text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 90)} |`);
  }
  out.push('');
  if (before) {
    out.push("## Reviewers' decisions", '');
    out.push(
      `${r.decisions.examples} reviewed findings → ${r.decisions.rows} training rows (${r.decisions.positives} positive and ${r.decisions.negatives} negative head labels, weight ${DECISION_WEIGHT}), added to the training split only.`,
      '',
    );
    out.push('| lang | head | F1 before | F1 after | false alarms before | after | clean flagged before | after |');
    out.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const h of r.heads) {
      const b = before.heads.find((x) => x.lang === h.lang && x.head === h.head);
      if (!b) continue;
      out.push(`| ${h.lang} | ${h.head} | ${pct(b.held.f1)} | ${pct(h.held.f1)} | ${pct(b.held.false_alarm_rate)}% | ${pct(h.held.false_alarm_rate)}% | ${b.cleanFlagged} | ${h.cleanFlagged} |`);
    }
    out.push('', `Model version before: \`${before.model.version}\`, after: \`${r.model.version}\`.`, '');
  }
  return out.join('\n') + '\n';
}
