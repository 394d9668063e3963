import { Hono } from 'hono';
import { z } from 'zod';
import { getPost, listPostFindings, listPostVersions, listPosts } from '../../db/queries/posts.ts';
import { getRulesOfVersion } from '../../db/queries/rulebook.ts';
import { CATEGORIES } from '../../jobs/scoring/types.ts';
import type { FindingView, PostDetail, PostList, PostSummary } from '../api-types.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { notFound } from '../errors.ts';
import { bigIdParam, localDay, optionalId, validate } from '../validate.ts';

/** Keyset cursor: base64url of the last row's (posted_at, id); opaque to clients. */
const cursorSchema = z
  .string()
  .max(200)
  .transform((s, ctx) => {
    try {
      const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
      const t = typeof v?.t === 'string' ? Date.parse(v.t) : NaN;
      // Timestamps the database accepts, and ids it could have issued.
      if (t >= Date.UTC(1970, 0, 1) && t <= Date.UTC(2101, 0, 1) && Number.isSafeInteger(v?.id) && v.id > 0) return { postedAt: v.t as string, id: v.id as number };
    } catch {
      // fall through
    }
    ctx.addIssue({ code: 'custom', message: 'is not a cursor returned by this API' });
    return z.NEVER;
  });

const encodeCursor = (c: { postedAt: string; id: number }) => Buffer.from(JSON.stringify({ t: c.postedAt, id: c.id })).toString('base64url');

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
  return new Hono<AppEnv>()
    .get('/', validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const { entity, account, ...rest } = q;
      const page = await listPosts(deps.db, c.get('scope'), { ...rest, entityId: entity, accountId: account });
      const body: PostList = { items: page.items as PostSummary[], nextCursor: page.nextCursor && encodeCursor(page.nextCursor) };
      return c.json(body);
    })
    .get('/:id', validate('param', bigIdParam), async (c) => {
      const { id } = c.req.valid('param');
      const post = await getPost(deps.db, c.get('scope'), id);
      if (!post) throw notFound('Post', id);
      const [findings, versions, rules] = post.rulebookVersion
        ? await Promise.all([listPostFindings(deps.db, id, post.rulebookVersion), listPostVersions(deps.db, id), getRulesOfVersion(deps.db, post.rulebookVersion)])
        : [[], await listPostVersions(deps.db, id), new Map()];
      const findingsList: FindingView[] = findings.map((f) => {
        const rule = rules.get(f.rule);
        return {
          ...(f as Omit<FindingView, 'title' | 'explanation'>),
          title: rule?.title ?? { ar: f.rule, en: f.rule },
          explanation: rule?.explanation ?? { ar: '', en: '' },
        };
      });
      const body: PostDetail = { ...(post as PostSummary & Pick<PostDetail, 'accountType' | 'capturedAt' | 'rulebookVersion'>), findingsList, versions };
      return c.json(body);
    });
}
