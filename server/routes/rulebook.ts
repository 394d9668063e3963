// The rulebook in force, its versions, publishing a new one, what a version changed, and trying a
// draft against any text or the latest posts before publishing.
import { Hono } from 'hono';
import { z } from 'zod';
import { listRecentPostsForTrial } from '../../db/queries/posts.ts';
import { getActiveRulebook, getVerdictChanges, listRulebookVersions, rulebookVersionExists } from '../../db/queries/rulebook.ts';
import { publishRulebook } from '../../jobs/rulebook-store.ts';
import { FORMULA_TEXT, SEVERITY_WEIGHTS } from '../../jobs/scoring/formula.ts';
import { RulebookError, rulebookVersion } from '../../jobs/scoring/engine.ts';
import { checkRulebookDraft, runTrial, TrialTimeoutError, type TrialInput } from '../../jobs/scoring/trial.ts';
import type { RuleInfo, ScoreResult } from '../../jobs/scoring/types.ts';
import type { RulebookView, ScoringProgress } from '../api-types.ts';
import { getScoringProgress } from '../../db/queries/scores.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { auditAs } from '../auth.ts';
import { AppError, notFound } from '../errors.ts';
import { validate } from '../validate.ts';

const MAX_SOURCE = 1_000_000;

const sourcesSchema = z
  .record(z.string().regex(/^[\w.-]{1,80}\.ya?ml$/, 'file names must look like abuse.yaml'), z.string().max(MAX_SOURCE, 'a rulebook file is at most 1 MB'))
  .refine((s) => Object.keys(s).length > 0 && Object.keys(s).length <= 50, 'give between 1 and 50 files')
  .refine((s) => Object.values(s).reduce((n, t) => n + t.length, 0) <= 2 * MAX_SOURCE, 'the files are at most 2 MB together');

const draftSchema = z.object({
  sources: sourcesSchema,
  /** merge: the given files replace or add to the rulebook in force; replace: they are the whole rulebook. */
  mode: z.enum(['merge', 'replace']).default('merge'),
});

const publishBody = draftSchema.extend({ note: z.string().trim().max(500).optional() });

const tryBody = z
  .object({
    text: z.string().max(100_000, 'text is at most 100,000 characters').optional(),
    lastPosts: z.number().int().min(1, 'lastPosts must be at least 1').max(2000, 'lastPosts is at most 2000').optional(),
    accountType: z.enum(['official', 'executive', 'employee']).default('official'),
    lang: z.enum(['ar', 'en']).optional(),
    draft: draftSchema.optional(),
  })
  .refine((b) => (b.text === undefined) !== (b.lastPosts === undefined), { message: 'give either text or lastPosts', path: ['text'] });

// Rulebooks are parsed, checked and run here only in a worker thread with a time limit: the main thread
// carries the API, the embedded database and the scheduler, and must never wait on someone's pattern or
// set definitions. (The limits include compiling a draft the worker has not seen yet, about 1 s on a quiet
// machine and several times that on a busy one; every pattern is proven linear first, so they are a backstop.)
const TRY_TEXT_TIMEOUT_MS = 20_000;
const TRY_POSTS_TIMEOUT_MS = 20_000;
const PUBLISH_CHECK_TIMEOUT_MS = 30_000;

function draftSources(active: Record<string, string>, draft: z.output<typeof draftSchema>): Record<string, string> {
  return draft.mode === 'replace' ? draft.sources : { ...active, ...draft.sources };
}

function rulebookFailure(err: unknown): unknown {
  if (err instanceof RulebookError) return new AppError(422, 'invalid-rulebook', err.message, { file: err.file, ruleId: err.ruleId, reason: err.reason });
  if (err instanceof TrialTimeoutError)
    return new AppError(
      422,
      'rulebook-too-slow',
      `The draft took longer than ${err.timeoutMs / 1000} s to run: a pattern probably backtracks catastrophically (a repetition inside a repetition that can match the same text in many ways, such as (\\w+\\s?)*). Rewrite it so that each character can be matched in one way only.`,
      { timeoutMs: err.timeoutMs },
    );
  return err;
}

/** Scores inputs with the rulebook in force or a draft, in the worker. */
async function scoreInputs(
  active: { version: string; sources: Record<string, string> },
  draft: z.output<typeof draftSchema> | undefined,
  inputs: TrialInput[],
  timeoutMs: number,
): Promise<{ version: string; rules: RuleInfo[]; results: ScoreResult[] }> {
  try {
    return await runTrial(draft ? draftSources(active.sources, draft) : active.sources, inputs, { timeoutMs });
  } catch (err) {
    throw rulebookFailure(err);
  }
}

/** The findings with their rule's title, for display next to each one. */
function withTitles(rules: RuleInfo[]) {
  const byId = new Map(rules.map((r) => [r.id, r.title]));
  return (findings: ScoreResult['findings']) => findings.map((f) => ({ ...f, title: byId.get(f.rule) }));
}

