// Emoji as model features (features.ts): read from the original text beside the normalized one, so the
// rulebook's matching and its offsets do not change; skin tones and variation selectors folded, a flag
// one feature, emoji never a finding's evidence, and a model without them reads as before.
import { describe, expect, it } from 'vitest';
import { loadRulebook, scorePost } from '../../jobs/scoring/engine.ts';
import { buildModel } from '../../jobs/scoring/model/build.ts';
import { extractFeatures, newFeatureBuffer } from '../../jobs/scoring/model/features.ts';
import { decodeModel, runModel, shippedModel, type ModelHit } from '../../jobs/scoring/model/model.ts';
import type { TrainRow } from '../../jobs/scoring/model/train-core.ts';
import { normalize, normalizeTerm } from '../../jobs/scoring/normalize.ts';

const fb = newFeatureBuffer();
/** the emoji features of `text` for the Arabic model (the features added by emoji = true, sorted) */
function emojiFeatures(text: string): number[] {
  extractFeatures(normalize(text), 'ar', 18, fb, true, true, false);
  const without = fb.count;
  extractFeatures(normalize(text), 'ar', 18, fb, true, true, true);
  const out = Array.from(fb.buckets.slice(without, fb.count));
  for (let i = without; i < fb.count; i++) expect(fb.tok[i]).toBe(-1);
  return out.sort((a, b) => a - b);
}

describe('emoji features', () => {
  it('leave the normalized text, and so the rulebook, as they were', () => {
    expect(normalizeTerm('يا كلب 🐕🐕 😂')).toBe(normalizeTerm('يا كلب'));
    const rb = loadRulebook(undefined, { model: null });
    const a = scorePost(rb, { text: 'انت حمار 😂😂' });
    expect(a.findings.map((f) => [f.start, f.end, f.match])).toEqual(scorePost(rb, { text: 'انت حمار' }).findings.map((f) => [f.start, f.end, f.match]));
  });

  it('are one feature per pictograph, repeats counted, modifiers and selectors folded', () => {
    expect(emojiFeatures('يا كلب')).toEqual([]);
    expect(emojiFeatures('يا كلب 🐕')).toHaveLength(1);
    expect(emojiFeatures('يا كلب 🐕🐕🐕')).toHaveLength(3);
    expect(emojiFeatures('شكرا 👍🏽')).toEqual(emojiFeatures('شكرا 👍'));
    expect(emojiFeatures('احبك ❤️')).toEqual(emojiFeatures('احبك ❤'));
    expect(emojiFeatures('احبك ❤')).not.toEqual(emojiFeatures('احبك 💔'));
    // a ZWJ sequence gives its parts
    expect(emojiFeatures('عائلتي 👨‍👩‍👧')).toEqual(emojiFeatures('عائلتي 👨👩👧'));
    // two regional indicators are one flag, told from another flag
    expect(emojiFeatures('بلادي 🇸🇦')).toHaveLength(1);
    expect(emojiFeatures('بلادي 🇸🇦')).not.toEqual(emojiFeatures('بلادي 🇦🇸'));
    // © ® and other symbols are not emoji
    expect(emojiFeatures('حقوق © ® ← 123')).toEqual([]);
  });

  it('are taken only by a model trained with them, and are never evidence', () => {
    const rows: TrainRow[] = [];
    for (let k = 0; k < 40; k++) {
      rows.push({ id: `p${k}`, text: `تعليق رقم ${k} 🐷🐷`, lang: 'ar', source: 's', labels: { offensive: 1, hate_abuse: 0, hate_beliefs: 0, vulgar: 0 } });
      rows.push({ id: `n${k}`, text: `تعليق رقم ${k} 🌹`, lang: 'ar', source: 's', labels: { offensive: 0, hate_abuse: 0, hate_beliefs: 0, vulgar: 0 } });
    }
    const cleanPosts = [{ text: 'صباح الخير', lang: 'ar' as const, group: 'ar' }];
    const on = buildModel({ rows, cleanPosts, options: { bits: 12, epochs: 3, seeds: 1, emoji: ['ar'] } });
    const off = buildModel({ rows, cleanPosts, options: { bits: 12, epochs: 3, seeds: 1 } });
    const ar = (m: typeof on.model) => m.langs.find((l) => l.lang === 'ar')!;
    expect(ar(on.model).emoji).toBe(true);
    expect(ar(off.model).emoji).toBe(false);
    expect(decodeModel(on.bytes).langs.find((l) => l.lang === 'ar')!.emoji).toBe(true);
    const hits = (m: typeof on.model, text: string) => {
      const out: ModelHit[] = [];
      runModel(m, normalize(text), out);
      return out;
    };
    const text = 'تعليق جديد 🐷🐷';
    const h = hits(on.model, text).find((x) => x.rule === 'model.abuse.offensive');
    expect(h).toBeDefined();
    // evidence stays on words of the original text
    for (const e of h!.evidence) expect(text.slice(e.start, e.end)).toMatch(/^[\u0600-\u06ff]+$/);
    expect(hits(off.model, text).some((x) => x.rule === 'model.abuse.offensive')).toBe(false);
  });

  it('are off in the shipped model (they did not help on the calibration split)', () => {
    for (const lm of shippedModel()!.langs) expect(lm.emoji).toBe(false);
  });
});
