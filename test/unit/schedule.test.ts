import { describe, expect, test } from 'vitest';
import { jobDefinitions, previousSlotOf } from '../../jobs/schedule.ts';
import { loadConfig, testConfig } from '../../jobs/config.ts';

describe(previousSlotOf.name, () => {
  test.each([
    ['*/5 * * * *', 'Asia/Bahrain', '2026-11-24T14:07:30Z', '2026-11-24T14:05:00.000Z'],
    ['*/5 * * * *', 'Asia/Bahrain', '2026-11-24T14:10:00Z', '2026-11-24T14:10:00.000Z'],
    ['17 * * * *', 'Asia/Bahrain', '2026-11-24T14:10:00Z', '2026-11-24T13:17:00.000Z'],
    // Weekdays at 09:00 Bahrain time: on a Sunday the last slot is Friday's, not a Sunday that never ran.
    ['0 9 * * 1-5', 'Asia/Bahrain', '2026-11-22T09:00:00Z', '2026-11-20T06:00:00.000Z'],
    // Daily at 02:30 in a zone with daylight saving, the day after the spring change.
    ['30 2 * * *', 'Europe/London', '2026-03-30T12:00:00Z', '2026-03-30T01:30:00.000Z'],
    ['0 3 1 * *', 'UTC', '2026-11-24T00:00:00Z', '2026-11-01T03:00:00.000Z'],
  ])('%s in %s at %s -> %s', (expression, tz, now, expected) => {
    expect(previousSlotOf(expression, tz, new Date(now))?.toISOString()).toBe(expected);
  });

  test('MIZAN_REPORT_CRON=off leaves the monthly report out of the schedule (reports on demand only)', () => {
    expect(jobDefinitions(testConfig({ MIZAN_REPORT_CRON: 'off' })).map((d) => d.job)).not.toContain('report');
    expect(loadConfig({ MIZAN_REPORT_CRON: 'off' }).MIZAN_REPORT_CRON).toBe('off');
    expect(() => loadConfig({ MIZAN_REPORT_CRON: 'of' })).toThrow(/MIZAN_REPORT_CRON/);
  });

  test('the default schedule has a slot in the last hour, but the monthly report (the 1st at 06:00)', () => {
    const now = new Date('2026-11-24T14:07:30Z');
    for (const def of jobDefinitions(testConfig())) {
      const slot = previousSlotOf(def.expression, 'Asia/Bahrain', now);
      if (def.job === 'report') expect(slot!.toISOString()).toBe('2026-11-01T03:00:00.000Z');
      else expect(slot!.getTime(), def.job).toBeGreaterThan(new Date('2026-11-24T13:07:30Z').getTime());
    }
  });
});
