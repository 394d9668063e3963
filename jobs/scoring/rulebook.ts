// Rulebook loader and validator: YAML files (one per category) → validated (zod) → compiled once
// (term automaton, detector regexes). A malformed rulebook is refused with file, rule id and reason.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DETECTORS, DETECTOR_NAMES, VALIDATORS, type DetectorFn, type DetectorSpec } from './detectors.ts';
import { TermAutomaton, maskedVariants, type Clitics } from './lexicon.ts';
import { normalizeTerm } from './normalize.ts';
import { CATEGORIES, SEVERITIES, type AccountType, type Category, type RuleInfo, type Severity } from './types.ts';

export class RulebookError extends Error {
  readonly file: string;
  readonly ruleId: string | null;
  readonly reason: string;
  constructor(file: string, ruleId: string | null, reason: string) {
    super(`rulebook ${file}${ruleId ? ` rule ${ruleId}` : ''}: ${reason}`);
    this.name = 'RulebookError';
    this.file = file;
    this.ruleId = ruleId;
    this.reason = reason;
  }
}

/**
 * A detector's triggers as one RegExp: the text must contain one of these literals (case-insensitive unless
 * the rule is case-sensitive) before the patterns run. A set without cased letters ('#', '.', emoji) is
 * compiled without the i flag, which matches the same (no other character folds to a caseless one) and
 * lets V8 scan for it several times faster.
 */
export function compileTriggers(literals: string[], caseSensitive: boolean): RegExp {
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const caseless = literals.every((t) => t.toLowerCase() === t && t.toUpperCase() === t);
  if (caseSensitive || caseless) return new RegExp(literals.map(esc).join('|'));
  // ASCII literals: under the i flag (without u) an ASCII letter matches its two cases and nothing else, so
  // [lL][oO]... matches the same, and several times faster on two-byte (Arabic) text
  if (literals.every((t) => /^[\x00-\x7f]*$/.test(t)))
    return new RegExp(literals.map((t) => esc(t).replace(/[a-z]/gi, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)).join('|'));
  return new RegExp(literals.map(esc).join('|'), 'i');
}

/** The first characters of the triggers (see CompiledRule.triggerChars). */
function triggerChars(literals: string[] | undefined, caseSensitive: boolean): { triggerChars: number[] | null; triggerExact: boolean } {
  if (!literals) return { triggerChars: null, triggerExact: false };
  const chars = new Set<number>();
  for (const t of literals) {
    const c = t.charCodeAt(0);
    if (c >= 128) return { triggerChars: null, triggerExact: false };
    chars.add(c);
    // without the i flag an ASCII letter matches its two cases only (compileTriggers)
    if (!caseSensitive) for (const x of [t[0].toLowerCase(), t[0].toUpperCase()]) chars.add(x.charCodeAt(0));
  }
  return { triggerChars: [...chars], triggerExact: literals.every((t) => t.length === 1) };
}

const Bilingual = z.strictObject({ ar: z.string().min(1), en: z.string().min(1) });
const TermList = z.array(z.string().min(1)).min(1);

export const RuleSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z_]*(\.[a-z0-9_]+)+$/, 'id must look like category.name.sub (lowercase)'),
  category: z.enum(CATEGORIES).optional(),
  severity: z.enum(SEVERITIES),
  lang: z.enum(['ar', 'en', 'any']),
  kind: z.enum(['lexicon', 'phrase', 'detector', 'profile']),
  title: Bilingual,
  explanation: Bilingual,
  /** the words that are the finding (lexicon/phrase), or that must be present (profile) */
  terms: TermList.optional(),
  /** context words: phrase rules need one within `window` tokens; detectors within `window_chars` */
  near: TermList.optional(),
  window: z.number().int().min(0).max(50).optional(),
  order: z.enum(['any', 'before', 'after']).optional(),
  /** an attached vocative (ياحمار) counts as context */
  directed: z.boolean().optional(),
  /** allow-list context: a match is dropped when one of these is present (in the post, or within the window) */
  exceptions: TermList.optional(),
  exception_window: z.number().int().min(0).max(200).optional(),
  /** negations immediately before the term (ليس سري, not confidential) */
  negations: TermList.optional(),
  negation_window: z.number().int().min(1).max(5).optional(),
  clitics: z.enum(['both', 'none', 'prefix', 'suffix']).optional(),
  obfuscations: z.boolean().optional(),
  detector: z.enum(DETECTOR_NAMES).optional(),
  patterns: z.array(z.string().min(1)).min(1).optional(),
  validate: z.enum(Object.keys(VALIDATORS) as [string, ...string[]]).optional(),
  /** fast path: skip the detector unless the text has a digit / an '@' / an emoji (astral char) / a '*' */
  requires: z.enum(['digit', 'at', 'astral', 'star', 'none']).optional(),
  triggers: z.array(z.string().min(1)).optional(),
  window_chars: z.number().int().min(0).max(500).optional(),
  /** fast path: skip the detector unless the text has a cluster of at least this many digits */
  min_digits: z.number().int().min(0).max(64).optional(),
  allow_values: z.array(z.string()).optional(),
  accounts: z.array(z.enum(['official', 'executive', 'employee'])).min(1).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});
