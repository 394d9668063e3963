// npm run train [-- --with-decisions] [--data DIR] [--out FILE] [--report FILE] [--limit N] [--bits B] [--emoji ar,en] [--stems en]
//
// Trains the bilingual classifier from ../shared/training/*.jsonl (never copied into the repository)
// and writes the artifact (jobs/scoring/model/model.bin) and its training report
// (jobs/scoring/model/REPORT.md). Deterministic: the same data and options give the same bytes.
//
// The clean posts of Mizan's demo generator are added as in-domain negatives (--no-demo leaves them out),
// and the clean posts of the development corpus (test/fixtures/corpus) as hard negatives, to the training
// split only (--no-corpus leaves them out); test/fixtures/heldout and blind are never trained on.
// --emoji LANGS gives those language models the emoji of the original text as features (off by default:
// see DEFAULT_OPTIONS in model/train-core.ts).
// --stems LANGS gives those language models the light stems of Latin words as features (default: en;
// `--stems ''` leaves them out).
// The offensive heads' thresholds are chosen for rulebook + model (the rulebook's view of each
// calibration row: see ruleViewOf).
// --with-decisions also reads reviewers' decisions from the database (DATABASE_URL, or the embedded
// data directory, through the same configuration as the CLI) and adds them as labelled examples; the
// report then compares the figures before and after.

import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createDb } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listDecisionExamples, type DecisionExample } from '../../db/queries/reviews.ts';
import { loadConfig } from '../config.ts';
import { loadRulebook, rulesSilenceModel, scorePost } from './engine.ts';
import { DEFAULT_CORPUS_DIR, loadCorpus, OFFENSIVE_CATEGORIES } from './eval.ts';
import { corpusNegativeRows } from './model/corpus-rows.ts';
import { buildModel, formatReport, type BuildResult } from './model/build.ts';
import { MODEL_FILE } from './model/model.ts';
import { demoNegativeRows } from './model/demo-negatives.ts';
import { readTrainingRows, type TrainRow } from './model/train-core.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_TRAINING_DIR = resolve(HERE, '../../../shared/training');
export const DEFAULT_REPORT = join(HERE, 'model', 'REPORT.md');

/** The project's labelled sets whose clean posts the thresholds keep clean (each guarded in test/unit/eval.test.ts). */
export const CLEAN_SETS = ['corpus', 'heldout', 'blind'].map((d) => resolve(DEFAULT_CORPUS_DIR, '..', d));

/**
 * The project's clean posts (posts without labels of every set), grouped by set and language, without
 * those the rulebook keeps the model silent on (see rulesSilenceModel): the model never flags them.
 */
export function cleanCorpusPosts(dirs: readonly string[] = CLEAN_SETS): { text: string; lang: 'ar' | 'en'; group: string; silenced: boolean; ruleFlagged: boolean }[] {
  const rules = loadRulebook(undefined, { model: null });
  return dirs.flatMap((dir) =>
    loadCorpus(dir)
      .filter((p) => p.labels.length === 0)
      .map((p) => {
        const input = { text: p.text, lang: p.lang, accountType: p.account_type };
        // a rule's false alarm on a clean post uses up the set's budget before the model's
        const ruleFlagged = scorePost(rules, input).findings.some((f) => f.category !== 'disclaimer');
        return { text: p.text, lang: p.lang, group: `${basename(dir)}/${p.lang}`, silenced: rulesSilenceModel(rules, input), ruleFlagged };
      }),
  );
}

/**
 * What the rulebook alone does with a text (for choosing the offensive threshold of rulebook + model):
 * 1 = flags it offensive (a finding in abuse, beliefs or public morals, as npm run eval counts), 2 = keeps
 * the model silent without flagging it offensive, 0 = leaves it to the model.
 */
export function ruleViewOf(): (text: string, lang: 'ar' | 'en') => 0 | 1 | 2 {
  const rules = loadRulebook(undefined, { model: null });
  return (text, lang) => {
    const input = { text, lang };
    if (scorePost(rules, input).findings.some((f) => OFFENSIVE_CATEGORIES.has(f.category))) return 1;
    return rulesSilenceModel(rules, input) ? 2 : 0;
  };
}

