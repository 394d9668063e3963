import { describe, expect, test } from 'vitest';
import type { CategoryTrendPoint, TrendPoint } from '../../server/api-types.ts';
import {
  CATEGORY_COLORS,
  CATEGORY_ORDER,
  addMonths,
  categoryRows,
  categoryTrendSpec,
  direction,
  fillCategoryTrend,
  fillTrend,
  inferWeekStart,
  median,
  periodStart,
  periodStarts,
  presetRange,
  rateDelta,
  scoreAxisMin,
  scoreDelta,
  sparklinePath,
  trendSpec,
} from '../../web/src/lib/chart-data.ts';
import { highlightSegments } from '../../web/src/lib/highlight.ts';
import {
  buildDraft,
  clampLastPosts,
  countsNow,
  fieldProblems,
  isDraftField,
  moveDirection,
  moveEntries,
  rulebookProblem,
} from '../../web/src/lib/rulebook-draft.ts';
import { textDirection } from '../../web/src/lib/text-direction.ts';

const point = (period: string, posts: number, score: number | null, complianceRate: number | null = null): TrendPoint => ({
  period,
  posts,
  clean: posts,
  review: 0,
  violations: 0,
  findings: 0,
  score,
  complianceRate,
});

describe(periodStart.name, () => {
  test.each([
    ['2026-11-24', 'day', 1, '2026-11-24'],
    ['2026-11-24', 'week', 1, '2026-11-23'], // Tuesday -> Monday
    ['2026-11-23', 'week', 1, '2026-11-23'], // Monday stays
    ['2026-11-22', 'week', 1, '2026-11-16'], // Sunday -> previous Monday
    ['2026-11-24', 'week', 0, '2026-11-22'], // Sunday-start weeks
    ['2026-01-01', 'week', 1, '2025-12-29'], // across a year
    ['2026-11-24', 'month', 1, '2026-11-01'],
    ['2024-02-29', 'month', 1, '2024-02-01'],
  ] as const)('%s by %s (week starts %i) -> %s', (ymd, interval, weekStart, expected) => {
    expect(periodStart(ymd, interval, weekStart)).toBe(expected);
  });
});

describe(periodStarts.name, () => {
  test.each([
    ['2026-11-01', '2026-11-03', 'day', ['2026-11-01', '2026-11-02', '2026-11-03']],
    ['2026-11-03', '2026-11-03', 'day', ['2026-11-03']],
    ['2026-11-04', '2026-11-18', 'week', ['2026-11-01', '2026-11-08', '2026-11-15']], // Sunday weeks by default
    ['2026-10-15', '2027-01-02', 'month', ['2026-10-01', '2026-11-01', '2026-12-01', '2027-01-01']],
    ['2026-11-05', '2026-11-01', 'day', []],
    ['not-a-date', '2026-11-01', 'day', []],
  ] as const)('%s..%s by %s', (from, to, interval, expected) => {
    expect(periodStarts(from, to, interval)).toEqual(expected);
  });

  test('crosses the spring of a leap year day by day without skipping', () => {
    const days = periodStarts('2024-02-27', '2024-03-02', 'day');
    expect(days).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01', '2024-03-02']);
  });
});

describe(addMonths.name, () => {
  test.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-11-24', -6, '2026-05-24'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2026-12-15', 1, '2027-01-15'],
  ] as const)('%s %+i months -> %s', (ymd, months, expected) => {
    expect(addMonths(ymd, months)).toBe(expected);
  });
});

describe(presetRange.name, () => {
  test.each([
    ['30d', { from: '2026-10-26', to: '2026-11-24', interval: 'day' }],
    ['90d', { from: '2026-08-27', to: '2026-11-24', interval: 'week' }],
    ['6m', { from: '2026-05-25', to: '2026-11-24', interval: 'week' }],
    ['12m', { from: '2025-11-25', to: '2026-11-24', interval: 'month' }],
    ['18m', { from: '2025-05-25', to: '2026-11-24', interval: 'month' }],
  ] as const)('%s ending 2026-11-24', (preset, expected) => {
    expect(presetRange(preset, '2026-11-24')).toEqual(expected);
  });
});

