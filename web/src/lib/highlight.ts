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
