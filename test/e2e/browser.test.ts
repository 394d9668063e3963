// The web app in a real browser against a real server with the demo data: charts drawn, Arabic mirrored,
// a scorecard opened from the ranking, a flagged post highlighted.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Overview, PostList } from '../../server/api-types.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let server: ChildProcess | undefined;
let serverLog = '';
let dataDir = '';
let base = '';
let browser: Browser | undefined;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => ok(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(path: string): Promise<{ status: number; body: T | null }> {
  try {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: res.ok ? ((await res.json()) as T) : null };
  } catch {
    return { status: 0, body: null };
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode != null) throw new Error(`The server exited (${server.exitCode}) while waiting for ${what}:\n${serverLog.slice(-4000)}`);
    if (await check()) return;
    await sleep(500);
  }
  throw new Error(`Timed out waiting for ${what}:\n${serverLog.slice(-4000)}`);
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child?.pid || child.exitCode != null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // the server runs in its own process group (npx -> tsx -> node): signal the whole group
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timedOut = await Promise.race([exited.then(() => false), sleep(10_000).then(() => true)]);
  if (timedOut) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
    await Promise.race([exited, sleep(5_000)]);
  }
}

// evaluated in the page as a string, so this file needs no DOM typings
const CANVAS_HAS_PIXELS = `(() => {
  const canvas = document.querySelector('[data-chart-ready="true"] canvas');
  if (!canvas || !canvas.width || !canvas.height) return false;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
})()`;

async function expectChartDrawn(page: Page): Promise<void> {
  await page.waitForSelector('[data-chart-ready="true"] canvas', { timeout: 30_000 });
  await page.waitForFunction(CANVAS_HAS_PIXELS, undefined, { timeout: 15_000 });
  expect(await page.evaluate(CANVAS_HAS_PIXELS)).toBe(true);
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) {
    execSync('npm run build:web', { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'mizan-e2e-'));
  server = spawn('npx', ['tsx', 'server/main.ts', '--all'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MIZAN_DATA_DIR: dataDir, MIZAN_DEMO: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));

  await waitFor('GET /api/health = 200', async () => (await getJson('/api/health')).status === 200, 120_000);
  // the demo import runs at start: wait until the overview has posts
  await waitFor(
    'demo posts in GET /api/overview',
    async () => ((await getJson<Overview>('/api/overview')).body?.totals.posts ?? 0) > 0,
    180_000,
  );

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close().catch(() => {});
  await stopServer();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('web app in the browser', () => {
  test('overview in English draws its chart, switches to Arabic, opens a scorecard from the ranking', async () => {
    const context = await browser!.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/?lang=en`);
      await expect.poll(() => page.getAttribute('html', 'dir')).toBe('ltr');
      await expect.poll(() => page.textContent('h1')).toContain('Sector overview');
      await expectChartDrawn(page);

      await page.click('[data-testid="language-switch"]');
      await page.waitForSelector('html[dir="rtl"]');
      expect(await page.getAttribute('html', 'lang')).toBe('ar');
      await expect.poll(() => page.textContent('h1')).toContain('نظرة عامة على القطاع');
      expect(page.url()).toContain('lang=ar');
      await expectChartDrawn(page);

      // click the row (not its link): the whole row opens the scorecard
      const row = page.locator('.entity-table tbody tr').first();
      await row.locator('td').nth(2).click();
      await page.waitForURL(/\/entities\/\d+/);
      await page.waitForSelector('h1');
      await expect.poll(() => page.textContent('.eyebrow')).toContain('بطاقة أداء الجهة');
      await expectChartDrawn(page);
      expect(await page.getAttribute('html', 'dir')).toBe('rtl');

      // the view survives a reload from its URL
      await page.reload();
      await page.waitForSelector('html[dir="rtl"]');
      await expectChartDrawn(page);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('Arabic is the default for a browser that prefers Arabic', async () => {
    const context = await browser!.newContext({ locale: 'ar-BH' });
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      await page.waitForSelector('html[dir="rtl"]');
      await expect.poll(() => page.textContent('h1')).toContain('نظرة عامة');
    } finally {
      await context.close();
    }
  });

  test('a flagged post shows its matched words in <mark> and the rule that was broken', async () => {
    let flagged = (await getJson<PostList>('/api/posts?verdict=violation&limit=1')).body?.items[0];
    flagged ??= (await getJson<PostList>('/api/posts?verdict=review&limit=1')).body?.items[0];
    const any = flagged ?? (await getJson<PostList>('/api/posts?limit=1')).body?.items[0];
    expect(any, 'the demo data has at least one post').toBeTruthy();

    const context = await browser!.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/posts/${any!.id}?lang=en`);
      await page.waitForSelector('.highlight');
      if (flagged) {
        const mark = page.locator('.highlight mark').first();
        await mark.waitFor();
        expect((await mark.textContent())?.length).toBeGreaterThan(0);
        await page.waitForSelector('.finding h3');
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
