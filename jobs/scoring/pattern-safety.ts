// Proof, not probing, that a user-supplied detector pattern cannot backtrack catastrophically.
// V8 backtracks, and a pattern such as (z+)+$ takes time exponential in the input on the main
// thread, where the API, the embedded database and the scheduler live. A list of known bad inputs
// cannot find every bad shape, so every pattern that is not one of the shipped defaults must be
// proven linear by recheck's automaton checker (ambiguity analysis of the pattern's NFA). What it
// cannot prove (lookarounds around repetitions, back-references, huge counted repetitions) is
// refused with the reason: the safe subset is what can be checked.
//
// Runs inside the trial worker (trial-worker.ts), never on the main thread: the analysis itself
// can take a while on a large pattern and is bounded by the worker's time limit.
import { RulebookError, type Rulebook } from './rulebook.ts';

type Diagnostics =
  | { status: 'safe'; checker?: string; complexity?: { type: string } }
  | { status: 'vulnerable'; checker?: string; complexity: { type: string; degree?: number; summary?: string }; attack?: { pattern?: string } }
  | { status: 'unknown'; checker?: string; error: { kind: string; message?: string } };
type CheckSync = (source: string, flags: string, params: Record<string, unknown>) => Diagnostics;

let checkSync: CheckSync | null = null;
async function loadChecker(): Promise<CheckSync> {
  if (!checkSync) {
    // recheck's pure-JavaScript backend, in this thread (its default spawns a native agent or a Java process).
    process.env.RECHECK_SYNC_BACKEND = 'pure';
    const mod = (await import('recheck')) as unknown as { checkSync: CheckSync };
    checkSync = mod.checkSync;
  }
  return checkSync;
}

/** Longest pattern accepted, and the largest count in {n,m}: beyond these the automaton is too big to check. */
export const MAX_PATTERN_LENGTH = 2_000;
export const MAX_REPEAT_COUNT = 1_000;
const CHECK_TIMEOUT_MS = 5_000;

const verdicts = new Map<string, string | null>();

/** null when the pattern is proven linear-time; otherwise the reason it is refused. */
export async function patternProblem(source: string, flags: string): Promise<string | null> {
  const key = `${flags}/${source}`;
  if (verdicts.has(key)) return verdicts.get(key)!;
  const problem = await analyse(source, flags);
  if (verdicts.size > 5_000) verdicts.clear();
  verdicts.set(key, problem);
  return problem;
}

async function analyse(source: string, flags: string): Promise<string | null> {
  if (source.length > MAX_PATTERN_LENGTH) return `a pattern is at most ${MAX_PATTERN_LENGTH} characters`;
  for (const m of source.matchAll(/(?<!\\)\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(m[1]) > MAX_REPEAT_COUNT || (m[2] && Number(m[2]) > MAX_REPEAT_COUNT))
      return `counted repetitions go up to {${MAX_REPEAT_COUNT}} (found ${m[0]})`;
  }
  // Back-references make matching non-regular (and the checker may call some of them safe): refused outright.
  if (/\\(?:[1-9]|k<)/.test(source.replace(/\\\\/g, ''))) return 'back-references (\\1, \\k<name>) are not allowed';
  const check = await loadChecker();
  let d: Diagnostics;
  try {
    d = check(source, flags.replace(/[dg]/g, ''), { checker: 'automaton', timeout: CHECK_TIMEOUT_MS });
  } catch (err) {
    return `the pattern is too complex to prove safe (${(err as Error).name})`;
  }
  if (d.status === 'safe') return null;
  if (d.status === 'vulnerable') {
    const kind = d.complexity.type === 'exponential' ? 'exponential' : `polynomial (degree ${d.complexity.degree ?? '≥ 2'})`;
    const attack = d.attack?.pattern ? `, for example on ${d.attack.pattern}` : '';
    return `the pattern can backtrack catastrophically: its matching time is ${kind} in the length of the text${attack}. Make each character matchable in one way only (no repetition inside a repetition, no two adjacent repetitions that can match the same characters)`;
  }
  if (d.error.kind === 'unsupported')
    return `the pattern cannot be proven linear-time (${d.error.message ?? 'unsupported construct'}): lookarounds may contain only fixed-length text or character classes, and back-references are not allowed`;
  if (d.error.kind === 'timeout') return 'the pattern is too complex to prove safe within the time limit; simplify it';
  return `the pattern cannot be checked (${d.error.kind}${d.error.message ? `: ${d.error.message}` : ''})`;
}

/**
 * Refuses (RulebookError naming file, rule and reason) any detector pattern of `rb` that is not in
 * `trusted` (the shipped default rulebook's own patterns, reviewed with the code) and cannot be proven
 * linear-time.
 */
export async function assertPatternsSafe(rb: Rulebook, trusted: ReadonlySet<string>): Promise<void> {
  for (const rule of rb.compiled) {
    for (const re of rule.spec?.patterns ?? []) {
      if (trusted.has(re.source)) continue;
      const problem = await patternProblem(re.source, re.flags);
      if (problem) throw new RulebookError(rule.file, rule.id, `pattern /${re.source}/: ${problem}`);
    }
  }
}

/** The patterns of a rulebook, as written (RegExp.source). */
export function patternSources(rb: Rulebook): Set<string> {
  return new Set(rb.compiled.flatMap((r) => (r.spec?.patterns ?? []).map((re) => re.source)));
}
