// Admin: invite, edit and disable users and assign their entities; the audit log and its CSV export.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { appendAudit, listAudit } from '../../db/queries/audit.ts';
import { listEntities } from '../../db/queries/entities.ts';
import { DuplicateEmailError, getUser, insertUser, listUsers, ROLES, updateUser, type UserView } from '../../db/queries/users.ts';
import type { Role } from '../../db/schema.ts';
import { auditAs } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { generatePassword, hashPassword, passwordProblem } from '../passwords.ts';
import { idParam, validate } from '../validate.ts';

const email = z
  .string({ error: 'is required' })
  .trim()
  .max(320, 'is too long')
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address such as name@example.gov.bh');
const role = z.enum(ROLES as [Role, ...Role[]], { error: `must be one of ${ROLES.join(', ')}` });
const entityIds = z.array(z.number().int().positive().max(2_147_483_647), { error: 'must be a list of entity ids' }).max(1000, 'has too many entities');
const name = z.string().trim().max(200, 'is at most 200 characters').nullable();

const newUserBody = z
  .object({ email, name: name.optional(), role, entityIds: entityIds.default([]), password: z.string().max(1024, 'is too long').optional() })
  .strict();
const userChanges = z
  .object({
    name: name.optional(),
    role: role.optional(),
    entityIds: entityIds.optional(),
    disabled: z.boolean({ error: 'must be true or false' }).optional(),
    alertDigest: z.enum(['immediate', 'daily', 'weekly', 'off'], { error: 'must be immediate, daily, weekly or off' }).optional(),
  })
  .strict();

/** A director needs at least one entity; every id must name an entity. */
export async function checkUserEntities(deps: AppDeps, r: Role, ids: number[]): Promise<void> {
  if (r === 'director' && ids.length === 0) throw new AppError(400, 'invalid-request', 'A director needs at least one entity', [{ field: 'entityIds', message: 'is empty' }]);
  if (r === 'admin' || r === 'oversight') {
    if (ids.length) throw new AppError(400, 'invalid-request', `The ${r} role sees every entity: leave entityIds empty`, [{ field: 'entityIds', message: 'must be empty for this role' }]);
    return;
  }
  const known = new Set((await listEntities(deps.db, 'all')).map((e) => e.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new AppError(400, 'invalid-request', `No entity with id ${unknown.join(', ')}`, [{ field: 'entityIds', message: 'names an unknown entity' }]);
}

const auditQuery = z.object({
  q: z.string().trim().max(200, 'is at most 200 characters').optional(),
  action: z.string().trim().max(100).optional(),
  actor: z.coerce.number().int().positive().max(2_147_483_647).optional(),
  from: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }).optional(),
  to: z.iso.date({ error: 'must be a date as YYYY-MM-DD' }).optional(),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export function userRoutes(deps: AppDeps) {
  const audit = (c: Context<AppEnv>, action: string, target: UserView | number, before?: unknown, after?: unknown) =>
    auditAs(c, deps, { action, objectType: 'user', objectId: typeof target === 'number' ? target : target.id, before, after });
  return new Hono<AppEnv>()
    .get('/', async (c) => c.json({ items: await listUsers(deps.db) }))
    .get('/:id', validate('param', idParam), async (c) => {
      const user = await getUser(deps.db, c.req.valid('param').id);
      if (!user) throw notFound('User', c.req.valid('param').id);
      return c.json(user);
    })
    .post('/', validate('json', newUserBody), async (c) => {
      const body = c.req.valid('json');
      await checkUserEntities(deps, body.role, body.entityIds);
      // Without a password the invitation carries a one-time one, to be changed at first sign-in.
      const oneTime = body.password === undefined ? generatePassword() : null;
      const password = body.password ?? oneTime!;
      const problem = passwordProblem(password, body.email);
      if (problem) throw new AppError(400, 'invalid-request', `The password ${problem}`, [{ field: 'password', message: problem }]);
      let user: UserView;
      try {
        user = await insertUser(deps.db, { email: body.email, name: body.name ?? null, role: body.role, entityIds: body.entityIds, passwordHash: await hashPassword(password), mustChangePassword: oneTime !== null });
      } catch (err) {
        if (err instanceof DuplicateEmailError) throw new AppError(409, 'duplicate-email', err.message);
        throw err;
      }
      await audit(c, 'user.created', user, undefined, user);
      return c.json({ user, ...(oneTime ? { oneTimePassword: oneTime } : {}) }, 201);
    })
    .patch('/:id', validate('param', idParam), validate('json', userChanges), async (c) => {
      const { id } = c.req.valid('param');
      const changes = c.req.valid('json');
      const before = await getUser(deps.db, id);
      if (!before) throw notFound('User', id);
      const actor = c.get('user');
      if (actor.id === id && (changes.disabled === true || (changes.role !== undefined && changes.role !== 'admin'))) {
        throw new AppError(409, 'own-account', 'You cannot disable yourself or take away your own admin role; ask another admin');
      }
      const nextRole = changes.role ?? before.role;
      const nextEntities = changes.entityIds ?? (changes.role && (changes.role === 'admin' || changes.role === 'oversight') ? [] : before.entityIds);
      if (changes.role !== undefined || changes.entityIds !== undefined) await checkUserEntities(deps, nextRole, nextEntities);
      const after = await updateUser(deps.db, id, { ...changes, entityIds: changes.role !== undefined || changes.entityIds !== undefined ? nextEntities : undefined });
      await audit(c, changes.disabled === true ? 'user.disabled' : changes.disabled === false ? 'user.enabled' : 'user.updated', id, before, after);
      return c.json(after);
    });
}

export function auditRoutes(deps: AppDeps) {
  const filterOf = (q: z.output<typeof auditQuery>) => ({
    q: q.q,
    action: q.action,
    actorId: q.actor,
    from: q.from ? new Date(`${q.from}T00:00:00Z`) : undefined,
    to: q.to ? new Date(new Date(`${q.to}T00:00:00Z`).getTime() + 86_400_000) : undefined,
    before: q.before,
  });
  return new Hono<AppEnv>()
    .get('/', validate('query', auditQuery), async (c) => {
      const q = c.req.valid('query');
      const items = await listAudit(deps.db, { ...filterOf(q), limit: q.limit });
      return c.json({ items, nextBefore: items.length === q.limit ? items[items.length - 1].id : null });
    })
    .get('/export', validate('query', auditQuery.omit({ limit: true, before: true })), async (c) => {
      const q = c.req.valid('query');
      const lines = ['id,at,actor_id,actor_email,action,object_type,object_id,ip,before,after'];
      // Pages of 5,000 by id, newest first; at most 200,000 rows per export.
      let before: number | undefined;
      for (let n = 0; n < 40; n++) {
        const rows = await listAudit(deps.db, { ...filterOf({ ...q, limit: 5000 }), before, limit: 5000 });
        for (const r of rows) lines.push([r.id, r.at, r.actorId, r.actorEmail, r.action, r.objectType, r.objectId, r.ip, r.before, r.after].map(csvCell).join(','));
        if (rows.length < 5000) break;
        before = rows[rows.length - 1].id;
      }
      await auditAs(c, deps, { action: 'audit.exported', objectType: 'audit_log', after: { filter: q, rows: lines.length - 1 } });
      c.header('Content-Disposition', `attachment; filename="mizan-audit-${new Date().toISOString().slice(0, 10)}.csv"`);
      return c.body(`\ufeff${lines.join('\r\n')}\r\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    });
}
