// Evaluates the scoring engine against the labelled development corpus (test/fixtures/corpus/*.jsonl).
//
//   npm run eval                      table of precision / recall / F1 per category, micro and macro,
//                                     and the flag rate on clean posts (overall, Arabic, English)
//   npm run eval -- --json            the same figures as JSON (used by test/unit/eval.test.ts)
//   npm run eval -- --errors [cat]    false positives / negatives with the words the engine matched
//   npm run eval -- --dir <path>      another corpus directory
//   npm run eval -- --no-heldback     leave out the held-back 20% of the training data
//
// Then, for the project's held-out and blind sets (test/fixtures/heldout, blind), the figures the issue's
// acceptance asks for: personal data on their PII file, government posts' mean category F1 and clean share flagged.
//
// The table is printed three times: the rulebook alone, the model alone and both (what Mizan runs),
// then the offensive-language figures on the held-back 20% of each training source (never trained on;
// ../shared/training, when present), for the same three. `--json` gives the figures of both, as before.
//
// Post-level evaluation: for each category, a post is a true positive when the category is in its
// labels and the engine returned at least one finding in that category; a false positive when the
// engine did and the label is absent; a false negative when the label is present and the engine found
// nothing in that category. `disclaimer` is account-level and not evaluated here.
// A clean post (no labels) counts as flagged when the engine returns any finding in a post category.
// Always exits 0 (it reports, it does not judge); the floor lives in test/unit/eval.test.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { loadRulebook, modelOf, scoreModelOnly, scorePost, type Rulebook } from './engine.ts';
import { DEMO_SOURCE, demoNegativeRows } from './model/demo-negatives.ts';
import { binaryFigures, readTrainingRows, splitRows, type BinaryFigures, type Label, type TrainRow } from './model/train-core.ts';
import { CATEGORIES, type AccountType, type Category, type Finding, type Lang, type ScoreInput, type ScoreResult } from './types.ts';

/** Every category but the account-level `disclaimer`: the ones a post can be labelled with. */
export type PostCategory = Exclude<Category, 'disclaimer'>;
export const POST_CATEGORIES = CATEGORIES.filter((c): c is PostCategory => c !== 'disclaimer');

export const DEFAULT_CORPUS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/corpus');

export interface CorpusPost {
  id: string;
  text: string;
  lang: Lang;
  account_type: AccountType;
  labels: PostCategory[];
  /** file the post came from (set by the loader) */
  file?: string;
}

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}
export interface CategoryFigures extends Prf {
  tp: number;
  fp: number;
  fn: number;
  /** number of posts labelled with the category */
  support: number;
}
export interface RateFigures {
  posts: number;
  flagged: number;
  rate: number;
}
export interface EvalFigures {
  posts: number;
  clean_posts: number;
  categories: Record<PostCategory, CategoryFigures>;
  micro: Prf & { tp: number; fp: number; fn: number };
  macro: Prf;
  clean_flag_rate: { overall: RateFigures; ar: RateFigures; en: RateFigures };
  /** share of clean posts whose verdict is not `clean` (close to clean_flag_rate; kept for reference) */
  clean_non_clean_verdict_rate: number;
}
export interface EvalError {
  kind: 'FP' | 'FN';
  category: PostCategory;
  post: CorpusPost;
  /** findings of the engine in this category (FP) or in any category (FN) */
  findings: Finding[];
}
export interface EvalResult {
  figures: EvalFigures;
  errors: EvalError[];
}

const isPostCategory = (c: string): c is PostCategory => (POST_CATEGORIES as readonly string[]).includes(c);

