// Two real scheduler processes on one PostgreSQL database: the second starts while the first is
// importing edits, so its start-up rescore overlaps that import. Every post must end with the verdict,
// score and findings of its current text, exactly as a single process leaves them, and the first
// process's run must stay its own (the second never takes a live run for a failed one).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../db/client.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { connectors } from '../../jobs/connectors/registry.ts';
import { runImportPipeline } from '../../jobs/pipeline.ts';
import { loadRulebook } from '../../jobs/scoring/engine.ts';
import { testDb } from '../helpers/db.ts';

const ACCOUNTS = 4;
const POSTS = 2000; // two pages of the file connector per round
const IBAN = 'للتحويل على الحساب BH67BMAG00001299123456 باسم الموظف';
const PHONE = 'للاستفسار اتصل على الرقم 36123456 في أي وقت';
const CLEAN = 'افتتاح مركز الخدمات الجديد في المحرق اليوم';

/** Post i's text in round r: every round changes every text, so each round is an edit of every post. */
const textOf = (i: number, round: number) => `${[IBAN, PHONE, CLEAN][(i + round) % 3]} (${round}.${i})`;
const line = (i: number, round: number) =>
  JSON.stringify({ id: String(i), text: textOf(i, round), posted_at: new Date(Date.UTC(2026, 9, 1) + i * 600_000).toISOString(), lang: 'ar' });

interface Child {
  code: number | null;
  stdout: string;
  stderr: string;
}
function startChild(url: string): { done: Promise<Child> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/scheduler-child.ts'], {
    env: { ...process.env, DATABASE_URL: url, MIZAN_DEMO: 'false', MIZAN_IMPORT_CRON: '*/5 * * * *', MIZAN_ROLLUP_CRON: '17 * * * *', MIZAN_REPORT_CRON: 'off' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))) };
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two scheduler processes on one PostgreSQL', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-two-schedulers-'));
  let shared: DbHandle & { url?: string };
  let single: DbHandle & { url?: string };

  /** Registers the accounts on their files and imports round 0 in this process (imported and scored). */
  async function prepare(h: DbHandle, name: string) {
    const entityId = await upsertEntity(h.db, { slug: 'overlap', nameAr: 'جهة', nameEn: 'Overlap Entity' });
    for (let a = 0; a < ACCOUNTS; a++) {
      const file = path.join(dir, `${name}-${a}.jsonl`);
      fs.writeFileSync(file, Array.from({ length: POSTS }, (_, i) => line(i, 0)).join('\n') + '\n');
      await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: `overlap_${a}`, type: 'official', config: { path: file } });
    }
    await runImportPipeline({ db: h.db, rulebook: loadRulebook(), connectors, log: () => {} }, { now: new Date() });
    // Two more rounds of edits to import: each post is edited twice, a page apart.
    for (let a = 0; a < ACCOUNTS; a++)
      fs.appendFileSync(path.join(dir, `${name}-${a}.jsonl`), [1, 2].flatMap((r) => Array.from({ length: POSTS }, (_, i) => line(i, r))).join('\n') + '\n');
  }

  /** Every post's text, verdict, score, categories and findings, keyed by account and post id. */
  async function outcome(h: DbHandle) {
    const posts = await h.db
      .selectFrom('post as p')
      .innerJoin('account as a', 'a.id', 'p.account_id')
      .leftJoin('post_score as s', 's.post_id', 'p.id')
      .select(['a.handle', 'p.platform_post_id as id', 'p.text', 'p.revision', 's.post_revision', 's.verdict', 's.score', 's.categories'])
      .orderBy('a.handle')
      .orderBy('p.platform_post_id')
      .execute();
    const findings = await h.db
      .selectFrom('finding as f')
      .innerJoin('post as p', 'p.id', 'f.post_id')
      .innerJoin('account as a', 'a.id', 'p.account_id')
      .select(['a.handle', 'p.platform_post_id as id', 'f.rule_id', 'f.start_offset', 'f.end_offset', 'f.match'])
      .orderBy('a.handle')
      .orderBy('p.platform_post_id')
      .orderBy('f.rule_id')
      .orderBy('f.start_offset')
      .execute();
    const rollups = await h.db.selectFrom('rollup_day').select(['day', 'posts', 'clean', 'review', 'violations', 'score_sum', 'findings']).orderBy('day').orderBy('account_id').execute();
    return { posts, findings, rollups };
  }

  beforeAll(async () => {
    [shared, single] = [await testDb('postgres'), await testDb('postgres')];
    await prepare(shared, 'shared');
    await prepare(single, 'single');
  }, 600_000);

  afterAll(async () => {
    await shared?.close();
    await single?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the second process starts during the first one’s import; every verdict equals a single process’s', async () => {
    const first = startChild(shared.url!);
    // Wait until the first process is importing the edits (its run is live and edits are landing).
    let overlapped = false;
    for (let i = 0; i < 1200 && !overlapped; i++) {
      const run = await shared.db.selectFrom('job_run').select('status').where('job', '=', 'import').executeTakeFirst();
      const edited = await shared.db.selectFrom('post').select((eb) => eb.fn.max('revision').as('r')).executeTakeFirstOrThrow();
      overlapped = run?.status === 'running' && Number(edited.r) >= 2;
      if (!overlapped) await new Promise((r) => setTimeout(r, 50));
    }
    expect(overlapped, 'the first process never got to importing').toBe(true);
    const second = startChild(shared.url!);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
    const reference = startChild(single.url!);
    expect((await reference.done).code).toBe(0);

    // One import run, the first process's, and it ended well: the second neither re-ran nor closed it.
    const runs = await shared.db.selectFrom('job_run').select(['job', 'status', 'owner', 'error']).where('job', '=', 'import').execute();
    const firstOwner = JSON.parse(a.stdout.trim().split('\n').pop()!).owner;
    expect(runs).toEqual([{ job: 'import', status: 'ok', owner: firstOwner, error: null }]);
    expect(b.stdout).not.toMatch(/closed \d+ job run|re-running job import/);

    const [got, want] = [await outcome(shared), await outcome(single)];
    // Every post ends at round 2's text, scored for that text …
    expect(got.posts).toHaveLength(ACCOUNTS * POSTS);
    for (const p of got.posts) {
      expect(p.text).toBe(textOf(Number(p.id), 2));
      expect(p.post_revision).toBe(p.revision);
    }
    expect(got.posts.filter((p) => p.text.includes('BH67')).every((p) => p.categories?.includes('personal_data'))).toBe(true);
    expect(got.posts.filter((p) => !p.text.includes('BH67') && !p.text.includes('36123456')).every((p) => p.verdict === 'clean')).toBe(true);
    // … exactly as one process leaves them, findings and rollups included.
    expect(got.posts).toEqual(want.posts);
    expect(got.findings).toEqual(want.findings);
    expect(got.rollups).toEqual(want.rollups);
  }, 600_000);
});