describe(inferWeekStart.name, () => {
  test.each([
    [[], 0],
    [['2026-11-23'], 1], // Monday
    [['2026-11-22', '2026-11-29'], 0], // Sunday
    [['2026-11-21'], 6], // Saturday
  ] as const)('%j -> %i', (periods, expected) => {
    expect(inferWeekStart(periods)).toBe(expected);
  });
});

describe(fillTrend.name, () => {
  test.each([
    {
      name: 'fills missing days with empty points',
      points: [point('2026-11-02', 4, 90, 1)],
      from: '2026-11-01',
      to: '2026-11-03',
      interval: 'day' as const,
      expected: [
        { period: '2026-11-01', posts: 0, score: null },
        { period: '2026-11-02', posts: 4, score: 90 },
        { period: '2026-11-03', posts: 0, score: null },
      ],
    },
    {
      name: 'no data at all still gives one empty point per (Sunday) week',
      points: [],
      from: '2026-11-02',
      to: '2026-11-15',
      interval: 'week' as const,
      expected: [
        { period: '2026-11-01', posts: 0, score: null },
        { period: '2026-11-08', posts: 0, score: null },
        { period: '2026-11-15', posts: 0, score: null },
      ],
    },
    {
      name: 'follows the week start the server used (Monday here)',
      points: [point('2026-11-09', 2, 70)],
      from: '2026-11-03',
      to: '2026-11-20',
      interval: 'week' as const,
      expected: [
        { period: '2026-11-02', posts: 0, score: null },
        { period: '2026-11-09', posts: 2, score: 70 },
        { period: '2026-11-16', posts: 0, score: null },
      ],
    },
    {
      name: 'months, with a timestamp-shaped period from the server',
      points: [point('2026-10-01T00:00:00.000Z', 10, 80)],
      from: '2026-09-15',
      to: '2026-11-02',
      interval: 'month' as const,
      expected: [
        { period: '2026-09-01', posts: 0, score: null },
        { period: '2026-10-01', posts: 10, score: 80 },
        { period: '2026-11-01', posts: 0, score: null },
      ],
    },
    {
      name: 'keeps a server period outside the requested range instead of dropping it',
      points: [point('2026-10-31', 1, 100)],
      from: '2026-11-01',
      to: '2026-11-02',
      interval: 'day' as const,
      expected: [
        { period: '2026-10-31', posts: 1, score: 100 },
        { period: '2026-11-01', posts: 0, score: null },
        { period: '2026-11-02', posts: 0, score: null },
      ],
    },
  ])('$name', ({ points, from, to, interval, expected }) => {
    const filled = fillTrend(points, from, to, interval);
    expect(filled.map(({ period, posts, score }) => ({ period, posts, score }))).toEqual(expected);
  });
});

describe(fillCategoryTrend.name, () => {
  test('zero counts for every category in empty periods and missing categories', () => {
    const points: CategoryTrendPoint[] = [{ period: '2026-11-02', counts: { abuse: 3 } as CategoryTrendPoint['counts'] }];
    const filled = fillCategoryTrend(points, '2026-11-01', '2026-11-02', 'day');
    expect(filled.map((p) => p.period)).toEqual(['2026-11-01', '2026-11-02']);
    expect(Object.keys(filled[0].counts).sort()).toEqual([...CATEGORY_ORDER].sort());
    expect(filled[0].counts.abuse).toBe(0);
    expect(filled[1].counts.abuse).toBe(3);
    expect(filled[1].counts.infosec).toBe(0);
  });
});

describe(scoreDelta.name, () => {
  test.each([
    [80, 75, 5],
    [75, 80, -5],
    [80.26, 80.1, 0.2],
    [0.3, 0.1, 0.2], // no float noise
    [80, 80, 0],
    [null, 80, null],
    [80, null, null],
    [undefined, 1, null],
  ])('%s vs %s -> %s', (current, previous, expected) => {
    expect(scoreDelta(current, previous)).toBe(expected);
  });
});

