// The monthly reports: the few figures the dashboard has no query for (per account, by severity, review status,
// dormancy at the month's end), and the archive. Every other figure comes from stats.ts and posts.ts.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { ReportTable } from '../schema.ts';
import { DORMANT_DAYS } from './accounts.ts';
import { inScope, type EntityScope } from './scope.ts';

export interface MonthFilter {
  from: string;
  to: string;
  entityId?: number;
}

const entityIs = (column: string, entityId: number | undefined) => (entityId === undefined ? sql`` : sql`and ${sql.ref(column)} = ${entityId}`);

export interface AccountMonthFigures {
  accountId: number;
  entityId: number;
  platform: string;
  handle: string;
  type: 'official' | 'executive' | 'employee';
  posts: number;
  review: number;
  violations: number;
  findings: number;
}

/** Posts of the month per account, from the same rollup the entity's figures add up (every account listed, idle ones with 0). */
export async function listAccountMonthFigures(db: Db, scope: EntityScope, f: MonthFilter): Promise<AccountMonthFigures[]> {
  const { rows } = await sql<AccountMonthFigures>`
    select a.id as "accountId", a.entity_id as "entityId", a.platform, a.handle, a.type,
      coalesce(sum(r.posts), 0)::int as posts, coalesce(sum(r.review), 0)::int as review,
      coalesce(sum(r.violations), 0)::int as violations, coalesce(sum(r.findings), 0)::int as findings
    from account a
    left join rollup_day r on r.account_id = a.id and r.day between ${f.from} and ${f.to}
    where ${inScope('a.entity_id', scope)} ${entityIs('a.entity_id', f.entityId)}
    group by a.id
    order by a.entity_id, posts desc, a.platform, a.handle`.execute(db);
  return rows;
}

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

// The findings that count: those of each post's current score, not dismissed (as the category rollup counts them).
const currentFindings = (f: MonthFilter, scope: EntityScope) => sql`
  from finding fd
  join post_score s on s.post_id = fd.post_id and s.rulebook_version = fd.rulebook_version
  join post p on p.id = fd.post_id
  where p.local_day between ${f.from} and ${f.to} and ${inScope('p.entity_id', scope)} ${entityIs('p.entity_id', f.entityId)}`;

export async function countFindingsBySeverity(db: Db, scope: EntityScope, f: MonthFilter): Promise<Record<Severity, number>> {
  const { rows } = await sql<{ severity: Severity; n: number }>`
    select fd.severity, count(*)::int as n ${currentFindings(f, scope)} and fd.status <> 'dismissed'
    group by 1`.execute(db);
  const out = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const r of rows) if (r.severity in out) out[r.severity] = r.n;
  return out;
}

export interface ReviewStatusCounts {
  open: number;
  confirmed: number;
  dismissed: number;
  /** Findings a director has responded to (any status): a response does not close a finding. */
  responded: number;
}

export async function countReviewStatus(db: Db, scope: EntityScope, f: MonthFilter): Promise<ReviewStatusCounts> {
  const { rows } = await sql<ReviewStatusCounts>`
    select count(*) filter (where fd.status = 'open')::int as open,
      count(*) filter (where fd.status = 'confirmed')::int as confirmed,
      count(*) filter (where fd.status = 'dismissed')::int as dismissed,
      count(*) filter (where exists (select 1 from finding_event ev where ev.finding_id = fd.id and ev.kind = 'responded'))::int as responded
    ${currentFindings(f, scope)}`.execute(db);
  return rows[0] ?? { open: 0, confirmed: 0, dismissed: 0, responded: 0 };
}

/** The rulebook versions that scored the month's posts (several when a new version came in during the month). */
export async function listMonthRulebookVersions(db: Db, scope: EntityScope, f: MonthFilter): Promise<string[]> {
  const { rows } = await sql<{ version: string }>`
    select distinct s.rulebook_version as version from post p join post_score s on s.post_id = p.id
    where p.local_day between ${f.from} and ${f.to} and ${inScope('p.entity_id', scope)} ${entityIs('p.entity_id', f.entityId)}
    order by 1`.execute(db);
  return rows.map((r) => r.version);
}

