// Scoring throughput: `npm run bench:score`
// Generates 100,000 mixed posts (80–280 chars, 60% Arabic, some with violations), scores them on one
// core with the rulebook alone and with the rulebook plus the trained model (what Mizan runs), and
// compares with a baseline that applies the same lexicon as one RegExp per term. Prints medians of
// several repetitions and the peak RSS (sampled). Targets: rulebook + model ≥ 80,000 posts/s, ≤ 400 MB.

import { loadRulebook, modelOf, scorePost, type Rulebook } from '../../jobs/scoring/engine.ts';
import type { AccountType } from '../../jobs/scoring/types.ts';
import { AR, BAD, EN, rng } from './corpus.ts';

const N = Number(process.env.BENCH_POSTS ?? 100_000);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const BASELINE_POSTS = Number(process.env.BENCH_BASELINE_POSTS ?? 4_000);
const BASELINE_REPS = 3;


function makePosts(n: number): { text: string; accountType: AccountType }[] {
  const r = rng(42);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const accounts: AccountType[] = ['official', 'official', 'official', 'executive', 'employee'];
  const posts: { text: string; accountType: AccountType }[] = [];
  for (let i = 0; i < n; i++) {
    const arabic = r() < 0.6;
    const target = 80 + Math.floor(r() * 201);
    let text = '';
    while (text.length < target) text += (text ? (arabic ? '، ' : '. ') : '') + pick(arabic ? AR : EN);
    if (r() < 0.12) {
      const cut = Math.floor(r() * text.length * 0.5);
      text = text.slice(0, cut) + ' ' + pick(BAD) + ' ' + text.slice(cut);
    }
    if (text.length > 280) text = text.slice(0, 280);
    if (text.length < 80) text = text.padEnd(80, ' .');
    posts.push({ text, accountType: pick(accounts) });
  }
  return posts;
}

let peakRss = 0;
function sampleRss(): void {
  const r = process.memoryUsage().rss;
  if (r > peakRss) peakRss = r;
}
const sampler = setInterval(sampleRss, 20);
sampler.unref();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const t0 = performance.now();
const rb = loadRulebook();
const loadMs = performance.now() - t0;
const rulesOnly = loadRulebook(undefined, { model: null });
const model = modelOf(rb);
const posts = makePosts(N);
sampleRss();

// warm-up
let flagged = 0;
for (let i = 0; i < Math.min(N, 20_000); i++) {
  scorePost(rb, posts[i]);
  scorePost(rulesOnly, posts[i]);
}

function measure(book: Rulebook): number {
  flagged = 0;
  const s = performance.now();
  for (let i = 0; i < N; i++) {
    const res = scorePost(book, posts[i]);
    if (res.findings.length) flagged++;
    if ((i & 4095) === 0) sampleRss();
  }
  const ms = performance.now() - s;
  return N / (ms / 1000);
}

// alternate the two so that both see the same machine state
const engineRates: number[] = [];
const rulesRates: number[] = [];
let flaggedRules = 0;
for (let rep = 0; rep < REPS; rep++) {
  rulesRates.push(measure(rulesOnly));
  flaggedRules = flagged;
  engineRates.push(measure(rb));
}
sampleRss();

// baseline: the same lexicon, one RegExp per term, Unicode-aware boundaries on the lowercased text
const terms = new Set<string>();
for (const src of Object.values(rb.sources)) {
  for (const m of src.matchAll(/^\s+- (?:=)?([^@\n"{}[\]#][^\n#]*)$/gm)) {
    const t = m[1].trim().replace(/^['"]|['"]$/g, '');
    if (t && !/^[a-z_]+:/.test(t)) terms.add(t.toLowerCase());
  }
  for (const m of src.matchAll(/^\s+(?:terms|near|exceptions|negations): \[([^\]]*)\]/gm))
    for (const part of m[1].split(',')) {
      const t = part.trim().replace(/^=/, '').replace(/^['"]|['"]$/g, '');
      if (t && !t.startsWith('@')) terms.add(t.toLowerCase());
    }
}
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// The literal comes first so that V8 can scan for it; the boundary before it is checked by a lookbehind after it.
const regexes = [...terms].map((t) => new RegExp(`${esc(t)}(?<=(?:^|[^\\p{L}\\p{N}])${esc(t)})(?![\\p{L}\\p{N}])`, 'u'));
const baseRates: number[] = [];
const bn = Math.min(BASELINE_POSTS, N);
let baseHits = 0;
for (let rep = 0; rep < BASELINE_REPS; rep++) {
  baseHits = 0;
  const s = performance.now();
  for (let i = 0; i < bn; i++) {
    const text = posts[i].text.toLowerCase();
    for (const re of regexes) if (re.test(text)) baseHits++;
  }
  const ms = performance.now() - s;
  baseRates.push(bn / (ms / 1000));
}
sampleRss();
clearInterval(sampler);

const eng = median(engineRates);
const rulesRate = median(rulesRates);
const base = median(baseRates);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(`rulebook ${rb.version}: ${rb.rules.length} rules, ${rb.automaton.terms.length} automaton terms, ${rb.automaton.stateCount} states, loaded in ${loadMs.toFixed(0)} ms`);
console.log(`model ${model?.version ?? '(none)'}: ${model ? model.langs.map((l) => `${l.lang} ${l.heads.length} heads × 2^${l.bits}`).join(', ') : ''}`);
console.log(`posts: ${fmt(N)} (flagged ${((flaggedRules / N) * 100).toFixed(1)}% by the rulebook alone, ${((flagged / N) * 100).toFixed(1)}% with the model), repetitions: ${REPS}`);
console.log(`rulebook alone:   ${fmt(rulesRate)} posts/s (median; runs: ${rulesRates.map(fmt).join(', ')})`);
console.log(`rulebook + model: ${fmt(eng)} posts/s (median; runs: ${engineRates.map(fmt).join(', ')}); the model costs ${(((1 / eng - 1 / rulesRate) * 1e6)).toFixed(2)} µs per post`);
console.log(`baseline: ${fmt(base)} posts/s (median of ${BASELINE_REPS} runs over ${fmt(bn)} posts; ${regexes.length} regexes, one per term)`);
console.log(`ratio:    ${(eng / base).toFixed(1)}x`);
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
const ok = eng >= 80_000 && eng / base >= 20 && peakRss <= 400 * 1024 * 1024;
console.log(ok ? 'targets met (rulebook + model ≥80,000 posts/s, ≥20x baseline, ≤400 MB)' : 'TARGETS NOT MET (rulebook + model ≥80,000 posts/s, ≥20x baseline, ≤400 MB)');
