// A tiny history-API router: the URL (path + query) is the whole state of a view, so it can be shared and reloaded.
import { i18n, isLang } from './i18n/index.svelte.ts';

export type Route =
  | { page: 'overview' }
  | { page: 'entity'; id: number }
  | { page: 'posts' }
  | { page: 'post'; id: number }
  | { page: 'jobs' }
  | { page: 'reports' }
  | { page: 'rulebook' }
  | { page: 'rulebook-try' }
  | { page: 'rulebook-versions' }
  | { page: 'rulebook-version'; version: string }
  | { page: 'users' }
  | { page: 'tokens' }
  | { page: 'audit' }
  | { page: 'password' }
  | { page: 'review' }
  | { page: 'inbox' }
  | { page: 'not-found' };

export type QueryUpdate = Record<string, string | number | null | undefined>;

export function parsePath(pathname: string): Route {
  const parts = pathname.replace(/\/+$/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview' };
  const [head, id, ...rest] = parts;
  if (head === 'rulebook') return parseRulebookPath(parts.slice(1));
  const numericId = id !== undefined && /^\d+$/.test(id) ? Number(id) : null;
  if (rest.length) return { page: 'not-found' };
  if (head === 'entities' && numericId !== null) return { page: 'entity', id: numericId };
  if (head === 'posts' && id === undefined) return { page: 'posts' };
  if (head === 'posts' && numericId !== null) return { page: 'post', id: numericId };
  if (head === 'jobs' && id === undefined) return { page: 'jobs' };
  if (head === 'reports' && id === undefined) return { page: 'reports' };
  if ((head === 'review' || head === 'inbox') && id === undefined) return { page: head };
  // the signed-in user's own pages, and the admin's
  if (id === undefined && (head === 'users' || head === 'tokens' || head === 'audit' || head === 'password')) return { page: head };
  return { page: 'not-found' };
}

/** /rulebook, /rulebook/try, /rulebook/versions and /rulebook/versions/:version */
function parseRulebookPath(parts: string[]): Route {
  const [sub, version, ...rest] = parts;
  if (rest.length) return { page: 'not-found' };
  if (sub === undefined) return { page: 'rulebook' };
  if (sub === 'try' && version === undefined) return { page: 'rulebook-try' };
  if (sub === 'versions' && version === undefined) return { page: 'rulebook-versions' };
  if (sub === 'versions' && /^[\w.-]{1,64}$/.test(version)) return { page: 'rulebook-version', version };
  return { page: 'not-found' };
}

/** Builds `path?query` dropping empty values; `lang` always last so links read alike. */
export function buildHref(path: string, query: QueryUpdate = {}, lang?: string): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (key === 'lang' || value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  if (lang) search.set('lang', lang);
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

class Router {
  path = $state(typeof location === 'undefined' ? '/' : location.pathname || '/');
  search = $state(typeof location === 'undefined' ? '' : location.search);

  route: Route = $derived(parsePath(this.path));
  query: URLSearchParams = $derived(new URLSearchParams(this.search));

  start(): () => void {
    this.#read();
    const onPop = () => this.#read();
    const onClick = (event: MouseEvent) => this.#intercept(event);
    window.addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    // the language is part of every shareable URL
    if (this.query.get('lang') !== i18n.lang) this.setQuery({ lang: i18n.lang }, { replace: true });
    return () => {
      window.removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }

  #read(): void {
    this.path = location.pathname || '/';
    this.search = location.search;
    const lang = new URLSearchParams(location.search).get('lang');
    if (isLang(lang) && lang !== i18n.lang) i18n.setLang(lang);
  }

  /** Same-origin <a href> clicks become pushState navigations (modifier keys and new tabs are left alone). */
  #intercept(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) return;
    // in-page anchors (the skip link) keep the browser's own behaviour
    if (anchor.getAttribute('href')?.startsWith('#')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  }

  get(key: string): string | null {
    return this.query.get(key);
  }

  /** A link to `path` that keeps the current language. */
  href(path: string, query: QueryUpdate = {}): string {
    return buildHref(path, query, i18n.lang);
  }

  navigate(href: string, options: { replace?: boolean; scroll?: boolean } = {}): void {
    const url = new URL(href, location.href);
    if (!url.searchParams.has('lang')) url.searchParams.set('lang', i18n.lang);
    const next = url.pathname + url.search + url.hash;
    if (next === location.pathname + location.search + location.hash) return;
    const samePage = url.pathname === location.pathname;
    if (options.replace) history.replaceState(null, '', next);
    else history.pushState(null, '', next);
    this.#read();
    if (options.scroll ?? !samePage) window.scrollTo({ top: 0 });
  }

  /** Changes some query parameters of the current page, keeping the others. */
  setQuery(update: QueryUpdate, options: { replace?: boolean } = {}): void {
    const params = new URLSearchParams(location.search);
    for (const [key, value] of Object.entries(update)) {
      if (value === undefined || value === null || value === '') params.delete(key);
      else params.set(key, String(value));
    }
    const lang = params.get('lang');
    params.delete('lang');
    if (lang) params.set('lang', lang);
    const s = params.toString();
    this.navigate(`${location.pathname}${s ? `?${s}` : ''}`, { replace: options.replace, scroll: false });
  }
}

export const router = new Router();
