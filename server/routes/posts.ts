import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { getPost, isPostedAtKey, listPostFindings, listPostVersions, listPosts, postedAtKeyOfDate, SearchTimeoutError, type PostCursor } from '../../db/queries/posts.ts';
import { getRulesOfVersion } from '../../db/queries/rulebook.ts';
import { listFindingStates, listPostReviewEvents } from '../../db/queries/reviews.ts';
import { CATEGORIES } from '../../db/vocabulary.ts';
import type { FindingView, PostDetail, PostList, PostSummary } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { bigIdParam, localDay, optionalId, validate } from '../validate.ts';

/** Keyset cursor: base64url of the last row's posted_at key and id; opaque to clients. */
const cursorSchema = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      // `t` (an ISO date) is the form cursors had before the exact key: still accepted.
      const legacy = typeof v?.t === 'string' ? Date.parse(v.t) : NaN;
      const key = typeof v?.k === 'string' ? v.k : Number.isFinite(legacy) ? postedAtKeyOfDate(legacy) : null;
      // Timestamps the database can hold, and ids it could have issued.
      if (key !== null && isPostedAtKey(key) && Number.isSafeInteger(v?.id) && v.id > 0) return { key: key as string, id: v.id as number };
    } catch {
      // fall through
    }
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
    return z.NEVER;
  });

const encodeCursor = (c: PostCursor) => Buffer.from(JSON.stringify({ k: c.key, id: c.id })).toString('base64url');

/**
 * At most `running` searches at once and `waiting` in line; past that a 503 with Retry-After, so
 * searches never take every database connection (health checks and the dashboard keep theirs).
 */
function searchGate(running: number, waiting: number) {
  let active = 0;
  const line: (() => void)[] = [];
  return async <T>(c: Context, search: () => Promise<T>): Promise<T> => {
    if (active >= running) {
      if (line.length >= waiting) {
        c.header('Retry-After', '1');
        throw new AppError(503, 'search-busy', `Too many searches are running (${running} at once, ${waiting} waiting); retry in a second`);
      }
      // The slot is handed over by the search that ends, so `active` stays counted.
      await new Promise<void>((resolve) => line.push(resolve));
    } else {
      active++;
    }
    try {
      return await search();
    } catch (err) {
      if (err instanceof SearchTimeoutError) throw new AppError(504, 'search-timeout', `${err.message}: search for a longer or rarer word, or narrow the search with filters`);
      throw err;
    } finally {
      const next = line.shift();
      if (next) next();
      else active--;
    }
  };
}

const listQuery = z
  .object({
    entity: optionalId,
    account: optionalId,
    platform: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a platform name such as x or instagram').optional(),
    verdict: z.enum(['clean', 'review', 'violation'], { error: 'must be one of clean, review, violation' }).optional(),
    category: z.enum(CATEGORIES, { error: `must be one of ${CATEGORIES.join(', ')}` }).optional(),
    lang: z.enum(['ar', 'en'], { error: 'must be ar or en' }).optional(),
    from: localDay.optional(),
    to: localDay.optional(),
    q: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .refine((v) => !v.includes('\0'), 'must not contain NUL characters')
      .optional(),
    limit: z.coerce.number({ error: 'must be a number' }).int().min(1, 'must be at least 1').max(100, 'must be at most 100').default(25),
    cursor: cursorSchema.optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export function postRoutes(deps: AppDeps) {
  // PGlite is one connection that runs one statement at a time: one search at once, so a request
  // waits behind one search at most; on PostgreSQL, up to half the pool.
  const running = deps.dbKind === 'pglite' ? 1 : Math.max(1, Math.min(4, Math.floor(deps.config.DATABASE_POOL_SIZE / 2)));
  const search = searchGate(running, 4 * running);
  return new Hono<AppEnv>()
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const { entity, account, ...rest } = q;
      const filter = { ...rest, entityId: entity, accountId: account };
      const page = filter.q === undefined ? await listPosts(deps.db, c.get('scope'), filter) : await search(c, () => listPosts(deps.db, c.get('scope'), filter));
      const body: PostList = { items: page.items as PostSummary[], nextCursor: page.nextCursor && encodeCursor(page.nextCursor) };
      return c.json(body);
    })
    .get('/:id', validate('param', bigIdParam), async (c) => {
      const { id } = c.req.valid('param');
      const post = await getPost(deps.db, c.get('scope'), id);
      if (!post) throw notFound('Post', id);
      const [findings, versions, rules, states] = post.rulebookVersion
        ? await Promise.all([
            listPostFindings(deps.db, id, post.rulebookVersion),
            listPostVersions(deps.db, id),
            getRulesOfVersion(deps.db, post.rulebookVersion),
            listFindingStates(deps.db, id, post.rulebookVersion),
          ])
        : [[], await listPostVersions(deps.db, id), new Map(), new Map()];
      const findingsList: FindingView[] = findings.map((f) => {
        const rule = rules.get(f.rule);
        return {
          ...(f as Omit<FindingView, 'title' | 'explanation' | 'appeal' | 'response'>),
          title: rule?.title ?? { ar: f.rule, en: f.rule },
          explanation: rule?.explanation ?? { ar: '', en: '' },
          appeal: states.get(f.id)?.appeal ?? null,
          response: states.get(f.id)?.response ?? null,
        };
      });
      const reviewEvents = await listPostReviewEvents(deps.db, id);
      const body: PostDetail = { ...(post as PostSummary & Pick<PostDetail, 'accountType' | 'capturedAt' | 'rulebookVersion'>), findingsList, versions, reviewEvents };
      return c.json(body);
    });
}
