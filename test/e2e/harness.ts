// Shared by the browser tests: one real server with the demo data (started once by global-setup.ts),
// and a headless Debian Chromium per test file. Every API route needs a session: HTTP calls sign in with
// POST /api/auth/login and send the cookie; browser tests sign in through the sign-in page once per file.
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions } from 'playwright-core';
import type { Overview } from '../../server/api-types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the server started by global-setup.ts */
    mizanBase: string;
  }
}

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The demo users' password (MIZAN_DEMO_PASSWORD of the server started here). */
export const DEMO_PASSWORD = 'e2e-Mizan-demo-7391';
export const DEMO = {
  admin: 'admin@mizan.local',
  oversight: 'oversight@mizan.local',
  director: 'director@mizan.local',
  viewer: 'viewer@mizan.local',
} as const;

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

/** Signs in over HTTP and returns the Cookie header value that carries the session. */
export async function signIn(base: string, email: string = DEMO.admin, password = DEMO_PASSWORD): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('mizan_session='));
  if (res.status !== 200 || !cookie) throw new Error(`Sign-in as ${email} failed: ${res.status} ${await res.text()}`);
  return cookie.split(';')[0];
}

/** GET with the session `cookie` (from signIn). */
export async function getJson<T>(base: string, path: string, cookie?: string): Promise<{ status: number; body: T | null }> {
  try {
    const res = await fetch(`${base}${path}`, { headers: cookie ? { cookie } : {} });
    return { status: res.status, body: res.ok ? ((await res.json()) as T) : null };
  } catch {
    return { status: 0, body: null };
  }
}

/** Polls `check` until it is true; `failFast` may throw earlier (the server died). */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failFast?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    failFast?.();
    if (await check()) return;
    await sleep(500);
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export interface MizanServer {
  base: string;
  stop: () => Promise<void>;
}

/** Builds the web app if needed, starts `server/main.ts --all` on a free port with a fresh data directory and waits for the demo posts and the rulebook. */
export async function startServer(): Promise<MizanServer> {
  if (!existsSync(join(ROOT, 'dist/web/index.html'))) {
    execSync('npm run build:web', { cwd: ROOT, stdio: 'inherit' });
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'mizan-e2e-'));
  let log = '';
  const child: ChildProcess = spawn('npx', ['tsx', 'server/main.ts', '--all'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MIZAN_DATA_DIR: dataDir, MIZAN_DEMO: 'true', MIZAN_DEMO_PASSWORD: DEMO_PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));

  const pgid = child.pid;
  // npx leaves quickly on SIGTERM while tsx and node may still be busy: watch the whole process group, not the child
  const groupAlive = (): boolean => {
    if (!pgid) return false;
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (s: NodeJS.Signals): void => {
    try {
      process.kill(-pgid!, s);
    } catch {
      child.kill(s);
    }
  };
  const waitGone = async (ms: number): Promise<boolean> => {
    const deadline = Date.now() + ms;
    while (groupAlive() && Date.now() < deadline) await sleep(200);
    return !groupAlive();
  };

  const stop = async (): Promise<void> => {
    if (groupAlive()) {
      signalGroup('SIGTERM');
      if (!(await waitGone(8_000))) {
        signalGroup('SIGKILL');
        await waitGone(5_000);
      }
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  };

  const died = () => {
    if (child.exitCode != null) throw new Error(`The server exited (${child.exitCode}):\n${log.slice(-4000)}`);
  };
  try {
    await waitFor('GET /api/health = 200', async () => (await getJson(base, '/api/health')).status === 200, 120_000, died);
    const cookie = await signIn(base);
    // the demo import runs at start: wait until the overview has posts, and the first scoring run has published the rulebook
    await waitFor('demo posts in GET /api/overview', async () => ((await getJson<Overview>(base, '/api/overview', cookie)).body?.totals.posts ?? 0) > 0, 180_000, died);
    await waitFor('GET /api/rulebook = 200', async () => (await getJson(base, '/api/rulebook', cookie)).status === 200, 60_000, died);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${log.slice(-4000)}`);
  }
  return { base, stop };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Signs in through the sign-in page (in English) and returns the browser state that holds the session, for
 * `browser.newContext({ storageState })`: one sign-in per test file, every context of the file signed in.
 */
export async function signInThroughPage(browser: Browser, base: string, email: string = DEMO.admin, password = DEMO_PASSWORD): Promise<NonNullable<BrowserContextOptions['storageState']>> {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${base}/?lang=en`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForSelector('[data-testid="user-menu"]');
    return await context.storageState();
  } finally {
    await context.close();
  }
}
