// Scoring CLI (a fixed contract used by external evaluations):
//   npm run score -- --input posts.jsonl [--rulebook DIR]      (stdin when --input is omitted)
// One JSON line out per non-empty input line:
//   {"id","score","verdict","findings":[{"rule","category","severity","start","end","match"}]}
// A malformed line gives {"id", "error"} (or {"line": N, "error"} without an id) and the run goes on.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadRulebook, scorePost, type Rulebook } from './engine.ts';
import type { AccountType, Lang } from './types.ts';

interface Args {
  input: string | null;
  rulebook: string | undefined;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { input: null, rulebook: undefined };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const eq = k.indexOf('=');
    const key = eq > 0 ? k.slice(0, eq) : k;
    const val = (): string => {
      if (eq > 0) return k.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${key} needs a value`);
      return v;
    };
    if (key === '--input' || key === '-i') a.input = val();
    else if (key === '--rulebook' || key === '-r') a.rulebook = val();
    else if (key === '--help' || key === '-h') {
      process.stdout.write('usage: npm run score -- [--input posts.jsonl] [--rulebook DIR]\n');
      process.exit(0);
    } else if (key === '--') continue;
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const ACCOUNTS = new Set(['official', 'executive', 'employee']);

/** Score one input line; returns the output object (never throws). */
export function scoreLine(rb: Rulebook, line: string, lineNo: number): Record<string, unknown> {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (e) {
    return { line: lineNo, error: `invalid JSON: ${(e as Error).message}` };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { line: lineNo, error: 'line is not a JSON object' };
  const o = obj as Record<string, unknown>;
  const hasId = typeof o.id === 'string' || typeof o.id === 'number';
  const id = hasId ? String(o.id) : null;
  const fail = (error: string): Record<string, unknown> => (id !== null ? { id, error } : { line: lineNo, error });
  if (!hasId) return fail('missing "id" (string)');
  if (typeof o.text !== 'string') return fail('missing "text" (string)');
  // Any language tag is accepted (und, qme, mixed, ar-BH, ja on an English post…): the rulebook reads Arabic
  // and English in every text whatever its tag, so a tag only has to be a string.
  if (o.lang !== undefined && o.lang !== null && (typeof o.lang !== 'string' || o.lang.length > 35)) return fail('"lang" must be a language tag (a string such as "ar", "en", "und")');
  if (o.account_type !== undefined && o.account_type !== null && !(typeof o.account_type === 'string' && ACCOUNTS.has(o.account_type)))
    return fail('"account_type" must be official, executive or employee');
  try {
    const r = scorePost(rb, {
      text: o.text,
      lang: o.lang === 'ar' || o.lang === 'en' ? (o.lang as Lang) : undefined,
      accountType: (o.account_type ?? undefined) as AccountType | undefined,
    });
    return {
      id,
      score: r.score,
      verdict: r.verdict,
      findings: r.findings.map((f) => ({ rule: f.rule, category: f.category, severity: f.severity, start: f.start, end: f.end, match: f.match })),
    };
  } catch (e) {
    return fail(`scoring failed: ${(e as Error).message}`);
  }
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`score: ${(e as Error).message}\n`);
    process.exit(2);
  }
  let rb: Rulebook;
  try {
    rb = loadRulebook(args.rulebook);
  } catch (e) {
    process.stderr.write(`score: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const input = args.input ? createReadStream(args.input, { encoding: 'utf8' }) : process.stdin;
  input.on('error', (e: Error) => {
    process.stderr.write(`score: cannot read input: ${e.message}\n`);
    process.exit(2);
  });
  const rl = createInterface({ input, crlfDelay: Infinity });
  const out = process.stdout;
  let buf = '';
  let lineNo = 0;
  for await (const raw of rl) {
    lineNo++;
    const line = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (line.trim() === '') continue;
    buf += JSON.stringify(scoreLine(rb, line, lineNo)) + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await new Promise<void>((res) => out.once('drain', () => res()));
      buf = '';
    }
  }
  if (buf) out.write(buf);
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain || process.argv[1]?.endsWith('cli.ts')) {
  main().catch((e) => {
    process.stderr.write(`score: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  });
}
