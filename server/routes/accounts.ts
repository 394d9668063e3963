import { Hono } from 'hono';
import { z } from 'zod';
import { AccountRegistrationError, accountInputSchema, accountLeaseHeld, listAccountActivity, listImportAccounts, registerAccount } from '../../db/queries/accounts.ts';
import { getEntity } from '../../db/queries/entities.ts';
import { listImportRuns } from '../../db/queries/import-runs.ts';
import type { EntityScope } from '../../db/queries/scope.ts';
import type { JobDeps } from '../../jobs/deps.ts';
import { connectorAccountOf } from '../../jobs/import.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { slotFinder } from '../../jobs/schedule.ts';
import { clearAccountToken, MISSING_KEY_MESSAGE, parseSecretKey, readAccountToken, storeAccountToken, tokenProblem } from '../../jobs/secrets.ts';
import type { AccountDetail, AccountImportStarted, AccountList, AccountSummary, AccountTestResult } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { auditAs } from '../auth.ts';
import { AppError, notFound } from '../errors.ts';
import { idParam, optionalId, validate } from '../validate.ts';

/** A connection test waits this long for the platform, then answers that it did not. */
export const CONNECTION_TEST_MS = 20_000;
const SAMPLE_POSTS = 3;
const SAMPLE_CHARS = 200;

/** Keyset cursor of the accounts list: base64url of the last account's id; opaque to clients. */
const accountCursor = z
  .string()
  .max(100)
  .transform((s, ctx) => {
    const m = /^a(\d{1,10})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
    const id = m ? Number(m[1]) : NaN;
    if (Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647) return id;
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
    return z.NEVER;
  });
const encodeAccountCursor = (id: number) => Buffer.from(`a${id}`).toString('base64url');

const accountListQuery = z.object({
  entity: optionalId,
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(200),
  cursor: accountCursor.optional(),
});

const tokenBody = z.object({ token: z.string({ error: 'must be a string' }).max(8192, 'is longer than 8192 characters') }).strict();