export type RuleSpec = z.infer<typeof RuleSchema>;

const FileSchema = z.strictObject({
  category: z.enum(CATEGORIES),
  description: z.string().optional(),
  sets: z.record(z.string().regex(/^[a-z0-9_]+$/), z.array(z.string().min(1)).min(1)).optional(),
  rules: z.array(z.unknown()),
});

export const ROLE_TERM = 0;
export const ROLE_NEAR = 1;
export const ROLE_EXCEPTION = 2;
export const ROLE_NEGATION = 3;

export interface CompiledRule {
  idx: number;
  id: string;
  /** the rulebook file it came from */
  file: string;
  info: RuleInfo;
  category: Category;
  severity: Severity;
  kind: RuleSpec['kind'];
  accounts: ReadonlySet<AccountType> | null;
  window: number;
  order: 'any' | 'before' | 'after';
  directed: boolean;
  hasNear: boolean;
  hasExceptions: boolean;
  exceptionWindow: number; // tokens; -1 = anywhere in the post
  hasNegations: boolean;
  negationWindow: number;
  // detectors
  detector: string | null;
  detectorFn: DetectorFn | null;
  spec: DetectorSpec | null;
  requires: 'digit' | 'at' | 'astral' | 'star' | 'none';
  triggers: RegExp | null;
  /** ASCII codes of which the text must contain one for a trigger to occur (the literals' first characters,
   * both cases unless case-sensitive; null: some literal starts outside ASCII); exact when every literal is
   * one character (the RegExp is then not run) */
  triggerChars: number[] | null;
  triggerExact: boolean;
  windowChars: number;
  minDigits: number;
  allowValues: ReadonlySet<string>;
}

export interface Rulebook {
  version: string;
  rules: RuleInfo[];
  /** file name → file text (stored in the DB with the version) */
  sources: Record<string, string>;
  /** compiled internals */
  compiled: CompiledRule[];
  automaton: TermAutomaton;
  /** per term id: packed uses (ruleIdx * 4 + role) */
  termUses: Int32Array[];
  byId: ReadonlyMap<string, CompiledRule>;
}

/** Bounds on set expansion: the default rulebook uses depth 1 and about 6,000 terms in all. */
export const MAX_SET_DEPTH = 8;
export const MAX_EXPANDED_TERMS = 20_000;
export const MAX_TOTAL_TERMS = 100_000;

const DEFAULT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'rulebook');

export function rulebookVersion(sources: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(sources).sort()) {
    h.update(name);
    h.update('\u0000');
    h.update(sources[name]);
    h.update('\u0000');
  }
  return 'rb-' + h.digest('hex').slice(0, 12);
}

/** Load every *.yaml / *.yml file of `dir` (default: jobs/scoring/rulebook beside this module). */
export function loadRulebook(dir: string = DEFAULT_DIR): Rulebook {
  return parseRulebook(readRulebookSources(dir));
}

/** The rulebook files of `dir`: file name → text. */
export function readRulebookSources(dir: string = DEFAULT_DIR): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch (e) {
    throw new RulebookError(dir, null, `cannot read rulebook directory: ${(e as Error).message}`);
  }
  if (names.length === 0) throw new RulebookError(dir, null, 'no rulebook files (*.yaml) found');
  const sources: Record<string, string> = {};
  for (const n of names.sort()) sources[n] = readFileSync(join(dir, n), 'utf8');
  return sources;
}

function fmtIssue(err: z.ZodError): string {
  const i = err.issues[0];
  const path = i.path.length ? i.path.join('.') + ': ' : '';
  return path + i.message;
}

