// The posts explorer's filters as read from and written to the URL query.
import type { PostQuery } from './api.ts';
import { CATEGORY_ORDER, isYmd } from './chart-data.ts';

export const FILTER_KEYS = ['entity', 'account', 'platform', 'verdict', 'category', 'lang', 'from', 'to', 'q'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterValues = Record<FilterKey, string>;

// the UI language is `lang` in the URL, so the posts' own language filter travels as `postLang`
const URL_NAME: Record<FilterKey, string> = {
  entity: 'entity',
  account: 'account',
  platform: 'platform',
  verdict: 'verdict',
  category: 'category',
  lang: 'postLang',
  from: 'from',
  to: 'to',
  q: 'q',
};

export function urlName(key: FilterKey): string {
  return URL_NAME[key];
}

export function readFilters(query: URLSearchParams): FilterValues {
  return Object.fromEntries(FILTER_KEYS.map((k) => [k, query.get(URL_NAME[k]) ?? ''])) as FilterValues;
}

/** URL query update for some filters (empty string removes the parameter). */
export function filterUpdate(values: Partial<FilterValues>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [URL_NAME[k as FilterKey], v ? v : null]));
}

/** Only well-formed values reach the API; a bad hand-edited URL is ignored rather than failing the page. */
export function toPostQuery(values: FilterValues): PostQuery {
  const q: PostQuery = {};
  if (/^\d+$/.test(values.entity)) q.entity = Number(values.entity);
  if (/^\d+$/.test(values.account)) q.account = Number(values.account);
  if (values.platform) q.platform = values.platform;
  if (values.verdict === 'clean' || values.verdict === 'review' || values.verdict === 'violation') q.verdict = values.verdict;
  if ((CATEGORY_ORDER as readonly string[]).includes(values.category)) q.category = values.category as PostQuery['category'];
  if (values.lang === 'ar' || values.lang === 'en') q.lang = values.lang;
  if (isYmd(values.from)) q.from = values.from;
  if (isYmd(values.to)) q.to = values.to;
  if (values.q.trim()) q.q = values.q.trim();
  return q;
}
