// Scoring throughput: `npm run bench:score`
// Generates 100,000 mixed posts (80–280 chars, 60% Arabic, some with violations), scores them on one
// core with the rulebook alone and with the rulebook plus the trained model (what Mizan runs), and
// compares with a baseline that applies the same lexicon as one RegExp per term, and with the rulebook of
// commit 0ca9ebd (before issue 10's rules; read with git, skipped outside a clone). Prints medians of
// several repetitions and the peak RSS (sampled). Targets: rulebook + model ≥ 80,000 posts/s, ≤ 400 MB.
//
// Two rates per run: wall clock, and per CPU second of this process (user + system, all its threads, so
// GC threads count against it). On a shared machine the wall rate measures the neighbours as much as the
// engine; the CPU rate is what one core of our own does. The target is judged on the CPU rate.

import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { loadRulebook, modelOf, parseRulebook, scorePost, type Rulebook } from '../../jobs/scoring/engine.ts';
import type { AccountType } from '../../jobs/scoring/types.ts';
import { generatedText, rng } from './corpus.ts';

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
    let { text } = generatedText(r, 0.12);
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

/** The rulebook files of an older commit, or null (no git, or not a clone). */
function rulebookAt(commit: string): Rulebook | null {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const dir = 'jobs/scoring/rulebook/';
    const sources: Record<string, string> = {};
    for (const f of git('ls-tree', '--name-only', commit, dir).split('\n'))
      if (/\.ya?ml$/.test(f)) sources[f.slice(dir.length)] = git('show', `${commit}:${f}`);
    return parseRulebook(sources, { model: null });
  } catch {
    return null;
  }
}
const OLD_COMMIT = '0ca9ebd';
const older = process.env.BENCH_OLD === '0' ? null : rulebookAt(OLD_COMMIT);
const model = modelOf(rb);
const posts = makePosts(N);
sampleRss();

// warm-up
let flagged = 0;
for (let i = 0; i < Math.min(N, 20_000); i++) {
  scorePost(rb, posts[i]);
  scorePost(rulesOnly, posts[i]);
  if (older) scorePost(older, posts[i]);
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Rates {
  wall: number[];
  cpu: number[];
}

function measure(book: Rulebook, into: Rates): void {
  flagged = 0;
  const s = performance.now();
  const c = cpuMs();
  for (let i = 0; i < N; i++) {
    const res = scorePost(book, posts[i]);
    if (res.findings.length) flagged++;
    if ((i & 4095) === 0) sampleRss();
  }
  into.wall.push(N / ((performance.now() - s) / 1000));
  into.cpu.push(N / ((cpuMs() - c) / 1000));
}

// alternate them so that all see the same machine state
const engineRates: Rates = { wall: [], cpu: [] };
const rulesRates: Rates = { wall: [], cpu: [] };
const olderRates: Rates = { wall: [], cpu: [] };
let flaggedRules = 0;
const load0 = loadavg()[0];
for (let rep = 0; rep < REPS; rep++) {
  measure(rulesOnly, rulesRates);
  flaggedRules = flagged;
  measure(rb, engineRates);
  if (older) measure(older, olderRates);
}
const load1 = loadavg()[0];
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
  const s = cpuMs(); // CPU time, like the engine's rate it is compared with
  for (let i = 0; i < bn; i++) {
    const text = posts[i].text.toLowerCase();
    for (const re of regexes) if (re.test(text)) baseHits++;
  }
  const ms = cpuMs() - s;
  baseRates.push(bn / (ms / 1000));
}
sampleRss();
clearInterval(sampler);

const eng = median(engineRates.cpu);
const rulesRate = median(rulesRates.cpu);
const base = median(baseRates);
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const line = (r: Rates) =>
  `${fmt(median(r.cpu))} posts/s per CPU second, ${fmt(median(r.wall))} posts/s wall (medians; CPU runs: ${r.cpu.map(fmt).join(', ')})`;
console.log(`rulebook ${rb.version}: ${rb.rules.length} rules, ${rb.automaton.terms.length} automaton terms, ${rb.automaton.stateCount} states, loaded in ${loadMs.toFixed(0)} ms`);
console.log(`model ${model?.version ?? '(none)'}: ${model ? model.langs.map((l) => `${l.lang} ${l.heads.length} heads × 2^${l.bits}`).join(', ') : ''}`);
console.log(`posts: ${fmt(N)} (flagged ${((flaggedRules / N) * 100).toFixed(1)}% by the rulebook alone, ${((flagged / N) * 100).toFixed(1)}% with the model), repetitions: ${REPS}`);
console.log(`load average: ${load0.toFixed(2)} before, ${load1.toFixed(2)} after the runs`);
console.log(`rulebook alone:   ${line(rulesRates)}; ${(1e6 / rulesRate).toFixed(2)} µs per post`);
console.log(`rulebook + model: ${line(engineRates)}; the model costs ${((1 / eng - 1 / rulesRate) * 1e6).toFixed(2)} µs per post`);
if (older)
  console.log(`rulebook of ${OLD_COMMIT} alone (${older.rules.length} rules, ${older.automaton.terms.length} terms): ${line(olderRates)}; today's rules cost ${((1 / rulesRate - 1 / median(olderRates.cpu)) * 1e6).toFixed(2)} µs per post more`);
console.log(`baseline: ${fmt(base)} posts/s per CPU second (median of ${BASELINE_REPS} runs over ${fmt(bn)} posts; ${regexes.length} regexes, one per term)`);
console.log(`ratio:    ${(eng / base).toFixed(1)}x`);
console.log(`peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
const ok = eng >= 80_000 && eng / base >= 20 && peakRss <= 400 * 1024 * 1024; // eng: per CPU second
console.log(ok ? 'targets met (rulebook + model ≥80,000 posts/s, ≥20x baseline, ≤400 MB)' : 'TARGETS NOT MET (rulebook + model ≥80,000 posts/s, ≥20x baseline, ≤400 MB)');
