// The scoring engine: pure data in, pure data out.
//   loadRulebook / parseRulebook → Rulebook (validated, compiled once)
//   scorePost(rulebook, input)   → findings (offsets on the original text), score, verdict
//   scoreProfile(rulebook, ...)  → account-level findings (missing disclaimer)
//
// The trained classifier (jobs/scoring/model/) is part of the rulebook: parseRulebook/loadRulebook attach
// the shipped model, add its rules (model.*) to the rule list, and fold the model version into the
// rulebook version (the pseudo source `model.lock`), so a new model is a new rulebook version, tried and
// rescored like any other. `{ model: null }` gives the rulebook alone.

import { computeScore } from './formula.ts';
import { newHitBuffer, type HitBuffer } from './lexicon.ts';
import { asciiDigits, normalize, type Normalized } from './normalize.ts';
import {
  ROLE_EXCEPTION,
  ROLE_NEAR,
  ROLE_NEGATION,
  ROLE_TERM,
  type CompiledRule,
  type Rulebook,
} from './rulebook.ts';
import type { DetectContext } from './detectors.ts';
import { MODEL_RULES } from './model/heads.ts';
import { runModel, shippedModel, type Model, type ModelHit } from './model/model.ts';
import { parseRulebook as parseRulesOnly, readRulebookSources, rulebookVersion as sourcesVersion } from './rulebook.ts';
import { SEVERITIES, type AccountType, type Finding, type ScoreInput, type ScoreResult } from './types.ts';

export { readRulebookSources, RulebookError } from './rulebook.ts';
export type { Rulebook } from './rulebook.ts';

/** The pseudo source that carries the model version inside a rulebook's sources (and so its version). */
export const MODEL_SOURCE = 'model.lock';

export interface ModelOption {
  /** the model to attach: default the shipped one (jobs/scoring/model/model.bin); null = rulebook alone */
  model?: Model | null;
}

const models = new WeakMap<Rulebook, Model>();
const OFFENSIVE_FAMILY: ReadonlySet<string> = new Set(['abuse', 'beliefs', 'public_morals', 'reputation']);

function ruleSources(sources: Record<string, string>): Record<string, string> {
  if (!(MODEL_SOURCE in sources)) return sources;
  const { [MODEL_SOURCE]: _lock, ...rest } = sources;
  return rest;
}

/** The version of a rulebook built from these sources with the shipped model (what parseRulebook gives). */
export function rulebookVersion(sources: Record<string, string>, opts: ModelOption = {}): string {
  const model = opts.model === undefined ? shippedModel() : opts.model;
  const rules = ruleSources(sources);
  return sourcesVersion(model ? { ...rules, [MODEL_SOURCE]: model.version } : rules);
}

/**
 * Build a rulebook from in-memory sources (file name → YAML text) with the model attached. Throws
 * RulebookError. A `model.lock` source names the model a stored version was built with; the model in
 * force is always the shipped one, so an older lock gives a new version (see rulebook-store.ts).
 */
export function parseRulebook(sources: Record<string, string>, opts: ModelOption = {}): Rulebook {
  const rb = parseRulesOnly(ruleSources(sources));
  const model = opts.model === undefined ? shippedModel() : opts.model;
  if (model) {
    rb.sources = { ...rb.sources, [MODEL_SOURCE]: model.version };
    rb.version = sourcesVersion(rb.sources);
    rb.rules = [...rb.rules, ...MODEL_RULES];
    models.set(rb, model);
  }
  return rb;
}

/** Load every *.yaml / *.yml file of `dir` (default: jobs/scoring/rulebook), with the model attached. */
export function loadRulebook(dir?: string, opts: ModelOption = {}): Rulebook {
  return parseRulebook(readRulebookSources(dir), opts);
}

/** The model attached to a rulebook (null: rulebook alone). */
export function modelOf(rb: Rulebook): Model | null {
  return models.get(rb) ?? null;
}

const SEV_RANK: Record<string, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i]));

// ---------------------------------------------------------------------------------------------
// per-call scratch (the engine is synchronous; buffers are reused across calls)

const hits: HitBuffer = newHitBuffer(512);
const modelHits: ModelHit[] = [];

