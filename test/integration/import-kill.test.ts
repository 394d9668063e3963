// kill -9 of a real import process in the middle of an account, then a restart: every post exactly once,
// each with one original version, the killed run on record as interrupted, and the restart does not wait
// for the dead process's lease to run out. On PGlite (a data directory) and on PostgreSQL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createDb, type DbHandle } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { upsertAccount } from '../../db/queries/accounts.ts';
import { upsertEntity } from '../../db/queries/entities.ts';
import { BACKENDS, testDb } from '../helpers/db.ts';

const LINES = 30_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-import-kill-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = path.join(dir, 'posts.jsonl');
fs.writeFileSync(
  file,
  Array.from({ length: LINES }, (_, i) => JSON.stringify({ id: `p${i}`, text: `خبر رقم ${i} عن افتتاح مركز خدمات`, posted_at: new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString(), lang: 'ar' })).join('\n') + '\n',
);

function cliImport(env: Record<string, string>, accountId: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'jobs/cli.ts', 'import', '--account', String(accountId)], {
    env: { ...process.env, MIZAN_DEMO: 'false', DATABASE_URL: '', ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  /** Resolves once the CLI reported `pages` saved pages of progress. */
  const pages = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => ((stderr.match(/ in (\d+) page/g) ?? []).length >= n ? resolve() : setTimeout(check, 25));
      check();
    });
  return { child, pages, done: new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr }))) };
}

describe.each(BACKENDS)('kill -9 during an import on %s', (kind) => {
  test('the restart completes the import with every post exactly once', async () => {
    // The database the CLI processes open: a data directory of its own, or a fresh PostgreSQL database.
    let h: DbHandle & { url?: string };
    let env: Record<string, string>;
    const dataDir = path.join(dir, `data-${kind}`);
    if (kind === 'pglite') {
      h = await createDb({ dataDir });
      await migrateToLatest(h.db);
      env = { MIZAN_DATA_DIR: dataDir };
    } else {
      h = await testDb('postgres');
      env = { DATABASE_URL: h.url! };
    }
    const entityId = await upsertEntity(h.db, { slug: 'killed', nameAr: 'جهة', nameEn: 'Killed' });
    const accountId = await upsertAccount(h.db, { entityId, platform: 'x', connector: 'file', handle: 'killed', type: 'official', config: { path: file } });
    const count = async () => Number((await h.db.selectFrom('post').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    // PGlite is one process's: the test lets go of the directory while the CLI runs, and looks at it afterwards.
    if (kind === 'pglite') await h.close();

    const first = cliImport(env, accountId);
    // Kill once some pages are in and most are not (the CLI reports each saved page).
    await Promise.race([first.pages(3), first.done]);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');

    if (kind === 'pglite') {
      h = await createDb({ dataDir });
      const before = await count();
      expect(before, 'the first process stored some pages before it was killed').toBeGreaterThan(0);
      expect(before).toBeLessThan(LINES);
      await h.close();
    } else {
      const before = await count();
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(LINES);
    }

    const t0 = Date.now();
    const second = await cliImport(env, accountId).done;
    expect(second.code, second.stderr).toBe(0);
    // The dead process's lease did not hold the restart back (it would for 120 s).
    expect(Date.now() - t0).toBeLessThan(100_000);

    if (kind === 'pglite') h = await createDb({ dataDir });
    try {
      const posts = await h.db.selectFrom('post').select(['platform_post_id']).where('account_id', '=', accountId).execute();
      expect(posts).toHaveLength(LINES);
      expect(new Set(posts.map((p) => p.platform_post_id)).size).toBe(LINES);
      const versions = await h.db.selectFrom('post_version').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      expect(Number(versions.n)).toBe(LINES);
      const runs = await h.db.selectFrom('import_run').select(['status', 'error']).where('account_id', '=', accountId).orderBy('id').execute();
      expect(runs.map((r) => r.status)).toEqual(['failed', 'ok']);
      expect(runs[0].error).toMatch(/interrupted/);
      const account = await h.db.selectFrom('account').select(['lease_owner', 'last_run_status']).where('id', '=', accountId).executeTakeFirstOrThrow();
      expect(account).toEqual({ lease_owner: null, last_run_status: 'ok' });
    } finally {
      await h.close();
    }
  }, 300_000);
});
