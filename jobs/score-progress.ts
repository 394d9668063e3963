// The scoring job's progress for people: a bar on a terminal, plain lines in a log (the CLI's score, publish-rulebook,
// restore-default-rulebook and remap).
import { bar, statusLine } from './progress.ts';
import type { ScoreProgress } from './score.ts';

/**
 * Scoring progress on standard error: a bar rewritten in place on a terminal (done/total, posts/s, ETA, the
 * version applied), a plain line every 5 seconds and at the end otherwise (a log file, a pipe).
 */
export function scoreProgressBar(opts: { tty?: boolean; write?: (s: string) => void; everyMs?: number } = {}) {
  const out = statusLine(opts);
  const everyMs = opts.everyMs ?? 5000;
  let lastLine = 0;
  return (p: ScoreProgress) => {
    if (p.total === 0 && p.done === 0) return;
    const now = Date.now();
    if (!out.tty && !p.finished && now - lastLine < everyMs) return;
    lastLine = now;
    out.show(formatScoreProgress(p, now, out.tty), p.finished);
  };
}

/** "[#######.............] 35% 350,000/~1,000,000 posts · 7,120 posts/s · ETA 1m 31s · rb-…" (the bar only on a terminal). */
export function formatScoreProgress(p: ScoreProgress, now: number, withBar: boolean): string {
  const total = Math.max(p.total, p.done);
  const share = total ? p.done / total : 1;
  const seconds = (now - p.startedAt.getTime()) / 1000;
  const rate = seconds > 0 && p.done > 0 ? p.done / seconds : 0;
  const eta = p.finished ? `done in ${duration(seconds)}` : rate > 0 ? `ETA ${duration((total - p.done) / rate)}` : 'ETA –';
  const head = withBar ? `${bar(share, 24)} ` : 'scoring ';
  // A rescoring's total is estimated from the size of post until it finishes (see estimateSweep).
  const about = p.estimated && !p.finished ? '~' : '';
  return `${head}${Math.floor(share * 100)}% ${p.done.toLocaleString('en')}/${about}${total.toLocaleString('en')} posts · ${Math.round(rate).toLocaleString('en')} posts/s · ${eta} · ${p.version}`;
}

function duration(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 3600 ? `${Math.floor(t / 3600)}h ${Math.floor((t % 3600) / 60)}m` : t >= 60 ? `${Math.floor(t / 60)}m ${t % 60}s` : `${t}s`;
}
