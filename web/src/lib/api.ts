// The one typed client of the Mizan JSON API (same origin, /api).
import type {
  AccountDetail,
  AccountImportStarted,
  AccountList,
  AccountTestResult,
  ApiErrorBody,
  ApiTokenItem,
  AuditPage,
  Category,
  EntityList,
  EntityTrend,
  Health,
  Interval,
  JobsView,
  Me,
  NotificationList,
  NotificationSettings,
  NotificationsReadRequest,
  NotificationsReadResponse,
  Overview,
  PostDetail,
  PostList,
  PublishRulebookRequest,
  PublishRulebookResponse,
  Role,
  RulebookVersionList,
  RulebookView,
  Scorecard,
  TryPostsResponse,
  TryRulebookRequest,
  TryTextResponse,
  UserInfo,
  Verdict,
  VerdictChanges,
} from '../../../server/api-types.ts';
import type { BulkReviewResult, Inbox, ResponseKind, ReviewQueue, ReviewRequest, ReviewResult, Severity } from '../../../server/api-types.ts';
import type { ReportGenerateRequest, ReportGenerateResponse, ReportList } from '../../../server/api-types.ts';
import type { ScoringProgress } from '../../../server/api-types.ts';


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

/** Called when the server answers 401 (the session ended): the app shows the sign-in page. */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, params?: Params, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    response = await fetch(`/api${path}${queryString(params)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const json: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (json as Partial<ApiErrorBody> | null)?.error;
    if (response.status === 401 && path !== '/auth/login') onUnauthenticated?.();
    throw new ApiError(response.status, error?.code ?? `http-${response.status}`, error?.message ?? response.statusText, error?.details);
  }
  if (json === null) throw new ApiError(response.status, 'bad-response', 'The server did not answer with JSON');
  return json as T;
}

const get = <T>(path: string, params?: Params, signal?: AbortSignal) => request<T>('GET', path, params, undefined, signal);
const post = <T>(path: string, body: unknown, signal?: AbortSignal) => request<T>('POST', path, undefined, body, signal);
const put = <T>(path: string, body: unknown, signal?: AbortSignal) => request<T>('PUT', path, undefined, body, signal);
const patch = <T>(path: string, body: unknown, signal?: AbortSignal) => request<T>('PATCH', path, undefined, body, signal);
const del = <T>(path: string, signal?: AbortSignal) => request<T>('DELETE', path, undefined, undefined, signal);

/** A try request on one text, or on the latest posts (the two shapes of TryRulebookRequest). */
export type TryTextRequest = Omit<TryRulebookRequest, 'lastPosts'> & { text: string };
export type TryPostsRequest = Pick<TryRulebookRequest, 'draft'> & { lastPosts: number };

const id = (value: number | string) => encodeURIComponent(String(value));

export const api = {
  health: (signal?: AbortSignal) => get<Health>('/health', undefined, signal),
  overview: (q: TrendQuery = {}, signal?: AbortSignal) => get<Overview>('/overview', { ...q }, signal),
  entities: (signal?: AbortSignal) => get<EntityList>('/entities', undefined, signal),
  scorecard: (entityId: number | string, q: PeriodQuery = {}, signal?: AbortSignal) =>
    get<Scorecard>(`/entities/${id(entityId)}`, { ...q }, signal),
  entityTrend: (entityId: number | string, q: TrendQuery = {}, signal?: AbortSignal) =>
    get<EntityTrend>(`/entities/${id(entityId)}/trend`, { ...q }, signal),
  // An entity's accounts in one page (the list is paged for the API's other callers).
  accounts: (entityId?: number | string, signal?: AbortSignal) => get<AccountList>('/accounts', { entity: entityId, limit: 1000 }, signal),
  account: (accountId: number | string, signal?: AbortSignal) => get<AccountDetail>(`/accounts/${id(accountId)}`, undefined, signal),
  /** One page from the platform, saved nowhere (a platform failure is `ok: false`, not an error). */
  testAccount: (accountId: number | string, signal?: AbortSignal) => post<AccountTestResult>(`/accounts/${id(accountId)}/test`, undefined, signal),
  /** Starts an import of the account in the background (409 while one runs); follow it with `account`. */
  importAccount: (accountId: number | string, signal?: AbortSignal) => post<AccountImportStarted>(`/accounts/${id(accountId)}/import`, undefined, signal),
  posts: (q: PostQuery = {}, signal?: AbortSignal) => get<PostList>('/posts', { ...q }, signal),
  post: (postId: number | string, signal?: AbortSignal) => get<PostDetail>(`/posts/${id(postId)}`, undefined, signal),
  rulebook: (signal?: AbortSignal) => get<RulebookView>('/rulebook', undefined, signal),
  rulebookVersions: (signal?: AbortSignal) => get<RulebookVersionList>('/rulebook/versions', undefined, signal),
  rulebookChanges: (version: string, q: { limit?: number } = {}, signal?: AbortSignal) =>
    get<VerdictChanges>(`/rulebook/versions/${id(version)}/changes`, { ...q }, signal),
  tryText: (body: TryTextRequest, signal?: AbortSignal) => post<TryTextResponse>('/rulebook/try', body, signal),
  tryPosts: (body: TryPostsRequest, signal?: AbortSignal) => post<TryPostsResponse>('/rulebook/try', body, signal),
  publishRulebook: (body: PublishRulebookRequest, signal?: AbortSignal) => post<PublishRulebookResponse>('/rulebook/versions', body, signal),
  jobs: (signal?: AbortSignal) => get<JobsView>('/jobs', undefined, signal),
  scoringProgress: (signal?: AbortSignal) => get<ScoringProgress>('/rulebook/progress', undefined, signal),

  // Sign-in (server/routes/auth.ts).
  me: (signal?: AbortSignal) => get<{ user: Me }>('/auth/me', undefined, signal),
  login: (email: string, password: string) => post<{ user: Me }>('/auth/login', { email, password }),
  logout: (everywhere = false) => post<{ ok: true }>('/auth/logout', { everywhere }),
  changePassword: (body: { currentPassword?: string; newPassword: string }) => post<{ ok: true }>('/auth/password', body),
  /** What the sign-in page offers (public). */
  loginOptions: (signal?: AbortSignal) => get<LoginOptions>('/auth/login', undefined, signal),

  // Users, API tokens and the audit log (server/routes/users.ts, server/routes/auth.ts).
  users: (signal?: AbortSignal) => get<{ items: UserInfo[] }>('/users', undefined, signal),
  createUser: (body: NewUserRequest) => post<{ user: UserInfo; oneTimePassword?: string }>('/users', body),
  updateUser: (userId: number, body: UserChangesRequest) => patch<UserInfo>(`/users/${id(userId)}`, body),
  tokens: (signal?: AbortSignal) => get<{ items: ApiTokenItem[] }>('/tokens', undefined, signal),
  createToken: (body: { name: string; scope: 'read' | 'admin' }) => post<{ token: string; item: ApiTokenItem }>('/tokens', body),
  revokeToken: (tokenId: number) => del<{ item: ApiTokenItem }>(`/tokens/${id(tokenId)}`),
  audit: (q: AuditQuery = {}, signal?: AbortSignal) => get<AuditPage>('/audit', { ...q }, signal),
  /** A plain link (the browser downloads the CSV with the session cookie). */
  auditExportHref: (q: Omit<AuditQuery, 'before' | 'limit'> = {}) => `/api/audit/export${queryString({ ...q })}`,

  // Alerts (server/routes/notifications.ts).
  notifications: (q: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) => get<NotificationList>('/notifications', { ...q }, signal),
  markNotificationsRead: (body: NotificationsReadRequest) => post<NotificationsReadResponse>('/notifications/read', body),
  notificationSettings: (signal?: AbortSignal) => get<NotificationSettings>('/notifications/settings', undefined, signal),
  saveNotificationSettings: (body: NotificationSettings) => put<NotificationSettings>('/notifications/settings', body),

  // Review of findings (server/routes/findings.ts).
  reviewQueue: (q: ReviewQueueQuery = {}, signal?: AbortSignal) => get<ReviewQueue>('/findings', { ...q }, signal),
  reviewFinding: (findingId: number, body: ReviewRequest) => post<ReviewResult>(`/findings/${id(findingId)}/review`, body),
  reviewFindings: (ids: number[], body: ReviewRequest) => post<BulkReviewResult>('/findings/review', { ...body, ids }),
  respondToFinding: (findingId: number, body: { kind: ResponseKind; note?: string }) => post<ReviewResult>(`/findings/${id(findingId)}/respond`, body),
  appealFinding: (findingId: number, body: { note?: string }) => post<ReviewResult>(`/findings/${id(findingId)}/appeal`, body),
  decideAppeal: (findingId: number, body: { decision: 'upheld' | 'rejected'; note?: string }) => post<ReviewResult>(`/findings/${id(findingId)}/appeal-decision`, body),
  inbox: (signal?: AbortSignal) => get<Inbox>('/inbox', undefined, signal),
  // monthly reports: the archive in the caller's scope; staff generate a past month
  reports: (q: { month?: string; entity?: number; history?: boolean } = {}, signal?: AbortSignal) => get<ReportList>('/reports', { ...q, history: q.history ? 'true' : undefined }, signal),
  generateReports: (body: ReportGenerateRequest) => post<ReportGenerateResponse>('/reports', body),
};

export interface LoginOptions {
  password: boolean;
  oidc: null | { label: string; start: string };
}

export interface NewUserRequest {
  email: string;
  name?: string | null;
  role: Role;
  entityIds: number[];
  password?: string;
}

export interface UserChangesRequest {
  name?: string | null;
  role?: Role;
  entityIds?: number[];
  disabled?: boolean;
  alertDigest?: UserInfo['alertDigest'];
}

export interface AuditQuery {
  q?: string;
  action?: string;
  actor?: number;
  from?: string;
  to?: string;
  before?: number;
  limit?: number;
}

// The other methods exist for the pages that change things (users, tokens, findings, notifications).
export const http = { get, post, put, patch, del };

export type Api = typeof api;

/** GET /api/findings filters (status defaults to open on the server). */
export interface ReviewQueueQuery {
  entity?: number | string;
  account?: number | string;
  platform?: string;
  category?: Category;
  severity?: Severity;
  status?: 'open' | 'confirmed' | 'dismissed' | 'all';
  appeal?: 'pending';
  minAgeDays?: number | string;
  maxAgeDays?: number | string;
  limit?: number;
  offset?: number;
}
