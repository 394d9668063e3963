// Light stems of English words as model features (features.ts): one feature beside the word, from whole
// words only (never a substring of another word, unlike character n-grams), taken only by a model trained
// with them, written in the model header only when on; the shipped English model has them.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../jobs/scoring/model/build.ts';
import { extractFeatures, newFeatureBuffer, stemEnd } from '../../jobs/scoring/model/features.ts';
import { decodeModel, shippedModel } from '../../jobs/scoring/model/model.ts';
import type { TrainRow } from '../../jobs/scoring/model/train-core.ts';
import { normalize } from '../../jobs/scoring/normalize.ts';

const fb = newFeatureBuffer();
/** the features of `text` for the English words-only model, with or without stems */
function features(text: string, stems: boolean, lang: 'ar' | 'en' = 'en'): number[] {
  extractFeatures(normalize(text), lang, 18, fb, lang === 'ar', true, false, stems);
  return Array.from(fb.buckets.slice(0, fb.count));
}
/** the features stems add to `text` */
function stemFeatures(text: string): number[] {
  const without = new Set(features(text, false));
  return features(text, true).filter((b) => !without.has(b));
}
const stemOf = (word: string): string => {
  const nz = normalize(word);
  return String.fromCharCode(...nz.codes.subarray(nz.tokStart[0], stemEnd(nz.codes, nz.tokStart[0], nz.tokEnd[0])));
};

describe('English light stems', () => {
  it('strip one common ending, leaving at least three letters', () => {
    expect(['fucking', 'fucked', 'fucker', 'fuckin', 'fucks'].map(stemOf)).toEqual(['fuck', 'fuck', 'fuck', 'fuck', 'fuck']);
    expect(stemOf('idiots')).toBe('idiot');
    expect(stemOf('Stupidity')).toBe('stupidit');
    expect(stemOf('dumbasses')).toBe('dumbass');
    // no ending to strip, too short, or -ss
    expect(['idiot', 'hoe', 'hoes', 'class', 'pussycat'].map(stemOf)).toEqual(['idiot', 'hoe', 'hoes', 'class', 'pussycat']);
    // a blunt rule: "Bitcoin" loses its -in, but its stem is its own word, never "bitch"
    expect(stemOf('Bitcoin')).toBe('bitco');
  });

  it('are one more feature per stemmed word, shared by its forms, never by another word holding it', () => {
    expect(stemFeatures('what an idiot')).toEqual([]);
    expect(stemFeatures('you are idiots')).toHaveLength(1);
    expect(stemFeatures('fucking idiots')).toHaveLength(2);
    expect(stemFeatures('so fucking dumb')).toEqual(stemFeatures('so fucked up'));
    // the stem is a feature of its own: not the word "fuck" itself
    expect(features('fuck', false)).not.toContain(stemFeatures('fucking')[0]);
    // whole words only: "pussycat" gives no stem, and no stem is a part of a word
    expect(stemFeatures('My cat is a lazy pussycat')).toEqual([]);
    expect(stemFeatures('Bitcoin crashed')).not.toContain(features('bitch', false)[0]);
    expect(stemFeatures('Bitcoin crashed')).not.toContain(stemFeatures('bitches')[0]);
    // Latin words only: the Arabic model reads the same with or without
    expect(features('كلاب يا fucking idiots', true, 'ar')).toEqual(features('كلاب يا fucking idiots', false, 'ar'));
  });

  it('are taken only by a model trained with them, and written in its header only then', () => {
    const rows: TrainRow[] = [];
    for (let k = 0; k < 40; k++) {
      rows.push({ id: `p${k}`, text: `comment number ${k} idiots everywhere`, lang: 'en', source: 's', labels: { offensive: 1, hate_abuse: 0 } });
      rows.push({ id: `n${k}`, text: `comment number ${k} flowers everywhere`, lang: 'en', source: 's', labels: { offensive: 0, hate_abuse: 0 } });
    }
    const cleanPosts = [{ text: 'good morning everyone', lang: 'en' as const, group: 'en' }];
    const on = buildModel({ rows, cleanPosts, options: { bits: 12, epochs: 3, seeds: 1, stems: ['en'] } });
    const off = buildModel({ rows, cleanPosts, options: { bits: 12, epochs: 3, seeds: 1, stems: [] } });
    const en = (bytes: Uint8Array) => decodeModel(bytes).langs.find((l) => l.lang === 'en')!;
    expect(en(on.bytes).stems).toBe(true);
    expect(en(off.bytes).stems).toBe(false);
    expect(en(on.bytes).heads.length).toBe(2);
    // a model without stems keeps the header it had before them (no `stems` key)
    const header = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8', 8, 8 + Buffer.from(bytes).readUInt32LE(4));
    expect(header(off.bytes)).not.toContain('"stems"');
    expect(header(on.bytes)).toContain('"stems":true');
  });

  it('are on in the shipped English model only', () => {
    const m = shippedModel()!;
    expect(m.langs.find((l) => l.lang === 'en')!.stems).toBe(true);
    expect(m.langs.find((l) => l.lang === 'ar')!.stems).toBe(false);
  });
});