/** The first `limit` rows of each source (for quick runs and tests). */
export function limitRows(rows: readonly TrainRow[], limit: number): TrainRow[] {
  const seen = new Map<string, number>();
  return rows.filter((r) => {
    const n = seen.get(r.source) ?? 0;
    seen.set(r.source, n + 1);
    return n < limit;
  });
}

export async function readDecisions(): Promise<DecisionExample[]> {
  const config = loadConfig();
  const handle = await createDb({ databaseUrl: config.DATABASE_URL, dataDir: config.MIZAN_DATA_DIR });
  try {
    await migrateToLatest(handle.db);
    return await listDecisionExamples(handle.db);
  } finally {
    await handle.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'with-decisions': { type: 'boolean', default: false },
      data: { type: 'string', default: DEFAULT_TRAINING_DIR },
      out: { type: 'string', default: MODEL_FILE },
      report: { type: 'string', default: DEFAULT_REPORT },
      limit: { type: 'string' },
      bits: { type: 'string' },
      emoji: { type: 'string' },
      stems: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
      'no-corpus': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const log = (m: string) => console.error(m);
  let rows = readTrainingRows(values.data!);
  if (!values['no-demo']) rows = [...rows, ...demoNegativeRows()];
  if (values.limit) rows = limitRows(rows, Number(values.limit));
  log(`training rows: ${rows.length} from ${values.data}`);
  const cleanPosts = cleanCorpusPosts();
  const trainOnly = values['no-corpus'] ? [] : corpusNegativeRows(loadCorpus(DEFAULT_CORPUS_DIR));
  log(`development corpus clean posts (training only): ${trainOnly.length} rows`);
  const ruleView = ruleViewOf();
  const options: { bits?: number; emoji?: ('ar' | 'en')[]; stems?: ('ar' | 'en')[] } = values.bits ? { bits: Number(values.bits) } : {};
  for (const flag of ['emoji', 'stems'] as const) {
    const v = values[flag];
    if (v === undefined) continue;
    const langs = v.split(',').filter((l) => l !== '');
    for (const l of langs) if (l !== 'ar' && l !== 'en') throw new Error(`--${flag}: unknown language ${l} (ar, en)`);
    options[flag] = langs as ('ar' | 'en')[];
  }
  const command = 'npm run train' + (argv.length ? ' -- ' + argv.join(' ') : '');
  let before: BuildResult | undefined;
  let result: BuildResult;
  if (values['with-decisions']) {
    const decisions = await readDecisions();
    log(`reviewers' decisions: ${decisions.length}`);
    before = buildModel({ rows, cleanPosts, trainOnly, ruleView, options, log });
    result = buildModel({ rows, cleanPosts, decisions, trainOnly, ruleView, options, log });
  } else result = buildModel({ rows, cleanPosts, trainOnly, ruleView, options, log });
  writeFileSync(values.out!, result.bytes);
  writeFileSync(values.report!, formatReport(result, command, before));
  log(`model ${result.model.version}: ${values.out} (${(result.bytes.length / 1024).toFixed(0)} KiB), report ${values.report}`);
  for (const h of result.heads)
    log(
      `  ${h.lang} ${h.head.padEnd(13)} P ${h.held.precision.toFixed(3)} R ${h.held.recall.toFixed(3)} F1 ${h.held.f1.toFixed(3)} macro-F1 ${h.held.macro_f1.toFixed(3)} FA ${(h.held.false_alarm_rate * 100).toFixed(1)}% AUC ${h.held.auc.toFixed(3)} fire ${h.fire.toFixed(3)} high ${h.high > 1 ? 'never' : h.high.toFixed(3)} clean ${h.cleanFlagged}`,
    );
  log(`  clean corpus posts flagged by the model alone: ${result.clean.flagged} of ${result.clean.posts}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