// Hits distributed to rule buckets ([ruleIdx * 4 + role]) as linked lists in flat typed arrays, in hit
// order: no JS array per bucket to push to and truncate on every post.
let eHit = new Int32Array(1024); // entry → hit index
let eNext = new Int32Array(1024); // entry → next entry of its bucket, -1 at the end
let eCount = 0;

function growEntries(): void {
  const n = eHit.length * 2;
  const h = new Int32Array(n);
  h.set(eHit);
  eHit = h;
  const x = new Int32Array(n);
  x.set(eNext);
  eNext = x;
}

interface Scratch {
  head: Int32Array; // bucket → first entry, -1 when empty
  tail: Int32Array; // bucket → last entry
  touched: Int32Array; // rule indices with any hit (touchedCount of them)
  touchedCount: number;
  mark: Uint8Array;
  detectorRules: CompiledRule[];
  profileRules: CompiledRule[];
}
const scratchByBook = new WeakMap<Rulebook, Scratch>();

function scratchFor(rb: Rulebook): Scratch {
  let s = scratchByBook.get(rb);
  if (!s) {
    const n = rb.compiled.length;
    s = {
      head: new Int32Array(n * 4).fill(-1),
      tail: new Int32Array(n * 4),
      touched: new Int32Array(n),
      touchedCount: 0,
      mark: new Uint8Array(n),
      detectorRules: rb.compiled.filter((r) => r.kind === 'detector'),
      profileRules: rb.compiled.filter((r) => r.kind === 'profile'),
    };
    scratchByBook.set(rb, s);
  }
  return s;
}

/** Rules scoped to account types; a post without an account type is taken as an official account's. */
function accountOk(rule: CompiledRule, account: AccountType | undefined): boolean {
  if (!rule.accounts) return true;
  return rule.accounts.has(account ?? 'official');
}

/** Scan normalized text and distribute hits to rule buckets. */
function collect(rb: Rulebook, sc: Scratch, nz: Normalized, account: AccountType | undefined): void {
  const head = sc.head;
  const tail = sc.tail;
  for (let t = 0; t < sc.touchedCount; t++) {
    const r = sc.touched[t];
    sc.mark[r] = 0;
    const b = r * 4;
    head[b] = -1;
    head[b + 1] = -1;
    head[b + 2] = -1;
    head[b + 3] = -1;
  }
  sc.touchedCount = 0;
  eCount = 0;
  rb.automaton.scan(nz, hits);
  const uses = rb.termUses;
  const compiled = rb.compiled;
  for (let h = 0; h < hits.count; h++) {
    const u = uses[hits.term[h]];
    for (let k = 0; k < u.length; k++) {
      const b = u[k];
      const ri = b >> 2;
      if (!accountOk(compiled[ri], account)) continue;
      if (eCount === eHit.length) growEntries();
      const e = eCount++;
      eHit[e] = h;
      eNext[e] = -1;
      if (head[b] < 0) head[b] = e;
      else eNext[tail[b]] = e;
      tail[b] = e;
      if (sc.mark[ri] === 0) {
        sc.mark[ri] = 1;
        sc.touched[sc.touchedCount++] = ri;
      }
    }
  }
}

/** A finding plus its core span (the words of the term itself, without context words) and rule index. */
interface Draft {
  rule: CompiledRule;
  start: number;
  end: number;
  cs: number;
  ce: number;
}

function draft(rule: CompiledRule, start: number, end: number, cs = start, ce = end): Draft {
  return { rule, start, end, cs, ce };
}

/** Token distance between two hits (0 when overlapping). */
function tokGap(a: number, b: number): number {
  if (hits.tokB[b] < hits.tokA[a]) return hits.tokA[a] - hits.tokB[b];
  if (hits.tokA[b] > hits.tokB[a]) return hits.tokA[b] - hits.tokB[a];
  return 0;
}

// An offensive word the rulebook saw in a context it knows to be clean (an exception or a negation
// dropped the match: "الله يلعن الشيطان", "our kennel bitch gave birth"): the model, which reads words
// without that knowledge, stays silent on the post.
let excused = false;
function excuse(rule: CompiledRule): void {
  if (OFFENSIVE_FAMILY.has(rule.category)) excused = true;
}

