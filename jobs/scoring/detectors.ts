// Validated detectors: personal data (IDs, phones, e-mails, IBANs, cards, addresses) and secrets.
// Detectors run on the original text with Arabic-Indic digits replaced by ASCII digits one-for-one
// (same length, same offsets), so their spans are original spans.

import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import type { AccountType } from './types.ts';

/** Luhn (mod 10) over a string of digits. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function digitsOnly(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) out += s[i];
  }
  return out;
}

/**
 * Bahrain CPR (personal number): 9 digits whose first four are the holder's birth year and month
 * (YYMM). We only check that the month is plausible. The CPR is known to end in a check digit, but we
 * could not cite a public definition of its algorithm, so no checksum is claimed or verified here.
 */
export function plausibleCpr(d: string): boolean {
  if (d.length !== 9) return false;
  const mm = (d.charCodeAt(2) - 48) * 10 + (d.charCodeAt(3) - 48);
  if (mm < 1 || mm > 12) return false;
  // 9 identical digits or a plain ascending run is a placeholder, not an ID
  if (/^(\d)\1{8}$/.test(d) || d === '123456789') return false;
  return true;
}

/** Saudi national ID (starts with 1) or Iqama (starts with 2): 10 digits, Luhn-style check digit. */
export function validSaudiId(d: string): boolean {
  return d.length === 10 && (d[0] === '1' || d[0] === '2') && luhn(d);
}

/** Emirati ID: 784-YYYY-NNNNNNN-C, 15 digits, Luhn check digit. */
export function validEmiratiId(d: string): boolean {
  return d.length === 15 && d.startsWith('784') && luhn(d);
}

/** Payment card: 13–19 digits, Luhn, issuer prefix 2–6, not all one digit. (Visa, Mastercard, Amex, JCB 35…,
 * Discover, UnionPay, and Maestro from 13 digits; 12-digit Maestro is `validMaestro12`.) */
export function validCard(d: string): boolean {
  if (d.length < 13 || d.length > 19) return false;
  const f = d.charCodeAt(0) - 48;
  if (f < 2 || f > 6) return false;
  if (/^(\d)\1+$/.test(d)) return false;
  return luhn(d);
}

/** Maestro's shortest numbers: 12 digits, issuer prefix 50 or 56–69, Luhn, not all one digit. */
export function validMaestro12(d: string): boolean {
  if (d.length !== 12) return false;
  const p = (d.charCodeAt(0) - 48) * 10 + (d.charCodeAt(1) - 48);
  if (!(p === 50 || (p >= 56 && p <= 69))) return false;
  if (/^(\d)\1+$/.test(d)) return false;
  return luhn(d);
}

export function validIban(s: string): boolean {
  const e = electronicFormatIBAN(s);
  return !!e && isValidIBAN(e);
}

export function validIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (const p of parts) {
    if (p.length === 0 || p.length > 3) return false;
    const n = Number(p);
    if (!(n >= 0 && n <= 255)) return false;
  }
  return true;
}

export const VALIDATORS: Record<string, (match: string) => boolean> = {
  none: () => true,
  luhn: (m) => luhn(digitsOnly(m)),
  card: (m) => validCard(digitsOnly(m)),
  maestro12: (m) => validMaestro12(digitsOnly(m)),
  cpr: (m) => plausibleCpr(digitsOnly(m)),
  saudi_id: (m) => validSaudiId(digitsOnly(m)),
  emirati_id: (m) => validEmiratiId(digitsOnly(m)),
  iban: (m) => validIban(m),
  ipv4: (m) => validIpv4(m),
};

// ---------------------------------------------------------------------------------------------
// Phones

const GCC_REGIONS: CountryCode[] = ['BH', 'SA', 'AE', 'KW', 'QA', 'OM'];
const GCC_CODES = new Set(['973', '966', '971', '965', '974', '968']);

export interface PhoneVerdict {
  valid: boolean;
  region?: string;
  type?: string;
  national?: string;
}

const phoneCache = new Map<string, PhoneVerdict>();

/** Validate a phone number as written (any spacing; + or 00 international prefix) for the GCC. */
export function checkPhone(raw: string): PhoneVerdict {
  const key = (raw.trimStart().startsWith('+') ? '+' : '') + digitsOnly(raw);
  let v = phoneCache.get(key);
  if (v === undefined) {
    v = checkPhoneUncached(raw);
    if (phoneCache.size >= 20000) phoneCache.clear();
    phoneCache.set(key, v);
  }
  return v;
}

