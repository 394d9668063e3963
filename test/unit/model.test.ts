// The trained classifier: deterministic training, explanations on the original text, calibrated
// probabilities, clean official posts kept clean, both language models on a mixed post, and the model
// version folded into the rulebook version.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRulebook, modelOf, parseRulebook, rulebookVersion, scoreModelOnly, scorePost, MODEL_SOURCE } from '../../jobs/scoring/engine.ts';
import { DEFAULT_CORPUS_DIR, loadCorpus, TRAINING_DIR } from '../../jobs/scoring/eval.ts';
import { buildModel, decisionRows } from '../../jobs/scoring/model/build.ts';
import { demoNegativeRows } from '../../jobs/scoring/model/demo-negatives.ts';
import { MODEL_RULES } from '../../jobs/scoring/model/heads.ts';
import { decodeModel, headProbabilities, runModel, shippedModel, type ModelHit } from '../../jobs/scoring/model/model.ts';
import { binaryFigures, fitPlatt, readTrainingRows, splitRows, type TrainRow } from '../../jobs/scoring/model/train-core.ts';
import { normalize } from '../../jobs/scoring/normalize.ts';
import { limitRows } from '../../jobs/scoring/train.ts';

const model = shippedModel()!;
const hasTraining = existsSync(TRAINING_DIR);

/** A small labelled slice that needs no external data: a few insults and the demo generator's clean posts. */
function syntheticRows(): TrainRow[] {
  const insultsEn = ['you are a stupid idiot', 'shut up you moron', 'what an idiot loser', 'you stupid fool', 'idiot moron loser', 'such a moron, shut up'];
  const insultsAr = ['انت غبي وحمار', 'يا حمار يا غبي', 'اسكت يا تافه', 'يا كلب يا حقير', 'غبي وتافه وحقير', 'يا حقير اسكت'];
  const rows: TrainRow[] = [];
  for (let k = 0; k < 20; k++) {
    insultsEn.forEach((t, i) => rows.push({ id: `en-${k}-${i}`, text: `${t} ${k}`, lang: 'en', source: 'synthetic', labels: { offensive: 1, hate_abuse: 0 } }));
    insultsAr.forEach((t, i) => rows.push({ id: `ar-${k}-${i}`, text: `${t} ${k}`, lang: 'ar', source: 'synthetic', labels: { offensive: 1, hate_abuse: 0, hate_beliefs: 0, vulgar: 0 } }));
  }
  return [...rows, ...limitRows(demoNegativeRows(), 600)];
}

