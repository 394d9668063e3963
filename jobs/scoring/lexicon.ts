// Multi-pattern matching of normalized terms: one Aho–Corasick automaton (fully expanded into a DFA
// table) over the normalized character stream, built once per rulebook. A raw occurrence becomes a
// hit only if it respects word boundaries: it starts at a token start or after an Arabic clitic prefix
// (و ف ب ك ل ال وال بال لل ... and the vocative يا), and ends at a token end or before an allowed
// pronoun/plural suffix (ه ها هم ك كم نا ي ين ون ات ...; English s/es/ed/ing/er). So سري never fires
// inside سريع/سرير and "ass" never inside "class".

import { isArabicCode, type Normalized } from './normalize.ts';

export type Clitics = 'both' | 'none' | 'prefix' | 'suffix';

export const AR_PREFIXES = [
  'و', 'ف', 'ب', 'ك', 'ل', 'ال', 'وال', 'فال', 'بال', 'كال', 'لل', 'ولل', 'فلل',
  'وب', 'فب', 'وك', 'فك', 'ول', 'فل', 'وبال', 'فبال', 'وكال', 'فكال', 'يا', 'يال', 'س', 'وس', 'فس', 'هال', 'وهال', 'بهال', 'لهال',
];
export const AR_SUFFIXES = [
  'ه', 'ها', 'هم', 'هن', 'هما', 'ك', 'كم', 'كن', 'كما', 'نا', 'ي', 'ين', 'ون', 'ات', 'وا',
  'ني', 'تك', 'تي', 'ته', 'تها', 'تهم', 'تكم', 'تنا', 'ان', 'اتك', 'اتهم',
];
export const EN_SUFFIXES = ['s', 'es', 'ed', 'ing', 'er', 'ers', 'in', 'z'];

// Affixes are looked up by a numeric key (no string allocation per hit): 1 followed by the low byte
// of each code unit; a code unit outside the affix's script never matches.
function affixKey(s: string): number {
  let k = 1;
  for (let i = 0; i < s.length; i++) k = k * 256 + (s.charCodeAt(i) & 0xff);
  return k;
}
const AR_PREFIX_SET = new Set(AR_PREFIXES.map(affixKey));
const AR_SUFFIX_SET = new Set(AR_SUFFIXES.map(affixKey));
const EN_SUFFIX_SET = new Set(EN_SUFFIXES.map(affixKey));
const VOCATIVE = affixKey('يا');
const VOCATIVE_DEF = affixKey('يال'); // يا + article: يالكلب

/** Key of codes[from, to) in the given script (Arabic block or ASCII); -1 when a unit is outside it. */
function codesKey(codes: Uint16Array, from: number, to: number, arabic: boolean): number {
  let k = 1;
  for (let i = from; i < to; i++) {
    const c = codes[i];
    if (arabic ? c < 0x0600 || c > 0x06ff : c > 0x7f) return -1;
    k = k * 256 + (c & 0xff);
  }
  return k;
}

export interface TermInfo {
  text: string; // normalized
  length: number;
  arabic: boolean; // starts with an Arabic letter
  arabicEnd: boolean;
  clitics: Clitics;
}

/** A boundary-checked occurrence of a term. Offsets are normalized indices; tokens are token indices. */
export interface HitBuffer {
  count: number;
  term: Int32Array;
  nStart: Int32Array; // normalized start (inclusive)
  nEnd: Int32Array; // normalized end (exclusive)
  tokA: Int32Array; // first token
  tokB: Int32Array; // last token
  oStart: Int32Array; // original start (covers the whole first token, clitics included)
  oEnd: Int32Array; // original end
  vocative: Uint8Array; // attached vocative prefix (ياحمار)
}

export function newHitBuffer(cap = 256): HitBuffer {
  return {
    count: 0,
    term: new Int32Array(cap),
    nStart: new Int32Array(cap),
    nEnd: new Int32Array(cap),
    tokA: new Int32Array(cap),
    tokB: new Int32Array(cap),
    oStart: new Int32Array(cap),
    oEnd: new Int32Array(cap),
    vocative: new Uint8Array(cap),
  };
}

function growHits(h: HitBuffer): void {
  const n = h.term.length * 2;
  const g = <T extends Int32Array | Uint8Array>(a: T): T => {
    const b = new (a.constructor as { new (n: number): T })(n);
    b.set(a);
    return b;
  };
  h.term = g(h.term);
  h.nStart = g(h.nStart);
  h.nEnd = g(h.nEnd);
  h.tokA = g(h.tokA);
  h.tokB = g(h.tokB);
  h.oStart = g(h.oStart);
  h.oEnd = g(h.oEnd);
  h.vocative = g(h.vocative);
}

const MAX_HITS = 4096; // a pathological post cannot make the engine allocate without bound

