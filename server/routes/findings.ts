// The review of findings: oversight confirms or dismisses and decides appeals, a director responds and appeals;
// the review queue, the director's inbox and the decisions as labelled examples (JSONL).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import {
  appealFinding,
  decideAppeal,
  getReviewTargets,
  listAwaitingResponse,
  listDecisionExamples,
  listRecentEvents,
  listReviewQueue,
  respondToFinding,
  reviewFindings,
  type Actor,
  type QueueCursor,
  type QueueItem,
  type ReviewConflict,
  type ReviewOutcome,
} from '../../db/queries/reviews.ts';
import { appendAudit } from '../../db/queries/audit.ts';
import { isPostedAtKey } from '../../db/queries/posts.ts';
import { getRulesOfVersion } from '../../db/queries/rulebook.ts';
import type { RuleInfo } from '../../db/vocabulary.ts';
import { CATEGORIES, SEVERITIES } from '../../db/vocabulary.ts';
import type { Inbox, ReviewQueue, ReviewQueueItem, ReviewResult } from '../api-types.ts';
import { clientIp } from '../auth.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { bigIdParam, optionalId, validate } from '../validate.ts';

const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes('\0'), 'must not contain NUL characters')
    .nullish();
const reason = text(200);
const note = text(2000);
const findingId = z.number({ error: 'must be a finding id' }).int('must be a whole number').positive('must be a positive id').max(Number.MAX_SAFE_INTEGER);

const reviewBody = z
  .object({ status: z.enum(['confirmed', 'dismissed'], { error: 'must be confirmed or dismissed' }), reason, note })
  .strict();
const bulkReviewBody = reviewBody.extend({
  ids: z.array(findingId, { error: 'must be a list of finding ids' }).min(1, 'must name at least one finding').max(500, 'must name at most 500 findings'),
});
const respondBody = z
  .object({ kind: z.enum(['explanation', 'correction', 'post-removed'], { error: 'must be explanation, correction or post-removed' }), note })
  .strict();
const appealBody = z.object({ note }).strict();
const appealDecisionBody = z.object({ decision: z.enum(['upheld', 'rejected'], { error: 'must be upheld or rejected' }), note }).strict();

/** The review queue's keyset cursor: base64url of the last item's sort key; opaque to clients. */
const queueCursor = z
  .string()
  .max(300)
  .transform((s, ctx) => {
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      const ints = [v?.r, v?.p, v?.o, v?.f];
      if (typeof v?.k === 'string' && isPostedAtKey(v.k) && ints.every((n) => Number.isSafeInteger(n) && n >= 0) && v.r <= 4 && v.p > 0 && v.f > 0) {
        return { rank: v.r as number, key: v.k as string, postId: v.p as number, start: v.o as number, id: v.f as number } satisfies QueueCursor;
      }
    } catch {
      // fall through
    }
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
    return z.NEVER;
  });
const encodeQueueCursor = (c: QueueCursor) => Buffer.from(JSON.stringify({ r: c.rank, k: c.key, p: c.postId, o: c.start, f: c.id })).toString('base64url');

const days = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').max(36_500, 'is too large');
const queueQuery = z
  .object({
    entity: optionalId,
    account: optionalId,
    platform: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a platform name such as x or instagram').optional(),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
    severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
    status: z.enum(['open', 'confirmed', 'dismissed', 'all'], { error: 'must be one of open, confirmed, dismissed, all' }).default('open'),
    appeal: z.enum(['pending'], { error: 'must be pending' }).optional(),
    minAgeDays: days.optional(),
    maxAgeDays: days.optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(200, 'must be at most 200').default(50),
    offset: z.coerce.number({ error: 'must be a number' }).int().min(0, 'must not be negative').max(1_000_000, 'is too large').default(0),
    // Keyset pagination (nextCursor of the page before): reads from the position on, where an offset counts every row before it.
    cursor: queueCursor.optional(),
  })
  .refine((q) => q.minAgeDays === undefined || q.maxAgeDays === undefined || q.minAgeDays <= q.maxAgeDays, {
    message: 'minAgeDays must not be more than maxAgeDays',
    path: ['minAgeDays'],
  });

/** Rule titles for the items' rulebook versions (usually one). */
async function withTitles(deps: AppDeps, items: QueueItem[]): Promise<ReviewQueueItem[]> {
  const versions = [...new Set(items.map((i) => i.finding.rulebookVersion))];
  const rules = new Map<string, Map<string, RuleInfo>>();
  for (const v of versions) rules.set(v, await getRulesOfVersion(deps.db, v));
  return items.map((i) => {
    const rule = rules.get(i.finding.rulebookVersion)?.get(i.finding.rule);
    return { ...i, finding: { ...i.finding, title: rule?.title ?? { ar: i.finding.rule, en: i.finding.rule } } };
  });
}