/** Loads every *.jsonl file of the corpus directory, in file-name order; validates each line. */
export function loadCorpus(dir: string = DEFAULT_CORPUS_DIR): CorpusPost[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  if (files.length === 0) throw new Error(`no *.jsonl corpus files in ${dir}`);
  const posts: CorpusPost[] = [];
  const ids = new Set<string>();
  for (const file of files) {
    const lines = readFileSync(join(dir, file), 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const where = `${file}:${i + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (e) {
        throw new Error(`${where}: invalid JSON (${(e as Error).message})`);
      }
      const p = raw as CorpusPost;
      if (typeof p.id !== 'string' || typeof p.text !== 'string' || !p.text) throw new Error(`${where}: id and text are required`);
      if (ids.has(p.id)) throw new Error(`${where}: duplicate id ${p.id}`);
      if (p.lang !== 'ar' && p.lang !== 'en') throw new Error(`${where}: lang must be ar or en`);
      if (!['official', 'executive', 'employee'].includes(p.account_type)) throw new Error(`${where}: bad account_type`);
      if (!Array.isArray(p.labels) || !p.labels.every((l) => typeof l === 'string' && isPostCategory(l)))
        throw new Error(`${where}: labels must be post categories (${POST_CATEGORIES.join(', ')})`);
      ids.add(p.id);
      posts.push({ id: p.id, text: p.text, lang: p.lang, account_type: p.account_type, labels: [...new Set(p.labels)], file });
    });
  }
  return posts;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const f1 = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
const round = (x: number): number => Math.round(x * 10000) / 10000;

export type ScoreFn = (input: ScoreInput) => ScoreResult;

/** Scores every post with `score` and computes the figures. Pure apart from calling `score`. */
export function evaluate(posts: readonly CorpusPost[], score: ScoreFn): EvalResult {
  const counts = Object.fromEntries(POST_CATEGORIES.map((c) => [c, { tp: 0, fp: 0, fn: 0, support: 0 }])) as Record<
    PostCategory,
    { tp: number; fp: number; fn: number; support: number }
  >;
  const rates = { overall: { posts: 0, flagged: 0 }, ar: { posts: 0, flagged: 0 }, en: { posts: 0, flagged: 0 } };
  let cleanNonCleanVerdict = 0;
  const errors: EvalError[] = [];

  for (const post of posts) {
    const result = score({ text: post.text, lang: post.lang, accountType: post.account_type });
    const findings = result.findings.filter((f) => isPostCategory(f.category));
    const found = new Set(findings.map((f) => f.category as PostCategory));
    const labels = new Set(post.labels);
    for (const c of POST_CATEGORIES) {
      const gold = labels.has(c);
      const hit = found.has(c);
      if (gold) counts[c].support++;
      if (gold && hit) counts[c].tp++;
      else if (!gold && hit) {
        counts[c].fp++;
        errors.push({ kind: 'FP', category: c, post, findings: findings.filter((f) => f.category === c) });
      } else if (gold && !hit) {
        counts[c].fn++;
        errors.push({ kind: 'FN', category: c, post, findings });
      }
    }
    if (labels.size === 0) {
      const flagged = found.size > 0 ? 1 : 0;
      rates.overall.posts++;
      rates.overall.flagged += flagged;
      rates[post.lang].posts++;
      rates[post.lang].flagged += flagged;
      if (result.verdict !== 'clean') cleanNonCleanVerdict++;
    }
  }

  const categories = {} as Record<PostCategory, CategoryFigures>;
  let TP = 0;
  let FP = 0;
  let FN = 0;
  for (const c of POST_CATEGORIES) {
    const { tp, fp, fn, support } = counts[c];
    TP += tp;
    FP += fp;
    FN += fn;
    const precision = ratio(tp, tp + fp);
    const recall = ratio(tp, tp + fn);
    categories[c] = { tp, fp, fn, support, precision: round(precision), recall: round(recall), f1: round(f1(precision, recall)) };
  }
  const microP = ratio(TP, TP + FP);
  const microR = ratio(TP, TP + FN);
  const mean = (k: keyof Prf): number => POST_CATEGORIES.reduce((s, c) => s + categories[c][k], 0) / POST_CATEGORIES.length;
  const rate = (r: { posts: number; flagged: number }): RateFigures => ({ ...r, rate: round(ratio(r.flagged, r.posts)) });

  return {
    figures: {
      posts: posts.length,
      clean_posts: rates.overall.posts,
      categories,
      micro: { tp: TP, fp: FP, fn: FN, precision: round(microP), recall: round(microR), f1: round(f1(microP, microR)) },
      macro: { precision: round(mean('precision')), recall: round(mean('recall')), f1: round(mean('f1')) },
      clean_flag_rate: { overall: rate(rates.overall), ar: rate(rates.ar), en: rate(rates.en) },
      clean_non_clean_verdict_rate: round(ratio(cleanNonCleanVerdict, rates.overall.posts)),
    },
    errors,
  };
}

export type EvalMode = 'rules' | 'model' | 'both';
export const EVAL_MODES: readonly EvalMode[] = ['rules', 'model', 'both'];
const MODE_TITLE: Record<EvalMode, string> = { rules: 'rulebook alone', model: 'model alone', both: 'rulebook + model' };

const books = new Map<EvalMode, Rulebook>();
/** The scoring function of a mode: the rulebook without the model, the model without rules, or both. */
export function scorerFor(mode: EvalMode = 'both'): ScoreFn {
  let rb = books.get(mode);
  if (!rb) books.set(mode, (rb = loadRulebook(undefined, mode === 'rules' ? { model: null } : {})));
  if (mode !== 'model') return (input) => scorePost(rb, input);
  const model = modelOf(rb);
  if (!model) throw new Error('no model: run npm run train');
  return (input) => scoreModelOnly(model, input);
}

/** Loads the rulebook and the corpus and evaluates the engine (what `npm run eval` and the test run). */
export function runEval(dir: string = DEFAULT_CORPUS_DIR, mode: EvalMode = 'both'): EvalResult {
  return evaluate(loadCorpus(dir), scorerFor(mode));
}

// ---------------------------------------------------------------- the held-back split of the training data
export const TRAINING_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/training');
/** Categories a finding may be in for a post to count as flagged offensive (the training data's label). */
export const OFFENSIVE_CATEGORIES: ReadonlySet<string> = new Set(['abuse', 'beliefs', 'public_morals']);

export interface HeldBackFigures {
  source: string;
  lang: Lang;
  /** offensive label against "any finding in abuse, beliefs or public_morals" */
  offensive: BinaryFigures;
}

/** The held-back rows (20% per source, never trained on), or null when the training data is absent. */
export function heldBackRows(dir: string = TRAINING_DIR): TrainRow[] | null {
  if (!existsSync(dir)) return null;
  return splitRows([...readTrainingRows(dir), ...demoNegativeRows()]).held;
}

/** Offensive-language figures per source and language on the held-back split, for one mode. */
export function evaluateHeldBack(rows: readonly TrainRow[], mode: EvalMode = 'both'): HeldBackFigures[] {
  const score = scorerFor(mode);
  const groups = new Map<string, { source: string; lang: Lang; p: number[]; y: Label[] }>();
  for (const r of rows) {
    const y = r.labels.offensive;
    if (y === undefined) continue;
    const key = `${r.source}\u0000${r.lang}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { source: r.source, lang: r.lang, p: [], y: [] }));
    const hit = score({ text: r.text, lang: r.lang }).findings.some((f) => OFFENSIVE_CATEGORIES.has(f.category));
    g.p.push(hit ? 1 : 0);
    g.y.push(y);
  }
  return [...groups.values()]
    .sort((a, b) => (a.source === DEMO_SOURCE ? 1 : 0) - (b.source === DEMO_SOURCE ? 1 : 0) || a.lang.localeCompare(b.lang) || a.source.localeCompare(b.source))
    .map((g) => ({ source: g.source, lang: g.lang, offensive: binaryFigures(g.p, g.y, 0.5) }));
}

