// npm run eval's figures shaped like issue 10's acceptance, on a set directory: personal data on its PII
// file, government posts' mean category F1 and the share of their clean posts flagged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateAcceptance, formatAcceptance } from '../../jobs/scoring/eval.ts';

const dir = mkdtempSync(join(tmpdir(), 'mizan-acceptance-'));
const line = (id: string, text: string, labels: string[], account_type = 'official') => JSON.stringify({ id, text, lang: 'en', account_type, labels });
writeFileSync(
  join(dir, 'pii.jsonl'),
  [line('p1', 'Call me on my mobile +973 3612 4589 tonight', ['personal_data'], 'employee'), line('p2', 'The ministry opens a new service centre in Muharraq', [])].join('\n') + '\n',
);
writeFileSync(
  join(dir, 'gov.jsonl'),
  [line('g1', 'The ministry opens a new service centre in Muharraq', []), line('g2', 'Registration for the summer programme closes on Thursday', [])].join('\n') + '\n',
);
// a file of neither kind is left out of both figures
writeFileSync(join(dir, 'social.jsonl'), line('s1', 'You are a fucking idiot', ['abuse'], 'employee') + '\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('acceptance-shaped figures of a project set', () => {
  it('measures personal data on the PII file and government posts on the gov file only', () => {
    const f = evaluateAcceptance(dir, 'rules');
    expect(f.pii).toMatchObject({ posts: 1, precision: 1, recall: 1 });
    expect(f.gov.posts).toBe(2);
    expect(f.gov.clean).toEqual({ posts: 2, flagged: 0, rate: 0 });
    // no category is labelled among these government posts: nothing to average
    expect(f.gov.categories).toBe(0);
    expect(formatAcceptance([f])).toContain('rulebook alone');
  });
});
