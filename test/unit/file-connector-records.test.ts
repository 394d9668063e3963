// The file connector keeps one bad record from costing others: exact numeric ids, counts beyond 2^31,
// stray CSV quotes and oversized records (issue 6).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, test } from 'vitest';
import { MAX_RECORD_CHARS, fileConnector, quoteBigIntegers } from '../../jobs/connectors/file.ts';
import type { ConnectorAccount, FetchPage } from '../../jobs/connectors/types.ts';

const NOW = new Date('2026-11-24T13:20:00Z');

/** The page's refused records as `ref: reason` (they were warnings before issue 7). */
const refusals = (page: FetchPage) => page.rejected?.map((r) => `${r.ref}: ${r.reason}`);
const tmp = mkdtempSync(join(tmpdir(), 'mizan-file-records-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const account = (path: string): ConnectorAccount => ({ id: 7, entityId: 1, platform: 'file', handle: 'h', platformAccountId: null, type: 'official', config: { path } });
let n = 0;
async function importText(ext: 'jsonl' | 'csv', content: string) {
  const path = join(tmp, `f${++n}.${ext}`);
  writeFileSync(path, content);
  return fileConnector.fetchPage(account(path), { cursor: null, now: NOW });
}
const line = (o: Record<string, unknown>) => JSON.stringify(o);

describe('JSONL ids given as JSON numbers', () => {
  it('reads tweet ids beyond 2^53 as their exact digits: three posts, not one', async () => {
    const page = await importText(
      'jsonl',
      [1, 2, 3].map((i) => `{"id": 180000000000000000${i}, "text": "post ${i}", "posted_at": "2026-01-0${i}T00:00:00Z", "likes": 5}`).join('\n'),
    );
    expect(refusals(page)).toBeUndefined();
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['1800000000000000001', '1800000000000000002', '1800000000000000003']);
    // The evidence keeps the digits too; ordinary numbers stay numbers.
    expect(page.posts.map((p) => (p.raw as { id: unknown }).id)).toEqual(['1800000000000000001', '1800000000000000002', '1800000000000000003']);
    expect((page.posts[0].raw as { likes: unknown }).likes).toBe(5);
    expect(page.posts[0].ref).toBe('line 1');
  });

  it('refuses a numeric id that JSON.parse would round (fraction or exponent), naming the line', async () => {
    const page = await importText(
      'jsonl',
      [
        '{"id": 1.8e18, "text": "a", "posted_at": "2026-01-01T00:00:00Z"}',
        '{"id": 1800000000000000001.0, "text": "b", "posted_at": "2026-01-01T00:00:00Z"}',
        '{"id": 12.5, "text": "c", "posted_at": "2026-01-01T00:00:00Z"}',
        '{"id": 9007199254740991, "text": "d", "posted_at": "2026-01-01T00:00:00Z"}',
      ].join('\n'),
    );
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['9007199254740991']);
    expect(refusals(page)).toEqual([1, 2, 3].map((i) => `line ${i}: id: a numeric id must be a whole number up to 2^53 (write longer ids as strings)`));
  });

  test.each([
    ['{"id":18000000000000000001}', '{"id":"18000000000000000001"}'],
    ['{"id":-18000000000000000001,"n":[12345678901234567890]}', '{"id":"-18000000000000000001","n":["12345678901234567890"]}'],
    // digits inside strings (escaped quotes included) and safe or fractional numbers are left alone
    ['{"t":"say \\"12345678901234567890\\" now","id":9007199254740991}', '{"t":"say \\"12345678901234567890\\" now","id":9007199254740991}'],
    ['{"t":"\\\\","x":12345678901234567890.5,"y":1e300}', '{"t":"\\\\","x":12345678901234567890.5,"y":1e300}'],
    ['{"t":"\\\\","x":12345678901234567890}', '{"t":"\\\\","x":"12345678901234567890"}'],
    ['{"id":1}', '{"id":1}'],
  ])('quoteBigIntegers(%s)', (input, expected) => {
    expect(quoteBigIntegers(input)).toBe(expected);
    expect(() => JSON.parse(quoteBigIntegers(input))).not.toThrow();
  });
});

describe('counts', () => {
  it('accepts counts beyond 2^31 and refuses those beyond 2^53 with the line', async () => {
    const page = await importText(
      'jsonl',
      [
        line({ id: 'v', text: 'viral', posted_at: '2026-01-01T00:00:00Z', likes: 2e9, shares: 2e9, views: 3e9 }),
        line({ id: 'w', text: 'absurd', posted_at: '2026-01-01T00:00:00Z', views: 1e20 }),
        '{"id": "x", "text": "exact digits", "posted_at": "2026-01-01T00:00:00Z", "views": 9007199254740993}',
      ].join('\n'),
    );
    expect(page.posts.map((p) => [p.platformPostId, p.metrics])).toEqual([['v', { likes: 2e9, shares: 2e9, replies: 0, views: 3e9 }]]);
    expect(refusals(page)).toEqual(['line 2: views: must be at most 9007199254740991', 'line 3: views: must be at most 9007199254740991']);
  });
});

