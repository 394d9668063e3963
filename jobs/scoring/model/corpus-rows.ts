// In-domain hard negatives: the clean posts of the development corpus (test/fixtures/corpus), official
// writing in Arabic and English, including its adversarial ones (animals named literally, "Scunthorpe",
// "Killer presentation", a gardener's hoe). They are added to the training split only, with a weight, and
// labelled clean for every head. The corpus was written for the rulebook and is tuned on already, so
// training on it costs no independent measurement; test/fixtures/heldout and test/fixtures/blind stay
// out of training: they remain the measurement sets of the clean-post budget.
//
// The weight was chosen on the calibration split (rulebook + model, mean macro-F1 of the public sources):
// 10, 20 and 50 with 2, 4 and 6 epochs gave 0.768–0.782 (Arabic) and 0.766–0.776 (English); 50 with 6
// epochs was best on both. The corpus's offensive posts as positives too lowered the Arabic figure (0.743).

import { normalize } from '../normalize.ts';
import { scriptCounts } from './features.ts';
import { LANG_HEADS } from './heads.ts';
import type { Label, TrainRow } from './train-core.ts';

export const CORPUS_SOURCE = 'Mizan development corpus (clean posts; training only)';
/** example weight of one clean corpus post (a public tweet weighs 1) */
export const CORPUS_WEIGHT = 50;

export interface CorpusLike {
  id: string;
  text: string;
  labels: readonly string[];
}

/** The posts without labels, one row per language with at least two tokens of its script. */
export function corpusNegativeRows(posts: readonly CorpusLike[], weight = CORPUS_WEIGHT): TrainRow[] {
  const rows: TrainRow[] = [];
  for (const p of posts) {
    if (p.labels.length > 0) continue;
    const counts = scriptCounts(normalize(p.text));
    for (const lang of ['ar', 'en'] as const) {
      if (counts[lang] < 2) continue;
      const labels = Object.fromEntries(LANG_HEADS[lang].map((h) => [h, 0 as Label]));
      rows.push({ id: `corpus-${p.id}-${lang}`, text: p.text, lang, source: CORPUS_SOURCE, labels, weight, inDomain: true });
    }
  }
  return rows;
}
