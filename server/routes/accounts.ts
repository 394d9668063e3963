import { Hono } from 'hono';
import { z } from 'zod';
import { listAccountActivity } from '../../db/queries/accounts.ts';
import { getEntity } from '../../db/queries/entities.ts';
import type { AccountDetail, AccountList, AccountSummary } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { notFound } from '../errors.ts';
import { idParam, optionalId, validate } from '../validate.ts';

export function accountRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  return new Hono<AppEnv>()
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
      const scope = c.get('scope');
      const [account] = await listAccountActivity(deps.db, scope, { accountId: id, now: now() });
      if (!account) throw notFound('Account', id);
      const entity = (await getEntity(deps.db, scope, account.entityId))!;
      const body: AccountDetail = {
        ...(account as AccountSummary),
        entity: { id: entity.id, slug: entity.slug, nameAr: entity.nameAr, nameEn: entity.nameEn },
      };
      return c.json(body);
    });
}
