// The web app in a real browser against a real server with the demo data: charts drawn, Arabic mirrored,
// a scorecard opened from the ranking, a flagged post highlighted.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { PostList } from '../../server/api-types.ts';
import { getJson as getJsonFrom, launchBrowser, signIn, signInThroughPage } from './harness.ts';

// the server is started once for all browser tests by global-setup.ts
const base = inject('mizanBase');
let browser: Browser | undefined;
/** Signed in as the admin through the sign-in page (once for the file) and over HTTP. */
let storageState: BrowserContextOptions['storageState'];
let cookie = '';

const getJson = <T>(path: string) => getJsonFrom<T>(base, path, cookie);

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
  browser = await launchBrowser();
  storageState = await signInThroughPage(browser, base);
  cookie = await signIn(base);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

describe('web app in the browser', () => {
  test('overview in English draws its chart, switches to Arabic, opens a scorecard from the ranking', async () => {
    const context = await browser!.newContext({ storageState, locale: 'en-US', viewport: { width: 1280, height: 900 } });
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
    const context = await browser!.newContext({ storageState, locale: 'ar-BH' });
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

    const context = await browser!.newContext({ storageState, locale: 'en-US', viewport: { width: 390, height: 844 } });
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
