// The one typed client of the Mizan JSON API (same origin, /api).
import type {
  AccountDetail,
  AccountList,
  ApiErrorBody,
  Category,
  EntityList,
  EntityTrend,
  Health,
  Interval,
  JobsView,
  Overview,
  PostDetail,
  PostList,
  RulebookView,
  Scorecard,
  Verdict,
} from '../../../server/api-types.ts';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface PeriodQuery {
  from?: string;
  to?: string;
}

export interface TrendQuery extends PeriodQuery {
  interval?: Interval;
}

export interface PostQuery extends PeriodQuery {
  entity?: number | string;
  account?: number | string;
  platform?: string;
  verdict?: Verdict;
  category?: Category;
  lang?: 'ar' | 'en';
  q?: string;
  limit?: number;
  cursor?: string;
}

type Params = Record<string, string | number | undefined | null>;

export function queryString(params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function get<T>(path: string, params?: Params, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api${path}${queryString(params)}`, { headers: { accept: 'application/json' }, signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (body as Partial<ApiErrorBody> | null)?.error;
    throw new ApiError(response.status, error?.code ?? `http-${response.status}`, error?.message ?? response.statusText, error?.details);
  }
  if (body === null) throw new ApiError(response.status, 'bad-response', 'The server did not answer with JSON');
  return body as T;
}

const id = (value: number | string) => encodeURIComponent(String(value));

export const api = {
  health: (signal?: AbortSignal) => get<Health>('/health', undefined, signal),
  overview: (q: TrendQuery = {}, signal?: AbortSignal) => get<Overview>('/overview', { ...q }, signal),
  entities: (signal?: AbortSignal) => get<EntityList>('/entities', undefined, signal),
  scorecard: (entityId: number | string, q: PeriodQuery = {}, signal?: AbortSignal) =>
    get<Scorecard>(`/entities/${id(entityId)}`, { ...q }, signal),
  entityTrend: (entityId: number | string, q: TrendQuery = {}, signal?: AbortSignal) =>
    get<EntityTrend>(`/entities/${id(entityId)}/trend`, { ...q }, signal),
  accounts: (entityId?: number | string, signal?: AbortSignal) => get<AccountList>('/accounts', { entity: entityId }, signal),
  account: (accountId: number | string, signal?: AbortSignal) => get<AccountDetail>(`/accounts/${id(accountId)}`, undefined, signal),
  posts: (q: PostQuery = {}, signal?: AbortSignal) => get<PostList>('/posts', { ...q }, signal),
  post: (postId: number | string, signal?: AbortSignal) => get<PostDetail>(`/posts/${id(postId)}`, undefined, signal),
  rulebook: (signal?: AbortSignal) => get<RulebookView>('/rulebook', undefined, signal),
  jobs: (signal?: AbortSignal) => get<JobsView>('/jobs', undefined, signal),
};

export type Api = typeof api;
