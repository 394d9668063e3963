// Response shapes of the JSON API: the server returns them, web/src/lib/api.ts imports them (types only).
import type { AccountType, Bilingual, Category, Finding, Severity, Verdict } from '../db/vocabulary.ts';

export type { AccountType, Bilingual, Category, Severity, Verdict };
export type Interval = 'day' | 'week' | 'month';
export type ReviewStatus = 'open' | 'confirmed' | 'dismissed';

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export type Role = 'admin' | 'oversight' | 'director' | 'viewer';

/** A user as the API shows one (GET /api/auth/me, /api/users); never a password hash. */
export interface UserInfo {
  id: number;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  mustChangePassword: boolean;
  alertDigest: 'immediate' | 'daily' | 'weekly' | 'off';
  /** A director's entities, or a limited viewer's; empty for roles that see every entity. */
  entityIds: number[];
  hasPassword: boolean;
  oidc: boolean;
  createdAt: string;
}

/** GET /api/auth/me: the signed-in user, and how they signed in. */
export interface Me extends UserInfo {
  via: 'session' | 'token';
  /** A read-scope API token. */
  readOnly: boolean;
}

/** An API token as listed (GET /api/tokens); the token itself is shown once, at creation. */
export interface ApiTokenItem {
  id: number;
  userId: number;
  name: string;
  scope: 'read' | 'admin';
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** One entry of the append-only audit log (GET /api/audit). */
export interface AuditItem {
  id: number;
  at: string;
  actorId: number | null;
  actorEmail: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
}

/** GET /api/audit: newest first; nextBefore is null on the last page. */
export interface AuditPage {
  items: AuditItem[];
  nextBefore: number | null;
}

/** GET /api/health, open to anyone: the status and nothing else. */
export interface Health {
  status: 'ok';
}

/** One row shape for every time series: period is the local start date (YYYY-MM-DD) in Asia/Bahrain. */
export interface TrendPoint {
  period: string;
  posts: number;
  clean: number;
  review: number;
  violations: number;
  findings: number;
  /** Mean post score; null when the period has no posts. */
  score: number | null;
  /** Share (0..1) of posts that are not violations; null when no posts. */
  complianceRate: number | null;
}

export interface CategoryCount {
  category: Category;
  findings: number;
  /** Distinct posts with at least one finding of this category. */
  posts: number;
}

export interface CategoryTrendPoint {
  period: string;
  counts: Record<Category, number>;
}

export interface PeriodStats {
  posts: number;
  clean: number;
  review: number;
  violations: number;
  findings: number;
  score: number | null;
  complianceRate: number | null;
}

export interface EntityRef {
  id: number;
  slug: string;
  nameAr: string;
  nameEn: string;
}

export interface Entity extends EntityRef {
  timezone: string;
  website: string | null;
  accounts: number;
}

export interface EntityRank extends EntityRef {
  posts: number;
  score: number | null;
  complianceRate: number | null;
  violations: number;
  /** Score change against the previous period of the same length; null when either is empty. */
  change: number | null;
  previousScore: number | null;
  /** Mean score per interval over the period, oldest first (null = no posts). */
  sparkline: (number | null)[];
}

export interface Overview {
  from: string;
  to: string;
  interval: Interval;
  totals: PeriodStats & {
    entities: number;
    accounts: number;
    dormantAccounts: number;
    previous: PeriodStats;
    change: number | null;
  };
  sectorMedianScore: number | null;
  entities: EntityRank[];
  categories: CategoryCount[];
  trend: TrendPoint[];
  categoryTrend: CategoryTrendPoint[];
}

export interface AccountSummary {
  id: number;
  entityId: number;
  platform: string;
  handle: string;
  displayName: string | null;
  type: AccountType;
  active: boolean;
  profileText: string | null;
  url: string | null;
  posts: number;
  lastPostAt: string | null;
  /** An official account with no post in the last 30 days. */
  dormant: boolean;
  lastRunAt: string | null;
  lastRunStatus: 'ok' | 'partial' | 'failed' | null;
  lastError: string | null;
  /** Whether the account has a token of its own (stored encrypted; the API never returns it). */
  hasToken: boolean;
  /** Account-level findings (the disclaimer rule). */
  findings: { rule: string; category: Category; severity: Severity; match: string }[];
  /** Every post stored for the account, of any date (posts above counts the rolled-up ones). */
  postsCaptured: number;
  /** The account's own minimum interval between imports, in minutes; null: every scheduled import. */
  importIntervalMinutes: number | null;
  /** An import of the account is running now (a worker holds its lease). */
  importing: boolean;
  /** The latest import run (it may still be running), or null when it was never imported. */
  lastRun: ImportRun | null;
  /** The last run stopped on a platform's rate limit: imports of this account wait until then (ISO time); null otherwise. */
  pausedUntil: string | null;
  /** The platform's message behind the pause ("X: rate limited until 14:05 UTC"). */
  pauseReason: string | null;
  /**
   * The next scheduled import that takes the account (MIZAN_IMPORT_CRON in MIZAN_TIMEZONE, after its own interval);
   * null when it is not monitored. Given by /api/accounts (not by the scorecard's list).
   */
  nextRunAt?: string | null;
}

/** POST /api/accounts/:id/test: one page fetched from the platform and not saved; a platform failure is `ok: false`. */
export type AccountTestResult = { ok: true; posts: number; sample: string[] } | { ok: false; error: string };

/** POST /api/accounts/:id/import: 202 once the import has started in the background (409 while one runs). */
export interface AccountImportStarted {
  started: true;
}

export interface Scorecard {
  entity: Entity;
  from: string;
  to: string;
  current: PeriodStats;
  previous: PeriodStats;
  change: number | null;
  sector: { medianScore: number | null; medianComplianceRate: number | null };
  categories: CategoryCount[];
  accounts: AccountSummary[];
  recentFlagged: PostSummary[];
  /** Posts of the period that the entity deleted after Mizan had flagged them (the archived copy stays). */
  deletedAfterFlagged: { count: number; items: PostSummary[] };
  /** Where the monthly reports are e-mailed: shown to admin and oversight only. */
  reportRecipients?: string[];
}

/** PUT /api/entities/:id/report-recipients: its body and its answer (at most 20 addresses; [] stops the e-mails). */
export interface ReportRecipients {
  entityId: number;
  recipients: string[];
}

export interface PostSummary {
  id: number;
  accountId: number;
  entityId: number;
  entityNameAr: string;
  entityNameEn: string;
  platform: string;
  handle: string;
  url: string | null;
  text: string;
  /** The stored text is the first 25,000 characters of a longer post (textLength characters in all). */
  textTruncated: boolean;
  textLength: number;
  lang: string | null;
  postedAt: string;
  score: number | null;
  verdict: Verdict | null;
  categories: Category[];
  maxSeverity: Severity | null;
  findings: number;
  /** Of those findings, how many the trained model made (not dismissed). */
  modelFindings: number;
  isReply: boolean;
  isRepost: boolean;
  edited: boolean;
  deleted: boolean;
  metrics: { likes: number; shares: number; replies: number; views: number };
}

export interface PostList {
  items: PostSummary[];
  nextCursor: string | null;
}

export interface FindingView {
  id: number;
  rule: string;
  category: Category;
  severity: Severity;
  start: number;
  end: number;
  match: string;
  status: ReviewStatus;
  rulebookVersion: string;
  title: Bilingual;
  explanation: Bilingual;
  /** The director's appeal of the decision: pending, upheld (dismissed), rejected (stays confirmed); null when none. */
  appeal: AppealState | null;
  /** The director's latest response, or null. */
  response: FindingResponse | null;
  /** Model findings only (null on rule findings): calibrated probability 0–1, model version, the words that weighed most. */
  probability: number | null;
  modelVersion: string | null;
  evidence: ModelEvidence[] | null;
}

/** A word or n-gram that pushed a model finding, on the post's text (JS string offsets), strongest first. */
export interface ModelEvidence {
  start: number;
  end: number;
  weight: number;
}

export interface PostVersion {
  id: number;
  text: string;
  capturedAt: string;
  kind: 'original' | 'edit' | 'deleted';
}

export interface PostDetail extends PostSummary {
  rulebookVersion: string | null;
  capturedAt: string;
  findingsList: FindingView[];
  versions: PostVersion[];
  accountType: AccountType;
  /** Every review step on the post's findings, oldest first. */
  reviewEvents: ReviewEvent[];
}

export interface RulebookView {
  version: string;
  publishedAt: string;
  weights: Record<Severity, number>;
  formula: Bilingual;
  rules: {
    id: string;
    category: Category;
    severity: Severity;
    title: Bilingual;
    explanation: Bilingual;
  }[];
}

/** GET /api/rulebook/progress: the scoring run applying the rulebook (after a publication, a rescoring of every post). */
export interface ScoringProgress {
  /**
   * waiting: the rulebook in force is not applied yet (published; the scorer has not started on it), or posts wait
   * and no run was ever recorded; running: a run wrote within the last 2 minutes; stalled: a run stopped writing without
   * finishing (its process ended: the next run resumes it); done: the last run finished; idle: no run recorded.
   */
  state: 'idle' | 'waiting' | 'running' | 'stalled' | 'done';
  /** Posts wait in the scoring queue (new or edited posts since the last run, or the rest of a run). */
  queued: boolean;
  /** The rulebook version in force. */
  activeVersion: string | null;
  /** The version the (last) run applies. */
  version: string | null;
  /** Posts queued when the run started, and scored since. */
  total: number;
  /** The total is an estimate (a rescoring of more than 50,000 posts) until the run finishes. */
  estimated: boolean;
  done: number;
  /** Posts left in this run (0 unless running or stalled). */
  pending: number;
  /** Posts per second over the run so far; null before its first batch. */
  rate: number | null;
  etaSeconds: number | null;
  startedAt: string | null;
  updatedAt: string | null;
  finishedAt: string | null;
}

export interface JobRun {
  id: number;
  job: string;
  slot: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'error';
  counts: Record<string, number>;
  error: string | null;
}

export interface JobsView {
  schedule: { job: string; expression: string; description: string }[];
  runs: JobRun[];
  /** The latest account imports that rejected records or failed. */
  importProblems: ImportRun[];
}

/** One account's part of an import: what it stored, what it rejected and why. */
export interface ImportRun {
  id: number;
  accountId: number;
  handle: string;
  platform: string;
  entityId: number;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'partial' | 'failed';
  pages: number;
  inserted: number;
  edited: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  /** The first rejected records (the count above is exact). */
  rejectedSamples: { ref: string; reason: string; sample?: string }[];
  warnings: string[];
  error: string | null;
}

export interface EntityList {
  items: Entity[];
}

export interface EntityTrend {
  entityId: number;
  from: string;
  to: string;
  interval: Interval;
  items: TrendPoint[];
  categoryTrend: CategoryTrendPoint[];
}

/** GET /api/accounts[?entity=&limit=&cursor=]: a page of accounts in id order (limit 1–1000, default 200); nextCursor asks for the next. */
export interface AccountList {
  items: AccountSummary[];
  nextCursor: string | null;
}

/** Platforms an account can be registered on (POST /api/accounts). */
export type AccountPlatform = 'x' | 'facebook' | 'instagram' | 'youtube' | 'mastodon' | 'bluesky' | 'rss';

/** POST /api/accounts body: `entity` is an id or a slug; mastodon needs `url` (the instance), rss `url` (the feed). Answers 201 with the AccountDetail. */
export interface NewAccountRequest {
  entity: number | string;
  platform: AccountPlatform;
  handle: string;
  url?: string;
  type?: AccountType;
  displayName?: string;
  /** Stored encrypted (needs MIZAN_SECRET_KEY on the server); never returned. */
  token?: string;
}

/** PUT /api/accounts/:id/token body (DELETE removes it); both answer with the AccountDetail. */
export interface AccountTokenRequest {
  token: string;
}

export interface AccountDetail extends AccountSummary {
  entity: EntityRef;
  /** The account's latest import runs, newest first. */
  runs: ImportRun[];
}

export interface RulebookVersionSummary {
  version: string;
  publishedAt: string;
  active: boolean;
  origin: 'files' | 'api';
  note: string | null;
  rules: number;
  scoredPosts: number;
}

export interface RulebookVersionList {
  items: RulebookVersionSummary[];
}

/** POST /api/rulebook/versions body: YAML files by name; merge adds to / replaces files of the version in force. */
export interface PublishRulebookRequest {
  sources: Record<string, string>;
  mode?: 'merge' | 'replace';
  note?: string;
}

export interface PublishRulebookResponse {
  version: string;
  rules: number;
  unchanged: boolean;
  rescoring?: boolean;
}

/** POST /api/rulebook/try body: either text or lastPosts; draft optional (else the version in force). */
export interface TryRulebookRequest {
  text?: string;
  lastPosts?: number;
  accountType?: AccountType;
  lang?: 'ar' | 'en';
  draft?: { sources: Record<string, string>; mode?: 'merge' | 'replace' };
}

export type TriedFinding = Finding & { title?: Bilingual };

export interface TryTextResponse {
  version: string;
  draft: boolean;
  score: number;
  verdict: Verdict;
  findings: TriedFinding[];
}

export interface TryPostsResponse {
  version: string;
  draft: boolean;
  checked: number;
  /** Verdicts of the same posts with the draft, and as they stand now. */
  counts: Record<Verdict, number>;
  currentCounts: Record<Verdict, number>;
  changed: {
    postId: number;
    entityId: number;
    text: string;
    lang: string | null;
    currentVerdict: Verdict | null;
    newVerdict: Verdict;
    currentScore: number | null;
    newScore: number;
    findings: TriedFinding[];
  }[];
}

export interface VerdictChanges {
  version: string;
  entities: { entityId: number; nameAr: string; nameEn: string; changed: number; moves: Record<string, number> }[];
  posts: { postId: number; entityId: number; fromVersion: string; fromVerdict: Verdict; toVerdict: Verdict; fromScore: number; toScore: number; text: string; lang: string | null }[];
}

// ---- Review of findings (server/routes/findings.ts) ----

export type AppealState = 'pending' | 'upheld' | 'rejected';
export type ResponseKind = 'explanation' | 'correction' | 'post-removed';
export type FindingEventKind = 'confirmed' | 'dismissed' | 'reopened' | 'responded' | 'appealed' | 'appeal-upheld' | 'appeal-rejected';

export interface FindingResponse {
  kind: ResponseKind;
  note: string | null;
  at: string;
  actorEmail: string | null;
}

/** One step on a post's finding (GET /api/posts/:id reviewEvents). */
export interface ReviewEvent {
  kind: FindingEventKind;
  reason: string | null;
  note: string | null;
  responseKind: ResponseKind | null;
  actorEmail: string | null;
  at: string;
  rule: string;
  match: string;
  findingId: number;
}

/** POST /api/findings/:id/review body (oversight); reason and note are optional. */
export interface ReviewRequest {
  status: 'confirmed' | 'dismissed';
  reason?: string;
  note?: string;
}

/** POST /api/findings/review body: the same decision on up to 500 findings. */
export interface BulkReviewRequest extends ReviewRequest {
  ids: number[];
}

/** What a review step changed: the findings whose status was set, and the posts' new scores. */
export interface ReviewResult {
  findingIds: number[];
  posts: { id: number; score: number; verdict: Verdict; findings: number }[];
}

/** POST /api/findings/review: ids that no longer exist (rescored) are listed in missing. */
export interface BulkReviewResult extends ReviewResult {
  missing: number[];
}

/** One finding of the review queue with its post, so the evidence can be shown without another request. */
export interface ReviewQueueItem {
  finding: {
    id: number;
    rule: string;
    title: Bilingual;
    category: Category;
    severity: Severity;
    match: string;
    start: number;
    end: number;
    status: ReviewStatus;
    rulebookVersion: string;
    appeal: AppealState | null;
    response: FindingResponse | null;
    /** Model findings only (null on rule findings), as in FindingView. */
    probability: number | null;
    modelVersion: string | null;
    evidence: ModelEvidence[] | null;
  };
  post: {
    id: number;
    text: string;
    lang: string | null;
    url: string | null;
    platform: string;
    handle: string;
    accountId: number;
    entityId: number;
    entityNameAr: string;
    entityNameEn: string;
    postedAt: string;
    deleted: boolean;
    edited: boolean;
    /** Captured versions (original, edits, deletion). */
    versions: number;
    score: number;
    verdict: Verdict;
  };
}

/** GET /api/findings: most severe first, then the oldest post; nextOffset is null on the last page. */
export interface ReviewQueue {
  /** Counted up to 1,000: totalCapped says there are more (shown as "1,000+"). */
  total: number;
  totalCapped: boolean;
  items: ReviewQueueItem[];
  nextOffset: number | null;
  /** Keyset pagination: pass as `cursor` for the next page (null on the last page). */
  nextCursor: string | null;
}

/** A review step in a list (the inbox's decisions and appeal outcomes). */
export interface ReviewEventItem {
  id: number;
  findingId: number;
  postId: number;
  entityId: number;
  entityNameAr: string;
  entityNameEn: string;
  text: string;
  rule: string;
  match: string;
  kind: FindingEventKind;
  reason: string | null;
  note: string | null;
  responseKind: string | null;
  actorEmail: string | null;
  at: string;
}

/** GET /api/inbox: the caller's entities' open findings, responses due, and the last `days` of decisions. */
export interface Inbox {
  days: number;
  open: { total: number; totalCapped: boolean; items: ReviewQueueItem[] };
  awaitingResponse: { total: number; totalCapped: boolean; items: ReviewQueueItem[] };
  decisions: ReviewEventItem[];
  appealOutcomes: ReviewEventItem[];
}

// ---- Alerts: the caller's notifications (server/routes/notifications.ts) ----

export type NotificationKind = 'critical-finding' | 'deleted-after-flagged';
export type AlertDigest = UserInfo['alertDigest'];

export interface NotificationItem {
  id: number;
  kind: NotificationKind;
  createdAt: string;
  readAt: string | null;
  entity: { id: number; nameAr: string; nameEn: string };
  /** The post's first 280 characters. */
  post: { id: number; text: string; lang: string | null; deleted: boolean };
  /** The critical finding's rule; null for a deletion (one notification per post). */
  rule: { id: string; title: Bilingual; severity: Severity | null } | null;
}

export interface NotificationList {
  items: NotificationItem[];
  /** Unread notifications of the caller's entities, all pages together. */
  unread: number;
  nextCursor: string | null;
}

export interface NotificationsReadRequest {
  ids?: number[];
  all?: true;
}

export interface NotificationsReadResponse {
  updated: number;
  unread: number;
}

export interface NotificationSettings {
  alertDigest: AlertDigest;
}

// ---- Monthly reports: the archive (server/routes/reports.ts) ----

export type ReportFormat = 'pdf' | 'xlsx' | 'csv';
export type ReportLang = 'ar' | 'en';

export interface ReportSummary {
  id: number;
  /** YYYY-MM */
  month: string;
  kind: 'sector' | 'entity';
  /** null for the public-sector report. */
  entity: { id: number; slug: string; nameAr: string; nameEn: string } | null;
  lang: ReportLang;
  format: ReportFormat;
  rulebookVersions: string[];
  /** SHA-256 (hex) of the file. */
  sha256: string;
  size: number;
  generatedAt: string;
  trigger: 'schedule' | 'cli' | 'api';
  /** A later version (different figures) of the same month, entity, language and format exists. */
  superseded: boolean;
  downloadUrl: string;
}

export interface ReportList {
  items: ReportSummary[];
}

export interface ReportGenerateRequest {
  month: string;
  /** Entity slugs; default every entity and the sector report. */
  entities?: string[];
  formats?: ReportFormat[];
  langs?: ReportLang[];
}

export interface ReportGenerateResponse {
  month: string;
  counts: { created: number; unchanged: number; failed: number };
  /** Why some failed (PDF without Chromium says how to install it). */
  errors: string[];
  items: { id: number | null; entity: string | null; lang: ReportLang; format: ReportFormat; status: 'created' | 'unchanged' | 'failed' }[];
}
