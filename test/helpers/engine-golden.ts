// The engine's output over fixed corpora, for the golden check (test/unit/engine-golden.test.ts): the speed
// work on the engine must not change a single finding. Each corpus gives one line per post (rulebook
// alone, rulebook + model, the profile findings); a digest per corpus is what the test compares.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_ACCOUNTS, demoWindow } from '../../jobs/connectors/demo.ts';
import { loadRulebook, modelOf, scorePost, scoreProfile, type Rulebook } from '../../jobs/scoring/engine.ts';
import type { AccountType } from '../../jobs/scoring/types.ts';
import { AR, BAD, EN, rng } from '../bench/corpus.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const ACCOUNT_TYPES: readonly AccountType[] = ['official', 'executive', 'employee'];

export interface GoldenPost {
  text: string;
  accountType?: AccountType;
}

function jsonl(path: string): GoldenPost[] {
  const out: GoldenPost[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let o: { text?: unknown; account_type?: unknown };
    try {
      o = JSON.parse(line);
    } catch {
      continue; // some fixtures carry a broken line on purpose
    }
    if (typeof o.text !== 'string') continue;
    const at = ACCOUNT_TYPES.includes(o.account_type as AccountType) ? (o.account_type as AccountType) : undefined;
    out.push({ text: o.text, accountType: at });
  }
  return out;
}

/** Generated posts like the benchmark's, with a different seed, each scored under every account type. */
function generated(n: number): GoldenPost[] {
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const out: GoldenPost[] = [];
  for (let i = 0; i < n; i++) {
    const arabic = r() < 0.6;
    let text = '';
    const target = 20 + Math.floor(r() * 260);
    while (text.length < target) text += (text ? (arabic ? '، ' : '. ') : '') + pick(arabic ? AR : EN);
    for (let k = r() < 0.5 ? 1 : 0; k > 0; k--) {
      const cut = Math.floor(r() * text.length);
      text = text.slice(0, cut) + ' ' + pick(BAD) + ' ' + text.slice(cut);
    }
    out.push({ text, accountType: ACCOUNT_TYPES[i % ACCOUNT_TYPES.length] });
  }
  return out;
}

/** The demo generator's posts (clean and with violations) of three months, deterministic. */
function demo(): GoldenPost[] {
  const from = Date.parse('2025-01-01T00:00:00Z');
  const to = Date.parse('2025-04-01T00:00:00Z');
  const seen = new Set<string>();
  const out: GoldenPost[] = [];
  for (const info of DEMO_ACCOUNTS)
    for (const it of demoWindow(info, from, to)) {
      const key = `${info.account.type}\u0000${it.post.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ text: it.post.text, accountType: info.account.type });
    }
  return out;
}

/** The corpora by name: every JSONL fixture of the project's corpus, blind and held-back sets, demo and generated posts. */
export function goldenCorpora(): Record<string, GoldenPost[]> {
  const sets: Record<string, GoldenPost[]> = {};
  for (const dir of ['corpus', 'blind', 'heldout'])
    for (const f of readdirSync(join(FIXTURES, dir)).sort())
      if (f.endsWith('.jsonl')) sets[`${dir}/${f}`] = jsonl(join(FIXTURES, dir, f));
  sets['integration-posts.jsonl'] = jsonl(join(FIXTURES, 'integration-posts.jsonl'));
  sets.demo = demo();
  sets.generated = generated(3000);
  return sets;
}

/** One line of output per post: the findings (every field) of the rulebook given, and the profile findings of the post's text. */
export function goldenLines(rb: Rulebook, posts: GoldenPost[]): string[] {
  return posts.map((p) => {
    const r = scorePost(rb, p);
    const prof = p.accountType ? scoreProfile(rb, { accountType: p.accountType, profileText: p.text }) : [];
    return JSON.stringify([r.score, r.verdict, r.findings, prof.map((f) => f.rule)]);
  });
}

export function digest(lines: string[]): string {
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

export const GOLDEN_FILE = join(FIXTURES, 'engine-golden.json');

export interface GoldenFile {
  /** the rulebook version the digests were taken with (rulebook alone, and with the model) */
  rulebook: string;
  model: string | null;
  rules: Record<string, string>;
  withModel: Record<string, string>;
}

/** The digests of today's engine over every corpus. */
export function goldenDigests(): GoldenFile {
  const rb = loadRulebook();
  const rules = loadRulebook(undefined, { model: null });
  const out: GoldenFile = { rulebook: rules.version, model: modelOf(rb)?.version ?? null, rules: {}, withModel: {} };
  for (const [name, posts] of Object.entries(goldenCorpora())) {
    out.rules[name] = digest(goldenLines(rules, posts));
    out.withModel[name] = digest(goldenLines(rb, posts));
  }
  return out;
}

// `npx tsx test/helpers/engine-golden.ts --write` records the digests (only when the rules or the model
// changed on purpose: a speed change must leave them as they are).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(GOLDEN_FILE, JSON.stringify(goldenDigests(), null, 2) + '\n');
  console.log(`written ${GOLDEN_FILE}`);
}