describe('training', () => {
  it('is deterministic: the same slice gives the same artifact, byte for byte', () => {
    const rows = hasTraining ? [...limitRows(readTrainingRows(TRAINING_DIR), 300), ...limitRows(demoNegativeRows(), 200)] : syntheticRows();
    const cleanPosts = loadCorpus(DEFAULT_CORPUS_DIR)
      .filter((p) => p.labels.length === 0)
      .slice(0, 200)
      .map((p) => ({ text: p.text, lang: p.lang, group: p.lang }));
    const a = buildModel({ rows, cleanPosts, options: { bits: 14, epochs: 2 } });
    const b = buildModel({ rows, cleanPosts, options: { bits: 14, epochs: 2 } });
    const hash = (x: Uint8Array) => createHash('sha256').update(x).digest('hex');
    expect(hash(a.bytes)).toBe(hash(b.bytes));
    expect(a.model.version).toBe(b.model.version);
    // and the artifact reads back as the same model
    expect(decodeModel(a.bytes).version).toBe(a.model.version);
    expect(a.model.langs.map((l) => l.lang)).toEqual(['ar', 'en']);
  });

  it('learns: insults score above clean posts on a synthetic slice', () => {
    const rows = syntheticRows();
    const cleanPosts = [{ text: 'Join us at the public library on Thursday', lang: 'en' as const, group: 'en' }];
    const r = buildModel({ rows, cleanPosts, options: { bits: 14, epochs: 3 } });
    const en = r.model.langs.find((l) => l.lang === 'en')!;
    const p = (t: string) => headProbabilities(en, normalize(t))[0];
    expect(p('you are such a stupid moron')).toBeGreaterThan(p('The ministry opens a new service centre in Muharraq'));
  });

  it('holds back 20% of each source, chosen by id, never the same row in two splits', () => {
    const rows: TrainRow[] = [];
    for (const source of ['a', 'b'])
      for (let i = 0; i < 500; i++) rows.push({ id: `${source}${i}`, text: 'x', lang: 'en', source, labels: { offensive: 0 } });
    const s = splitRows(rows);
    for (const source of ['a', 'b']) {
      expect(s.held.filter((r) => r.source === source).length).toBe(100);
      expect(s.cal.filter((r) => r.source === source).length).toBe(50);
    }
    const ids = [...s.train, ...s.cal, ...s.held].map((r) => r.id);
    expect(new Set(ids).size).toBe(1000);
    // deterministic: the same rows in another order give the same held-back ids
    expect(splitRows([...rows].reverse()).held.map((r) => r.id).sort()).toEqual(s.held.map((r) => r.id).sort());
  });

  it('fits Platt scaling that orders scores and stays within [0, 1]', () => {
    const z = Array.from({ length: 200 }, (_, i) => (i - 100) / 20);
    const y = z.map((v, i) => (v + ((i * 7919) % 13) / 6 - 1 > 0 ? 1 : 0)) as (0 | 1)[];
    const [a] = fitPlatt(z, y);
    expect(a).toBeGreaterThan(0);
    const f = binaryFigures(z.map((v) => 1 / (1 + Math.exp(-v))), y, 0.5);
    expect(f.auc).toBeGreaterThan(0.9);
  });

  it("maps reviewers' decisions to labelled rows: model rules by head, rule findings by category, mixed posts to both languages", () => {
    const base = { lang: null, severity: 'medium' as const, start: 0, end: 1, reason: null, decidedAt: '2026-11-01T00:00:00.000Z', rulebookVersion: 'rb-x', source: 'rulebook' as const };
    const rows = decisionRows([
      { ...base, postId: 1, text: 'you are a total clown honestly', rule: 'model.abuse.offensive', category: 'abuse', match: 'clown', decision: 'dismissed' },
      { ...base, postId: 2, text: 'يا حمار انت you idiot', rule: 'abuse.insult.x', category: 'abuse', match: 'حمار', decision: 'confirmed' },
      { ...base, postId: 3, text: 'اتصلوا على 36123456', rule: 'personal_data.phone.private', category: 'personal_data', match: '36123456', decision: 'dismissed' },
    ]);
    expect(rows.map((r) => [r.id, r.lang, r.labels])).toEqual([
      ['decision-1:en', 'en', { offensive: 0 }],
      ['decision-2:ar', 'ar', { offensive: 1 }],
      ['decision-2:en', 'en', { offensive: 1 }],
    ]);
    expect(rows.every((r) => (r.weight ?? 1) > 1)).toBe(true);
  });
});