describe(rateDelta.name, () => {
  test.each([
    [0.95, 0.9, 5],
    [0.9, 0.95, -5],
    [0.5, 0.5, 0],
    [null, 0.5, null],
  ])('%s vs %s -> %s pp', (current, previous, expected) => {
    expect(rateDelta(current, previous)).toBe(expected);
  });
});

describe(direction.name, () => {
  test.each([
    [3, 'up'],
    [-0.1, 'down'],
    [0, 'flat'],
    [null, 'none'],
    [Number.NaN, 'none'],
  ] as const)('%s -> %s', (delta, expected) => {
    expect(direction(delta)).toBe(expected);
  });
});

describe(median.name, () => {
  test.each([
    [[], null],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[null, 7, undefined], 7],
  ])('%j -> %s', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe(trendSpec.name, () => {
  test('score, compliance rate in percent and posts on the second axis, labels formatted', () => {
    const spec = trendSpec(
      [point('2026-11-01', 10, 91.26, 0.9), point('2026-11-02', 0, null, null)],
      { score: 'Score', rate: 'Rate', posts: 'Posts' },
      (p) => `d${p.slice(8)}`,
    );
    expect(spec.labels).toEqual(['d01', 'd02']);
    expect(spec.periods).toEqual(['2026-11-01', '2026-11-02']);
    expect(spec.yMax).toBe(100);
    expect(spec.yMin).toBe(80);
    expect(spec.series.map((s) => [s.key, s.kind, s.axis, s.data])).toEqual([
      ['score', 'line', 'y', [91.3, null]],
      ['rate', 'line', 'y', [90, null]],
      ['posts', 'bar', 'y1', [10, 0]],
    ]);
    // lines are told apart by dash and point shape too, not only by colour
    expect(spec.series[1].dashed).toBe(true);
    expect(spec.series[0].pointStyle).not.toBe(spec.series[1].pointStyle);
  });
});

describe(scoreAxisMin.name, () => {
  test.each([
    [[], 0],
    [[null, null], 0],
    [[99.1, 97.4, 93.7], 90],
    [[92.5], 90],
    [[91.9], 80], // keeps a margin under the lowest point
    [[55, 100], 50],
    [[1, 100], 0],
  ])('%j -> %i', (values, expected) => {
    expect(scoreAxisMin(values)).toBe(expected);
  });
});

describe(categoryTrendSpec.name, () => {
  test('one stacked series per category with findings, in rulebook order, with its fixed colour', () => {
    const counts = (c: Partial<Record<string, number>>) => c as CategoryTrendPoint['counts'];
    const spec = categoryTrendSpec(
      [
        { period: '2026-11-01', counts: counts({ infosec: 1, abuse: 2 }) },
        { period: '2026-11-02', counts: counts({ abuse: 1 }) },
      ],
      (c) => c.toUpperCase(),
      (p) => p,
    );
    expect(spec.stacked).toBe(true);
    expect(spec.series.map((s) => [s.key, s.label, s.data, s.color])).toEqual([
      ['abuse', 'ABUSE', [2, 1], CATEGORY_COLORS.abuse],
      ['infosec', 'INFOSEC', [1, 0], CATEGORY_COLORS.infosec],
    ]);
  });

  test('no findings: no series', () => {
    expect(categoryTrendSpec([], String, String).series).toEqual([]);
  });
});

describe('category colours', () => {
  test('every category has its own colour', () => {
    const colours = CATEGORY_ORDER.map((c) => CATEGORY_COLORS[c]);
    expect(new Set(colours).size).toBe(CATEGORY_ORDER.length);
  });
});

describe(categoryRows.name, () => {
  test.each([
    {
      name: 'largest first, share of the largest, zero rows dropped',
      input: [
        { category: 'abuse' as const, findings: 2, posts: 2 },
        { category: 'infosec' as const, findings: 8, posts: 5 },
        { category: 'beliefs' as const, findings: 0, posts: 0 },
      ],
      expected: [
        ['infosec', 1],
        ['abuse', 0.25],
      ],
    },
    {
      name: 'ties keep rulebook order',
      input: [
        { category: 'disclaimer' as const, findings: 3, posts: 3 },
        { category: 'confidentiality' as const, findings: 3, posts: 1 },
      ],
      expected: [
        ['confidentiality', 1],
        ['disclaimer', 1],
      ],
    },
    { name: 'empty', input: [], expected: [] },
  ])('$name', ({ input, expected }) => {
    expect(categoryRows(input).map((r) => [r.category, r.share])).toEqual(expected);
  });
});

describe(sparklinePath.name, () => {
  test.each([
    [[], ''],
    [[100, 0], 'M0 0 L10 20'],
    [[50, null, 50], 'M0 10 M10 10'],
    [[0, 50, 100], 'M0 20 L5 10 L10 0'],
    [[150, -5], 'M0 0 L10 20'], // clamped to 0..100
    [[75], 'M5 5'],
  ] as const)('%j', (values, expected) => {
    expect(sparklinePath(values, 10, 20)).toBe(expected);
  });
});

// Highlight's pure part lives beside the chart shaping; its cases are kept here with the other web-data tables.
describe(highlightSegments.name, () => {
  const seg = (text: string, spans: { id: number; start: number; end: number }[]) =>
    highlightSegments(text, spans).map((s) => [s.text, s.spans.map((x) => x.id)]);

  test.each([
    { name: 'no findings', text: 'hello', spans: [], expected: [['hello', []]] },
    { name: 'one span in the middle', text: 'call 39999999 now', spans: [{ id: 1, start: 5, end: 13 }], expected: [['call ', []], ['39999999', [1]], [' now', []]] },
    { name: 'span at both ends', text: 'سري للغاية', spans: [{ id: 1, start: 0, end: 3 }, { id: 2, start: 4, end: 10 }], expected: [['سري', [1]], [' ', []], ['للغاية', [2]]] },
    {
      name: 'overlapping spans split into shared and own parts',
      text: 'abcdefgh',
      spans: [{ id: 1, start: 1, end: 5 }, { id: 2, start: 3, end: 7 }],
      expected: [['a', []], ['bc', [1]], ['de', [1, 2]], ['fg', [2]], ['h', []]],
    },
    {
      name: 'a span inside another',
      text: 'abcdef',
      spans: [{ id: 1, start: 0, end: 6 }, { id: 2, start: 2, end: 4 }],
      expected: [['ab', [1]], ['cd', [1, 2]], ['ef', [1]]],
    },
    { name: 'identical spans share one mark', text: 'abc', spans: [{ id: 1, start: 0, end: 3 }, { id: 2, start: 0, end: 3 }], expected: [['abc', [1, 2]]] },
    { name: 'out-of-range and empty spans are ignored or clamped', text: 'abc', spans: [{ id: 1, start: 2, end: 99 }, { id: 2, start: 1, end: 1 }, { id: 3, start: 5, end: 9 }], expected: [['ab', []], ['c', [1]]] },
    { name: 'surrogate pairs are JS string indices', text: 'a😀b', spans: [{ id: 1, start: 1, end: 3 }], expected: [['a', []], ['😀', [1]], ['b', []]] },
  ])('$name', ({ text, spans, expected }) => {
    expect(seg(text, spans)).toEqual(expected);
    expect(highlightSegments(text, spans).map((s) => s.text).join('')).toBe(text);
  });
});

describe(textDirection.name, () => {
  test.each([
    ['@bu_nouf تعليقك سخيف', 'ar', 'rtl'],
    ['@bu_nouf تعليقك سخيف', null, 'rtl'], // the mention does not decide
    ['https://example.bh/x خبر جديد', undefined, 'rtl'],
    ['Great service! شكراً', null, 'ltr'],
    ['Registration is open', 'en', 'ltr'],
    ['+973 3999 1234', null, 'auto'],
  ] as const)('%s (%s) -> %s', (text, lang, expected) => {
    expect(textDirection(text, lang)).toBe(expected);
  });
});

describe('rulebook try/publish helpers', () => {
  test('an empty editor means no draft; the file name defaults to draft.yaml', () => {
    expect(buildDraft('draft.yaml', '   \n', 'merge')).toBeUndefined();
    expect(buildDraft('  ', 'category: abuse', 'replace')).toEqual({ sources: { 'draft.yaml': 'category: abuse' }, mode: 'replace' });
    expect(buildDraft(' abuse.yaml ', 'x: 1', 'merge')).toEqual({ sources: { 'abuse.yaml': 'x: 1' }, mode: 'merge' });
  });

  test('the number of posts stays a whole number in 1..2000', () => {
    expect(clampLastPosts(200)).toBe(200);
    expect(clampLastPosts('350')).toBe(350);
    expect(clampLastPosts(0)).toBe(1);
    expect(clampLastPosts(-5)).toBe(1);
    expect(clampLastPosts(99999)).toBe(2000);
    expect(clampLastPosts(12.6)).toBe(13);
    expect(clampLastPosts('')).toBe(200);
    expect(clampLastPosts(null)).toBe(200);
    expect(clampLastPosts('abc')).toBe(200);
  });

  test('a 422 gives file, rule and reason; other errors give none', () => {
    const e422 = { code: 'invalid-rulebook', message: 'rulebook x.yaml: bad', details: { file: 'x.yaml', ruleId: 'abuse.x', reason: 'duplicate rule id' } };
    expect(rulebookProblem(e422)).toEqual({ file: 'x.yaml', ruleId: 'abuse.x', reason: 'duplicate rule id' });
    expect(rulebookProblem({ code: 'invalid-rulebook', message: 'whole message', details: { file: 'x.yaml', ruleId: null } })).toEqual({
      file: 'x.yaml',
      ruleId: null,
      reason: 'whole message',
    });
    expect(rulebookProblem({ code: 'invalid-request', message: 'm', details: [] })).toBeNull();
    expect(rulebookProblem(null)).toBeNull();
  });

  test('400 field problems are read, and draft fields are told apart', () => {
    const e400 = { code: 'invalid-request', message: 'm', details: [{ field: 'draft.sources.bad file', message: 'Invalid key in record' }, { field: 'lastPosts', message: 'too big' }, 'junk'] };
    expect(fieldProblems(e400)).toEqual([
      { field: 'draft.sources.bad file', message: 'Invalid key in record' },
      { field: 'lastPosts', message: 'too big' },
    ]);
    expect(fieldProblems({ code: 'invalid-rulebook', message: 'm', details: [] })).toEqual([]);
    expect(isDraftField('draft.sources.bad file')).toBe(true);
    expect(isDraftField('sources')).toBe(true);
    expect(isDraftField('lastPosts')).toBe(false);
    expect(isDraftField('text')).toBe(false);
  });

  test("today's counts come from the server; posts never scored count as none", () => {
    expect(countsNow({ checked: 18, currentCounts: { clean: 11, review: 4, violation: 2 } })).toEqual({ clean: 11, review: 4, violation: 2, none: 1 });
    expect(countsNow({ checked: 4, currentCounts: { clean: 4, review: 0, violation: 0 } })).toEqual({ clean: 4, review: 0, violation: 0, none: 0 });
  });

  test('verdict moves become rows, largest first, and know their direction', () => {
    expect(moveEntries({ 'review->clean': 1, 'clean->review': 5, 'clean->violation': 1, 'x->y': 0 })).toEqual([
      { from: 'clean', to: 'review', n: 5 },
      { from: 'clean', to: 'violation', n: 1 },
      { from: 'review', to: 'clean', n: 1 },
    ]);
    expect(moveEntries({})).toEqual([]);
    expect(moveDirection('clean', 'review')).toBe('worse');
    expect(moveDirection('violation', 'review')).toBe('better');
    expect(moveDirection('review', 'review')).toBe('same');
    expect(moveDirection(null, 'violation')).toBe('same');
  });
});
