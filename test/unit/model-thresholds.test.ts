// Training choices of issue 10's model quality work: the development corpus's clean posts as training-only
// hard negatives, the offensive threshold chosen for rulebook + model under a false-alarm ceiling, and a
// Platt fit that cannot diverge on a head with few positives.
import { describe, expect, it } from 'vitest';
import { chooseOffensiveFire, MAX_FALSE_ALARMS } from '../../jobs/scoring/model/build.ts';
import { corpusNegativeRows, CORPUS_WEIGHT } from '../../jobs/scoring/model/corpus-rows.ts';
import type { HeadHeader } from '../../jobs/scoring/model/model.ts';
import { fitPlatt, type Label, type TrainRow } from '../../jobs/scoring/model/train-core.ts';

describe('development corpus rows', () => {
  it('keeps only posts without labels, one row per language present, clean for every head, weighted', () => {
    const rows = corpusNegativeRows([
      { id: 'a', text: 'الحمار حيوان صبور في المزرعة', labels: [] },
      { id: 'b', text: 'Moby Dick is a classic novel', labels: [] },
      { id: 'c', text: 'يا حمار', labels: ['abuse'] },
      { id: 'd', text: 'مسابقة القراءة | Reading contest for schools', labels: [] },
    ]);
    expect(rows.map((r) => r.id)).toEqual(['corpus-a-ar', 'corpus-b-en', 'corpus-d-ar', 'corpus-d-en']);
    for (const r of rows) {
      expect(r.weight).toBe(CORPUS_WEIGHT);
      expect(r.inDomain).toBe(true);
      expect(Object.values(r.labels).every((v) => v === 0)).toBe(true);
    }
    expect(Object.keys(rows[0].labels).sort()).toEqual(['hate_abuse', 'hate_beliefs', 'offensive', 'vulgar']);
  });
});

describe('offensive threshold for rulebook + model', () => {
  const head = (id: HeadHeader['id'], fire: number): HeadHeader => ({ id, scale: 1, bias: 0, platt: [1, 0], fire, high: 1.01 });
  // 100 rows of one source: 40 offensive with p from 0.55 to 0.94, 60 clean with p from 0.50 to 0.795
  const rows: TrainRow[] = [];
  const p: Float64Array[] = [];
  for (let i = 0; i < 40; i++) {
    rows.push({ id: `pos${i}`, text: `pos${i}`, lang: 'en', source: 's', labels: { offensive: 1 } });
    p.push(Float64Array.of(0.55 + i * 0.01, 0));
  }
  for (let i = 0; i < 60; i++) {
    rows.push({ id: `neg${i}`, text: `neg${i}`, lang: 'en', source: 's', labels: { offensive: 0 } });
    p.push(Float64Array.of(0.5 + i * 0.005, 0));
  }
  const heads = [head('offensive', 0.5), head('hate_abuse', 0.5)];

  it('keeps false alarms at or under the ceiling', () => {
    const t = chooseOffensiveFire({ p, rows }, heads, 0, () => 0)!;
    const fp = p.slice(40).filter((x) => x[0] >= t).length;
    expect(fp / 60).toBeLessThanOrEqual(MAX_FALSE_ALARMS.en);
    // the F1-best threshold alone (0.5: every row flagged) would break it
    expect(t).toBeGreaterThan(0.7);
  });

  it('counts what the rulebook flags or silences', () => {
    // the rulebook flags every clean row: no threshold keeps false alarms under the ceiling
    expect(chooseOffensiveFire({ p, rows }, heads, 0, (text) => (text.startsWith('neg') ? 1 : 0))).toBeNull();
    // the rulebook silences every clean row: the model may fire as low as it likes
    expect(chooseOffensiveFire({ p, rows }, heads, 0, (text) => (text.startsWith('neg') ? 2 : 0))).toBe(0.5);
  });
});

describe('Platt scaling', () => {
  it('converges on a head with very few positives and separable scores', () => {
    const z: number[] = [];
    const y: Label[] = [];
    for (let i = 0; i < 800; i++) {
      z.push(-3 - (i % 17) / 10);
      y.push(0);
    }
    for (let i = 0; i < 3; i++) {
      z.push(2 + i);
      y.push(1);
    }
    const [a, b] = fitPlatt(z, y);
    expect(Number.isFinite(a) && Number.isFinite(b)).toBe(true);
    expect(a).toBeGreaterThan(0);
    expect(Math.abs(a)).toBeLessThan(100);
  });
});
