// The report's two charts as inline SVG, drawn here rather than by Chart.js in the page: vector marks print sharp at
// any zoom and cost Chromium's PDF writer almost nothing, where a 1520×520 canvas bitmap per chart made page.pdf()
// twice as slow (issue 9's speed target). Pure functions of the report's data: the same data draws the same chart.
// Right-to-left reports mirror the axes (months run right to left, bars grow leftwards), as the dashboard's Chart.js does.
import type { Fmt } from './labels.ts';

/** The fills the charts use; the tests look for them on the rendered page. */
export const CHART_COLORS = { posts: '#c9ddd9', score: '#0b5d51', findings: '#b5522b', grid: '#e3e9e8', axis: '#5b6b68' } as const;

export interface TrendPoint {
  label: string;
  posts: number;
  score: number | null;
}

export interface CategoryBar {
  label: string;
  findings: number;
}

const W = 760;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const r1 = (n: number) => Math.round(n * 10) / 10;

/** Ticks 0..max in steps of 1, 2 or 5 × 10^k, about `count` of them (never a fraction when `integer`). */
export function niceTicks(max: number, count = 5, integer = true): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; v < max + step - 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

function text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end', extra = ''): string {
  return `<text x="${r1(x)}" y="${r1(y)}" text-anchor="${anchor}"${extra}>${esc(s)}</text>`;
}

function legend(items: { label: string; color: string; line?: boolean }[], rtl: boolean): string {
  // Centred, the first item at the reading start; each box then its label in reading order.
  const widths = items.map((i) => 18 + i.label.length * 6.5);
  const total = widths.reduce((a, b) => a + b, 0) + 16 * (items.length - 1);
  let at = (W - total) / 2;
  const order = rtl ? [...items.keys()].reverse() : [...items.keys()];
  return order
    .map((k) => {
      const i = items[k];
      const x = at;
      at += widths[k] + 16;
      const box = i.line
        ? `<line x1="${r1(rtl ? x + widths[k] - 12 : x)}" y1="11" x2="${r1(rtl ? x + widths[k] : x + 12)}" y2="11" stroke="${i.color}" stroke-width="2.5"/>`
        : `<rect x="${r1(rtl ? x + widths[k] - 12 : x)}" y="5" width="12" height="12" fill="${i.color}"/>`;
      return box + text(rtl ? x + widths[k] - 16 : x + 16, 15, i.label, 'start', rtl ? ' direction="rtl"' : '');
    })
    .join('');
}

