// Pure helpers of the rulebook try/publish pages: no DOM, no Svelte (tested in test/unit/chart-data.test.ts).
import type { TryPostsResponse, TryRulebookRequest, Verdict } from '../../../server/api-types.ts';

export const VERDICT_ORDER = ['clean', 'review', 'violation'] as const satisfies readonly Verdict[];
export const DEFAULT_DRAFT_FILE = 'draft.yaml';
export const DEFAULT_LAST_POSTS = 200;
export const MAX_LAST_POSTS = 2000;

export type DraftMode = 'merge' | 'replace';
export type Draft = NonNullable<TryRulebookRequest['draft']>;

/** The draft to send, or undefined when the editor is empty (then the version in force is tried). */
export function buildDraft(fileName: string, yaml: string, mode: DraftMode): Draft | undefined {
  if (yaml.trim() === '') return undefined;
  return { sources: { [fileName.trim() || DEFAULT_DRAFT_FILE]: yaml }, mode };
}

/** A whole number of posts in 1..2000; anything else falls back to the default or the nearest bound. */
export function clampLastPosts(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').trim() || NaN);
  if (!Number.isFinite(n)) return DEFAULT_LAST_POSTS;
  return Math.min(MAX_LAST_POSTS, Math.max(1, Math.round(n)));
}

export interface RulebookProblem {
  file: string | null;
  ruleId: string | null;
  reason: string;
}

export interface FieldProblem {
  field: string;
  message: string;
}

interface ErrorLike {
  code: string;
  message: string;
  details?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The file, rule and reason of a 422 invalid-rulebook error; null for any other error. */
export function rulebookProblem(error: ErrorLike | null | undefined): RulebookProblem | null {
  if (!error || error.code !== 'invalid-rulebook') return null;
  const d = (error.details ?? {}) as Record<string, unknown>;
  return { file: str(d.file), ruleId: str(d.ruleId), reason: str(d.reason) ?? error.message };
}

/** The field problems of a 400 invalid-request error (empty for any other error). */
export function fieldProblems(error: ErrorLike | null | undefined): FieldProblem[] {
  if (!error || error.code !== 'invalid-request' || !Array.isArray(error.details)) return [];
  return error.details
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null)
    .map((d) => ({ field: String(d.field ?? ''), message: String(d.message ?? '') }));
}

/** True when a field problem is about the draft (its file name or its files), so it is shown next to the editor. */
export function isDraftField(field: string): boolean {
  return field === 'draft' || field.startsWith('draft.') || field === 'sources' || field.startsWith('sources.');
}

export type VerdictCounts = Record<Verdict, number> & { none: number };

/** Verdict counts of the same posts today, from the server (`none` counts posts not scored yet). */
export function countsNow(result: Pick<TryPostsResponse, 'checked' | 'currentCounts'>): VerdictCounts {
  const c = result.currentCounts;
  return { clean: c.clean, review: c.review, violation: c.violation, none: result.checked - c.clean - c.review - c.violation };
}

export interface Move {
  from: string;
  to: string;
  n: number;
}

const verdictRank = (v: string) => {
  const i = (VERDICT_ORDER as readonly string[]).indexOf(v);
  return i < 0 ? -1 : i;
};

/** `{"clean->review": 2}` as rows, the largest first, then from the mildest verdict. */
export function moveEntries(moves: Record<string, number>): Move[] {
  return Object.entries(moves)
    .map(([key, n]) => {
      const [from = '', to = ''] = key.split('->');
      return { from, to, n };
    })
    .filter((m) => m.n > 0)
    .sort((a, b) => b.n - a.n || verdictRank(a.from) - verdictRank(b.from) || verdictRank(a.to) - verdictRank(b.to));
}

/** Whether a move is towards a harsher verdict (clean -> review), a milder one, or neither. */
export function moveDirection(from: string | null, to: string): 'worse' | 'better' | 'same' {
  if (from === null) return 'same';
  const a = verdictRank(from);
  const b = verdictRank(to);
  return b > a ? 'worse' : b < a ? 'better' : 'same';
}
