// zod validation for every input; a failure is a 400 in the one error shape, listing each problem.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { AppError } from './errors.ts';

/** The paths of the strings in a parsed input that hold a NUL character, which PostgreSQL's text refuses (a 500 otherwise). */
function nulPaths(value: unknown, path: string[] = [], out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\0')) out.push(path.join('.'));
  } else if (value !== null && typeof value === 'object' && path.length < 20) {
    for (const [k, v] of Object.entries(value)) nulPaths(v, [...path, k], out);
  }
  return out;
}

export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  const what = target === 'param' ? 'path parameter' : target;
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((i) => ({ field: i.path.join('.') || target, message: i.message }));
      const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
      throw new AppError(400, 'invalid-request', `Invalid ${what}: ${summary}`, details);
    }
    const nul = nulPaths(result.data);
    if (nul.length) {
      const details = nul.map((field) => ({ field: field || target, message: 'must not contain NUL characters' }));
      throw new AppError(400, 'invalid-request', `Invalid ${what}: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`, details);
    }
  });
}

const isRealDate = (s: string) => {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

export const localDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date')
  .refine((s) => s >= '2000-01-01' && s <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31');

const id = (max: number) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be a positive id').max(max, 'is too large');

/** Entities and accounts have int4 ids; posts have int8 ids (up to the largest safe JS integer). */
export const idParam = z.object({ id: id(2_147_483_647) });
export const bigIdParam = z.object({ id: id(Number.MAX_SAFE_INTEGER) });

export const optionalId = id(2_147_483_647).optional();

export const interval = z.enum(['day', 'week', 'month'], { error: 'must be one of day, week, month' });

/** from/to are checked against each other, and against the defaults, by resolvePeriod. */
export const periodQuery = z.object({ from: localDay.optional(), to: localDay.optional() });
export const periodIntervalQuery = periodQuery.extend({ interval: interval.optional() });

export const MAX_PERIOD_DAYS = 3 * 366;
