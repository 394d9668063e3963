// Start-up failures give one clear line and no stack trace.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { createDb } from '../../db/client.ts';
import { ensureWebBuild, webSourceHash, type WebBuildPaths } from '../../server/web-build.ts';

function start(env: Record<string, string>, args = ['--all']) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    env: { ...process.env, MIZAN_DEMO: 'false', PORT: '39555', DATABASE_URL: '', MIZAN_DATA_DIR: 'memory://', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('start-up errors', () => {
  test.each([
    ['a DATABASE_URL that is not PostgreSQL', { DATABASE_URL: 'mysql://root@localhost/x' }, /DATABASE_URL: must start with postgres/],
    ['an unreachable PostgreSQL server', { DATABASE_URL: 'postgres://mizan:secret@127.0.0.1:1/mizan' }, /Cannot connect to PostgreSQL at postgres:\/\/mizan:\*\*\*@127\.0\.0\.1:1\/mizan/],
    ['a cron expression that does not parse', { MIZAN_ROLLUP_CRON: '99 99 * * *' }, /MIZAN_ROLLUP_CRON: "99 99 \* \* \*" is not a valid cron expression/],
    ['a bad port and a bad cron expression together', { PORT: 'eighty', MIZAN_IMPORT_CRON: '5' }, /PORT.*\n.*MIZAN_IMPORT_CRON|MIZAN_IMPORT_CRON.*\n.*PORT/],
  ])('%s', (_name, env, message) => {
    const r = start(env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toContain('secret');
  });

  test('--serve without PostgreSQL says why', () => {
    const r = start({}, ['--serve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/needs PostgreSQL \(set DATABASE_URL\)/);
  });

  test('a second process on the same embedded database is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-start-'));
    const first = await createDb({ dataDir: dir });
    try {
      const r = start({ MIZAN_DATA_DIR: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/in use by another Mizan process.*Stop that process.*DATABASE_URL/s);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await first.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start builds the web app only when its sources changed', () => {
  test('built once, reused while the sources, lockfile and output stay; rebuilt after a change; an earlier build kept when a rebuild fails', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mizan-webbuild-'));
    try {
      fs.mkdirSync(path.join(root, 'web/src'), { recursive: true });
      fs.writeFileSync(path.join(root, 'web/src/main.ts'), 'console.log(1)');
      fs.writeFileSync(path.join(root, 'package-lock.json'), '{}');
      const paths: WebBuildPaths = {
        root,
        sources: [path.join(root, 'web'), path.join(root, 'package-lock.json')],
        outDir: path.join(root, 'dist/web'),
        hashFile: path.join(root, 'dist/web.source-hash'),
      };
      let builds = 0;
      // A stand-in for vite build that writes what it would: dist/web/index.html.
      const build = async () => {
        builds++;
        fs.mkdirSync(paths.outDir, { recursive: true });
        fs.writeFileSync(path.join(paths.outDir, 'index.html'), `<!doctype html>${builds}`);
      };
      const logs: string[] = [];
      const run = (b = build) => ensureWebBuild(paths, { log: (m) => logs.push(m), build: b });

      expect(await run()).toBe('built');
      expect(await run()).toBe('up-to-date');
      expect(builds).toBe(1);
      expect(fs.readFileSync(paths.hashFile, 'utf8').trim()).toBe(webSourceHash(paths));

      fs.writeFileSync(path.join(root, 'web/src/main.ts'), 'console.log(2)');
      expect(await run()).toBe('built');
      fs.writeFileSync(path.join(root, 'package-lock.json'), '{"lockfileVersion":3}');
      expect(await run()).toBe('built');
      fs.writeFileSync(path.join(root, 'web/src/new.ts'), '');
      expect(await run()).toBe('built');
      expect(await run()).toBe('up-to-date');
      expect(builds).toBe(4);

      fs.rmSync(path.join(paths.outDir, 'index.html'));
      expect(await run()).toBe('built');
      expect(builds).toBe(5);

      fs.writeFileSync(path.join(root, 'web/src/main.ts'), 'console.log(3)');
      const failing = async () => {
        throw new Error('syntax error');
      };
      expect(await run(failing)).toBe('kept-stale');
      expect(logs.at(-1)).toMatch(/not rebuilt \(syntax error\): serving the earlier build/);
      fs.rmSync(paths.outDir, { recursive: true });
      await expect(run(failing)).rejects.toThrow('syntax error');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