export function rulebookRoutes(deps: AppDeps) {
  async function requireActive() {
    const active = await getActiveRulebook(deps.db);
    if (!active) throw new AppError(404, 'not-found', 'No rulebook has been published yet: the first scoring run publishes the default one');
    return active;
  }

  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const rulebook = await requireActive();
      const body: RulebookView = {
        version: rulebook.version,
        publishedAt: rulebook.publishedAt,
        weights: SEVERITY_WEIGHTS,
        formula: FORMULA_TEXT,
        rules: rulebook.rules.map(({ id, category, severity, title, explanation }) => ({ id, category, severity, title, explanation })),
      };
      return c.json(body);
    })
    .get('/versions', async (c) => c.json({ items: await listRulebookVersions(deps.db) }))
    // The rescoring after a publication (or any scoring run): the web's progress bar polls it while a run goes.
    .get('/progress', validate('query', z.object({}).strict()), async (c) => {
      const body: ScoringProgress = await getScoringProgress(deps.db, deps.now?.() ?? new Date());
      return c.json(body);
    })
    .post('/versions', validate('json', publishBody), async (c) => {
      const body = c.req.valid('json');
      const active = await requireActive();
      const sources = draftSources(active.sources, body);
      if (rulebookVersion(sources) === active.version) return c.json({ version: active.version, rules: active.rules.length, unchanged: true }, 200);
      // Only a draft that parses within bounds, whose patterns are proven linear and that gets through
      // adversarial inputs in time is published (the scheduler runs it in-process).
      const draft = await checkRulebookDraft(sources, PUBLISH_CHECK_TIMEOUT_MS).catch((err) => {
        throw rulebookFailure(err);
      });
      const published = await publishRulebook(deps.db, draft, body.note ?? null);
      await auditAs(c, deps, {
        action: 'rulebook.published',
        objectType: 'rulebook_version',
        objectId: published.version,
        before: { version: published.replaced },
        after: { version: published.version, rules: published.rules.length, mode: body.mode, note: body.note ?? null, files: Object.keys(body.sources ?? {}) },
      });
      // Rescoring runs in the background (in this process on PGlite, in the jobs process on PostgreSQL).
      deps.onRulebookPublished?.(published.version);
      return c.json({ version: published.version, rules: published.rules.length, unchanged: false, rescoring: true, replaced: published.replaced }, 201);
    })
    .get('/versions/:version/changes', validate('param', z.object({ version: z.string().regex(/^rb-[0-9a-f]{12}$/, 'must be a rulebook version such as rb-0123456789ab') })), validate('query', z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) })), async (c) => {
      const { version } = c.req.valid('param');
      if (!(await rulebookVersionExists(deps.db, version))) throw notFound('Rulebook version', version);
      const { entities, posts } = await getVerdictChanges(deps.db, c.get('scope'), version, c.req.valid('query').limit);
      const byEntity = new Map<number, { entityId: number; nameAr: string; nameEn: string; changed: number; moves: Record<string, number> }>();
      for (const r of entities) {
        const e = byEntity.get(r.entity_id) ?? { entityId: r.entity_id, nameAr: r.name_ar, nameEn: r.name_en, changed: 0, moves: {} };
        e.changed += r.n;
        e.moves[`${r.from_verdict}->${r.to_verdict}`] = r.n;
        byEntity.set(r.entity_id, e);
      }
      return c.json({ version, entities: [...byEntity.values()].sort((a, b) => b.changed - a.changed), posts });
    })
    .post('/try', validate('json', tryBody), async (c) => {
      const body = c.req.valid('json');
      const active = await requireActive();
      if (body.text !== undefined) {
        const trial = await scoreInputs(active, body.draft, [{ text: body.text, lang: body.lang, accountType: body.accountType }], TRY_TEXT_TIMEOUT_MS);
        const r = trial.results[0];
        return c.json({ version: trial.version, draft: Boolean(body.draft), ...r, findings: withTitles(trial.rules)(r.findings) });
      }
      const posts = await listRecentPostsForTrial(deps.db, c.get('scope'), body.lastPosts!);
      const inputs = posts.map((p): TrialInput => ({ text: p.text, lang: p.lang === 'ar' || p.lang === 'en' ? p.lang : undefined, accountType: p.accountType }));
      const trial = await scoreInputs(active, body.draft, inputs, TRY_POSTS_TIMEOUT_MS);
      const titled = withTitles(trial.rules);
      const counts = { clean: 0, review: 0, violation: 0 };
      const currentCounts = { clean: 0, review: 0, violation: 0 };
      const changed = [];
      for (const [i, p] of posts.entries()) {
        const { verdict, score, findings } = trial.results[i];
        counts[verdict]++;
        if (p.verdict) currentCounts[p.verdict]++;
        if (verdict !== p.verdict)
          changed.push({
            postId: p.id,
            entityId: p.entityId,
            text: p.text,
            lang: p.lang,
            currentVerdict: p.verdict,
            newVerdict: verdict,
            currentScore: p.score,
            newScore: score,
            findings: titled(findings),
          });
      }
      return c.json({ version: trial.version, draft: Boolean(body.draft), checked: posts.length, counts, currentCounts, changed });
    });
}