/** Build a rulebook from in-memory sources (file name → YAML text). Throws RulebookError. */
export function parseRulebook(sources: Record<string, string>): Rulebook {
  const files = Object.keys(sources).sort();
  if (files.length === 0) throw new RulebookError('(none)', null, 'empty rulebook');
  const sets = new Map<string, string[]>();
  const parsed: { file: string; category: Category; rules: unknown[] }[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parseYaml(sources[file]);
    } catch (e) {
      throw new RulebookError(file, null, `YAML syntax: ${(e as Error).message.split('\n')[0]}`);
    }
    const f = FileSchema.safeParse(doc);
    if (!f.success) throw new RulebookError(file, null, fmtIssue(f.error));
    for (const [name, list] of Object.entries(f.data.sets ?? {})) {
      if (sets.has(name)) throw new RulebookError(file, null, `set @${name} defined twice`);
      sets.set(name, list);
    }
    parsed.push({ file, category: f.data.category, rules: f.data.rules });
  }

  // Sets may refer to sets. Each set is expanded once (memoized), within bounds on depth and size, so
  // that sets referring to each other cannot take the process's time or stack.
  const expanded = new Map<string, string[]>();
  const expandSet = (file: string, ruleId: string, name: string, path: string[]): string[] => {
    const done = expanded.get(name);
    if (done) return done;
    if (path.includes(name)) throw new RulebookError(file, ruleId, `set @${name} refers to itself (${[...path, name].map((n) => '@' + n).join(' → ')})`);
    if (path.length >= MAX_SET_DEPTH) throw new RulebookError(file, ruleId, `sets nest deeper than ${MAX_SET_DEPTH} levels (${[...path, name].map((n) => '@' + n).join(' → ')})`);
    const list = sets.get(name);
    if (!list) throw new RulebookError(file, ruleId, `unknown set @${name}`);
    const out = expandList(file, ruleId, list, [...path, name]);
    expanded.set(name, out);
    return out;
  };
  const expandList = (file: string, ruleId: string, list: string[] | undefined, path: string[] = []): string[] => {
    const out: string[] = [];
    for (const t of list ?? []) {
      const items = t.startsWith('@') ? expandSet(file, ruleId, t.slice(1), path) : [t];
      if (out.length + items.length > MAX_EXPANDED_TERMS)
        throw new RulebookError(file, ruleId, `a term list expands to more than ${MAX_EXPANDED_TERMS.toLocaleString('en')} terms${path.length ? ` (in set @${path[path.length - 1]})` : ''}`);
      for (const i of items) out.push(i);
    }
    return out;
  };
  let totalTerms = 0;
  const expand = (file: string, ruleId: string, list: string[] | undefined): string[] => {
    const out = expandList(file, ruleId, list);
    totalTerms += out.length;
    if (totalTerms > MAX_TOTAL_TERMS) throw new RulebookError(file, ruleId, `the rulebook has more than ${MAX_TOTAL_TERMS.toLocaleString('en')} terms in all, after expanding sets`);
    return out;
  };

  const automaton = new TermAutomaton();
  const uses: number[][] = [];
  const compiled: CompiledRule[] = [];
  const byId = new Map<string, CompiledRule>();

  const addTerms = (file: string, rule: string, idx: number, role: number, list: string[], clitics: Clitics, obf: boolean): void => {
    for (const raw of list) {
      let t = raw;
      let cl = clitics;
      if (t.startsWith('=')) {
        cl = 'none';
        t = t.slice(1);
      }
      const norm = normalizeTerm(t);
      if (norm.length === 0) throw new RulebookError(file, rule, `term "${raw}" is empty after normalization`);
      const variants = [norm];
      if (obf && role === ROLE_TERM) variants.push(...maskedVariants(norm));
      for (const v of variants) {
        const id = automaton.add(v, v.length <= 2 ? 'none' : cl);
        while (uses.length <= id) uses.push([]);
        const u = idx * 4 + role;
        if (!uses[id].includes(u)) uses[id].push(u);
      }
    }
  };

  for (const { file, category, rules } of parsed) {
    for (const r of rules) {
      const rid = typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string' ? (r as { id: string }).id : null;
      const res = RuleSchema.safeParse(r);
      if (!res.success) throw new RulebookError(file, rid, fmtIssue(res.error));
      const spec = res.data;
      const id = spec.id;
      if (byId.has(id)) throw new RulebookError(file, id, 'duplicate rule id');
      const cat = spec.category ?? category;
      if (cat !== category) throw new RulebookError(file, id, `category ${cat} differs from the file's category ${category}`);
      if (!id.startsWith(category + '.')) throw new RulebookError(file, id, `rule id must start with "${category}."`);
      const terms = expand(file, id, spec.terms);
      const near = expand(file, id, spec.near);
      const exceptions = expand(file, id, spec.exceptions);
      const negations = expand(file, id, spec.negations);
      switch (spec.kind) {
        case 'lexicon':
        case 'profile':
          if (terms.length === 0) throw new RulebookError(file, id, `${spec.kind} rule needs terms`);
          if (spec.detector) throw new RulebookError(file, id, `${spec.kind} rule cannot have a detector`);
          break;
        case 'phrase':
          if (terms.length === 0) throw new RulebookError(file, id, 'phrase rule needs terms');
          if (near.length === 0 && !spec.directed) throw new RulebookError(file, id, 'phrase rule needs near terms (or directed: true)');
          break;
        case 'detector':
          if (!spec.detector) throw new RulebookError(file, id, 'detector rule needs a detector name');
          if (spec.detector === 'keyword_value' && (near.length === 0 || !spec.patterns))
            throw new RulebookError(file, id, 'keyword_value detector needs near keywords and value patterns');
          if ((spec.detector === 'regex' || spec.detector === 'phone' || spec.detector === 'address') && !spec.patterns)
            throw new RulebookError(file, id, `${spec.detector} detector needs patterns`);
          if (terms.length) throw new RulebookError(file, id, 'detector rule takes patterns, not terms');
          break;
      }
      // regexes: compiled once, here
      const patterns: RegExp[] = [];
      for (const p of spec.patterns ?? []) {
        try {
          const flags = 'gu' + (p.includes('(?<v>') ? 'd' : '') + (spec.options?.case_sensitive === true ? '' : 'i');
          patterns.push(new RegExp(p, flags));
        } catch (e) {
          throw new RulebookError(file, id, `bad pattern /${p}/: ${(e as Error).message}`);
        }
      }
      let options: Record<string, unknown> = { ...(spec.options ?? {}) };
      if (spec.detector === 'email' || spec.detector === 'gov_email') {
        const dom = options.gov_domains;
        const gen = options.generic_locals;
        if (!Array.isArray(dom) || !dom.every((x) => typeof x === 'string'))
          throw new RulebookError(file, id, 'options.gov_domains must be a list of domain suffixes');
        if (!Array.isArray(gen) || !gen.every((x) => typeof x === 'string'))
          throw new RulebookError(file, id, 'options.generic_locals must be a list of mailbox names');
        const esc = (dom as string[]).map((d) => d.toLowerCase().replace(/^\./, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        options = {
          ...options,
          govDomains: new RegExp(`(?:^|\\.)(?:${esc.join('|')})$`),
          genericLocals: new Set((gen as string[]).map((g) => g.toLowerCase())),
        };
      }
      if (spec.detector === 'address' && patterns.length < 2)
        throw new RulebookError(file, id, 'address detector needs two patterns: components (group k) and dwelling kinds');
      const idx = compiled.length;
      const info: RuleInfo = { id, category: cat, severity: spec.severity, title: spec.title, explanation: spec.explanation };
      const defaultObf = spec.obfuscations ?? (cat === 'abuse' || cat === 'beliefs' || cat === 'public_morals');
      const cr: CompiledRule = {
        idx,
        id,
        file,
        info,
        category: cat,
        severity: spec.severity,
        kind: spec.kind,
        accounts: spec.accounts ? new Set(spec.accounts) : null,
        window: spec.window ?? 3,
        order: spec.order ?? 'any',
        directed: spec.directed ?? false,
        hasNear: near.length > 0,
        hasExceptions: exceptions.length > 0,
        exceptionWindow: spec.exception_window ?? -1,
        hasNegations: negations.length > 0,
        negationWindow: spec.negation_window ?? 2,
        detector: spec.detector ?? null,
        detectorFn: spec.detector && spec.detector !== 'keyword_value' ? DETECTORS[spec.detector] : null,
        spec: spec.detector
          ? { patterns, validate: VALIDATORS[spec.validate ?? 'none'], options }
          : null,
        requires: spec.requires ?? (spec.detector === 'email' || spec.detector === 'gov_email' ? 'at' : spec.detector ? 'digit' : 'none'),
        triggers: spec.triggers ? compileTriggers(spec.triggers, spec.options?.case_sensitive === true) : null,
        ...triggerChars(spec.triggers, spec.options?.case_sensitive === true),
        windowChars: spec.window_chars ?? 60,
        minDigits: spec.min_digits ?? (spec.requires === 'digit' || (!spec.requires && spec.detector && spec.detector !== 'email' && spec.detector !== 'gov_email') ? 1 : 0),
        allowValues: new Set((spec.allow_values ?? []).map((v) => v.replace(/[^0-9A-Za-z]/g, '').toUpperCase())),
      };
      const clitics: Clitics = spec.clitics ?? 'both';
      addTerms(file, id, idx, ROLE_TERM, terms, clitics, defaultObf);
      addTerms(file, id, idx, ROLE_NEAR, near, clitics, false);
      addTerms(file, id, idx, ROLE_EXCEPTION, exceptions, 'both', false);
      addTerms(file, id, idx, ROLE_NEGATION, negations, 'both', false);
      compiled.push(cr);
      byId.set(id, cr);
    }
  }
  if (compiled.length === 0) throw new RulebookError(files[0], null, 'rulebook has no rules');
  automaton.build();
  const termUses = automaton.terms.map((_, i) => Int32Array.from(uses[i] ?? []));
  return {
    version: rulebookVersion(sources),
    rules: compiled.map((c) => c.info),
    sources: { ...sources },
    compiled,
    automaton,
    termUses,
    byId,
  };
}
