// The highlight of a model finding: its evidence words are marked (shaded by weight), a rule finding its match,
// and the segments still cover the text exactly once; on a finding the shipped model really gives.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evidenceStrength, findingMarks, highlightSegments, shortModelVersion } from '../../web/src/lib/highlight.ts';
import { modelOf, parseRulebook, scorePost } from '../../jobs/scoring/engine.ts';

describe(evidenceStrength.name, () => {
  test.each([
    [3, 3, 3],
    [2.1, 3, 3],
    [1.9, 3, 2],
    [1, 3, 2],
    [0.9, 3, 1],
    [0, 3, 1],
    [1, 0, 1],
    [Number.NaN, 3, 1],
  ])('weight %d of strongest %d → %d', (w, max, want) => {
    expect(evidenceStrength(w, max)).toBe(want);
  });
});

describe(findingMarks.name, () => {
  const rule = { id: 1, start: 0, end: 3 };
  const model = { id: 2, start: 8, end: 12, evidence: [{ start: 8, end: 12, weight: 3 }, { start: 0, end: 3, weight: 1.2 }, { start: 15, end: 18, weight: 0.5 }] };

  test('a rule finding marks its match; a model finding each evidence word, shaded by weight', () => {
    expect(findingMarks([rule, model]).map((m) => [m.finding.id, m.start, m.end, m.strength])).toEqual([
      [1, 0, 3, null],
      [2, 8, 12, 3],
      [2, 0, 3, 2],
      [2, 15, 18, 1],
    ]);
    // no evidence (null or empty) is a plain match
    expect(findingMarks([{ ...model, evidence: null }, { ...model, evidence: [] }]).map((m) => [m.start, m.end, m.strength])).toEqual([
      [8, 12, null],
      [8, 12, null],
    ]);
  });

  test('segments over the marks: every character once, a word shared by a rule and the model carries both', () => {
    const text = 'abc def ghij k lmn';
    const segs = highlightSegments(text, findingMarks([rule, model]));
    expect(segs.map((s) => s.text).join('')).toBe(text);
    expect(segs.filter((s) => s.spans.length).map((s) => [s.text, s.spans.map((m) => `${m.finding.id}:${m.strength}`)])).toEqual([
      ['abc', ['1:null', '2:2']],
      ['ghij', ['2:3']],
      ['lmn', ['2:1']],
    ]);
  });

  test("the shipped model's finding: its evidence words are marked on the original text", () => {
    const rb = parseRulebook({ 'personal_data.yaml': readFileSync('jobs/scoring/rulebook/personal_data.yaml', 'utf8') });
    expect(modelOf(rb)).not.toBeNull();
    const text = 'انت حمااااار وكلب ابن كلب يا حقير';
    const f = scorePost(rb, { text }).findings.find((x) => x.rule.startsWith('model.'))!;
    expect(f.evidence!.length).toBeGreaterThan(1);
    const marked = highlightSegments(text, findingMarks([f])).filter((s) => s.spans.length);
    expect(marked.map((s) => s.text).sort()).toEqual(f.evidence!.map((e) => text.slice(e.start, e.end)).sort());
    expect(marked.find((s) => s.start === f.start)!.spans[0].strength).toBe(3);
  });
});

test(shortModelVersion.name, () => {
  expect(shortModelVersion('m-0240b950ff5e')).toBe('m-0240b950');
  expect(shortModelVersion('custom')).toBe('custom');
});
