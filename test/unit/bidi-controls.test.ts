// Bidi controls in post text are shown as code points, and the evidence highlight still marks the right words.
import { describe, expect, test } from 'vitest';
import { bidiMarker, revealBidiControls, revealBidiText } from '../../web/src/lib/bidi-controls.ts';
import { highlightSegments } from '../../web/src/lib/highlight.ts';

const CONTROLS = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'];

describe(revealBidiControls.name, () => {
  test.each([
    ['', []],
    ['plain نص', [{ text: 'plain نص', control: false }]],
    ['\u202Etxt.exe', [{ text: '⟨U+202E⟩', control: true }, { text: 'txt.exe', control: false }]],
    ['a\u2066b\u2069', [{ text: 'a', control: false }, { text: '⟨U+2066⟩', control: true }, { text: 'b', control: false }, { text: '⟨U+2069⟩', control: true }]],
    ['\u200F\u200E', [{ text: '⟨U+200F⟩', control: true }, { text: '⟨U+200E⟩', control: true }]],
    ['x\u061Cy', [{ text: 'x', control: false }, { text: '⟨U+061C⟩', control: true }, { text: 'y', control: false }]],
  ])('%j', (text, parts) => {
    expect(revealBidiControls(text)).toEqual(parts);
  });

  test('every listed control is revealed and none is left in the output', () => {
    for (const c of CONTROLS) {
      const parts = revealBidiControls(`a${c}b`);
      expect(parts.map((p) => p.control)).toEqual([false, true, false]);
      expect(parts[1].text).toBe(`⟨U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
      expect(revealBidiText(`a${c}b`)).not.toContain(c);
    }
  });

  test('joiners, Arabic letters, diacritics and emoji are left alone', () => {
    const text = 'مي\u200Cخواهم \u200D 👨‍👩‍👧 بِسْمِ ﷺ';
    expect(revealBidiControls(text)).toEqual([{ text, control: false }]);
    expect(revealBidiText(text)).toBe(text);
  });

  test('the plain-string form, for title attributes', () => {
    expect(revealBidiText('@\u202Eevil')).toBe('@⟨U+202E⟩evil');
    expect(bidiMarker('\u061C')).toBe('⟨U+061C⟩');
  });
});

describe('highlight offsets with controls before the evidence', () => {
  // Findings carry offsets into the stored text: cut the text first, then reveal controls inside each piece.
  const shown = (text: string, spans: { start: number; end: number }[]) =>
    highlightSegments(text, spans).map((s) => ({ marked: s.spans.length > 0, text: revealBidiText(s.text) }));

  test('the marked words are the matched words, and the controls stay visible around them', () => {
    const text = '\u202Etxt.exe \u2067يا حمار\u2069 انت';
    const start = text.indexOf('حمار');
    expect(shown(text, [{ start, end: start + 'حمار'.length }])).toEqual([
      { marked: false, text: '⟨U+202E⟩txt.exe ⟨U+2067⟩يا ' },
      { marked: true, text: 'حمار' },
      { marked: false, text: '⟨U+2069⟩ انت' },
    ]);
  });

  test('a control inside the matched span is shown inside the mark', () => {
    const text = 'call 3612\u202E3456 now';
    expect(shown(text, [{ start: 5, end: 14 }])).toEqual([
      { marked: false, text: 'call ' },
      { marked: true, text: '3612⟨U+202E⟩3456' },
      { marked: false, text: ' now' },
    ]);
  });
});