describe('the shipped model', () => {
  it('is committed and small', () => {
    expect(model).not.toBeNull();
    expect(model.version).toMatch(/^m-[0-9a-f]{12}$/);
    expect(model.langs.map((l) => l.lang)).toEqual(['ar', 'en']);
  });

  it.each([
    ['en', 'You are a fucking idiot and a piece of shit', ['fucking', 'idiot', 'shit']],
    ['ar', 'انت حمااااار وكلب ابن كلب يا حقير', ['حمااااار', 'كلب', 'حقير']],
  ])('%s: a finding points at the offending words of the original text', (_lang, text, words) => {
    const r = scoreModelOnly(model, { text });
    expect(r.findings.length).toBeGreaterThan(0);
    for (const f of r.findings) {
      expect(f.rule).toMatch(/^model\./);
      expect(f.model).toBe(model.version);
      expect(f.match).toBe(text.slice(f.start, f.end));
      expect(f.evidence!.length).toBeGreaterThan(0);
      expect(f.evidence![0]).toMatchObject({ start: f.start, end: f.end });
      for (const e of f.evidence!) expect(e.weight).toBeGreaterThan(0);
      // the strongest evidence is one of the offending words, as written (elongation kept)
      expect(words).toContain(text.slice(f.evidence![0].start, f.evidence![0].end));
    }
  });

  it('gives calibrated probabilities in [0, 1]', () => {
    const texts = [...loadCorpus(DEFAULT_CORPUS_DIR).map((p) => p.text), '', 'a', '🙂🙂🙂', 'ك'.repeat(5000)];
    for (const lm of model.langs)
      for (const t of texts) for (const p of headProbabilities(lm, normalize(t))) expect(p >= 0 && p <= 1).toBe(true);
    for (const t of texts.slice(0, 300))
      for (const f of scoreModelOnly(model, { text: t }).findings) {
        expect(f.probability).toBeGreaterThan(0);
        expect(f.probability).toBeLessThanOrEqual(1);
      }
  });

  it.skipIf(!hasTraining)('is calibrated on the held-back split: predicted and observed rates agree by decile', () => {
    const held = splitRows(readTrainingRows(TRAINING_DIR)).held;
    for (const lm of model.langs) {
      const rows = held.filter((r) => r.lang === lm.lang && r.labels.offensive !== undefined);
      const pairs = rows.map((r) => [headProbabilities(lm, normalize(r.text))[0], r.labels.offensive!] as const).sort((a, b) => a[0] - b[0]);
      const k = Math.floor(pairs.length / 10);
      for (let d = 0; d < 10; d++) {
        const bin = pairs.slice(d * k, (d + 1) * k);
        const mean = bin.reduce((s, x) => s + x[0], 0) / bin.length;
        const rate = bin.reduce((s, x) => s + x[1], 0) / bin.length;
        expect(Math.abs(mean - rate), `${lm.lang} decile ${d}`).toBeLessThan(0.15);
      }
    }
  });

  it("keeps the project's clean posts clean: the model alone flags at most 1% of them", () => {
    const clean = loadCorpus(DEFAULT_CORPUS_DIR).filter((p) => p.labels.length === 0);
    for (const lang of ['ar', 'en'] as const) {
      const posts = clean.filter((p) => p.lang === lang);
      const flagged = posts.filter((p) => scoreModelOnly(model, { text: p.text, lang }).findings.length > 0);
      expect(flagged.length / posts.length, lang).toBeLessThanOrEqual(0.01);
    }
  });

  it('scores a mixed Arabic and English post with both language models', () => {
    const out: ModelHit[] = [];
    runModel(model, normalize('You are a fucking idiot and a piece of shit يا حمار يا كلب يا ابن الكلب يا حقير'), out);
    expect(new Set(out.map((h) => h.lang))).toEqual(new Set(['ar', 'en']));
    // each model reads only its own script: the Arabic words alone move the Arabic model only
    const ar = model.langs.find((l) => l.lang === 'ar')!;
    const en = model.langs.find((l) => l.lang === 'en')!;
    const mixed = normalize('يا حمار يا كلب The ministry opens a new service centre');
    const pAr = headProbabilities(ar, mixed)[0];
    const pEn = headProbabilities(en, mixed)[0];
    expect(pAr).toBeCloseTo(headProbabilities(ar, normalize('يا حمار يا كلب'))[0], 10);
    expect(pEn).toBeCloseTo(headProbabilities(en, normalize('The ministry opens a new service centre'))[0], 10);
  });
});

describe('model and rulebook together', () => {
  const both = loadRulebook();
  const rules = loadRulebook(undefined, { model: null });

  it('folds the model version into the rulebook version', () => {
    expect(modelOf(both)?.version).toBe(model.version);
    expect(modelOf(rules)).toBeNull();
    expect(both.version).not.toBe(rules.version);
    expect(both.sources[MODEL_SOURCE]).toBe(model.version);
    expect(rules.sources[MODEL_SOURCE]).toBeUndefined();
    // the stored sources rebuild the same version; sources without the lock get the shipped model
    expect(parseRulebook(both.sources).version).toBe(both.version);
    expect(rulebookVersion(rules.sources)).toBe(both.version);
    expect(rulebookVersion(rules.sources, { model: null })).toBe(rules.version);
    // an older lock is replaced by the shipped model
    expect(parseRulebook({ ...both.sources, [MODEL_SOURCE]: 'm-000000000000' }).version).toBe(both.version);
  });

  it('lists the model rules with their texts in both languages', () => {
    for (const r of MODEL_RULES) {
      expect(both.rules.find((x) => x.id === r.id)).toEqual(r);
      expect(r.title.ar && r.title.en && r.explanation.ar && r.explanation.en).toBeTruthy();
    }
    expect(rules.rules.some((r) => r.id.startsWith('model.'))).toBe(false);
  });

  it('adds no model finding where a rule already covers the category or the offensive family', () => {
    const text = 'You are a fucking idiot and a piece of shit';
    const r = scorePost(both, { text });
    expect(r.findings.some((f) => f.category === 'abuse' && !f.rule.startsWith('model.'))).toBe(true);
    expect(r.findings.some((f) => f.rule.startsWith('model.'))).toBe(false);
    // the model alone does find it
    expect(scoreModelOnly(model, { text }).findings.length).toBeGreaterThan(0);
  });

  it('stays silent where the rulebook knows the context to be clean', () => {
    expect(scorePost(both, { text: 'الله يلعن الشيطان' }).findings).toEqual([]);
  });
});