function checkPhoneUncached(raw: string): PhoneVerdict {
  const trimmed = raw.trim();
  let d = digitsOnly(trimmed);
  let intl = trimmed.startsWith('+');
  if (!intl && d.startsWith('00')) {
    d = d.slice(2);
    intl = true;
  }
  if (d.length < 7 || d.length > 15) return { valid: false };
  if (intl) {
    const p = parsePhoneNumberFromString('+' + d);
    if (!p || !p.isValid() || !GCC_CODES.has(p.countryCallingCode)) return { valid: false };
    return { valid: true, region: p.country, type: p.getType(), national: p.nationalNumber };
  }
  // a number written with its country code but without + or 00 (97336123456)
  const cc = d.slice(0, 3);
  if (GCC_CODES.has(cc) && d.length >= 10) {
    const p = parsePhoneNumberFromString('+' + d);
    if (p && p.isValid()) return { valid: true, region: p.country, type: p.getType(), national: p.nationalNumber };
  }
  for (const region of GCC_REGIONS) {
    const p = parsePhoneNumberFromString(d, region);
    if (p && p.isValid()) return { valid: true, region: p.country, type: p.getType(), national: p.nationalNumber };
  }
  return { valid: false };
}

// Phone numbers of any country. Written with + or 00, libphonenumber decides for every country. Written
// in a national format (no country code), the number is tried in the countries whose people most often
// write to Gulf entities; and, when the rule allows it, a number written in a phone's shape counts even
// where no country validates it (555 0134, (02) 555-123): such rules need phone words next to it.

const NATIONAL_REGIONS: CountryCode[] = [
  'EG', 'JO', 'LB', 'SY', 'IQ', 'YE', 'SD', 'MA', 'DZ', 'TN', 'LY', 'PS', 'IN', 'PK', 'BD', 'LK', 'NP', 'PH', 'ID', 'MY',
  'IR', 'TR', 'GB', 'US', 'FR', 'DE', 'IT', 'ES', 'NL', 'BE', 'CH', 'AT', 'SE', 'IE', 'AU', 'NZ', 'ZA', 'NG', 'KE', 'ET',
  'RU', 'CN', 'JP', 'KR', 'BR', 'MX',
];

const anyCache = new Map<string, PhoneVerdict>();

/** Is `raw` a valid phone number of some country (international form: any; national form: NATIONAL_REGIONS)? */
export function checkPhoneAnyCountry(raw: string): PhoneVerdict {
  const trimmed = raw.trim();
  const key = (trimmed.startsWith('+') || trimmed.startsWith('(+') ? '+' : '') + digitsOnly(trimmed);
  let v = anyCache.get(key);
  if (v !== undefined) return v;
  v = { valid: false };
  let d = digitsOnly(trimmed);
  let intl = trimmed.startsWith('+') || trimmed.startsWith('(+');
  if (!intl && d.startsWith('00')) {
    d = d.slice(2);
    intl = true;
  }
  if (d.length >= 7 && d.length <= 15) {
    if (intl) {
      const p = parsePhoneNumberFromString('+' + d);
      if (p && p.isValid()) v = { valid: true, region: p.country, type: p.getType(), national: p.nationalNumber };
    } else {
      for (const region of NATIONAL_REGIONS) {
        const p = parsePhoneNumberFromString(d, region);
        if (p && p.isValid()) {
          v = { valid: true, region: p.country, type: p.getType(), national: p.nationalNumber };
          break;
        }
      }
    }
  }
  if (anyCache.size >= 20000) anyCache.clear();
  anyCache.set(key, v);
  return v;
}

const DATE_LIKE = /^(?:(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ](?:19|20)?\d\d)$/;

function digitGroups(s: string): string[] {
  return s.replace(/[()+]/g, '').split(/[ .-]+/).filter((g) => g.length > 0);
}

/**
 * Digits written as something other than a phone number: a date (2026-12-02, 02.12.2026), a dotted address
 * (10.0.0.1), years side by side (2020 2030), an amount in thousands (1 250 000), one digit repeated.
 */
export function otherNumberShape(raw: string): boolean {
  const s = raw.trim();
  const d = digitsOnly(s);
  if (/^(\d)\1+$/.test(d)) return true;
  if (DATE_LIKE.test(s)) return true;
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(s)) return true;
  const groups = digitGroups(s);
  if (groups.length > 1 && groups.every((g) => /^(?:19|20)\d\d$/.test(g))) return true;
  if (groups.length >= 3 && groups[0].length <= 3 && groups[0][0] !== '0' && !/^[(+]/.test(s) && groups.slice(1).every((g) => g.length === 3)) return true;
  return false;
}

/**
 * A national phone number's written shape: 7–12 digits in groups (NNN-NNN-NNNN, (NN) NNN-NNN, 0NNNN NNN NNN,
 * 0NNN NN NN NN, NNN NNNN) or 9–11 digits in one run starting with 0; never one of otherNumberShape's.
 */
