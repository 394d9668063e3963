// Bidirectional control characters reorder what a reader sees ("\u202Etxt.exe" reads "exe.txt"), so the UI never
// lets one act: each is shown as its code point. Only display changes; the stored text and finding offsets do not.
const CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export interface TextPart {
  /** A run of plain text, or for a control the visible marker that replaces it ("⟨U+202E⟩"). */
  text: string;
  control: boolean;
}

/** The marker shown in place of one control character. */
export function bidiMarker(char: string): string {
  return `⟨U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Splits `text` into plain runs and one part per bidi control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). */
export function revealBidiControls(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const m of text.matchAll(CONTROLS)) {
    if (m.index > last) parts.push({ text: text.slice(last, m.index), control: false });
    parts.push({ text: bidiMarker(m[0]), control: true });
    last = m.index + 1;
  }
  if (last < text.length) parts.push({ text: text.slice(last), control: false });
  return parts;
}

/** The same as one plain string, for places that take no markup (title attributes). */
export function revealBidiText(text: string): string {
  return text.replace(CONTROLS, bidiMarker);
}
