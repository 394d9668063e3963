// Current language and digits, and every Intl formatter: one reactive instance shared by the app.
import { ar } from './ar.ts';
import { en, type Messages } from './en.ts';

export type Lang = 'ar' | 'en';
export type Digits = 'arab' | 'latn';
export type { Messages };

const LANG_KEY = 'mizan.lang';
const DIGITS_KEY = 'mizan.digits';
export const DEFAULT_TIME_ZONE = 'Asia/Bahrain';

export function isLang(value: unknown): value is Lang {
  return value === 'ar' || value === 'en';
}

/** URL first, then the remembered choice, then the browser's first Arabic or English preference; Arabic if none. */
export function detectLang(urlLang: string | null, stored: string | null, languages: readonly string[]): Lang {
  if (isLang(urlLang)) return urlLang;
  if (isLang(stored)) return stored;
  for (const tag of languages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
  }
  return 'ar';
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function writeStorage(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode or storage disabled: the choice still lives in the URL
  }
}

class I18n {
  lang = $state<Lang>('ar');
  digits = $state<Digits>('arab');

  t: Messages = $derived(this.lang === 'ar' ? ar : en);
  dir: 'rtl' | 'ltr' = $derived(this.lang === 'ar' ? 'rtl' : 'ltr');
  /** BCP 47 locale for Intl, with the numbering system the reader chose for Arabic. */
  locale = $derived(this.lang === 'ar' ? `ar-BH-u-nu-${this.digits}` : 'en-BH');

  #cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

  init(urlLang: string | null): void {
    const languages = typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language];
    this.lang = detectLang(urlLang, readStorage(LANG_KEY), languages);
    const digits = readStorage(DIGITS_KEY);
    this.digits = digits === 'latn' ? 'latn' : 'arab';
    this.apply();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    writeStorage(LANG_KEY, lang);
    this.apply();
  }

  setDigits(digits: Digits): void {
    this.digits = digits;
    writeStorage(DIGITS_KEY, digits);
  }

  /** Sets <html lang dir> so that the whole layout mirrors through logical CSS properties. */
  apply(): void {
    if (typeof document === 'undefined') return;
    document.documentElement.lang = this.lang;
    document.documentElement.dir = this.dir;
  }

  #numberFormat(options: Intl.NumberFormatOptions): Intl.NumberFormat {
    const key = `n|${this.locale}|${JSON.stringify(options)}`;
    let f = this.#cache.get(key) as Intl.NumberFormat | undefined;
    if (!f) {
      f = new Intl.NumberFormat(this.locale, options);
      this.#cache.set(key, f);
    }
    return f;
  }

  #dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    const key = `d|${locale}|${JSON.stringify(options)}`;
    let f = this.#cache.get(key) as Intl.DateTimeFormat | undefined;
    if (!f) {
      f = new Intl.DateTimeFormat(locale, options);
      this.#cache.set(key, f);
    }
    return f;
  }

  number(value: number | null | undefined, maximumFractionDigits = 0): string {
    if (value == null || Number.isNaN(value)) return '—';
    return this.#numberFormat({ maximumFractionDigits }).format(value);
  }

  /** A 0..100 score, always with one decimal so that a column of scores lines up. */
  score(value: number | null | undefined): string {
    if (value == null || Number.isNaN(value)) return '—';
    return this.#numberFormat({ minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
  }

  /** An identifier: the reader's digits, no grouping separators. */
  id(value: number | string): string {
    const n = Number(value);
    return Number.isFinite(n) ? this.#numberFormat({ useGrouping: false, maximumFractionDigits: 0 }).format(n) : String(value);
  }

  /** A 0..1 share as a percentage. */
  percent(rate: number | null | undefined, maximumFractionDigits = 1): string {
    if (rate == null || Number.isNaN(rate)) return '—';
    return this.#numberFormat({ style: 'percent', maximumFractionDigits }).format(rate);
  }

  /** A change with its sign (+3.2, −1). */
  signed(value: number, maximumFractionDigits = 1): string {
    return this.#numberFormat({ maximumFractionDigits, signDisplay: 'exceptZero' }).format(value);
  }

  compact(value: number): string {
    return this.#numberFormat({ notation: 'compact', maximumFractionDigits: 1 }).format(value);
  }

  /** A calendar date given as YYYY-MM-DD (a period start): formatted in UTC so it never shifts a day. */
  day(ymd: string, style: 'short' | 'medium' | 'long' = 'medium'): string {
    const date = new Date(`${ymd.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return ymd;
    const options: Intl.DateTimeFormatOptions =
      style === 'short' ? { day: 'numeric', month: 'short', timeZone: 'UTC' } : { dateStyle: style, timeZone: 'UTC' };
    return this.#dateFormat(this.locale, options).format(date);
  }

  /** A month label for a period starting on YYYY-MM-01. */
  month(ymd: string): string {
    const date = new Date(`${ymd.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(date.getTime())) return ymd;
    return this.#dateFormat(this.locale, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(date);
  }

  /** An instant (ISO timestamp) in the entity's time zone. */
  dateTime(iso: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
    if (!iso) return '—';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return this.#dateFormat(this.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date);
  }

  date(iso: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
    if (!iso) return '—';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return this.#dateFormat(this.locale, { dateStyle: 'medium', timeZone }).format(date);
  }

  /** The same instant in the Umm al-Qura Hijri calendar. */
  hijri(iso: string | null | undefined, timeZone = DEFAULT_TIME_ZONE): string {
    if (!iso) return '—';
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    const base = this.lang === 'ar' ? `ar-BH-u-ca-islamic-umalqura-nu-${this.digits}` : 'en-BH-u-ca-islamic-umalqura';
    return this.#dateFormat(base, { dateStyle: 'long', timeZone }).format(date);
  }

  platform(id: string): string {
    return this.t.platform[id.toLowerCase()] ?? id;
  }
}

export const i18n = new I18n();