export interface DormantAccount {
  accountId: number;
  entityId: number;
  platform: string;
  handle: string;
  lastPostAt: string | null;
}

/** Official accounts with no post in the DORMANT_DAYS before `at` (the month's end), as the dashboard saw them then. */
export async function listDormantAccountsAt(db: Db, scope: EntityScope, f: { entityId?: number; at: Date }): Promise<DormantAccount[]> {
  const since = new Date(f.at.getTime() - DORMANT_DAYS * 86_400_000);
  const { rows } = await sql<{ accountId: number; entityId: number; platform: string; handle: string; lastPostAt: Date | null }>`
    select a.id as "accountId", a.entity_id as "entityId", a.platform, a.handle,
      (select max(p.posted_at) from post p where p.account_id = a.id and p.posted_at < ${f.at}::timestamptz) as "lastPostAt"
    from account a
    where a.type = 'official' and a.active and ${inScope('a.entity_id', scope)} ${entityIs('a.entity_id', f.entityId)}
      and not exists (select 1 from post p where p.account_id = a.id and p.posted_at >= ${since}::timestamptz and p.posted_at < ${f.at}::timestamptz)
    order by a.entity_id, a.platform, a.handle`.execute(db);
  return rows.map((r) => ({ ...r, lastPostAt: r.lastPostAt ? new Date(r.lastPostAt).toISOString() : null }));
}

export interface ReportFinding {
  findingId: number;
  postId: number;
  entityId: number;
  platform: string;
  handle: string;
  postedAt: string;
  url: string | null;
  rule: string;
  category: string;
  severity: Severity;
  status: 'open' | 'confirmed' | 'dismissed';
  responded: boolean;
  match: string;
  /** The words around the match, for the findings sheet. */
  context: string;
  rulebookVersion: string;
  /** Model findings only (null on rule findings). */
  probability: number | null;
  modelVersion: string | null;
}

/** Every finding of the month's current scores (dismissed ones included, with their status), most severe first. */
export async function listMonthFindings(db: Db, scope: EntityScope, f: MonthFilter): Promise<ReportFinding[]> {
  const { rows } = await sql<Omit<ReportFinding, 'postedAt'> & { postedAt: Date }>`
    select fd.id as "findingId", p.id as "postId", p.entity_id as "entityId", a.platform, a.handle, p.posted_at as "postedAt", p.url,
      fd.rule_id as rule, fd.category, fd.severity, fd.status,
      exists (select 1 from finding_event ev where ev.finding_id = fd.id and ev.kind = 'responded') as responded,
      fd.match, substr(p.text, greatest(fd.start_offset - 59, 1), fd.end_offset - fd.start_offset + 120) as context,
      fd.rulebook_version as "rulebookVersion", fd.probability, fd.model_version as "modelVersion"
    from finding fd
    join post_score s on s.post_id = fd.post_id and s.rulebook_version = fd.rulebook_version
    join post p on p.id = fd.post_id
    join account a on a.id = p.account_id
    where p.local_day between ${f.from} and ${f.to} and ${inScope('p.entity_id', scope)} ${entityIs('p.entity_id', f.entityId)}
    order by case fd.severity when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end desc, p.entity_id, p.posted_at desc, fd.id`.execute(db);
  return rows.map((r) => ({ ...r, postedAt: new Date(r.postedAt).toISOString() }));
}

// ---- The archive ----

export type ReportFormat = ReportTable['format'];
export type ReportLang = ReportTable['lang'];

export interface NewReport {
  month: string;
  entityId: number | null;
  lang: ReportLang;
  format: ReportFormat;
  rulebookVersions: string[];
  sha256: string;
  dataSha256: string;
  content: Uint8Array;
  generatedAt: Date;
  trigger: ReportTable['trigger'];
  generatedBy: number | null;
}

/** A report with these figures is already stored (its id), so the run need not render it again. */
export async function findStoredReport(db: Db, r: { month: string; entityId: number | null; lang: ReportLang; format: ReportFormat; dataSha256: string }): Promise<number | null> {
  const row = await db
    .selectFrom('report')
    .select('id')
    .where('month', '=', r.month)
    .where(sql<boolean>`coalesce(entity_id, 0) = ${r.entityId ?? 0}`)
    .where('lang', '=', r.lang)
    .where('format', '=', r.format)
    .where('data_sha256', '=', r.dataSha256)
    .executeTakeFirst();
  return row?.id ?? null;
}