export function findingRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  const actorOf = (c: Context<AppEnv>): Actor => ({ id: c.get('user').id, email: c.get('user').email, ip: clientIp(c, deps.config.MIZAN_TRUST_PROXY) });
  // A finding replaced by a rescoring, or another entity's, is a 404 alike.
  const target = async (c: Context<AppEnv>, id: number) => {
    const [t] = await getReviewTargets(deps.db, c.get('scope'), [id]);
    if (!t) throw notFound('Finding', id);
    return t;
  };
  const result = (id: number, outcome: ReviewOutcome | ReviewConflict | null): ReviewResult => {
    // Rescored between the look-up and the lock: the finding is gone.
    if (!outcome) throw notFound('Finding', id);
    if ('conflict' in outcome) throw new AppError(409, 'conflict', outcome.conflict);
    return outcome;
  };

  return new Hono<AppEnv>()
    .get('/', validate('query', queueQuery), async (c) => {
      const { entity, account, ...q } = c.req.valid('query');
      const page = await listReviewQueue(deps.db, c.get('scope'), { ...q, entityId: entity, accountId: account }, now());
      const items = await withTitles(deps, page.items);
      const next = q.offset + items.length;
      const body: ReviewQueue = {
        total: page.total,
        totalCapped: page.totalCapped,
        items,
        // Offsets stay for the pages that use them; after a cursor there is no meaningful offset.
        nextOffset: q.cursor === undefined && page.nextCursor !== null ? next : null,
        nextCursor: page.nextCursor && encodeQueueCursor(page.nextCursor),
      };
      return c.json(body);
    })
    .get('/decisions', async (c) => {
      const examples = await listDecisionExamples(deps.db, c.get('scope'));
      const actor = actorOf(c);
      await appendAudit(deps.db, { actorId: actor.id, actorEmail: actor.email, action: 'findings.decisions-exported', objectType: 'finding', ip: actor.ip, after: { lines: examples.length } });
      c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
      c.header('Content-Disposition', 'attachment; filename="mizan-decisions.jsonl"');
      return c.body(examples.map((e) => `${JSON.stringify(e)}\n`).join(''));
    })
    .post('/review', validate('json', bulkReviewBody), async (c) => {
      const { ids, ...input } = c.req.valid('json');
      const { outcome, missing } = await reviewFindings(deps.db, c.get('scope'), ids, input, actorOf(c), now());
      if (!outcome) throw new AppError(404, 'not-found', `None of the findings ${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ' …' : ''} exists now (a rescoring may have replaced them)`);
      return c.json({ ...result(ids[0], outcome), missing });
    })
    .post('/:id/review', validate('param', bigIdParam), validate('json', reviewBody), async (c) => {
      const { id } = c.req.valid('param');
      const { outcome } = await reviewFindings(deps.db, c.get('scope'), [id], c.req.valid('json'), actorOf(c), now());
      return c.json(result(id, outcome));
    })
    .post('/:id/respond', validate('param', bigIdParam), validate('json', respondBody), async (c) => {
      const { id } = c.req.valid('param');
      const t = await target(c, id);
      return c.json(result(id, await respondToFinding(deps.db, c.get('scope'), t, c.req.valid('json'), actorOf(c), now())));
    })
    .post('/:id/appeal', validate('param', bigIdParam), validate('json', appealBody), async (c) => {
      const { id } = c.req.valid('param');
      const t = await target(c, id);
      return c.json(result(id, await appealFinding(deps.db, c.get('scope'), t, c.req.valid('json'), actorOf(c), now())));
    })
    .post('/:id/appeal-decision', validate('param', bigIdParam), validate('json', appealDecisionBody), async (c) => {
      const { id } = c.req.valid('param');
      const t = await target(c, id);
      return c.json(result(id, await decideAppeal(deps.db, c.get('scope'), t, c.req.valid('json'), actorOf(c), now())));
    });
}

const INBOX_DAYS = 30;

/** GET /api/inbox: a director's to-do list (any role gets it for their scope). */
export function inboxRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date());
  return new Hono<AppEnv>().get('/', async (c) => {
    const scope = c.get('scope');
    const at = now();
    const since = new Date(at.getTime() - INBOX_DAYS * 86_400_000);
    const [open, awaiting, decisions, appeals] = await Promise.all([
      listReviewQueue(deps.db, scope, { status: 'open', limit: 20, offset: 0 }, at),
      listAwaitingResponse(deps.db, scope, 20, at),
      listRecentEvents(deps.db, scope, ['confirmed', 'dismissed'], since, 50),
      listRecentEvents(deps.db, scope, ['appeal-upheld', 'appeal-rejected'], since, 50),
    ]);
    const body: Inbox = {
      days: INBOX_DAYS,
      open: { total: open.total, totalCapped: open.totalCapped, items: await withTitles(deps, open.items) },
      awaitingResponse: { total: awaiting.total, totalCapped: awaiting.totalCapped, items: await withTitles(deps, awaiting.items) },
      decisions,
      appealOutcomes: appeals,
    };
    return c.json(body);
  });
}