function evalTermRule(rule: CompiledRule, sc: Scratch, out: Draft[]): void {
  const base = rule.idx * 4;
  const terms = sc.head[base + ROLE_TERM];
  if (terms < 0) return;
  const near = sc.head[base + ROLE_NEAR];
  const exc = sc.head[base + ROLE_EXCEPTION];
  const neg = sc.head[base + ROLE_NEGATION];
  if (rule.hasExceptions && exc >= 0 && rule.exceptionWindow < 0) {
    excuse(rule);
    return;
  }
  for (let ta = terms; ta >= 0; ta = eNext[ta]) {
    const a = eHit[ta];
    if (rule.hasExceptions && exc >= 0) {
      let skip = false;
      for (let x = exc; x >= 0; x = eNext[x]) if (tokGap(a, eHit[x]) <= rule.exceptionWindow) skip = true;
      if (skip) {
        excuse(rule);
        continue;
      }
    }
    if (rule.hasNegations && neg >= 0) {
      let negated = false;
      for (let x = neg; x >= 0; x = eNext[x]) {
        const n = eHit[x];
        const d = hits.tokA[a] - hits.tokB[n];
        if (hits.tokB[n] < hits.tokA[a] && d <= rule.negationWindow) negated = true;
      }
      if (negated) {
        excuse(rule);
        continue;
      }
    }
    let start = hits.oStart[a];
    let end = hits.oEnd[a];
    if (rule.kind === 'phrase') {
      let ok = rule.directed && hits.vocative[a] === 1;
      if (!ok) {
        let best = -1;
        let bestGap = 1 << 30;
        for (let x = near; x >= 0; x = eNext[x]) {
          const b = eHit[x];
          const before = hits.tokB[b] < hits.tokA[a];
          const after = hits.tokA[b] > hits.tokB[a];
          if (!before && !after) continue; // overlapping: the same words
          if (rule.order === 'before' && !before) continue;
          if (rule.order === 'after' && !after) continue;
          const g = tokGap(a, b);
          if (g <= rule.window && g < bestGap) {
            best = b;
            bestGap = g;
          }
        }
        if (best < 0) continue;
        ok = true;
        start = Math.min(start, hits.oStart[best]);
        end = Math.max(end, hits.oEnd[best]);
      }
    }
    out.push(draft(rule, start, end, hits.oStart[a], hits.oEnd[a]));
  }
}

function nearWithinChars(sc: Scratch, rule: CompiledRule, role: number, s: number, e: number): boolean {
  const w = rule.windowChars;
  for (let x = sc.head[rule.idx * 4 + role]; x >= 0; x = eNext[x]) {
    const h = eHit[x];
    const hs = hits.oStart[h];
    const he = hits.oEnd[h];
    if (he <= s ? s - he <= w : hs >= e ? hs - e <= w : true) return true;
  }
  return false;
}

// detector emit state (module level: no closure per call)
let emRule: CompiledRule | null = null;
let emSc: Scratch | null = null;
let emCtx: DetectContext | null = null;
let emOut: Draft[] = [];

function emit(s: number, e: number): void {
  const rule = emRule!;
  if (e <= s) return;
  if (rule.allowValues.size > 0) {
    const v = emCtx!.dtext.slice(s, e).replace(/[^0-9A-Za-z]/g, '').toUpperCase();
    if (rule.allowValues.has(v)) return;
  }
  if (rule.hasNear && rule.detector !== 'keyword_value' && !nearWithinChars(emSc!, rule, ROLE_NEAR, s, e)) return;
  if (rule.hasExceptions && nearWithinChars(emSc!, rule, ROLE_EXCEPTION, s, e)) return;
  emOut.push(draft(rule, s, e));
}

