// Alerts: what the alert job finds new (critical findings, flagged posts later deleted), the alert and notification
// rows it writes, the e-mails and webhook deliveries still due, and the caller's notifications for the API.
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { AlertDigest } from '../schema.ts';
import type { Bilingual, RuleInfo, Severity } from '../vocabulary.ts';
import type { NotificationItem } from '../../server/api-types.ts';
import { inScope, type EntityScope } from './scope.ts';

export type AlertKind = 'critical-finding' | 'deleted-after-flagged';
export type AlertSource = 'finding' | 'deletion';

// ---- what is new ----------------------------------------------------------------------------------------------------

/**
 * Where a run starts reading: the mark of the latest run at least `lagMs` older than `now` (the migration's first
 * mark when there is none). Reading again what the runs of the last hour read costs little (partial indexes) and
 * catches rows whose transaction committed after a run had read past their ids.
 */
export async function getAlertCursor(db: Db, source: AlertSource, now: Date, lagMs: number): Promise<{ lastId: number; at: Date }> {
  const cut = new Date(now.getTime() - lagMs);
  const { rows } = await sql<{ lastId: string; at: Date }>`
    select last_id as "lastId", at from alert_cursor where source = ${source} and at <= ${cut} order by at desc limit 1`.execute(db);
  // A clock set back (a backfill) has no mark old enough: start from the oldest one kept.
  const row = rows[0] ?? (await sql<{ lastId: string; at: Date }>`
    select last_id as "lastId", at from alert_cursor where source = ${source} order by at limit 1`.execute(db)).rows[0];
  return row ? { lastId: Number(row.lastId), at: new Date(row.at) } : { lastId: 0, at: new Date(0) };
}

/** Records how far this run read; marks older than the one the next runs start from are dropped. */
export async function saveAlertCursor(db: Db, source: AlertSource, now: Date, lastId: number, keepFrom: Date): Promise<void> {
  await sql`insert into alert_cursor (source, at, last_id) values (${source}, ${now}, ${lastId})
    on conflict (source, at) do update set last_id = greatest(alert_cursor.last_id, excluded.last_id)`.execute(db);
  await sql`delete from alert_cursor where source = ${source} and at < ${keepFrom}`.execute(db);
}

/** The highest finding id and deletion version id now: a run reads up to these. */
export async function getAlertHighWater(db: Db): Promise<{ finding: number; deletion: number }> {
  const { rows } = await sql<{ finding: string; deletion: string }>`
    select (select coalesce(max(id), 0) from finding) as finding, (select coalesce(max(id), 0) from post_version) as deletion`.execute(db);
  return { finding: Number(rows[0].finding), deletion: Number(rows[0].deletion) };
}

export interface NewAlert {
  kind: AlertKind;
  postId: number;
  entityId: number;
  ruleIds: string[];
}

/**
 * Critical findings with an id in (after, upTo] that are current (of the post's scored rulebook version), not
 * dismissed, and not yet alerted for their post and rule: one alert per post with its rules.
 */
export async function listNewCriticalFindings(db: Db, after: number, upTo: number): Promise<NewAlert[]> {
  const { rows } = await sql<{ postId: string; entityId: number; ruleIds: string[] }>`
    select f.post_id as "postId", p.entity_id as "entityId", array_agg(distinct f.rule_id order by f.rule_id) as "ruleIds"
    from finding f
    join post_score s on s.post_id = f.post_id and s.rulebook_version = f.rulebook_version
    join post p on p.id = f.post_id
    where f.severity = 'critical' and f.id > ${after} and f.id <= ${upTo} and f.status <> 'dismissed'
      and not exists (select 1 from alert a where a.kind = 'critical-finding' and a.post_id = f.post_id and f.rule_id = any(a.rule_ids))
    group by f.post_id, p.entity_id
    order by f.post_id`.execute(db);
  return rows.map((r) => ({ kind: 'critical-finding', postId: Number(r.postId), entityId: r.entityId, ruleIds: r.ruleIds }));
}

/**
 * Posts whose deletion was captured in (after, upTo] (their 'deleted' version) and that a finding not dismissed had
 * flagged before the deletion (as the scorecard's "deleted after being flagged" counts them), not yet alerted.
 */