/** Stores a report unless the same one is (a concurrent run's insert wins): `created` false means it was already there. */
export async function insertReport(db: Db, r: NewReport): Promise<{ id: number; created: boolean }> {
  const inserted = await sql<{ id: number }>`
    insert into report (month, kind, entity_id, lang, format, rulebook_versions, sha256, data_sha256, size, content, generated_at, trigger, generated_by)
    values (${r.month}, ${r.entityId === null ? 'sector' : 'entity'}, ${r.entityId}, ${r.lang}, ${r.format}, ${sql.val(r.rulebookVersions)}::text[],
      ${r.sha256}, ${r.dataSha256}, ${r.content.byteLength}, ${r.content}, ${r.generatedAt}, ${r.trigger}, ${r.generatedBy})
    on conflict (month, coalesce(entity_id, 0), lang, format, data_sha256) do nothing
    returning id`.execute(db);
  if (inserted.rows[0]) return { id: inserted.rows[0].id, created: true };
  const id = await findStoredReport(db, r);
  if (id === null) throw new Error('report vanished between insert and select');
  return { id, created: false };
}

export interface ReportListFilter {
  month?: string;
  entityId?: number;
  kind?: 'sector' | 'entity';
  lang?: ReportLang;
  format?: ReportFormat;
  /** Earlier versions (a later run stored different figures) too; default: the latest of each only. */
  history?: boolean;
  limit: number;
}

export interface ReportRow {
  id: number;
  month: string;
  kind: 'sector' | 'entity';
  entityId: number | null;
  entitySlug: string | null;
  entityNameAr: string | null;
  entityNameEn: string | null;
  lang: ReportLang;
  format: ReportFormat;
  rulebookVersions: string[];
  sha256: string;
  size: number;
  generatedAt: string;
  trigger: 'schedule' | 'cli' | 'api';
  /** A later version of the same month, entity, language and format exists. */
  superseded: boolean;
}

// A director's scope has no sector report: it covers every entity.
const reportInScope = (scope: EntityScope) => (scope === 'all' ? sql<boolean>`true` : sql<boolean>`r.entity_id is not null and ${inScope('r.entity_id', scope)}`);

export async function listReports(db: Db, scope: EntityScope, f: ReportListFilter): Promise<ReportRow[]> {
  const { rows } = await sql<Omit<ReportRow, 'generatedAt'> & { generatedAt: Date }>`
    select * from (
      select r.id, r.month, r.kind, r.entity_id as "entityId", e.slug as "entitySlug", e.name_ar as "entityNameAr", e.name_en as "entityNameEn",
        r.lang, r.format, r.rulebook_versions as "rulebookVersions", r.sha256, r.size, r.generated_at as "generatedAt", r.trigger,
        row_number() over (partition by r.month, coalesce(r.entity_id, 0), r.lang, r.format order by r.generated_at desc, r.id desc) > 1 as superseded
      from report r left join entity e on e.id = r.entity_id
      where ${reportInScope(scope)}
        ${f.month === undefined ? sql`` : sql`and r.month = ${f.month}`}
        ${f.entityId === undefined ? sql`` : sql`and r.entity_id = ${f.entityId}`}
        ${f.kind === undefined ? sql`` : sql`and r.kind = ${f.kind}`}
        ${f.lang === undefined ? sql`` : sql`and r.lang = ${f.lang}`}
        ${f.format === undefined ? sql`` : sql`and r.format = ${f.format}`}
    ) x
    ${f.history ? sql`` : sql`where not x.superseded`}
    order by x.month desc, x.kind desc, x."entityNameEn" nulls first, x.lang, x.format, x."generatedAt" desc, x.id desc
    limit ${f.limit}`.execute(db);
  return rows.map((r) => ({ ...r, generatedAt: new Date(r.generatedAt).toISOString() }));
}

