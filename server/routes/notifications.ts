// The caller's alerts (in-app notifications, written by jobs/alerts.ts), marking them read, and their e-mail digest.
import { Hono } from 'hono';
import { z } from 'zod';
import { countUnreadNotifications, listNotifications, markNotificationsRead } from '../../db/queries/notifications.ts';
import { updateUser } from '../../db/queries/users.ts';
import type { NotificationList, NotificationSettings, NotificationsReadResponse } from '../api-types.ts';
import { auditAs } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { validate } from '../validate.ts';

const notificationId = z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be a positive id').max(Number.MAX_SAFE_INTEGER, 'is too large');

const listQuery = z.object({
  limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'is at least 1').max(100, 'is at most 100').default(20),
  // The id of the last notification of the previous page (nextCursor).
  cursor: z
    .string()
    .regex(/^[1-9]\d{0,15}$/, 'must be the nextCursor of the previous page')
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n), 'must be the nextCursor of the previous page')
    .optional(),
});

const readBody = z.union(
  [
    z.object({ ids: z.array(notificationId, { error: 'must be a list of notification ids' }).min(1, 'is empty').max(500, 'has more than 500 ids') }).strict(),
    z.object({ all: z.literal(true, { error: 'must be true' }) }).strict(),
  ],
  { error: 'must be {"ids": [...]} or {"all": true}' },
);

const settingsBody = z
  .object({ alertDigest: z.enum(['immediate', 'daily', 'weekly', 'off'], { error: 'must be immediate, daily, weekly or off' }) })
  .strict();

export function notificationRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  return new Hono<AppEnv>()
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const user = c.get('user');
      const [items, unread] = await Promise.all([
        listNotifications(deps.db, user.id, c.get('scope'), { limit: q.limit, beforeId: q.cursor }),
        countUnreadNotifications(deps.db, user.id, c.get('scope')),
      ]);
      const body: NotificationList = { items, unread, nextCursor: items.length === q.limit ? String(items[items.length - 1].id) : null };
      return c.json(body);
    })
    .post('/read', validate('json', readBody), async (c) => {
      const body = c.req.valid('json');
      const user = c.get('user');
      const updated = await markNotificationsRead(deps.db, user.id, c.get('scope'), 'all' in body ? { all: true } : { ids: body.ids }, now());
      const result: NotificationsReadResponse = { updated, unread: await countUnreadNotifications(deps.db, user.id, c.get('scope')) };
      return c.json(result);
    })
    .get('/settings', async (c) => {
      const body: NotificationSettings = { alertDigest: c.get('user').alertDigest };
      return c.json(body);
    })
    .put('/settings', validate('json', settingsBody), async (c) => {
      const { alertDigest } = c.req.valid('json');
      const user = c.get('user');
      await updateUser(deps.db, user.id, { alertDigest });
      if (alertDigest !== user.alertDigest) {
        await auditAs(c, deps, {
          action: 'user.alert-digest',
          objectType: 'user',
          objectId: user.id,
          before: { alertDigest: user.alertDigest },
          after: { alertDigest },
        });
      }
      const body: NotificationSettings = { alertDigest };
      return c.json(body);
    });
}
