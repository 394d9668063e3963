// Users, the entities they may see, their sessions and API tokens.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../client.ts';
import { announceGenerationChange } from './generations.ts';
import type { AlertDigest, Role } from '../schema.ts';
import type { ApiTokenItem, UserInfo } from '../../server/api-types.ts';
import type { EntityScope } from './scope.ts';

export const ROLES: readonly Role[] = ['admin', 'oversight', 'director', 'viewer'];

/** A user as the API shows one (server/api-types.ts UserInfo): never a password hash. */
export type UserView = UserInfo;

/** The signed-in caller, as every route sees it. */
export interface Principal extends UserView {
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: number;
  /** A read-scope API token may only read. */
  readOnly: boolean;
}

/** Admins and oversight see every entity; a director sees theirs (none when unassigned); a viewer theirs, or every one when none is assigned. */
export function scopeOf(user: Pick<UserView, 'role' | 'entityIds'>): EntityScope {
  if (user.role === 'admin' || user.role === 'oversight') return 'all';
  if (user.role === 'viewer' && user.entityIds.length === 0) return 'all';
  return user.entityIds;
}

export const sha256Hex = (value: string) => createHash('sha256').update(value).digest('hex');

const userColumns = sql`u.id, u.email, u.name, u.role, u.disabled, u.must_change_password as "mustChangePassword",
  u.alert_digest as "alertDigest", u.password_hash is not null as "hasPassword", u.oidc_subject is not null as oidc,
  u.created_at as "createdAt",
  coalesce((select array_agg(ue.entity_id order by ue.entity_id) from user_entity ue where ue.user_id = u.id), '{}') as "entityIds"`;

type UserRow = Omit<UserView, 'createdAt'> & { createdAt: Date | string };
const toView = (r: UserRow): UserView => ({ ...r, entityIds: r.entityIds.map(Number), createdAt: new Date(r.createdAt).toISOString() });

export async function listUsers(db: Db): Promise<UserView[]> {
  const { rows } = await sql<UserRow>`select ${userColumns} from app_user u order by lower(u.email)`.execute(db);
  return rows.map(toView);
}

export async function getUser(db: Db, id: number): Promise<UserView | null> {
  const { rows } = await sql<UserRow>`select ${userColumns} from app_user u where u.id = ${id}`.execute(db);
  return rows[0] ? toView(rows[0]) : null;
}

/** The user with this e-mail (any case) and their password hash, for signing in. */
export async function getUserForLogin(db: Db, email: string): Promise<(UserView & { passwordHash: string | null }) | null> {
  const { rows } = await sql<UserRow & { passwordHash: string | null }>`
    select ${userColumns}, u.password_hash as "passwordHash" from app_user u where lower(u.email) = lower(${email})`.execute(db);
  return rows[0] ? { ...toView(rows[0]), passwordHash: rows[0].passwordHash } : null;
}

export async function getUserByOidcSubject(db: Db, subject: string): Promise<UserView | null> {
  const { rows } = await sql<UserRow>`select ${userColumns} from app_user u where u.oidc_subject = ${subject}`.execute(db);
  return rows[0] ? toView(rows[0]) : null;
}

export interface NewUser {
  email: string;
  name?: string | null;
  role: Role;
  passwordHash: string | null;
  mustChangePassword?: boolean;
  entityIds?: number[];
  oidcSubject?: string | null;
}

export class DuplicateEmailError extends Error {}

