// Kysely's view of the database: one interface per table (see db/migrations for the DDL).
import type { ColumnType, Generated, GeneratedAlways, JSONColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** `date` columns come back as 'YYYY-MM-DD' strings on both drivers (see db/client.ts parsers). */
type TimestampWithDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type DateString = ColumnType<string, string, string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;

export interface EntityTable {
  id: Generated<number>;
  slug: string;
  name_ar: string;
  name_en: string;
  timezone: Generated<string>;
  website: string | null;
  /** Where the monthly reports are e-mailed (migration 0015); empty: not e-mailed. */
  report_recipients: ColumnType<string[], string[] | undefined, string[]>;
  created_at: TimestampWithDefault;
}

export interface AccountTable {
  id: Generated<number>;
  entity_id: number;
  platform: string;
  connector: string;
  handle: string;
  display_name: string | null;
  platform_account_id: string | null;
  type: 'official' | 'executive' | 'employee';
  profile_text: string | null;
  url: string | null;
  active: Generated<boolean>;
  config: ColumnType<Record<string, unknown>, string | undefined, string>;
  import_cursor: string | null;
  /** Import this account at most this often; null = on every run of the import job. */
  import_interval_minutes: number | null;
  last_run_at: Timestamp | null;
  last_run_status: 'ok' | 'partial' | 'failed' | null;
  last_error: string | null;
  /** The worker importing the account now, until when (a lease it extends page by page; see db/queries/account-leases.ts). */
  lease_owner: string | null;
  lease_until: Timestamp | null;
  /** The account's own API token, AES-256-GCM encrypted (`v1:<iv>:<tag>:<ciphertext>`, jobs/secrets.ts); never returned. */
  token_ciphertext: ColumnType<string | null, string | null | undefined, string | null>;
  /** After a run stopped on a rate limit: until when the platform refuses, and its message (migration 0014); cleared by the next run that gets past it. */
  paused_until: Timestamp | null;
  pause_reason: string | null;
  created_at: TimestampWithDefault;
}

export interface PostTable {
  id: Generated<number>;
  account_id: number;
  entity_id: number;
  platform_post_id: string;
  url: string | null;
  text: string;
  lang: string | null;
  posted_at: Timestamp;
  /** posted_at as a date in the entity's time zone: the key of every period. */
  local_day: DateString;
  captured_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
  /** bigint columns, returned as numbers (the import refuses counts beyond Number.MAX_SAFE_INTEGER). */
  likes: Generated<number>;
  shares: Generated<number>;
  replies: Generated<number>;
  views: Generated<number>;
  /** True when `text` is the first MAX_POST_TEXT characters of a longer text (the full text is in `raw`). */
  text_truncated: Generated<boolean>;
  /** Length of the full text in characters (code points); null for rows written before it was recorded. */
  text_length: ColumnType<number | null, number | null | undefined, number | null>;
  is_reply: Generated<boolean>;
  is_repost: Generated<boolean>;
  raw: Json<object>;
  edited_at: Timestamp | null;
  deleted_at: Timestamp | null;
  /** mizan_fold(text), computed by the database (search reads its trigram index). */
  text_folded: GeneratedAlways<string>;
  /** Raised by every captured edit: a score is current when it was computed for this revision. */
  revision: Generated<number>;
}

export interface PostVersionTable {
  id: Generated<number>;
  post_id: number;
  kind: 'original' | 'edit' | 'deleted';
  text: string;
  raw: Json<object>;
  captured_at: TimestampWithDefault;
  /** The post's account: versions are hash-chained per account (db/queries/archive.ts appends them). */
  account_id: number;
  /** SHA-256 (hex) of the canonical content and prev_sha256; null prev = the account's first version. */
  sha256: string;
  prev_sha256: string | null;
}

/** A post's engagement counts each time an import saw them change (bigint, read as numbers). */
export interface EngagementSnapshotTable {
  post_id: number;
  captured_at: Timestamp;
  likes: number;
  shares: number;
  replies: number;
  views: number;
}

export interface RulebookVersionTable {
  version: string;
  published_at: TimestampWithDefault;
  active: Generated<boolean>;
  sources: Json<Record<string, string>>;
  rules: Json<unknown[]>;
  origin: ColumnType<'files' | 'api', 'files' | 'api' | undefined, 'files' | 'api'>;
  note: string | null;
  /** The version that was in force when this one was published (or restored). */
  replaced: string | null;
}

/** A post whose verdict changed when a new rulebook version rescored it. */
export interface VerdictChangeTable {
  id: Generated<number>;
  post_id: number;
  entity_id: number;
  from_version: string;
  to_version: string;
  from_verdict: string;
  to_verdict: string;
  from_score: number;
  to_score: number;
  changed_at: TimestampWithDefault;
}

export interface FindingTable {
  id: Generated<number>;
  post_id: number;
  rule_id: string;
  category: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  rulebook_version: string;
  match: string;
  start_offset: number;
  end_offset: number;
  status: Generated<'open' | 'confirmed' | 'dismissed'>;
  created_at: TimestampWithDefault;
  /** model findings only (rule findings: null) */
  probability: number | null;
  model_version: string | null;
  evidence: { start: number; end: number; weight: number }[] | null;
  /** the post's posted_at, copied by a trigger (the review queue's order) */
  posted_at: Generated<Date | null>;
  /** generated: 0 critical … 3 low (the review queue's order) */
  queue_rank: Generated<number>;
}

export interface PostScoreTable {
  post_id: number;
  rulebook_version: string;
  score: number;
  verdict: 'clean' | 'review' | 'violation';
  categories: Generated<string[]>;
  max_severity: string | null;
  findings: Generated<number>;
  scored_at: TimestampWithDefault;
  /** The post's revision this score was computed for. */
  post_revision: Generated<number>;
  /** Where and when the post is (migration 0025): written by the scorer, else read from the post by a trigger. */
  entity_id: number | null;
  local_day: string | null;
  posted_at: Date | null;
  /** 4 critical … 1 low, 0 none (stored, generated from max_severity). */
  severity_rank: GeneratedAlways<number>;
}

export interface AccountFindingTable {
  id: Generated<number>;
  account_id: number;
  rule_id: string;
  category: string;
  severity: 'low' | 'medium' | 'high' | 'critical';
  rulebook_version: string;
  match: string;
  created_at: TimestampWithDefault;
}

export interface JobRunTable {
  id: Generated<number>;
  job: string;
  slot: string;
  started_at: TimestampWithDefault;
  finished_at: Timestamp | null;
  status: Generated<'running' | 'ok' | 'error'>;
  counts: ColumnType<Record<string, number>, string | undefined, string>;
  error: string | null;
  /** The process running it, and the last time it said it was alive. */
  owner: string | null;
  heartbeat_at: Timestamp | null;
}

/** One account's part of an import (see migration 0009). */
export interface ImportRunTable {
  id: Generated<number>;
  account_id: number;
  started_at: TimestampWithDefault;
  finished_at: Timestamp | null;
  status: Generated<'running' | 'ok' | 'partial' | 'failed'>;
  pages: Generated<number>;
  inserted: Generated<number>;
  edited: Generated<number>;
  deleted: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  rejected_samples: ColumnType<RejectedSample[], string | undefined, string>;
  warnings: ColumnType<string[], string | undefined, string>;
  error: string | null;
  /** The process that ran it. */
  worker: string | null;
}

export interface RejectedSample {
  ref: string;
  reason: string;
  sample?: string;
}

/** Daily aggregates per account, recomputed (never incremented) from post_score. */
export interface RollupDayTable {
  account_id: number;
  entity_id: number;
  day: DateString;
  posts: number;
  clean: number;
  review: number;
  violations: number;
  score_sum: number;
  findings: number;
  replies: number;
  engagement: number;
}

export interface RollupCategoryDayTable {
  entity_id: number;
  day: DateString;
  category: string;
  findings: number;
  posts: number;
}

export interface RollupDirtyTable {
  entity_id: number;
  day: DateString;
}

export type Role = 'admin' | 'oversight' | 'director' | 'viewer';
export type AlertDigest = 'immediate' | 'daily' | 'weekly' | 'off';

export interface AppUserTable {
  id: Generated<number>;
  email: string;
  name: string | null;
  role: Role;
  /** scrypt$N$r$p$salt$hash (server/passwords.ts); null when the user signs in through OpenID Connect only. */
  password_hash: string | null;
  must_change_password: Generated<boolean>;
  disabled: Generated<boolean>;
  oidc_subject: string | null;
  alert_digest: Generated<AlertDigest>;
  created_at: TimestampWithDefault;
  updated_at: TimestampWithDefault;
}

export interface UserEntityTable {
  user_id: number;
  entity_id: number;
}

export interface UserSessionTable {
  /** SHA-256 (hex) of the cookie's token. */
  id: string;
  user_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  scope: 'read' | 'admin';
  token_hash: string;
  /** The token's first characters, to tell tokens apart in a list. */
  prefix: string;
  created_at: TimestampWithDefault;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export type FindingEventKind = 'confirmed' | 'dismissed' | 'reopened' | 'responded' | 'appealed' | 'appeal-upheld' | 'appeal-rejected';

export interface FindingEventTable {
  id: Generated<number>;
  finding_id: number;
  post_id: number;
  rule_id: string;
  match: string;
  kind: FindingEventKind;
  reason: string | null;
  note: string | null;
  /** A director's response: explanation, correction or post-removed. */
  response_kind: string | null;
  actor_id: number | null;
  at: TimestampWithDefault;
}

export interface NotificationTable {
  id: Generated<number>;
  user_id: number;
  kind: 'critical-finding' | 'deleted-after-flagged';
  entity_id: number;
  post_id: number;
  rule_id: string | null;
  created_at: TimestampWithDefault;
  read_at: Timestamp | null;
  emailed_at: Timestamp | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: TimestampWithDefault;
  actor_id: number | null;
  actor_email: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  ip: string | null;
  before: ColumnType<unknown, string | null | undefined, never>;
  after: ColumnType<unknown, string | null | undefined, never>;
}

/** An archived monthly report (migration 0013): history kept, a row per distinct content of a month, entity, language and format. */
export interface ReportTable {
  id: Generated<number>;
  /** YYYY-MM */
  month: string;
  kind: 'sector' | 'entity';
  entity_id: number | null;
  lang: 'ar' | 'en';
  format: 'pdf' | 'xlsx' | 'csv';
  rulebook_versions: string[];
  sha256: string;
  data_sha256: string;
  size: number;
  content: Uint8Array;
  generated_at: Timestamp;
  trigger: 'schedule' | 'cli' | 'api';
  generated_by: number | null;
}

/** The one e-mail of an entity's monthly reports (migration 0015): sent_at once sent, else the last attempt's error. */
export interface ReportDeliveryTable {
  id: Generated<number>;
  entity_id: number;
  /** YYYY-MM */
  month: string;
  recipients: string[];
  report_ids: number[];
  attempts: Generated<number>;
  attempted_at: Timestamp;
  sent_at: Timestamp | null;
  error: string | null;
}

/** The posts waiting to be scored (migration 0016): filled by triggers on post and by a new rulebook version. */
export interface ScorePendingTable {
  post_id: number;
}

/** The rulebook version the scoring queue was last filled for (one row; migration 0016). */
export interface ScorePendingVersionTable {
  id: Generated<number>;
  version: string | null;
}

/** Per account: posts captured and the last one's time (triggers), scored posts (the rollup); migration 0016. */
export interface AccountPostSummaryTable {
  account_id: number;
  posts_captured: Generated<number>;
  last_post_at: Date | null;
  posts: Generated<number>;
}

/** rollup_day summed per entity and day (migration 0017), recomputed with it: what the dashboard reads. */
export type RollupEntityDayTable = Omit<RollupDayTable, 'account_id'>;

export interface Database {
  entity: EntityTable;
  account: AccountTable;
  post: PostTable;
  post_version: PostVersionTable;
  engagement_snapshot: EngagementSnapshotTable;
  rulebook_version: RulebookVersionTable;
  finding: FindingTable;
  post_score: PostScoreTable;
  account_finding: AccountFindingTable;
  job_run: JobRunTable;
  import_run: ImportRunTable;
  rollup_day: RollupDayTable;
  rollup_category_day: RollupCategoryDayTable;
  verdict_change: VerdictChangeTable;
  app_user: AppUserTable;
  user_entity: UserEntityTable;
  user_session: UserSessionTable;
  api_token: ApiTokenTable;
  finding_event: FindingEventTable;
  notification: NotificationTable;
  audit_log: AuditLogTable;
  rollup_dirty: RollupDirtyTable;
  report: ReportTable;
  report_delivery: ReportDeliveryTable;
  score_pending: ScorePendingTable;
  score_pending_version: ScorePendingVersionTable;
  account_post_summary: AccountPostSummaryTable;
  rollup_entity_day: RollupEntityDayTable;
}
