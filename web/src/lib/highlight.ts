// Splits a post's text into plain and highlighted segments from finding offsets (JS string indices).
export interface Span {
  start: number;
  end: number;
}

export interface Segment<S extends Span> {
  text: string;
  start: number;
  end: number;
  /** Spans covering this segment; empty for plain text, several where findings overlap. */
  spans: S[];
}

export function highlightSegments<S extends Span>(text: string, spans: readonly S[]): Segment<S>[] {
  const valid = spans
    .map((s) => ({ s, start: Math.max(0, Math.min(text.length, s.start)), end: Math.max(0, Math.min(text.length, s.end)) }))
    .filter((x) => Number.isInteger(x.start) && Number.isInteger(x.end) && x.end > x.start);
  const cuts = new Set<number>([0, text.length]);
  for (const v of valid) {
    cuts.add(v.start);
    cuts.add(v.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment<S>[] = [];
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i];
    const end = points[i + 1];
    if (end <= start) continue;
    const covering = valid.filter((v) => v.start <= start && v.end >= end).map((v) => v.s);
    const prev = out[out.length - 1];
    // merge neighbours covered by exactly the same spans, so a mark is never split for nothing
    if (prev && sameSpans(prev.spans, covering)) {
      prev.text += text.slice(start, end);
      prev.end = end;
    } else {
      out.push({ text: text.slice(start, end), start, end, spans: covering });
    }
  }
  return out;
}

function sameSpans<S>(a: readonly S[], b: readonly S[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** A finding as the highlight reads it: a rule finding marks its match, a model finding the words that weighed most. */
export interface MarkableFinding extends Span {
  evidence?: readonly (Span & { weight: number })[] | null;
}

/** One marked span of a finding; `strength` 1–3 shades model evidence by weight (3 strongest), null for a rule match. */
export interface Mark<F> extends Span {
  finding: F;
  strength: 1 | 2 | 3 | null;
}

/** A model evidence word's shade: its weight against the finding's strongest word, in thirds. */
export function evidenceStrength(weight: number, strongest: number): 1 | 2 | 3 {
  if (!(weight > 0) || !(strongest > 0)) return 1;
  const r = weight / strongest;
  return r >= 2 / 3 ? 3 : r >= 1 / 3 ? 2 : 1;
}

/** The spans to mark for these findings (input order kept): a model finding's evidence words, or a rule finding's match. */
export function findingMarks<F extends MarkableFinding>(findings: readonly F[]): Mark<F>[] {
  const out: Mark<F>[] = [];
  for (const f of findings) {
    const ev = f.evidence ?? [];
    if (ev.length === 0) {
      out.push({ start: f.start, end: f.end, finding: f, strength: null });
      continue;
    }
    const strongest = Math.max(...ev.map((e) => e.weight));
    for (const e of ev) out.push({ start: e.start, end: e.end, finding: f, strength: evidenceStrength(e.weight, strongest) });
  }
  return out;
}

/** A model version as the UI shows it: its first 8 hex digits (m-0240b950), the full one in a tooltip. */
export function shortModelVersion(version: string): string {
  return /^m-[0-9a-f]{9,}$/.test(version) ? version.slice(0, 10) : version;
}