export function accountRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  /** The accounts with their next scheduled import (MIZAN_IMPORT_CRON in MIZAN_TIMEZONE). */
  const activity = async (scope: EntityScope, f: { accountId?: number; entityId?: number; page?: { afterId: number; limit: number } }) => {
    const slots = slotFinder(deps.config.MIZAN_IMPORT_CRON, deps.config.MIZAN_TIMEZONE);
    try {
      return (await listAccountActivity(deps.db, scope, { ...f, now: now(), nextSlot: slots.next })) as AccountSummary[];
    } finally {
      slots.close();
    }
  };
  const detail = async (scope: EntityScope, id: number): Promise<AccountDetail> => {
    const [account] = await activity(scope, { accountId: id });
    if (!account) throw notFound('Account', id);
    const entity = (await getEntity(deps.db, scope, account.entityId))!;
    return {
      ...account,
      entity: { id: entity.id, slug: entity.slug, nameAr: entity.nameAr, nameEn: entity.nameEn },
      runs: await listImportRuns(deps.db, scope, { accountId: id, limit: 10 }),
    };
  };
  // Tokens are stored encrypted with MIZAN_SECRET_KEY: without a usable key nothing is stored.
  const secretKey = (): Buffer => {
    if (!deps.config.MIZAN_SECRET_KEY) throw new AppError(422, 'secret-key-missing', MISSING_KEY_MESSAGE);
    try {
      return parseSecretKey(deps.config.MIZAN_SECRET_KEY);
    } catch (err) {
      throw new AppError(422, 'secret-key-invalid', (err as Error).message);
    }
  };
  // Testing a connection and importing need the jobs' connectors: a server built without them says so.
  const jobs = (): JobDeps => {
    if (!deps.jobs)
      throw new AppError(503, 'jobs-unavailable', 'This server was started without the import connectors, so it cannot reach the platforms; start it with `npm start` or `npm run serve`');
    return deps.jobs;
  };
  // Imports started here, by account, with when they were asked for: the account counts as being imported until a
  // run of it that started since then has finished (before the pipeline takes its lease, the lease says nothing yet).
  const requested = new Map<number, number>();
  const checkToken = (token: string): string => {
    const t = token.trim();
    const problem = tokenProblem(t);
    if (problem) throw new AppError(400, 'invalid-request', `Invalid json: token: ${problem}`, [{ field: 'token', message: problem }]);
    return t;
  };
  return new Hono<AppEnv>()
    .post('/', validate('json', accountInputSchema), async (c) => {
      const input = c.req.valid('json');
      const scope = c.get('scope');
      // The token is checked (and the key required) before the account is registered: all or nothing.
      const token = input.token === undefined ? undefined : checkToken(input.token);
      const key = token === undefined ? undefined : secretKey();
      let id: number;
      try {
        ({ id } = await registerAccount(deps.db, scope, input));
      } catch (err) {
        if (!(err instanceof AccountRegistrationError)) throw err;
        if (err.kind === 'account-exists') throw new AppError(409, 'account-exists', err.message, { field: err.field, accountId: err.accountId });
        throw new AppError(400, 'invalid-request', `Invalid json: ${err.field}: ${err.message}`, [{ field: err.field, message: err.message }]);
      }
      if (token !== undefined) await storeAccountToken(deps.db, id, token, key);
      const created = await detail(scope, id);
      await auditAs(c, deps, { action: 'account.created', objectType: 'account', objectId: id, after: { entity: created.entity.slug, platform: created.platform, handle: created.handle, url: created.url, type: created.type, hasToken: created.hasToken } });
      return c.json(created, 201);
    })
    .put('/:id/token', validate('param', idParam), validate('json', tokenBody), async (c) => {
      const { id } = c.req.valid('param');
      const scope = c.get('scope');
      await detail(scope, id); // 404 for an account out of scope
      const token = checkToken(c.req.valid('json').token);
      if (!(await storeAccountToken(deps.db, id, token, secretKey()))) throw notFound('Account', id);
      await auditAs(c, deps, { action: 'account.token-set', objectType: 'account', objectId: id });
      return c.json(await detail(scope, id));
    })
    .delete('/:id/token', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const scope = c.get('scope');
      await detail(scope, id);
      await clearAccountToken(deps.db, id);
      await auditAs(c, deps, { action: 'account.token-cleared', objectType: 'account', objectId: id });
      return c.json(await detail(scope, id));
    })
    // One page from the platform, saved nowhere: does the account answer, and what does it say?
    .post('/:id/test', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      await detail(c.get('scope'), id); // 404 for an unknown account or one out of scope
      const j = jobs();
      const [account] = await listImportAccounts(deps.db, { accountIds: [id], includeInactive: true });
      if (!account) throw notFound('Account', id);
      const body: AccountTestResult = await testConnection(j, account, now());
      return c.json(body);
    })
    // Imports the account now, in the background in this process; the client follows GET /api/accounts/:id.
    .post('/:id/import', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const account = await detail(c.get('scope'), id);
      const j = jobs();
      if (!account.active) throw new AppError(409, 'account-inactive', `Account ${id} is not monitored (inactive): it is not imported`);
      const askedAt = requested.get(id);
      const pending = askedAt !== undefined && !(account.lastRun && account.lastRun.status !== 'running' && Date.parse(account.lastRun.startedAt) >= askedAt);
      if (pending || (await accountLeaseHeld(deps.db, id)))
        throw new AppError(409, 'import-running', `Account ${id} is being imported already; its run appears on the account when it finishes`);
      const at = Date.now();
      requested.set(id, at);
      await auditAs(c, deps, { action: 'account.import-started', objectType: 'account', objectId: id });
      void runImportPipeline(j, { now: now(), accountIds: [id] })
        .then((r) => {
          for (const e of r.errors) j.log(`import now of ${e.handle}: ${e.error}`);
        })
        .catch((err) => j.log(`import now of account ${id} failed: ${(err as Error).message}`))
        .finally(() => {
          if (requested.get(id) === at) requested.delete(id);
        });
      const body: AccountImportStarted = { started: true };
      return c.json(body, 202);
    })
    .get('/', validate('query', accountListQuery), async (c) => {
      const { entity, limit, cursor } = c.req.valid('query');
      const scope = c.get('scope');
      if (entity !== undefined && !(await getEntity(deps.db, scope, entity))) throw notFound('Entity', entity);
      // In id order, one page at a time: a public sector has thousands of accounts. One more row than asked for tells
      // whether a next page exists.
      const rows = await activity(scope, { entityId: entity, page: { afterId: cursor ?? 0, limit: limit + 1 } });
      const items = rows.slice(0, limit);
      const body: AccountList = { items, nextCursor: rows.length > limit ? encodeAccountCursor(items[items.length - 1].id) : null };
      return c.json(body);
    })
    .get('/:id', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const body: AccountDetail = await detail(c.get('scope'), id);
      return c.json(body);
    });
}

/** Fetches the account's first page (no cursor) within CONNECTION_TEST_MS; every failure is an answer, not a throw. */
async function testConnection(j: JobDeps, account: Awaited<ReturnType<typeof listImportAccounts>>[number], at: Date): Promise<AccountTestResult> {
  const connector = j.connectors[account.connector];
  if (!connector) return { ok: false, error: `No connector named "${account.connector}" is registered on this server` };
  const limit = AbortSignal.timeout(CONNECTION_TEST_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const token = await readAccountToken(j.db, account.id, j.secretKey);
    const fetched = connector.fetchPage(connectorAccountOf(account, token), { cursor: null, now: at, signal: limit });
    // A connector that ignores the signal (or waits out a rate limit) still gets its answer cut at the limit.
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`No answer from ${account.platform} within ${CONNECTION_TEST_MS / 1000} s`)), CONNECTION_TEST_MS);
    });
    fetched.catch(() => {});
    const page = await Promise.race([fetched, late]);
    return { ok: true, posts: page.posts.length, sample: page.posts.slice(0, SAMPLE_POSTS).map((p) => [...p.text].slice(0, SAMPLE_CHARS).join('')) };
  } catch (err) {
    const e = err as Error;
    const message = limit.aborted && (e.name === 'TimeoutError' || e.name === 'AbortError') ? `No answer from ${account.platform} within ${CONNECTION_TEST_MS / 1000} s` : e.message || String(err);
    return { ok: false, error: message };
  } finally {
    clearTimeout(timer);
  }
}
