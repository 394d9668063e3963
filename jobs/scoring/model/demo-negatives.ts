// In-domain negatives: the clean posts of Mizan's own demo generator (jobs/connectors/demo.ts), invented
// government posts in Arabic and English. The public training data is tweets; without examples of
// official writing the models read its formal vocabulary (job offers, agreements, app releases) as
// unusual, and unusual as offensive. These rows teach every head that such posts are clean.
// They are split like any source (20% held back) and reported apart from the public sets' figures.

import { DEMO_ACCOUNTS, demoWindow } from '../../connectors/demo.ts';
import { normalize } from '../normalize.ts';
import { scriptCounts } from './features.ts';
import { LANG_HEADS } from './heads.ts';
import type { Label, TrainRow } from './train-core.ts';

export const DEMO_SOURCE = 'Mizan demo posts (clean; in-domain negatives)';
const FROM = Date.parse('2025-01-01T00:00:00Z');
const TO = Date.parse('2025-07-01T00:00:00Z');

/** Clean demo posts of six months (deterministic), one row per language present in the post. */
export function demoNegativeRows(): TrainRow[] {
  const texts = new Set<string>();
  for (const info of DEMO_ACCOUNTS)
    for (const it of demoWindow(info, FROM, TO)) if (it.event === 'original' && it.content.violation === null) texts.add(it.post.text);
  const rows: TrainRow[] = [];
  let i = 0;
  for (const text of texts) {
    i++;
    const counts = scriptCounts(normalize(text));
    for (const lang of ['ar', 'en'] as const) {
      if (counts[lang] < 2) continue;
      const labels = Object.fromEntries(LANG_HEADS[lang].map((h) => [h, 0 as Label]));
      rows.push({ id: `demo-${i}-${lang}`, text, lang, source: DEMO_SOURCE, labels, inDomain: true });
    }
  }
  return rows;
}