export class TermAutomaton {
  readonly terms: TermInfo[] = [];
  private readonly index = new Map<string, number>();
  private symOf = new Uint16Array(65536); // code unit → symbol (0 = not in any term)
  private nSym = 1;
  private delta: Uint16Array | Int32Array = new Uint16Array(0); // Uint16 while states fit: half the cache footprint
  private outFlag = 0x8000; // 0: outputs flagged in hasOut instead of in the transitions
  private hasOut: Uint8Array = new Uint8Array(0);
  private outStart: Int32Array = new Int32Array(0);
  private outList: Int32Array = new Int32Array(0);
  private built = false;

  /** Add a normalized term; returns its id (terms are deduplicated by text + clitic mode). */
  add(text: string, clitics: Clitics): number {
    if (this.built) throw new Error('automaton already built');
    const key = clitics + '\u0000' + text;
    const old = this.index.get(key);
    if (old !== undefined) return old;
    const id = this.terms.length;
    const c0 = text.charCodeAt(0);
    const cl = text.charCodeAt(text.length - 1);
    this.terms.push({ text, length: text.length, arabic: isArabicCode(c0), arabicEnd: isArabicCode(cl), clitics });
    this.index.set(key, id);
    return id;
  }

  build(): void {
    // alphabet
    for (const t of this.terms)
      for (let i = 0; i < t.text.length; i++) {
        const c = t.text.charCodeAt(i);
        if (this.symOf[c] === 0) this.symOf[c] = this.nSym++;
      }
    const S = this.nSym;
    // trie
    const gotoRows: Int32Array[] = [new Int32Array(S).fill(-1)];
    const outs: number[][] = [[]];
    for (let id = 0; id < this.terms.length; id++) {
      const t = this.terms[id].text;
      let s = 0;
      for (let i = 0; i < t.length; i++) {
        const a = this.symOf[t.charCodeAt(i)];
        let nx = gotoRows[s][a];
        if (nx === -1) {
          nx = gotoRows.length;
          gotoRows.push(new Int32Array(S).fill(-1));
          outs.push([]);
          gotoRows[s][a] = nx;
        }
        s = nx;
      }
      outs[s].push(id);
    }
    const N = gotoRows.length;
    const delta = new Int32Array(N * S);
    const fail = new Int32Array(N);
    // BFS
    const queue: number[] = [];
    for (let a = 0; a < S; a++) {
      const nx = gotoRows[0][a];
      if (nx > 0) {
        delta[a] = nx;
        fail[nx] = 0;
        queue.push(nx);
      } else delta[a] = 0;
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi];
      const f = fail[s];
      if (outs[f].length) outs[s] = outs[s].concat(outs[f]);
      for (let a = 0; a < S; a++) {
        const nx = gotoRows[s][a];
        if (nx !== -1) {
          fail[nx] = delta[f * S + a];
          delta[s * S + a] = nx;
          queue.push(nx);
        } else delta[s * S + a] = delta[f * S + a];
      }
    }
    // symbol 0 ("other") always returns to the root
    for (let s = 0; s < N; s++) delta[s * S] = 0;
    // renumber the states in BFS order: the shallow states, where a scan spends most of its time, get
    // neighbouring rows of the table (cache locality); matches are unchanged
    const order = [0, ...queue]; // new number → trie number
    const newOf = new Int32Array(N);
    for (let k = 0; k < N; k++) newOf[order[k]] = k;
    const table = new Int32Array(N * S);
    for (let k = 0; k < N; k++) {
      const from = order[k] * S;
      for (let a = 0; a < S; a++) table[k * S + a] = newOf[delta[from + a]];
    }
    const outsBfs = order.map((o) => outs[o]);
    // up to 32768 states, the target state's "has output" bit is folded into each transition (one load per
    // character, 16-bit table); beyond, a 16-bit table while states fit and a separate output flag per state
    this.hasOut = new Uint8Array(N);
    for (let s = 0; s < N; s++) this.hasOut[s] = outsBfs[s].length > 0 ? 1 : 0;
    if (N <= 0x8000) {
      for (let i = 0; i < table.length; i++) if (this.hasOut[table[i]] === 1) table[i] |= 0x8000;
      this.outFlag = 0x8000;
      this.delta = Uint16Array.from(table);
    } else {
      this.outFlag = 0;
      this.delta = N < 65536 ? Uint16Array.from(table) : table;
    }
    const outStart = new Int32Array(N + 1);
    let total = 0;
    for (let s = 0; s < N; s++) {
      outStart[s] = total;
      total += outsBfs[s].length;
    }
    outStart[N] = total;
    const outList = new Int32Array(total);
    for (let s = 0; s < N; s++) outList.set(outsBfs[s], outStart[s]);
    this.outStart = outStart;
    this.outList = outList;
    this.built = true;
  }

  get stateCount(): number {
    return this.outStart.length - 1;
  }

  /** Scan normalized text and append boundary-checked hits to `hits` (count is reset first). */
  scan(nz: Normalized, hits: HitBuffer): void {
    hits.count = 0;
    const codes = nz.codes;
    const len = nz.length;
    const symOf = this.symOf;
    const delta = this.delta;
    const S = this.nSym;
    const outStart = this.outStart;
    const outList = this.outList;
    let s = 0;
    if (this.outFlag !== 0) {
      for (let i = 0; i < len; i++) {
        const x = delta[s * S + symOf[codes[i]]];
        s = x & 0x7fff;
        if (x > 0x7fff) {
          const b = outStart[s + 1];
          for (let k = outStart[s]; k < b; k++) this.check(nz, outList[k], i + 1, hits);
        }
      }
      return;
    }
    const hasOut = this.hasOut;
    for (let i = 0; i < len; i++) {
      s = delta[s * S + symOf[codes[i]]];
      if (hasOut[s] === 1) {
        const b = outStart[s + 1];
        for (let k = outStart[s]; k < b; k++) this.check(nz, outList[k], i + 1, hits);
      }
    }
  }

  private check(nz: Normalized, id: number, end: number, hits: HitBuffer): void {
    const t = this.terms[id];
    const start = end - t.length;
    const tokA = nz.tokOf[start];
    const tokB = nz.tokOf[end - 1];
    if (tokA < 0 || tokB < 0) return;
    const ts = nz.tokStart[tokA];
    const te = nz.tokEnd[tokB];
    let vocative = 0;
    if (start !== ts) {
      if (!t.arabic || t.clitics === 'none' || t.clitics === 'suffix') return;
      const pre = start - ts;
      if (pre > 4) return;
      const p = codesKey(nz.codes, ts, start, true);
      if (!AR_PREFIX_SET.has(p)) return;
      if (p === VOCATIVE || p === VOCATIVE_DEF) vocative = 1;
    } else if (tokA > 0) {
      // a detached one-letter vocative (ي كلب, a common spelling of يا)
      const ps = nz.tokStart[tokA - 1];
      if (nz.tokEnd[tokA - 1] - ps === 1 && nz.codes[ps] === 0x064a) vocative = 1;
    }
    if (end !== te) {
      if (t.clitics === 'none' || t.clitics === 'prefix') return;
      const suf = te - end;
      if (suf > 4) return;
      const p = codesKey(nz.codes, end, te, t.arabicEnd);
      if (t.arabicEnd ? !AR_SUFFIX_SET.has(p) : !EN_SUFFIX_SET.has(p)) return;
    }
    if (hits.count >= MAX_HITS) return;
    if (hits.count >= hits.term.length) growHits(hits);
    const h = hits.count++;
    hits.term[h] = id;
    hits.nStart[h] = start;
    hits.nEnd[h] = end;
    hits.tokA[h] = tokA;
    hits.tokB[h] = tokB;
    hits.oStart[h] = nz.starts[ts];
    hits.oEnd[h] = nz.ends[te - 1];
    hits.vocative[h] = vocative;
  }
}

