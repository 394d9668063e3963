// The append-only audit log (a trigger refuses UPDATE, DELETE and TRUNCATE, migration 0011).
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import type { AuditItem } from '../../server/api-types.ts';

export interface AuditEntry {
  actorId?: number | null;
  actorEmail?: string | null;
  action: string;
  objectType?: string | null;
  objectId?: string | number | null;
  ip?: string | null;
  before?: unknown;
  after?: unknown;
  at?: Date;
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      ...(e.at ? { at: e.at } : {}),
      actor_id: e.actorId ?? null,
      actor_email: e.actorEmail ?? null,
      action: e.action,
      object_type: e.objectType ?? null,
      object_id: e.objectId === undefined || e.objectId === null ? null : String(e.objectId),
      ip: e.ip ?? null,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    })
    .execute();
}

/** An audit entry as the API shows one (server/api-types.ts AuditItem). */
export type AuditRow = AuditItem;

export interface AuditFilter {
  /** Words matched against the actor, action, object and ip. */
  q?: string;
  action?: string;
  actorId?: number;
  from?: Date;
  to?: Date;
  /** Entries with an id below this (the next page). */
  before?: number;
  limit: number;
}

export async function listAudit(db: Db, f: AuditFilter): Promise<AuditRow[]> {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%` : null;
  const rows = await db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_id as actorId', 'actor_email as actorEmail', 'action', 'object_type as objectType', 'object_id as objectId', 'ip', 'before', 'after'])
    .$if(f.action !== undefined, (q) => q.where('action', '=', f.action!))
    .$if(f.actorId !== undefined, (q) => q.where('actor_id', '=', f.actorId!))
    .$if(f.from !== undefined, (q) => q.where('at', '>=', f.from!))
    .$if(f.to !== undefined, (q) => q.where('at', '<', f.to!))
    .$if(f.before !== undefined, (q) => q.where('id', '<', f.before!))
    .$if(like !== null, (q) =>
      q.where(sql<boolean>`concat_ws(' ', actor_email, action, object_type, object_id, ip, before::text, after::text) ilike ${like}`),
    )
    .orderBy('id', 'desc')
    .limit(f.limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id), at: new Date(r.at).toISOString() }));
}

/** Failed sign-ins in the window for this e-mail and from this address (the login throttle reads the audit log). */
export async function countLoginFailures(db: Db, email: string, ip: string | null, since: Date): Promise<{ forEmail: number; forIp: number }> {
  const { rows } = await sql<{ forEmail: string; forIp: string }>`
    select count(*) filter (where object_id = lower(${email})) as "forEmail",
           count(*) filter (where ${ip}::text is not null and ip = ${ip}::text) as "forIp"
    from audit_log where action = 'auth.login-failed' and at >= ${since}`.execute(db);
  return { forEmail: Number(rows[0]?.forEmail ?? 0), forIp: Number(rows[0]?.forIp ?? 0) };
}

/** When the oldest counted failure leaves the window: when the throttle lifts. */
export async function oldestLoginFailure(db: Db, where: { email?: string; ip?: string }, since: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.min('at').as('at'))
    .where('action', '=', 'auth.login-failed')
    .where('at', '>=', since)
    .$if(where.email !== undefined, (q) => q.where('object_id', '=', where.email!.toLowerCase()))
    .$if(where.ip !== undefined, (q) => q.where('ip', '=', where.ip!))
    .executeTakeFirst();
  return row?.at ? new Date(row.at as Date) : null;
}