export async function insertUser(db: Db, u: NewUser): Promise<UserView> {
  const id = await db.transaction().execute(async (trx) => {
    const taken = await sql`select 1 from app_user where lower(email) = lower(${u.email})`.execute(trx);
    if (taken.rows.length) throw new DuplicateEmailError(`A user with the e-mail ${u.email} already exists`);
    const row = await trx
      .insertInto('app_user')
      .values({ email: u.email, name: u.name ?? null, role: u.role, password_hash: u.passwordHash, must_change_password: u.mustChangePassword ?? false, oidc_subject: u.oidcSubject ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (u.entityIds?.length) await trx.insertInto('user_entity').values(u.entityIds.map((entity_id) => ({ user_id: row.id, entity_id }))).execute();
    return row.id;
  });
  return (await getUser(db, id))!;
}

export interface UserChanges {
  name?: string | null;
  role?: Role;
  disabled?: boolean;
  entityIds?: number[];
  alertDigest?: AlertDigest;
  passwordHash?: string;
  mustChangePassword?: boolean;
  oidcSubject?: string | null;
}

/** Applies the changes; a disabled user, a new password or a new role ends the user's sessions. Null when there is no such user. */
export async function updateUser(db: Db, id: number, ch: UserChanges): Promise<UserView | null> {
  const found = await db.transaction().execute(async (trx) => {
    const set: Record<string, unknown> = {};
    if (ch.name !== undefined) set.name = ch.name;
    if (ch.role !== undefined) set.role = ch.role;
    if (ch.disabled !== undefined) set.disabled = ch.disabled;
    if (ch.alertDigest !== undefined) set.alert_digest = ch.alertDigest;
    if (ch.passwordHash !== undefined) set.password_hash = ch.passwordHash;
    if (ch.mustChangePassword !== undefined) set.must_change_password = ch.mustChangePassword;
    if (ch.oidcSubject !== undefined) set.oidc_subject = ch.oidcSubject;
    const row = await trx.updateTable('app_user').set({ ...set, updated_at: sql`now()` }).where('id', '=', id).returning('id').executeTakeFirst();
    if (!row) return false;
    if (ch.entityIds !== undefined) {
      await trx.deleteFrom('user_entity').where('user_id', '=', id).execute();
      if (ch.entityIds.length) await trx.insertInto('user_entity').values(ch.entityIds.map((entity_id) => ({ user_id: id, entity_id }))).execute();
    }
    // A disabled user's tokens are revoked for good (enabling the user again does not bring them back).
    if (ch.disabled === true) await trx.updateTable('api_token').set({ revoked_at: sql`now()` }).where('user_id', '=', id).where('revoked_at', 'is', null).execute();
    if (ch.disabled === true || ch.passwordHash !== undefined || ch.role !== undefined) await trx.deleteFrom('user_session').where('user_id', '=', id).execute();
    return true;
  });
  if (found) announceGenerationChange(db, 'auth_generation');
  return found ? getUser(db, id) : null;
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('app_user').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---- sessions -------------------------------------------------------------------------------------------------------

export interface SessionTimes {
  idleMinutes: number;
  maxHours: number;
}

/** A new session for the user: returns the cookie's token (only its hash is stored). */
export async function insertSession(db: Db, userId: number, meta: { ip: string | null; userAgent: string | null; now: Date; times: SessionTimes }): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('user_session')
    .values({
      id: sha256Hex(token),
      user_id: userId,
      created_at: meta.now,
      last_seen_at: meta.now,
      expires_at: new Date(meta.now.getTime() + meta.times.maxHours * 3_600_000),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

/** A caller found behind a session or token, and until when (the caller's clock) it may be trusted without a new read. */
export interface SignIn {
  principal: Principal;
  /** The session's absolute or idle expiry, or the next last-seen/last-used mark (a minute on), whichever comes first. */
  trustUntil: Date;
}

/** How long a sign-in read from the database is trusted: the last-seen and last-used marks are written once a minute. */
const MARK_MS = 60_000;

/**
 * The user behind a session token, when the session is neither idle too long nor past its absolute expiry and the
 * user is not disabled. Marks the session seen (at most once a minute, to keep reads from writing on every request).
 */
export async function getSessionPrincipal(db: Db, token: string, now: Date, times: SessionTimes): Promise<SignIn | null> {
  const id = sha256Hex(token);
  const { rows } = await sql<UserRow & { lastSeenAt: Date | string; expiresAt: Date | string }>`
    select ${userColumns}, s.last_seen_at as "lastSeenAt", s.expires_at as "expiresAt"
    from user_session s join app_user u on u.id = s.user_id where s.id = ${id}`.execute(db);
  const r = rows[0];
  if (!r) return null;
  let lastSeen = new Date(r.lastSeenAt).getTime();
  const expires = new Date(r.expiresAt).getTime();
  const idleMs = times.idleMinutes * 60_000;
  if (r.disabled || expires <= now.getTime() || lastSeen + idleMs <= now.getTime()) {
    await db.deleteFrom('user_session').where('id', '=', id).execute();
    return null;
  }
  if (now.getTime() - lastSeen > MARK_MS) {
    await db.updateTable('user_session').set({ last_seen_at: now }).where('id', '=', id).execute();
    lastSeen = now.getTime();
  }
  const { lastSeenAt: _s, expiresAt: _e, ...user } = r;
  return {
    principal: { ...toView(user as UserRow), via: 'session', sessionId: id, readOnly: false },
    trustUntil: new Date(Math.min(expires, lastSeen + idleMs, lastSeen + MARK_MS)),
  };
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', sessionId).execute();
  announceGenerationChange(db, 'auth_generation');
}

export async function deleteSessionByToken(db: Db, token: string): Promise<void> {
  await deleteSession(db, sha256Hex(token));
}

export async function deleteUserSessions(db: Db, userId: number): Promise<number> {
  const r = await db.deleteFrom('user_session').where('user_id', '=', userId).executeTakeFirst();
  announceGenerationChange(db, 'auth_generation');
  return Number(r.numDeletedRows);
}

// ---- API tokens -----------------------------------------------------------------------------------------------------

const TOKEN_PREFIX = 'mzn_';

/** A token as the API lists one (server/api-types.ts ApiTokenItem). */
export type ApiTokenView = ApiTokenItem;

/** Creates a token and returns it once, with its listing; only its SHA-256 is stored. */
export async function insertApiToken(db: Db, userId: number, name: string, scope: 'read' | 'admin'): Promise<{ token: string; view: ApiTokenView }> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await db
    .insertInto('api_token')
    .values({ user_id: userId, name, scope, token_hash: sha256Hex(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return { token, view: tokenView(row) };
}

function tokenView(r: { id: number; user_id: number; name: string; scope: 'read' | 'admin'; prefix: string; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): ApiTokenView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return { id: r.id, userId: r.user_id, name: r.name, scope: r.scope, prefix: r.prefix, createdAt: new Date(r.created_at).toISOString(), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at) };
}

export async function listApiTokens(db: Db, userId?: number): Promise<ApiTokenView[]> {
  const rows = await db.selectFrom('api_token').selectAll().$if(userId !== undefined, (q) => q.where('user_id', '=', userId!)).orderBy('id', 'desc').execute();
  return rows.map(tokenView);
}

/** Revokes a token (of this user, when given); false when there is no such live token. */
export async function revokeApiToken(db: Db, id: number, userId?: number): Promise<ApiTokenView | null> {
  const row = await db
    .updateTable('api_token')
    .set({ revoked_at: sql`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .$if(userId !== undefined, (q) => q.where('user_id', '=', userId!))
    .returningAll()
    .executeTakeFirst();
  announceGenerationChange(db, 'auth_generation');
  return row ? tokenView(row) : null;
}

/** The user behind a bearer token that is not revoked, when the user is not disabled. */
export async function getTokenPrincipal(db: Db, token: string, now: Date): Promise<SignIn | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const { rows } = await sql<UserRow & { tokenId: number; scope: 'read' | 'admin'; lastUsedAt: Date | null }>`
    select ${userColumns}, t.id as "tokenId", t.scope, t.last_used_at as "lastUsedAt"
    from api_token t join app_user u on u.id = t.user_id
    where t.token_hash = ${sha256Hex(token)} and t.revoked_at is null`.execute(db);
  const r = rows[0];
  if (!r || r.disabled) return null;
  let lastUsed = r.lastUsedAt ? new Date(r.lastUsedAt).getTime() : null;
  if (lastUsed === null || now.getTime() - lastUsed > MARK_MS) {
    await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', r.tokenId).execute();
    lastUsed = now.getTime();
  }
  const { tokenId, scope, lastUsedAt: _l, ...user } = r;
  return { principal: { ...toView(user as UserRow), via: 'token', tokenId, readOnly: scope === 'read' }, trustUntil: new Date(lastUsed + MARK_MS) };
}
