// The engine's output is pinned: every finding (rule, category, severity, offsets, words, model probability
// and evidence), score and verdict over the project's corpora, demo posts and generated posts must stay
// byte-identical through speed work. The rules' digests are checked always; the model's only while the
// shipped model is the one they were taken with (a new model changes them on purpose).
// To record new digests after an intended change of the rules or the model:
//   npx tsx test/helpers/engine-golden.ts --write

import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GOLDEN_FILE, goldenDigests, type GoldenFile } from '../helpers/engine-golden.ts';

const stored = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as GoldenFile;

describe('engine output is unchanged (golden digests)', () => {
  const now = goldenDigests();

  test('rulebook alone', () => {
    // the rulebook's version changes with any edit of its files, a faster pattern too: the digests decide
    expect(now.rules, `rulebook ${now.rulebook} (digests of ${stored.rulebook})`).toEqual(stored.rules);
  });

  test.skipIf(now.model !== stored.model)('rulebook + model', () => {
    expect(now.withModel).toEqual(stored.withModel);
  });
});