const PROFANE_STEM = /^(?:fuck|shit|bitch|cunt|nigg|whore|slut|bastard|dick|pussy|porn|asshole)/;

/** English obfuscation variants of a term: interior letters masked by '*' (f*ck, f**k, sh*t). */
export function maskedVariants(term: string): string[] {
  if (term.includes(' ')) {
    // a phrase: mask one word at a time (f*ck islam, son of a b*tch)
    const words = term.split(' ');
    const out: string[] = [];
    words.forEach((w, i) => {
      if (!PROFANE_STEM.test(w)) return; // only the swear word of a phrase gets masked (keeps the automaton small)
      for (const v of maskedWord(w)) out.push([...words.slice(0, i), v, ...words.slice(i + 1)].join(' '));
    });
    return out;
  }
  return maskedWord(term);
}

function maskedWord(term: string): string[] {
  if (!/^[a-z]{4,}$/.test(term)) return [];
  const out = new Set<string>();
  const vowels = 'aeiouy';
  for (let i = 1; i < term.length - 1; i++) {
    if (vowels.includes(term[i])) out.add(term.slice(0, i) + '*' + term.slice(i + 1));
    if (i < term.length - 2) out.add(term.slice(0, i) + '**' + term.slice(i + 2));
  }
  // all interior masked
  out.add(term[0] + '*'.repeat(term.length - 2) + term[term.length - 1]);
  // a swear word masked after its first letter (f***, f***ing, s***)
  if (PROFANE_STEM.test(term)) out.add(term[0] + '*'.repeat(term.length - 1));
  // 1 is read as i; a word with l also gets an i-spelling (so "1oser" still matches)
  if (term.includes('l')) out.add(term.replaceAll('l', 'i'));
  return [...out];
}