export function phoneShape(raw: string): boolean {
  const s = raw.trim();
  const d = digitsOnly(s);
  if (d.length < 7 || d.length > 12) return false;
  if (otherNumberShape(s)) return false;
  const groups = digitGroups(s);
  if (groups.length === 1) return d.length >= 9 && d.length <= 11 && d[0] === '0';
  return groups.every((g) => g.length >= 2);
}

// ---------------------------------------------------------------------------------------------
// E-mail

export interface EmailOptions {
  govDomains: RegExp; // matches the domain part of a government e-mail
  genericLocals: Set<string>; // info, contact, ... (institutional mailboxes)
}

export function isGovDomain(domain: string, opts: EmailOptions): boolean {
  return opts.govDomains.test(domain.toLowerCase());
}

export function isGenericLocal(local: string, opts: EmailOptions): boolean {
  const l = local.toLowerCase().replace(/[._-]?\d+$/, '');
  return opts.genericLocals.has(l);
}

// ---------------------------------------------------------------------------------------------
// Candidates: every detector emits [start, end) spans on the (digit-normalized) text.

export interface DetectContext {
  text: string; // original text
  dtext: string; // same length, ASCII digits
  accountType: AccountType | undefined;
  /** e-mail matches of `text` ([index, match] pairs), found once and shared by the e-mail detectors */
  emails?: (number | string)[];
}

export type Emit = (start: number, end: number) => void;

export interface DetectorSpec {
  patterns: RegExp[]; // global regexes, compiled once at load
  validate: (m: string) => boolean;
  options: Record<string, unknown>;
}

export type DetectorFn = (ctx: DetectContext, spec: DetectorSpec, emit: Emit) => void;