export async function listNewDeletedAfterFlagged(db: Db, after: number, upTo: number): Promise<NewAlert[]> {
  const { rows } = await sql<{ postId: string; entityId: number; ruleIds: string[] }>`
    select p.id as "postId", p.entity_id as "entityId",
      array(select distinct fd.rule_id from finding fd where fd.post_id = p.id and fd.status <> 'dismissed' and fd.created_at <= p.deleted_at order by 1) as "ruleIds"
    from post p
    where p.id in (select v.post_id from post_version v where v.kind = 'deleted' and v.id > ${after} and v.id <= ${upTo})
      and p.deleted_at is not null
      and exists (select 1 from finding fd where fd.post_id = p.id and fd.status <> 'dismissed' and fd.created_at <= p.deleted_at)
      and not exists (select 1 from alert a where a.kind = 'deleted-after-flagged' and a.post_id = p.id)
    order by p.id`.execute(db);
  return rows.map((r) => ({ kind: 'deleted-after-flagged', postId: Number(r.postId), entityId: r.entityId, ruleIds: r.ruleIds }));
}

/**
 * Writes the alerts and one notification per recipient: every enabled director of the post's entity and every
 * enabled oversight user. A critical finding notifies per rule, a deletion once per post; the unique index on
 * notification makes a repeated write a no-op. Returns how many alerts and notifications were new.
 */
export async function insertAlerts(db: Db, alerts: NewAlert[], opts: { now: Date; webhook: boolean }): Promise<{ alerts: number; notifications: number }> {
  if (!alerts.length) return { alerts: 0, notifications: 0 };
  const input = JSON.stringify(alerts.map((a) => ({ kind: a.kind, post_id: a.postId, entity_id: a.entityId, rule_ids: a.ruleIds })));
  return db.transaction().execute(async (trx) => {
    // A new rule on a post already alerted joins its alert (its webhook was sent once, for the post).
    const saved = await sql<{ inserted: boolean }>`
      insert into alert (kind, post_id, entity_id, rule_ids, created_at, webhook_state)
      select kind, post_id, entity_id, rule_ids, ${opts.now}, ${opts.webhook ? 'pending' : 'none'}
      from jsonb_to_recordset(${input}::jsonb) as a(kind text, post_id int8, entity_id int4, rule_ids text[])
      on conflict (kind, post_id) do update set rule_ids = array(select distinct r from unnest(alert.rule_ids || excluded.rule_ids) as r order by r)
      returning (xmax = 0) as inserted`.execute(trx);
    const notified = await sql`
      insert into notification (user_id, kind, entity_id, post_id, rule_id, created_at)
      select u.id, a.kind, a.entity_id, a.post_id, r.rule_id, ${opts.now}
      from jsonb_to_recordset(${input}::jsonb) as a(kind text, post_id int8, entity_id int4, rule_ids text[])
      cross join lateral (
        select unnest(a.rule_ids) as rule_id where a.kind = 'critical-finding'
        union all select null where a.kind <> 'critical-finding'
      ) r
      join app_user u on not u.disabled and (
        u.role = 'oversight'
        or (u.role = 'director' and exists (select 1 from user_entity ue where ue.user_id = u.id and ue.entity_id = a.entity_id))
      )
      on conflict (user_id, kind, post_id, coalesce(rule_id, '')) do nothing`.execute(trx);
    return { alerts: saved.rows.filter((r) => r.inserted).length, notifications: Number(notified.numAffectedRows ?? 0) };
  });
}

// ---- what an e-mail or the webhook says -----------------------------------------------------------------------------

export interface AlertFinding {
  ruleId: string;
  category: string;
  severity: Severity;
  match: string;
}

/** The post behind alerts, as a message shows it: its entity, text, link and the findings that raised the alert. */
export interface AlertPost {
  postId: number;
  entity: { id: number; slug: string; nameAr: string; nameEn: string };
  platform: string;
  handle: string;
  url: string | null;
  text: string;
  postedAt: string;
  deletedAt: string | null;
  rulebookVersion: string | null;
  /** Findings not dismissed, of the rulebook version the post was scored with. */
  findings: AlertFinding[];
}

export async function getAlertPosts(db: Db, postIds: number[]): Promise<Map<number, AlertPost>> {
  if (!postIds.length) return new Map();
  const { rows } = await sql<{
    postId: string;
    entityId: number;
    slug: string;
    nameAr: string;
    nameEn: string;
    platform: string;
    handle: string;
    url: string | null;
    text: string;
    postedAt: Date;
    deletedAt: Date | null;
    rulebookVersion: string | null;
    findings: AlertFinding[] | null;
  }>`
    select p.id as "postId", e.id as "entityId", e.slug, e.name_ar as "nameAr", e.name_en as "nameEn", ac.platform, ac.handle,
      p.url, p.text, p.posted_at as "postedAt", p.deleted_at as "deletedAt", s.rulebook_version as "rulebookVersion",
      (select jsonb_agg(jsonb_build_object('ruleId', f.rule_id, 'category', f.category, 'severity', f.severity, 'match', f.match) order by f.start_offset, f.id)
         from finding f where f.post_id = p.id and f.rulebook_version = s.rulebook_version and f.status <> 'dismissed') as findings
    from post p join entity e on e.id = p.entity_id join account ac on ac.id = p.account_id
    left join post_score s on s.post_id = p.id
    where p.id = any(${postIds}::bigint[])`.execute(db);
  return new Map(
    rows.map((r) => [
      Number(r.postId),
      {
        postId: Number(r.postId),
        entity: { id: r.entityId, slug: r.slug, nameAr: r.nameAr, nameEn: r.nameEn },
        platform: r.platform,
        handle: r.handle,
        url: r.url,
        text: r.text,
        postedAt: new Date(r.postedAt).toISOString(),
        deletedAt: r.deletedAt ? new Date(r.deletedAt).toISOString() : null,
        rulebookVersion: r.rulebookVersion,
        findings: r.findings ?? [],
      },
    ]),
  );
}

