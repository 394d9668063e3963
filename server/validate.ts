// zod validation for every input; a failure is a 400 in the one error shape, listing each problem.
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z } from 'zod';
import { AppError } from './errors.ts';

export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.issues.map((i) => ({ field: i.path.join('.') || target, message: i.message }));
      const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
      throw new AppError(400, 'invalid-request', `Invalid ${target === 'param' ? 'path parameter' : target}: ${summary}`, details);
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