export async function getReportFile(db: Db, scope: EntityScope, id: number): Promise<(ReportRow & { content: Uint8Array }) | undefined> {
  const { rows } = await sql<Omit<ReportRow, 'generatedAt' | 'superseded'> & { generatedAt: Date; content: Uint8Array }>`
    select r.id, r.month, r.kind, r.entity_id as "entityId", e.slug as "entitySlug", e.name_ar as "entityNameAr", e.name_en as "entityNameEn",
      r.lang, r.format, r.rulebook_versions as "rulebookVersions", r.sha256, r.size, r.generated_at as "generatedAt", r.trigger, r.content
    from report r left join entity e on e.id = r.entity_id
    where r.id = ${id} and ${reportInScope(scope)}`.execute(db);
  const r = rows[0];
  return r && { ...r, generatedAt: new Date(r.generatedAt).toISOString(), superseded: false };
}

// ---- E-mail delivery (migration 0015) ----

export interface ReportFile {
  id: number;
  lang: ReportLang;
  format: ReportFormat;
  content: Uint8Array;
}

/** The latest stored version of each of an entity's reports of the month in these formats. */
export async function listLatestReportFiles(db: Db, f: { month: string; entityId: number; formats: ReportFormat[] }): Promise<ReportFile[]> {
  const { rows } = await sql<ReportFile>`
    select distinct on (r.lang, r.format) r.id, r.lang, r.format, r.content
    from report r
    where r.month = ${f.month} and r.entity_id = ${f.entityId} and r.format in (${sql.join(f.formats)})
    order by r.lang, r.format, r.generated_at desc, r.id desc`.execute(db);
  return rows;
}

/** An attempt left without an outcome this long ago (its process stopped) may be taken again. */
const DELIVERY_STALE = '15 minutes';

/**
 * Takes the entity's e-mail of the month for sending: its row is new, or its last attempt failed (or was left
 * unfinished). Null when it was sent already or another run is sending it now.
 */
export async function claimReportDelivery(db: Db, d: { entityId: number; month: string; recipients: string[]; now: Date }): Promise<number | null> {
  const { rows } = await sql<{ id: number }>`
    insert into report_delivery (entity_id, month, recipients, attempts, attempted_at)
    values (${d.entityId}, ${d.month}, ${sql.val(d.recipients)}::text[], 1, ${d.now})
    on conflict (entity_id, month) do update
      set recipients = excluded.recipients, attempts = report_delivery.attempts + 1, attempted_at = excluded.attempted_at, error = null
      where report_delivery.sent_at is null
        and (report_delivery.error is not null or report_delivery.attempted_at < ${d.now}::timestamptz - ${DELIVERY_STALE}::interval)
    returning id`.execute(db);
  return rows[0]?.id ?? null;
}

export async function finishReportDelivery(db: Db, id: number, r: { sentAt: Date; reportIds: number[] } | { error: string }): Promise<void> {
  await db
    .updateTable('report_delivery')
    .set('error' in r ? { error: r.error } : { sent_at: r.sentAt, report_ids: r.reportIds, error: null })
    .where('id', '=', id)
    .execute();
}

/** Months (from `sinceMonth` on) whose e-mail to an entity failed and was not sent since. */
export async function listFailedDeliveryMonths(db: Db, sinceMonth: string): Promise<string[]> {
  const rows = await db
    .selectFrom('report_delivery')
    .select('month')
    .distinct()
    .where('sent_at', 'is', null)
    .where('error', 'is not', null)
    .where('month', '>=', sinceMonth)
    .orderBy('month')
    .execute();
  return rows.map((r) => r.month);
}

export interface ReportDeliveryRow {
  entityId: number;
  month: string;
  recipients: string[];
  reportIds: number[];
  attempts: number;
  sentAt: Date | null;
  error: string | null;
}

export async function listReportDeliveries(db: Db, f: { month?: string } = {}): Promise<ReportDeliveryRow[]> {
  return db
    .selectFrom('report_delivery')
    .select(['entity_id as entityId', 'month', 'recipients', 'report_ids as reportIds', 'attempts', 'sent_at as sentAt', 'error'])
    .$if(f.month !== undefined, (q) => q.where('month', '=', f.month!))
    .orderBy('month')
    .orderBy('entity_id')
    .execute();
}