/** The 12-month trend: posts as bars on their own axis, the score as a line on 0–100 (a gap where a month has none). */
export function trendSvg(points: TrendPoint[], o: { fmt: Fmt; scoreLabel: string; postsLabel: string }): string {
  const rtl = o.fmt.lang === 'ar';
  const H = 260;
  const top = 30;
  const bottom = H - 26;
  const left = 46;
  const right = W - 46;
  const plotH = bottom - top;
  const n = Math.max(1, points.length);
  const band = (right - left) / n;
  // The i-th month's centre; in right-to-left reports the first month is at the right.
  const cx = (i: number) => (rtl ? right - band * (i + 0.5) : left + band * (i + 0.5));
  const postTicks = niceTicks(Math.max(0, ...points.map((p) => p.posts)));
  const postMax = postTicks[postTicks.length - 1];
  const yPosts = (v: number) => bottom - (v / postMax) * plotH;
  const yScore = (v: number) => bottom - (v / 100) * plotH;
  const scoreX = rtl ? right : left;
  const postsX = rtl ? left : right;
  const out: string[] = [];
  for (const v of [0, 20, 40, 60, 80, 100]) {
    const y = yScore(v);
    out.push(`<line x1="${left}" y1="${r1(y)}" x2="${right}" y2="${r1(y)}" stroke="${v === 0 ? CHART_COLORS.axis : CHART_COLORS.grid}" stroke-width="1"/>`);
    out.push(text(rtl ? scoreX + 6 : scoreX - 6, y + 4, o.fmt.num(v), rtl ? 'start' : 'end'));
  }
  for (const v of postTicks) out.push(text(rtl ? postsX - 6 : postsX + 6, yPosts(v) + 4, o.fmt.num(v), rtl ? 'end' : 'start'));
  const bw = band * 0.62;
  points.forEach((p, i) => {
    if (p.posts > 0) {
      const y = yPosts(p.posts);
      out.push(`<rect class="mark posts" x="${r1(cx(i) - bw / 2)}" y="${r1(y)}" width="${r1(bw)}" height="${r1(bottom - y)}" fill="${CHART_COLORS.posts}"/>`);
    }
    out.push(text(cx(i), bottom + 16, p.label, 'middle'));
  });
  // The score line, broken where a month has no score.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) out.push(`<polyline class="mark score" points="${run.join(' ')}" fill="none" stroke="${CHART_COLORS.score}" stroke-width="2.5" stroke-linejoin="round"/>`);
    run = [];
  };
  points.forEach((p, i) => {
    if (p.score === null) return flush();
    run.push(`${r1(cx(i))},${r1(yScore(p.score))}`);
  });
  flush();
  points.forEach((p, i) => {
    if (p.score !== null) out.push(`<circle class="mark score" cx="${r1(cx(i))}" cy="${r1(yScore(p.score))}" r="3" fill="${CHART_COLORS.score}"/>`);
  });
  const lg = legend(
    [
      { label: o.postsLabel, color: CHART_COLORS.posts },
      { label: o.scoreLabel, color: CHART_COLORS.score, line: true },
    ],
    rtl,
  );
  return svg(H, 'trend', out.join('') + lg);
}

/** Findings by category as horizontal bars, the category names at the reading start. */
export function categoriesSvg(bars: CategoryBar[], o: { fmt: Fmt }): string {
  const rtl = o.fmt.lang === 'ar';
  const rowH = 30;
  const top = 8;
  const H = Math.max(80, top + rowH * Math.max(1, bars.length) + 26);
  const bottom = H - 26;
  const labelW = 170;
  const left = rtl ? 20 : labelW;
  const right = rtl ? W - labelW : W - 20;
  const ticks = niceTicks(Math.max(0, ...bars.map((b) => b.findings)));
  const max = ticks[ticks.length - 1];
  // Distance from the axis' start (left in LTR, right in RTL).
  const x = (v: number) => (rtl ? right - (v / max) * (right - left) : left + (v / max) * (right - left));
  const out: string[] = [];
  for (const v of ticks) {
    out.push(`<line x1="${r1(x(v))}" y1="${top}" x2="${r1(x(v))}" y2="${bottom}" stroke="${v === 0 ? CHART_COLORS.axis : CHART_COLORS.grid}" stroke-width="1"/>`);
    out.push(text(x(v), bottom + 16, o.fmt.num(v), 'middle'));
  }
  bars.forEach((b, i) => {
    const yc = top + rowH * (i + 0.5);
    const x0 = x(0);
    const x1 = x(b.findings);
    if (b.findings > 0) out.push(`<rect class="mark findings" x="${r1(Math.min(x0, x1))}" y="${r1(yc - rowH * 0.32)}" width="${r1(Math.abs(x1 - x0))}" height="${r1(rowH * 0.64)}" fill="${CHART_COLORS.findings}"/>`);
    // Flush against the axis: with direction rtl, the anchor 'end' is the text's left edge.
    out.push(text(rtl ? right + 8 : left - 8, yc + 4, b.label, 'end', rtl ? ' direction="rtl"' : ''));
  });
  return svg(H, 'categories', out.join(''));
}

function svg(h: number, id: string, body: string): string {
  return `<svg id="${id}" class="chart-svg" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" xmlns="http://www.w3.org/2000/svg" font-size="11" fill="#333" role="img">${body}</svg>`;
}