export function formatHeldBack(byMode: Record<EvalMode, HeldBackFigures[]>): string {
  const out: string[] = [];
  const head = `${'source'.padEnd(48)}${'lang'.padEnd(6)}${'mode'.padEnd(18)}${'n'.padStart(6)}${'prec%'.padStart(8)}${'rec%'.padStart(8)}${'F1%'.padStart(8)}${'macroF1%'.padStart(10)}${'false al.%'.padStart(12)}`;
  out.push('Held-back 20% of the training data (offensive = any finding in abuse, beliefs or public_morals)', '', head, '-'.repeat(head.length));
  for (const [i, row] of byMode.both.entries()) {
    for (const mode of EVAL_MODES) {
      const f = byMode[mode][i].offensive;
      out.push(
        `${(mode === 'rules' ? row.source.slice(0, 46) : '').padEnd(48)}${(mode === 'rules' ? row.lang : '').padEnd(6)}${MODE_TITLE[mode].padEnd(18)}${String(f.n).padStart(6)}  ${pct(f.precision)}  ${pct(f.recall)}  ${pct(f.f1)}    ${pct(f.macro_f1)}      ${pct(f.false_alarm_rate)}`,
      );
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- the project's held-out and blind sets, measured like the issue's acceptance
export const PROJECT_SETS = ['heldout', 'blind'].map((d) => resolve(DEFAULT_CORPUS_DIR, '..', d));
/** Files of a set by what they hold: personal data spellings, and government posts (by file name). */
const PII_FILE = /^(pii|personal_data)\.jsonl$/;
const GOV_FILE = /^gov(_posts)?\.jsonl$/;

export interface AcceptanceFigures {
  set: string;
  mode: EvalMode;
  /** personal_data on the PII file, post level (a post counts when any finding is personal_data) */
  pii: Prf & { posts: number };
  /** government posts: mean F1 of the categories labelled there, and the share of their clean posts flagged */
  gov: { posts: number; mean_category_f1: number; categories: number; clean: RateFigures };
}

/** PII and government-post figures of one project set (post level: the sets have no span labels). */
export function evaluateAcceptance(dir: string, mode: EvalMode): AcceptanceFigures {
  const posts = loadCorpus(dir);
  const score = scorerFor(mode);
  const pii = evaluate(posts.filter((p) => PII_FILE.test(p.file ?? '')), score).figures.categories.personal_data;
  const govPosts = posts.filter((p) => GOV_FILE.test(p.file ?? ''));
  const gov = evaluate(govPosts, score).figures;
  const present = POST_CATEGORIES.filter((c) => gov.categories[c].support > 0);
  const mean = present.length ? present.reduce((s, c) => s + gov.categories[c].f1, 0) / present.length : 0;
  return {
    set: dir.split(/[\\/]/).pop()!,
    mode,
    pii: { posts: pii.support, precision: pii.precision, recall: pii.recall, f1: pii.f1 },
    gov: { posts: govPosts.length, mean_category_f1: round(mean), categories: present.length, clean: gov.clean_flag_rate.overall },
  };
}

export function formatAcceptance(rows: readonly AcceptanceFigures[]): string {
  const out = ["Project sets measured like the issue's acceptance (post level): personal data on the PII file (target recall ≥ 90% at precision ≥ 95%), government posts (target mean category F1 ≥ 75%, ≤ 2% of clean posts flagged)", ''];
  const head = `${'set'.padEnd(10)}${'mode'.padEnd(18)}${'PII posts'.padStart(10)}${'prec%'.padStart(8)}${'rec%'.padStart(8)}${'gov posts'.padStart(11)}${'mean cat. F1%'.padStart(15)}${'clean flagged'.padStart(16)}`;
  out.push(head, '-'.repeat(head.length));
  for (const r of rows)
    out.push(
      `${r.set.padEnd(10)}${MODE_TITLE[r.mode].padEnd(18)}${String(r.pii.posts).padStart(10)}  ${pct(r.pii.precision)}  ${pct(r.pii.recall)}${String(r.gov.posts).padStart(11)}${pct(r.gov.mean_category_f1).padStart(15)}${`${r.gov.clean.flagged}/${r.gov.clean.posts} ${pct(r.gov.clean.rate).trim()}%`.padStart(16)}`,
    );
  return out.join('\n');
}

// ---------------------------------------------------------------- printing
const pct = (x: number): string => (x * 100).toFixed(1).padStart(6);

export function formatTable(f: EvalFigures, title = 'Mizan engine evaluation'): string {
  const out: string[] = [];
  const head = `${'category'.padEnd(20)}${'support'.padStart(8)}${'tp'.padStart(6)}${'fp'.padStart(6)}${'fn'.padStart(6)}${'prec%'.padStart(8)}${'rec%'.padStart(8)}${'F1%'.padStart(8)}`;
  out.push(`${title} — ${f.posts} posts (${f.clean_posts} clean)`, '', head, '-'.repeat(head.length));
  for (const c of POST_CATEGORIES) {
    const x = f.categories[c];
    out.push(
      `${c.padEnd(20)}${String(x.support).padStart(8)}${String(x.tp).padStart(6)}${String(x.fp).padStart(6)}${String(x.fn).padStart(6)}  ${pct(x.precision)}  ${pct(x.recall)}  ${pct(x.f1)}`,
    );
  }
  out.push('-'.repeat(head.length));
  const m = f.micro;
  out.push(
    `${'micro'.padEnd(20)}${''.padStart(8)}${String(m.tp).padStart(6)}${String(m.fp).padStart(6)}${String(m.fn).padStart(6)}  ${pct(m.precision)}  ${pct(m.recall)}  ${pct(m.f1)}`,
  );
  out.push(`${'macro'.padEnd(20)}${''.padStart(26)}  ${pct(f.macro.precision)}  ${pct(f.macro.recall)}  ${pct(f.macro.f1)}`);
  out.push('');
  out.push('Flag rate on clean posts (any finding in a post category):');
  for (const k of ['overall', 'ar', 'en'] as const) {
    const r = f.clean_flag_rate[k];
    out.push(`  ${k.padEnd(8)} ${pct(r.rate)}%  (${r.flagged} of ${r.posts})`);
  }
  out.push(`  verdict other than clean on clean posts: ${pct(f.clean_non_clean_verdict_rate).trim()}%`);
  return out.join('\n');
}

const oneLine = (s: string, max = 160): string => {
  const t = s.replace(/\s+/g, ' ');
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
};

export function formatErrors(errors: readonly EvalError[], category?: PostCategory): string {
  const out: string[] = [];
  for (const kind of ['FP', 'FN'] as const) {
    const list = errors.filter((e) => e.kind === kind && (!category || e.category === category));
    out.push(`${kind === 'FP' ? 'False positives' : 'False negatives'}${category ? ` (${category})` : ''}: ${list.length}`);
    for (const e of list) {
      const matched = e.findings.length
        ? e.findings.map((f) => `${kind === 'FN' ? f.category + ':' : ''}${f.rule} «${f.match}»`).join('; ')
        : '(no findings)';
      out.push(`  ${kind} ${e.category.padEnd(18)} ${e.post.id} [${e.post.lang}/${e.post.account_type}] labels=${e.post.labels.join('+') || 'clean'}`);
      out.push(`      ${oneLine(e.post.text)}`);
      out.push(`      engine: ${matched}`);
    }
    out.push('');
  }
  return out.join('\n');
}

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const dirIdx = argv.indexOf('--dir');
  const dir = dirIdx >= 0 && argv[dirIdx + 1] ? resolve(argv[dirIdx + 1]) : DEFAULT_CORPUS_DIR;
  const errIdx = argv.indexOf('--errors');
  let errCategory: PostCategory | undefined;
  if (errIdx >= 0 && argv[errIdx + 1] && !argv[errIdx + 1].startsWith('--')) {
    const c = argv[errIdx + 1];
    if (!isPostCategory(c)) {
      console.error(`unknown category "${c}"; one of: ${POST_CATEGORIES.join(', ')}`);
      process.exitCode = 2;
      return;
    }
    errCategory = c;
  }
  const { figures, errors } = runEval(dir);
  if (json) {
    console.log(JSON.stringify(figures, null, 2));
    return;
  }
  if (errIdx >= 0) {
    console.log(formatErrors(errors, errCategory));
  }
  const posts = loadCorpus(dir);
  for (const mode of ['rules', 'model'] as const) console.log(formatTable(evaluate(posts, scorerFor(mode)).figures, `${MODE_TITLE[mode]}: ${dir}`) + '\n');
  console.log(formatTable(figures, `${MODE_TITLE.both}: ${dir}`));
  const sets = PROJECT_SETS.filter((d) => existsSync(d));
  if (sets.length) console.log('\n' + formatAcceptance(sets.flatMap((d) => (['rules', 'both'] as const).map((m) => evaluateAcceptance(d, m)))));
  if (argv.includes('--no-heldback')) return;
  const rows = heldBackRows();
  if (!rows) {
    console.log(`\n(held-back split left out: no training data in ${TRAINING_DIR})`);
    return;
  }
  const byMode = Object.fromEntries(EVAL_MODES.map((m) => [m, evaluateHeldBack(rows, m)])) as Record<EvalMode, HeldBackFigures[]>;
  console.log('\n' + formatHeldBack(byMode));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