function runDetectors(sc: Scratch, nz: Normalized, text: string, account: AccountType | undefined, out: Draft[]): void {
  let ctx: DetectContext | null = null;
  emSc = sc;
  emOut = out;
  for (const rule of sc.detectorRules) {
    if (nz.maxDigitRun < rule.minDigits) continue;
    if (rule.requires === 'at' && !nz.hasAt) continue;
    if (rule.requires === 'astral' && !nz.hasAstral) continue;
    if (rule.requires === 'star' && !nz.hasStar) continue;
    if (!accountOk(rule, account)) continue;
    if (rule.hasNear && sc.head[rule.idx * 4 + ROLE_NEAR] < 0) continue;
    if (rule.triggers !== null) {
      // the triggers' first characters, from the normalizer's ASCII census, before any RegExp
      const tc = rule.triggerChars;
      if (tc !== null) {
        let found = false;
        for (let k = 0; k < tc.length; k++) if (nz.ascii[tc[k]] === nz.asciiGen) found = true;
        if (!found) continue;
      }
      if (!rule.triggerExact && !rule.triggers.test(text)) continue;
    }
    if (ctx === null) ctx = { text, dtext: nz.hasIndicDigit ? asciiDigits(text) : text, accountType: account };
    emRule = rule;
    emCtx = ctx;
    if (rule.detector === 'keyword_value') {
      // a value right after a keyword: كلمة المرور: Abc@2024, OTP 482913, passport No. A1234567
      const spec = rule.spec!;
      for (let x = sc.head[rule.idx * 4 + ROLE_NEAR]; x >= 0; x = eNext[x]) {
        const h = eHit[x];
        const from = hits.oEnd[h];
        const window = ctx.dtext.slice(from, from + rule.windowChars);
        for (const re of spec.patterns) {
          re.lastIndex = 0;
          const m = re.exec(window);
          if (m && spec.validate(m[0])) {
            emit(from + m.index, from + m.index + m[0].length);
            break;
          }
        }
      }
    } else rule.detectorFn!(ctx, rule.spec!, emit);
  }
  emRule = null;
  emCtx = null;
  emSc = null;
  emOut = [];
}

/**
 * One finding per category for the same words: when the core spans of two findings of one category
 * overlap, keep the more severe, then the one that starts first, then the shorter.
 */
function better(a: Draft, b: Draft): boolean {
  const sa = SEV_RANK[a.rule.severity];
  const sb = SEV_RANK[b.rule.severity];
  if (sa !== sb) return sa > sb;
  if (a.start !== b.start) return a.start < b.start;
  if (a.end - a.start !== b.end - b.start) return a.end - a.start < b.end - b.start;
  return a.rule.idx <= b.rule.idx;
}

function resolve(ds: Draft[]): Draft[] {
  if (ds.length <= 1) return ds;
  ds.sort((a, b) => a.cs - b.cs || a.ce - b.ce || a.rule.idx - b.rule.idx);
  const keep = new Uint8Array(ds.length).fill(1);
  for (let i = 0; i < ds.length; i++) {
    if (!keep[i]) continue;
    for (let j = i + 1; j < ds.length && ds[j].cs < ds[i].ce; j++) {
      if (!keep[j] || ds[j].rule.category !== ds[i].rule.category) continue;
      if (better(ds[j], ds[i])) {
        keep[i] = 0;
        break;
      }
      keep[j] = 0;
    }
  }
  const out: Draft[] = [];
  for (let i = 0; i < ds.length; i++) if (keep[i]) out.push(ds[i]);
  return out;
}

function byPosition(a: Draft, b: Draft): number {
  return a.start - b.start || a.end - b.end || a.rule.idx - b.rule.idx;
}

/** Score one post. Findings are sorted by start; all count as open. */
export function scorePost(rulebook: Rulebook, input: ScoreInput): ScoreResult {
  const text = typeof input.text === 'string' ? input.text : '';
  const account = input.accountType;
  const sc = scratchFor(rulebook);
  const nz = normalize(text);
  collect(rulebook, sc, nz, account);
  const model = models.get(rulebook);
  let drafts: Draft[] = [];
  excused = false;
  for (let t = 0; t < sc.touchedCount; t++) {
    const rule = rulebook.compiled[sc.touched[t]];
    if (rule.kind === 'lexicon' || rule.kind === 'phrase') evalTermRule(rule, sc, drafts);
  }
  if (text.length > 0) runDetectors(sc, nz, text, account, drafts);
  const findings: Finding[] = [];
  if (drafts.length > 0) {
    drafts = resolve(drafts);
    drafts.sort(byPosition);
    for (const d of drafts)
      findings.push({ rule: d.rule.id, category: d.rule.category, severity: d.rule.severity, start: d.start, end: d.end, match: text.slice(d.start, d.end) });
  }
  // The model runs last, on the same normalized view (detectors read the text, never normalize again),
  // and only where the rulebook leaves it a say: nothing of the offensive family found or excused.
  if (model !== undefined && !excused && nz.tokCount > 0) {
    let family = false;
    for (const f of findings) if (OFFENSIVE_FAMILY.has(f.category)) family = true;
    if (!family) {
      if (modelHits.length !== 0) modelHits.length = 0;
      runModel(model, nz, modelHits);
      if (modelHits.length > 0) addModelFindings(text, model, findings);
    }
  }
  const { score, verdict } = computeScore(findings);
  return { score, verdict, findings };
}