describe('CSV quotes', () => {
  const header = 'id,text,posted_at';
  it('reports the record that opened an unclosed quote and keeps the valid records after it', async () => {
    const page = await importText(
      'csv',
      [
        header,
        'q1,fine,2026-01-01T00:00:00Z',
        'q2,"never closed,2026-01-01T00:00:00Z',
        'q3,valid,2026-01-02T00:00:00Z',
        'q4,"quoted, with a comma",2026-01-03T00:00:00Z',
        'q5,"two',
        'lines ""quoted""",2026-01-04T00:00:00Z',
        'q6,last,2026-01-05T00:00:00Z',
      ].join('\r\n') + '\r\n',
    );
    expect(page.posts.map((p) => [p.platformPostId, p.text, p.ref])).toEqual([
      ['q1', 'fine', 'line 2'],
      ['q3', 'valid', 'line 4'],
      ['q4', 'quoted, with a comma', 'line 5'],
      ['q5', 'two\nlines "quoted"', 'line 6'],
      ['q6', 'last', 'line 8'],
    ]);
    expect(refusals(page)).toEqual(['line 3: a quote is closed on line 5 before "quoted, with" instead of a comma or the end of the line']);
    expect(page).toMatchObject({ nextCursor: '8', done: true });
  });

  it('refuses a quote that closes lines later into too many fields, and one never closed at the end', async () => {
    const page = await importText(
      'csv',
      [header, 'a1,"open,2026-01-01T00:00:00Z', 'a2",text,2026-01-02T00:00:00Z', 'a3,ok,2026-01-03T00:00:00Z', 'a4,"open at the end,2026-01-04T00:00:00Z', 'a5,swallowed,2026-01-05T00:00:00Z'].join(
        '\n',
      ),
    );
    // Line 3 is read again on its own: a stray quote inside an unquoted field is kept as text.
    expect(page.posts.map((p) => [p.platformPostId, p.text])).toEqual([
      ['a2"', 'text'],
      ['a3', 'ok'],
      ['a5', 'swallowed'],
    ]);
    expect(refusals(page)).toEqual([
      'line 2: a quoted field runs from line 2 to line 3 and leaves 4 fields for 3 columns (a quote not closed?)',
      'line 5: a quote is never closed',
    ]);
  });

  it('reports a quote closed before other text on the same line', async () => {
    const page = await importText('csv', [header, 'b1,"half" quoted,2026-01-01T00:00:00Z', 'b2,ok,2026-01-01T00:00:00Z'].join('\n'));
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['b2']);
    expect(refusals(page)).toEqual(['line 2: a quote is closed before "quoted,2026-" instead of a comma or the end of the line']);
  });
});

describe('oversized records', () => {
  const big = 'x'.repeat(MAX_RECORD_CHARS + 10);
  it('refuses a JSONL line longer than the limit, with its line number', async () => {
    const page = await importText('jsonl', [line({ id: 'huge', text: big, posted_at: '2026-01-01T00:00:00Z' }), line({ id: 'ok', text: 'ok', posted_at: '2026-01-01T00:00:00Z' })].join('\n'));
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['ok']);
    expect(refusals(page)).toEqual([`line 1: longer than ${MAX_RECORD_CHARS} characters, not imported`]);
  });

  it('refuses a CSV record longer than the limit, even a well-quoted one over many lines, and reads on after it', async () => {
    const lines = Array.from({ length: 20 }, () => 'y'.repeat(MAX_RECORD_CHARS / 10));
    const page = await importText('csv', ['id,text,posted_at', `c1,${big},2026-01-01T00:00:00Z`, `c2,"${lines.join('\n')}",2026-01-01T00:00:00Z`, 'c3,ok,2026-01-01T00:00:00Z'].join('\n'));
    expect(page.posts.map((p) => p.platformPostId)).toEqual(['c3']);
    expect(refusals(page)).toEqual([`line 2: record longer than ${MAX_RECORD_CHARS} characters, not imported`, `line 3: record longer than ${MAX_RECORD_CHARS} characters, not imported`]);
    expect(page.posts[0].ref).toBe('line 23');
  });

  it('keeps a long post under the limit whole: the store caps it, the raw payload keeps it', async () => {
    const text = 'ن'.repeat(200_000);
    const page = await importText('jsonl', line({ id: 'long', text, posted_at: '2026-01-01T00:00:00Z' }));
    expect(page.posts[0].text).toBe(text);
    expect((page.posts[0].raw as { text: string }).text).toBe(text);
  });
});
