// The CLI's scoring progress: a bar rewritten in place on a terminal, a plain line every few seconds otherwise.
import { describe, expect, test } from 'vitest';
import { formatScoreProgress, scoreProgressBar } from '../../jobs/score-progress.ts';

const startedAt = new Date(Date.now() - 10_000);
const at = (done: number, finished = false) => ({ version: 'rb-0123456789ab', total: 1000, done, startedAt, finished });

describe('scoring progress on the command line', () => {
  test('done/total, posts/s, ETA and the version', () => {
    const line = formatScoreProgress(at(250), startedAt.getTime() + 10_000, true);
    expect(line).toBe('[######..................] 25% 250/1,000 posts · 25 posts/s · ETA 30s · rb-0123456789ab');
    expect(formatScoreProgress(at(1000, true), startedAt.getTime() + 100_000, false)).toBe(
      'scoring 100% 1,000/1,000 posts · 10 posts/s · done in 1m 40s · rb-0123456789ab',
    );
  });

  test('a terminal gets every batch rewritten in place; a log a line at most every few seconds and the end', () => {
    const tty: string[] = [];
    const onTty = scoreProgressBar({ tty: true, write: (s) => tty.push(s) });
    for (const done of [0, 100, 200]) onTty(at(done));
    onTty(at(1000, true));
    expect(tty).toHaveLength(4);
    expect(tty.every((s) => s.startsWith('\r\x1b[2K'))).toBe(true);
    expect(tty.at(-1)!.endsWith('\n')).toBe(true);

    const log: string[] = [];
    const onLog = scoreProgressBar({ tty: false, write: (s) => log.push(s), everyMs: 60_000 });
    for (const done of [0, 100, 200, 300]) onLog(at(done));
    onLog(at(1000, true));
    expect(log).toHaveLength(2);
    expect(log.every((s) => s.startsWith('scoring ') && s.endsWith('\n') && !s.includes('\r'))).toBe(true);
  });

  test('nothing to score prints nothing', () => {
    const out: string[] = [];
    scoreProgressBar({ tty: true, write: (s) => out.push(s) })({ ...at(0, true), total: 0 });
    expect(out).toEqual([]);
  });
});