/**
 * Model findings: one per category, the most probable head, and none where a rule finding already covers
 * the category or any of the offensive family (the rule says it better). The finding's words are the token that pushed most; all the
 * pushing words are its evidence.
 */
function addModelFindings(text: string, model: Model, findings: Finding[]): void {
  const covered = new Set<string>();
  for (const f of findings) {
    // The training labels ("offensive") do not tell insults from hate against a belief, vulgarity or
    // mockery of an entity: where a rule already named one of these, a model finding would only say it
    // again under another category. The model adds findings to posts the rulebook found clean of them.
    if (OFFENSIVE_FAMILY.has(f.category)) {
      modelHits.length = 0;
      return;
    }
    covered.add(f.category);
  }
  modelHits.sort((a, b) => b.probability - a.probability || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  let added = false;
  for (const h of modelHits) {
    if (covered.has(h.category) || h.evidence.length === 0) continue;
    covered.add(h.category);
    const top = h.evidence[0];
    findings.push({
      rule: h.rule,
      category: h.category,
      severity: h.severity,
      start: top.start,
      end: top.end,
      match: text.slice(top.start, top.end),
      probability: h.probability,
      model: model.version,
      evidence: h.evidence,
    });
    added = true;
  }
  modelHits.length = 0;
  if (added) findings.sort((a, b) => a.start - b.start || a.end - b.end);
}

/**
 * Does the rulebook keep the model silent on this post (a rule finding of the offensive family, or an
 * offensive word in a context the rulebook knows to be clean)? Training uses it to choose thresholds on
 * the clean posts the model would really flag.
 */
export function rulesSilenceModel(rulebook: Rulebook, input: ScoreInput): boolean {
  const r = scorePost(rulebook, input);
  return excused || r.findings.some((f) => OFFENSIVE_FAMILY.has(f.category));
}

/** The model alone (no rules): its findings on a post, one per category (eval's "model alone"). */
export function scoreModelOnly(model: Model, input: ScoreInput): ScoreResult {
  const text = typeof input.text === 'string' ? input.text : '';
  const findings: Finding[] = [];
  const nz = normalize(text);
  if (modelHits.length !== 0) modelHits.length = 0;
  if (nz.tokCount > 0) runModel(model, nz, modelHits);
  if (modelHits.length > 0) addModelFindings(text, model, findings);
  const { score, verdict } = computeScore(findings);
  return { score, verdict, findings };
}

/**
 * Account-level rules (the disclaimer duty of executive and employee accounts). A missing disclaimer
 * has no words in the text: start = end = 0 and match = ''. A null profile counts as lacking one.
 */
export function scoreProfile(rulebook: Rulebook, input: { accountType: AccountType; profileText: string | null }): Finding[] {
  const sc = scratchFor(rulebook);
  const text = typeof input.profileText === 'string' ? input.profileText : '';
  const nz = normalize(text);
  collect(rulebook, sc, nz, input.accountType);
  const out: Finding[] = [];
  for (const rule of sc.profileRules) {
    if (!accountOk(rule, input.accountType)) continue;
    if (sc.head[rule.idx * 4 + ROLE_TERM] >= 0) continue;
    out.push({ rule: rule.id, category: rule.category, severity: rule.severity, start: 0, end: 0, match: '' });
  }
  return out;
}

/** Rule metadata by id (for the UI/API), model rules included. */
export function ruleInfo(rulebook: Rulebook, id: string) {
  return rulebook.byId.get(id)?.info ?? (models.has(rulebook) ? MODEL_RULES.find((r) => r.id === id) : undefined);
}