function eachMatch(re: RegExp, s: string, f: (m: RegExpExecArray) => void, from = 0): void {
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  let guard = 0;
  while ((m = re.exec(s)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    f(m);
    if (++guard > 10000) break;
  }
}

/** Span of the capture group named `v` when present, else of the whole match. */
function spanOf(m: RegExpExecArray): [number, number] {
  const idx = (m as RegExpExecArray & { indices?: { groups?: Record<string, [number, number] | undefined> } }).indices;
  const g = idx?.groups?.v;
  if (g) return g;
  return [m.index, m.index + m[0].length];
}

const regexDetector: DetectorFn = (ctx, spec, emit) => {
  for (const re of spec.patterns)
    eachMatch(re, ctx.dtext, (m) => {
      const [s, e] = spanOf(m);
      if (spec.validate(ctx.dtext.slice(s, e))) emit(s, e);
    });
};

const allowTypesOf = new WeakMap<DetectorSpec, Set<string>>();

const phoneDetector: DetectorFn = (ctx, spec, emit) => {
  let allowTypes = allowTypesOf.get(spec);
  if (allowTypes === undefined) {
    allowTypes = new Set((spec.options.allow_types as string[] | undefined) ?? []);
    allowTypesOf.set(spec, allowTypes);
  }
  for (const re of spec.patterns)
    eachMatch(re, ctx.dtext, (m) => {
      let [s, e] = spanOf(m);
      // trim trailing separators the pattern may have taken
      while (e > s && !/[0-9]/.test(ctx.dtext[e - 1])) e--;
      while (s < e && !/[0-9+]/.test(ctx.dtext[s])) s++;
      const raw = ctx.dtext.slice(s, e);
      if (spec.options.any_country === true) {
        // national formats of any country (the rule requires phone words nearby); an opening bracket is the number's
        if (s > 0 && ctx.dtext[s - 1] === '(' && ctx.dtext.indexOf(')', s) > s && ctx.dtext.indexOf(')', s) < e) s--;
        const written = ctx.dtext.slice(s, e);
        if (otherNumberShape(written)) return;
        // a Gulf mobile or landline is the Gulf rules' to judge (they know hotlines, landlines and the entity's own
        // lines); a number that only reads as a Gulf toll-free or shared-cost line (0400 123 456) stays here
        const gulf = checkPhone(written);
        if (gulf.valid && (gulf.type === 'MOBILE' || gulf.type === 'FIXED_LINE' || gulf.type === 'FIXED_LINE_OR_MOBILE')) return;
        const v = checkPhoneAnyCountry(written);
        if (v.valid ? v.type !== undefined && allowTypes.has(v.type) : !(spec.options.shapes === true && phoneShape(written))) return;
        emit(s, e);
        return;
      }
      const v = checkPhone(raw);
      if (!v.valid) return;
      if (v.type && allowTypes.has(v.type)) return;
      emit(s, e);
    });
};

const EMAIL_RE = /(?<![\p{L}\p{N}._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![A-Za-z0-9-])/gu;

function emailOpts(spec: DetectorSpec): EmailOptions {
  return spec.options as unknown as EmailOptions;
}

/** The e-mail addresses of the text as [index, match, index, match, ...] (computed once per context). */
function emailsOf(ctx: DetectContext): (number | string)[] {
  let list = ctx.emails;
  if (list === undefined) {
    const found: (number | string)[] = [];
    const from = firstEmailAt(ctx.text);
    if (from >= 0)
      eachMatch(
        EMAIL_RE,
        ctx.text,
        (m) => {
          found.push(m.index, m[0]);
        },
        from,
      );
    ctx.emails = list = found;
  }
  return list;
}

const EMAIL_LOCAL = /[A-Za-z0-9._%+-]/;
const EMAIL_DOMAIN = /[A-Za-z0-9]/;

/**
 * Where the first address can start, or -1: at the run of local-part characters (at most 64) before the
 * first '@' that can be an address's (a local-part character before it, a domain character after it).
 * Most '@' in posts are mentions (@handle): without such an '@' there is no address, and every address
 * starts in that run or after it (its local part cannot hold an '@').
 */
function firstEmailAt(text: string): number {
  for (let i = text.indexOf('@', 1); i >= 0; i = text.indexOf('@', i + 1))
    if (i + 1 < text.length && EMAIL_LOCAL.test(text[i - 1]) && EMAIL_DOMAIN.test(text[i + 1])) {
      let from = i;
      while (from > 0 && i - from < 64 && EMAIL_LOCAL.test(text[from - 1])) from--;
      return from;
    }
  return -1;
}

/** Personal e-mail: not an institutional mailbox; a gov address on a personal account is infosec's. */
const emailDetector: DetectorFn = (ctx, spec, emit) => {
  const opts = emailOpts(spec);
  const list = emailsOf(ctx);
  for (let k = 0; k < list.length; k += 2) {
    const index = list[k] as number;
    const m0 = list[k + 1] as string;
    const at = m0.indexOf('@');
    const local = m0.slice(0, at);
    const domain = m0.slice(at + 1);
    if (isGenericLocal(local, opts)) continue;
    const gov = isGovDomain(domain, opts);
    if (gov && (ctx.accountType === 'executive' || ctx.accountType === 'employee')) continue; // → infosec rule
    emit(index, index + m0.length);
  }
};

/** Government e-mail address (any mailbox) — the engine restricts the rule to personal accounts. */
const govEmailDetector: DetectorFn = (ctx, spec, emit) => {
  const opts = emailOpts(spec);
  const list = emailsOf(ctx);
  for (let k = 0; k < list.length; k += 2) {
    const index = list[k] as number;
    const m0 = list[k + 1] as string;
    const domain = m0.slice(m0.indexOf('@') + 1);
    if (isGovDomain(domain, opts)) emit(index, index + m0.length);
  }
};

/**
 * Home address: at least `min_parts` address components (block/road/building/flat ... each with a
 * number) close together, at least one of them a dwelling component (building/house/flat/villa).
 */
const addressDetector: DetectorFn = (ctx, spec, emit) => {
  const minParts = (spec.options.min_parts as number | undefined) ?? 2;
  const gap = (spec.options.max_gap as number | undefined) ?? 30;
  const dwelling = spec.patterns[1];
  const parts: { s: number; e: number; kind: string; dwell: boolean }[] = [];
  eachMatch(spec.patterns[0], ctx.dtext, (m) => {
    const kind = (m.groups?.k ?? m[0]).toLowerCase();
    dwelling.lastIndex = 0;
    parts.push({ s: m.index, e: m.index + m[0].length, kind, dwell: dwelling.test(kind) });
  });
  let i = 0;
  while (i < parts.length) {
    let j = i;
    const kinds = new Set([parts[i].kind]);
    let dwell = parts[i].dwell;
    while (j + 1 < parts.length && parts[j + 1].s - parts[j].e <= gap) {
      j++;
      kinds.add(parts[j].kind);
      dwell ||= parts[j].dwell;
    }
    if (kinds.size >= minParts && dwell) emit(parts[i].s, parts[j].e);
    i = j + 1;
  }
};

export const DETECTORS: Record<string, DetectorFn> = {
  regex: regexDetector,
  phone: phoneDetector,
  email: emailDetector,
  gov_email: govEmailDetector,
  address: addressDetector,
};

/** keyword_value is evaluated by the engine (it needs the keyword hits): listed here for validation. */
export const DETECTOR_NAMES = [...Object.keys(DETECTORS), 'keyword_value'] as const;
