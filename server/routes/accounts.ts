import { Hono } from 'hono';
import { z } from 'zod';
import { AccountRegistrationError, accountInputSchema, listAccountActivity, registerAccount } from '../../db/queries/accounts.ts';
import { listImportRuns } from '../../db/queries/import-runs.ts';
import { getEntity } from '../../db/queries/entities.ts';
import type { AccountDetail, AccountList, AccountSummary } from '../api-types.ts';
import { clearAccountToken, MISSING_KEY_MESSAGE, parseSecretKey, storeAccountToken, tokenProblem } from '../../jobs/secrets.ts';
import type { EntityScope } from '../../db/queries/scope.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { idParam, optionalId, validate } from '../validate.ts';

const tokenBody = z.object({ token: z.string({ error: 'must be a string' }).max(8192, 'is longer than 8192 characters') }).strict();

export function accountRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const detail = async (scope: EntityScope, id: number): Promise<AccountDetail> => {
    const [account] = await listAccountActivity(deps.db, scope, { accountId: id, now: now() });
    if (!account) throw notFound('Account', id);
    const entity = (await getEntity(deps.db, scope, account.entityId))!;
    return {
      ...(account as AccountSummary),
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
      return c.json(await detail(scope, id), 201);
    })
    .put('/:id/token', validate('param', idParam), validate('json', tokenBody), async (c) => {
      const { id } = c.req.valid('param');
      const scope = c.get('scope');
      await detail(scope, id); // 404 for an account out of scope
      const token = checkToken(c.req.valid('json').token);
      if (!(await storeAccountToken(deps.db, id, token, secretKey()))) throw notFound('Account', id);
      return c.json(await detail(scope, id));
    })
    .delete('/:id/token', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const scope = c.get('scope');
      await detail(scope, id);
      await clearAccountToken(deps.db, id);
      return c.json(await detail(scope, id));
    })
    .get('/', validate('query', z.object({ entity: optionalId })), async (c) => {
      const { entity } = c.req.valid('query');
      const scope = c.get('scope');
      if (entity !== undefined && !(await getEntity(deps.db, scope, entity))) throw notFound('Entity', entity);
      const items = await listAccountActivity(deps.db, scope, { entityId: entity, now: now() });
      const body: AccountList = { items: items as AccountSummary[] };
      return c.json(body);
    })
    .get('/:id', validate('param', idParam), async (c) => {
      const { id } = c.req.valid('param');
      const body: AccountDetail = await detail(c.get('scope'), id);
      return c.json(body);
    });
}