/** Rule titles of several rulebook versions at once (rule id → title), for messages. */
export async function getRuleTitles(db: Db, versions: string[]): Promise<Map<string, Map<string, Bilingual>>> {
  if (!versions.length) return new Map();
  const rows = await db.selectFrom('rulebook_version').select(['version', 'rules']).where('version', 'in', versions).execute();
  return new Map(rows.map((r) => [r.version, new Map((r.rules as RuleInfo[]).map((rule) => [rule.id, rule.title]))]));
}

// ---- e-mail ---------------------------------------------------------------------------------------------------------

export interface UnsentNotification {
  id: number;
  userId: number;
  email: string;
  name: string | null;
  kind: AlertKind;
  postId: number;
  ruleId: string | null;
  createdAt: string;
}

/**
 * Notifications not yet e-mailed nor read, created since `since`, of enabled users whose digest is one of `digests`
 * and who still see the entity: oldest first per user.
 */
export async function listUnsentNotifications(db: Db, f: { digests: AlertDigest[]; since: Date; upTo: Date }): Promise<UnsentNotification[]> {
  if (!f.digests.length) return [];
  const { rows } = await sql<Omit<UnsentNotification, 'createdAt' | 'id' | 'postId'> & { id: string; postId: string; createdAt: Date }>`
    select n.id, n.user_id as "userId", u.email, u.name, n.kind, n.post_id as "postId", n.rule_id as "ruleId", n.created_at as "createdAt"
    from notification n join app_user u on u.id = n.user_id
    where n.emailed_at is null and n.read_at is null and n.created_at >= ${f.since} and n.created_at <= ${f.upTo}
      and not u.disabled and u.alert_digest = any(${f.digests}::text[])
      and (u.role in ('oversight', 'admin') or exists (select 1 from user_entity ue where ue.user_id = u.id and ue.entity_id = n.entity_id))
    order by n.user_id, n.id`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id), postId: Number(r.postId), createdAt: new Date(r.createdAt).toISOString() }));
}

/**
 * Takes the notifications for sending: sets emailed_at on those still unsent and returns their ids. A run that
 * overlaps another cannot take the same rows, so nobody gets the same e-mail twice; a failed send gives them back.
 */
export async function claimNotificationsForEmail(db: Db, ids: number[], now: Date): Promise<number[]> {
  if (!ids.length) return [];
  const { rows } = await sql<{ id: string }>`
    update notification set emailed_at = ${now} where id = any(${ids}::bigint[]) and emailed_at is null returning id`.execute(db);
  return rows.map((r) => Number(r.id));
}

export async function releaseNotificationsForEmail(db: Db, ids: number[]): Promise<void> {
  if (!ids.length) return;
  await sql`update notification set emailed_at = null where id = any(${ids}::bigint[])`.execute(db);
}

// ---- webhook --------------------------------------------------------------------------------------------------------

export interface DueWebhook {
  id: number;
  kind: AlertKind;
  postId: number;
  ruleIds: string[];
  createdAt: string;
  attempts: number;
}

