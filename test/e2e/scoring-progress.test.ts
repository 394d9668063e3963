// The scoring progress bar in a real browser: on the Jobs page, in Arabic (right to left) and English, the demo's
// latest scoring run (the demo keeps importing at start, so it may be running or done) with its bar and figures.
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, signInThroughPage } from './harness.ts';

const base = inject('mizanBase');
let browser: Browser | undefined;
let storageState: BrowserContextOptions['storageState'];

beforeAll(async () => {
  browser = await launchBrowser();
  storageState = await signInThroughPage(browser, base);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

describe('scoring progress', () => {
  test.each([
    ['ar', 'rtl', 'التقييم بدليل القواعد النافذ'],
    ['en', 'ltr', 'Scoring with the rulebook in force'],
  ])('the Jobs page shows the last run (%s)', async (lang, dir, title) => {
    const context = await browser!.newContext({ storageState, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/jobs?lang=${lang}`);
      await expect.poll(() => page.getAttribute('html', 'dir')).toBe(dir);
      const card = page.locator('section.scoring');
      await card.waitFor({ timeout: 20_000 });
      expect(await card.locator('h2').innerText()).toBe(title);
      const bar = card.locator('progress');
      const max = Number(await bar.getAttribute('max'));
      expect(max).toBeGreaterThan(0);
      expect(Number(await bar.getAttribute('value'))).toBeLessThanOrEqual(max);
      expect(await card.locator('.state').getAttribute('class')).toMatch(/\b(done|running|waiting)\b/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
