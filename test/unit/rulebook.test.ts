import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadRulebook, parseRulebook, RulebookError, scorePost } from '../../jobs/scoring/engine.ts';
import { loadRulebook as loadRulesOnly } from '../../jobs/scoring/rulebook.ts';
import { CATEGORIES } from '../../jobs/scoring/types.ts';

const DIR = 'jobs/scoring/rulebook';
const sources = Object.fromEntries(readdirSync(DIR).filter((f) => f.endsWith('.yaml')).map((f) => [f, readFileSync(join(DIR, f), 'utf8')]));

const rule = (extra: string) => `category: abuse
rules:
  - id: abuse.test.rule
    severity: high
    lang: ar
    kind: lexicon
    title: { ar: "اختبار", en: "Test" }
    explanation: { ar: "اختبار", en: "Test" }
${extra}`;

function errorOf(src: Record<string, string>): RulebookError {
  try {
    parseRulebook(src);
  } catch (e) {
    expect(e).toBeInstanceOf(RulebookError);
    return e as RulebookError;
  }
  throw new Error('expected a RulebookError');
}

describe(loadRulebook.name, () => {
  test('loads the shipped rulebook: one file per category', () => {
    // the YAML rulebook alone (the engine's loadRulebook may attach the trained model and its model.* rules)
    const rb = loadRulesOnly();
    expect(rb.version).toMatch(/^rb-[0-9a-f]{12}$/);
    expect(Object.keys(rb.sources).sort()).toEqual(CATEGORIES.map((c) => `${c}.yaml`).sort());
    const cats = new Set(rb.rules.map((r) => r.category));
    for (const c of CATEGORIES) expect(cats.has(c)).toBe(true);
    for (const r of rb.rules) {
      expect(r.title.ar && r.title.en && r.explanation.ar && r.explanation.en).toBeTruthy();
      expect(r.id.startsWith(r.category + '.')).toBe(true);
    }
  });

  test('same files give the same version; a change gives another', () => {
    const a = parseRulebook(sources);
    const b = parseRulebook({ ...sources });
    expect(a.version).toBe(b.version);
    expect(loadRulebook().version).toBe(a.version);
    const changed = { ...sources, 'abuse.yaml': sources['abuse.yaml'] + '\n# comment\n' };
    expect(parseRulebook(changed).version).not.toBe(a.version);
  });

  test('a draft from memory scores like the files', () => {
    const rb = parseRulebook({ 'abuse.yaml': rule('    terms: [ كلمه ]') });
    expect(scorePost(rb, { text: 'هذه كلمة' }).findings.map((f) => f.match)).toEqual(['كلمة']);
  });

  test('bad directory', () => {
    expect(() => loadRulebook('/nonexistent/dir')).toThrow(RulebookError);
  });
});

describe(parseRulebook.name, () => {
  test.each([
    ['YAML syntax', { 'abuse.yaml': 'category: abuse\nrules: [\n' }, null, /YAML/],
    ['unknown category', { 'x.yaml': 'category: nonsense\nrules: []' }, null, /category/],
    ['missing severity', { 'abuse.yaml': rule('    terms: [ a ]').replace('    severity: high\n', '') }, 'abuse.test.rule', /severity/],
    ['bad severity', { 'abuse.yaml': rule('    terms: [ a ]').replace('severity: high', 'severity: huge') }, 'abuse.test.rule', /severity/],
    ['lexicon without terms', { 'abuse.yaml': rule('') }, 'abuse.test.rule', /terms/],
    ['unknown field', { 'abuse.yaml': rule('    terms: [ a ]\n    colour: red') }, 'abuse.test.rule', /colour/],
    ['bad regex', { 'abuse.yaml': rule('    kind: detector').replace('    kind: lexicon\n', '').replace('    kind: detector', '    kind: detector\n    detector: regex\n    patterns: [ "(" ]') }, 'abuse.test.rule', /pattern/],
    ['unknown detector', { 'abuse.yaml': rule('    detector: magic').replace('kind: lexicon', 'kind: detector') }, 'abuse.test.rule', /detector/],
    ['unknown set', { 'abuse.yaml': rule('    terms: [ "@nope" ]') }, 'abuse.test.rule', /@nope/],
    ['id outside its category', { 'abuse.yaml': rule('    terms: [ a ]').replace('abuse.test.rule', 'infosec.test.rule') }, 'infosec.test.rule', /start with/],
    ['phrase without near', { 'abuse.yaml': rule('    terms: [ a ]').replace('kind: lexicon', 'kind: phrase') }, 'abuse.test.rule', /near/],
    ['duplicate id', { 'abuse.yaml': rule('    terms: [ a ]') + '\n' + rule('    terms: [ b ]').split('rules:\n')[1] }, 'abuse.test.rule', /duplicate/],
  ])('%s', (_name, src, ruleId, reason) => {
    const e = errorOf(src as Record<string, string>);
    expect(e.file).toBe(Object.keys(src)[0]);
    expect(e.ruleId).toBe(ruleId);
    expect(e.reason).toMatch(reason);
    expect(e.message).toContain(e.file);
    expect(e.message).toContain(e.reason);
  });

  test('empty rulebook', () => {
    expect(() => parseRulebook({})).toThrow(RulebookError);
  });
});