/** Alerts whose webhook is due, oldest first: pending ones, and ones a stopped run left 'sending' for `staleMs`. */
export async function listDueWebhooks(db: Db, now: Date, staleMs: number, limit: number): Promise<DueWebhook[]> {
  const { rows } = await sql<{ id: string; kind: AlertKind; postId: string; ruleIds: string[]; createdAt: Date; attempts: number }>`
    select id, kind, post_id as "postId", rule_ids as "ruleIds", created_at as "createdAt", webhook_attempts as attempts from alert
    where webhook_state = 'pending' or (webhook_state = 'sending' and webhook_at < ${new Date(now.getTime() - staleMs)})
    order by id limit ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id), postId: Number(r.postId), createdAt: new Date(r.createdAt).toISOString() }));
}

/** Marks the alert's webhook as being sent; false when another run took it meanwhile. */
export async function claimWebhook(db: Db, id: number, now: Date, staleMs: number): Promise<boolean> {
  const { rows } = await sql`
    update alert set webhook_state = 'sending', webhook_at = ${now}, webhook_attempts = webhook_attempts + 1
    where id = ${id} and (webhook_state = 'pending' or (webhook_state = 'sending' and webhook_at < ${new Date(now.getTime() - staleMs)}))
    returning id`.execute(db);
  return rows.length > 0;
}

/** Records the delivery's outcome: delivered, or pending again with the error (failed for good after `maxAttempts`). */
export async function finishWebhook(db: Db, id: number, outcome: { ok: true; now: Date } | { ok: false; now: Date; error: string; maxAttempts: number }): Promise<'delivered' | 'pending' | 'failed'> {
  const { rows } = outcome.ok
    ? await sql<{ state: 'delivered' }>`update alert set webhook_state = 'delivered', webhook_at = ${outcome.now}, webhook_error = null where id = ${id} returning webhook_state as state`.execute(db)
    : await sql<{ state: 'pending' | 'failed' }>`
        update alert set webhook_state = case when webhook_attempts >= ${outcome.maxAttempts} then 'failed' else 'pending' end,
          webhook_at = ${outcome.now}, webhook_error = ${outcome.error.slice(0, 500)}
        where id = ${id} returning webhook_state as state`.execute(db);
  return rows[0]?.state ?? 'failed';
}

// ---- the API --------------------------------------------------------------------------------------------------------

export type NotificationRow = NotificationItem;

/** The user's notifications of entities in their scope, newest first, from before `beforeId`. */
export async function listNotifications(db: Db, userId: number, scope: EntityScope, f: { limit: number; beforeId?: number }): Promise<NotificationRow[]> {
  const { rows } = await sql<{
    id: string;
    kind: AlertKind;
    createdAt: Date;
    readAt: Date | null;
    entityId: number;
    nameAr: string;
    nameEn: string;
    postId: string;
    text: string;
    lang: string | null;
    deleted: boolean;
    ruleId: string | null;
    rulebookVersion: string | null;
    severity: Severity | null;
  }>`
    select n.id, n.kind, n.created_at as "createdAt", n.read_at as "readAt", e.id as "entityId", e.name_ar as "nameAr", e.name_en as "nameEn",
      p.id as "postId", left(p.text, 280) as text, p.lang, p.deleted_at is not null as deleted, n.rule_id as "ruleId",
      s.rulebook_version as "rulebookVersion",
      (select max(f.severity) from finding f where f.post_id = p.id and f.rulebook_version = s.rulebook_version and f.rule_id = n.rule_id) as severity
    from notification n join entity e on e.id = n.entity_id join post p on p.id = n.post_id
    left join post_score s on s.post_id = p.id
    where n.user_id = ${userId} and ${inScope('n.entity_id', scope)} and ${f.beforeId === undefined ? sql`true` : sql`n.id < ${f.beforeId}`}
    order by n.id desc limit ${f.limit}`.execute(db);
  const titles = await getRuleTitles(db, [...new Set(rows.flatMap((r) => (r.ruleId && r.rulebookVersion ? [r.rulebookVersion] : [])))]);
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    createdAt: new Date(r.createdAt).toISOString(),
    readAt: r.readAt ? new Date(r.readAt).toISOString() : null,
    entity: { id: r.entityId, nameAr: r.nameAr, nameEn: r.nameEn },
    post: { id: Number(r.postId), text: r.text, lang: r.lang, deleted: r.deleted },
    rule: r.ruleId ? { id: r.ruleId, title: (r.rulebookVersion && titles.get(r.rulebookVersion)?.get(r.ruleId)) || { ar: r.ruleId, en: r.ruleId }, severity: r.severity } : null,
  }));
}

export async function countUnreadNotifications(db: Db, userId: number, scope: EntityScope): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from notification n where n.user_id = ${userId} and n.read_at is null and ${inScope('n.entity_id', scope)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Marks the user's notifications read (these ids, or all); ids of other users or entities are ignored. */
export async function markNotificationsRead(db: Db, userId: number, scope: EntityScope, which: { ids: number[] } | { all: true }, now: Date): Promise<number> {
  const r = await sql`
    update notification n set read_at = ${now}
    where n.user_id = ${userId} and n.read_at is null and ${inScope('n.entity_id', scope)}
      and ${'all' in which ? sql`true` : sql`n.id = any(${which.ids}::bigint[])`}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
