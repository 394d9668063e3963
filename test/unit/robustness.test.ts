import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { loadRulebook, scorePost, scoreProfile } from '../../jobs/scoring/engine.ts';
import type { AccountType, ScoreResult } from '../../jobs/scoring/types.ts';

const rb = loadRulebook();

function checkResult(text: string, r: ScoreResult): void {
  expect(r.score).toBeGreaterThanOrEqual(0);
  expect(r.score).toBeLessThanOrEqual(100);
  for (const f of r.findings) {
    expect(0 <= f.start && f.start <= f.end && f.end <= text.length).toBe(true);
    expect(text.slice(f.start, f.end)).toBe(f.match);
  }
  for (let i = 1; i < r.findings.length; i++) expect(r.findings[i - 1].start).toBeLessThanOrEqual(r.findings[i].start);
}

// fragments that exercise the rules, mixed with arbitrary Unicode
const pieces = fc.constantFrom(
  'يا حمار', 'انت غبي', 'ك.ل.ب', 'حـــمـــار', 'f*ck', '1d10t', 'you idiot', 'سري للغاية', 'كلمة المرور: Abc@2024',
  '36123456', '+973 3612 3456', '٣٦١٢٣٤٥٦', 'BH57NBOB00001234567890', '4532 0151 1283 0366', '1098765439',
  'info@mops.gov.bh', 'a.b@gmail.com', '192.168.1.1', 'AKIAIOSFODNN7EXAMPLE', 'منزل 12 طريق 34 مجمع 567',
  '\u0000', '\u202E', '\u200B', '\uD800', '\uDC00', '😀', '👨‍👩‍👧', 'ﷲ', 'ﻻ', '𝐟𝐮𝐜𝐤', ' ', '.', '@', '*', '$',
);
const mixed = fc.array(fc.oneof(pieces, fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 })), { maxLength: 30 }).map((a) => a.join(''));
const account = fc.constantFrom<AccountType | undefined>('official', 'executive', 'employee', undefined);

describe('robustness', () => {
  test('never throws; deterministic; offsets valid (arbitrary UTF-16)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), account, (text, accountType) => {
        const a = scorePost(rb, { text, accountType });
        checkResult(text, a);
        expect(scorePost(rb, { text, accountType })).toEqual(a);
      }),
      { numRuns: 400 },
    );
  });

  test('never throws; deterministic; offsets valid (rule fragments + noise)', () => {
    fc.assert(
      fc.property(mixed, account, (text, accountType) => {
        const a = scorePost(rb, { text, accountType });
        checkResult(text, a);
        // the result does not depend on what was scored before
        scorePost(rb, { text: 'يا حمار ' + text.slice(0, 10), accountType: 'employee' });
        expect(scorePost(rb, { text, accountType })).toEqual(a);
      }),
      { numRuns: 400 },
    );
  });

  test('lone surrogates, NUL, control and bidi characters', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('\uD800', '\uDFFF', '\u0000', '\u0007', '\u202E', '\u2066', '\u200F', 'ا', 'a', '1', ' '), { maxLength: 200 }), (a) => {
        const text = a.join('');
        checkResult(text, scorePost(rb, { text }));
      }),
    );
  });

  test('profiles never throw', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary', maxLength: 200 })), fc.constantFrom<AccountType>('official', 'executive', 'employee'), (profileText, accountType) => {
        const f = scoreProfile(rb, { accountType, profileText });
        for (const x of f) expect(x.match).toBe('');
      }),
      { numRuns: 200 },
    );
  });

  test('empty, huge and odd inputs', () => {
    checkResult('', scorePost(rb, { text: '' }));
    const big = ('يا حمار انت غبي 36123456 ' + 'كلام عادي جدا '.repeat(20)).repeat(300).slice(0, 100_000);
    // Only a freeze (catastrophic backtracking) fails this: CPU time of this process, about 20-70 ms here, bound tens of times above.
    const c0 = process.cpuUsage();
    const r = scorePost(rb, { text: big, accountType: 'employee' });
    const c = process.cpuUsage(c0);
    expect((c.user + c.system) / 1000).toBeLessThan(2_000);
    checkResult(big, r);
    const emoji = '😀'.repeat(50_000);
    checkResult(emoji, scorePost(rb, { text: emoji }));
    const ligatures = 'ﷺ'.repeat(20_000);
    checkResult(ligatures, scorePost(rb, { text: ligatures }));
    const digits = '1'.repeat(100_000);
    checkResult(digits, scorePost(rb, { text: digits }));
    // non-string text from a loose caller is treated as empty
    expect(scorePost(rb, { text: undefined as unknown as string }).findings).toEqual([]);
  });
});
