// The rulebook try page in a real browser: an abusive text is highlighted and flagged, a malformed draft is
// refused with its file name shown next to the editor, and the versions list marks the version in force.
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, signInThroughPage } from './harness.ts';

// the server is started once for all browser tests by global-setup.ts
const base = inject('mizanBase');
let browser: Browser | undefined;
/** Signed in as the admin through the sign-in page, once for the file. */
let storageState: BrowserContextOptions['storageState'];

beforeAll(async () => {
  browser = await launchBrowser();
  storageState = await signInThroughPage(browser, base);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

describe('rulebook: try a rule', () => {
  test('an abusive text gets a <mark> and a verdict other than clean; a malformed draft shows its file', async () => {
    const context = await browser!.newContext({ storageState, locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/rulebook/try?lang=en`);
      await expect.poll(() => page.getAttribute('html', 'dir')).toBe('ltr');
      await expect.poll(() => page.textContent('h1')).toContain('Try a rule');

      await page.getByLabel('Post text').fill('يا حمار انت ما تفهم');
      await page.getByRole('button', { name: 'Try on this text' }).click();
      const result = page.locator('[data-testid="text-result"]');
      const mark = result.locator('.highlight mark').first();
      await mark.waitFor();
      expect((await mark.textContent())?.trim().length).toBeGreaterThan(0);
      const verdict = result.locator('header .badge');
      await expect.poll(() => verdict.getAttribute('class')).toMatch(/verdict-(review|violation)/);
      expect(await result.locator('.finding h4').count()).toBeGreaterThan(0);

      // a draft with a YAML syntax error, submitted from the keyboard
      await page.getByLabel('File name').fill('broken-draft.yaml');
      await page.getByLabel('Draft YAML').fill('category: abuse\nrules: [\n  - id: abuse.broken\n');
      await page.focus('[data-testid="try-text"]');
      await page.keyboard.press('Enter');
      const problem = page.locator('[data-testid="draft-problem"]');
      await problem.waitFor();
      await expect.poll(() => problem.textContent()).toContain('broken-draft.yaml');
      expect(await page.getAttribute('#draft-yaml', 'aria-invalid')).toBe('true');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('the versions list marks the version in force and opens its page', async () => {
    const context = await browser!.newContext({ storageState, locale: 'ar-BH', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/rulebook/versions?lang=ar`);
      await page.waitForSelector('html[dir="rtl"]');
      const active = page.locator('tr.active a').first();
      await active.waitFor();
      const version = (await active.textContent())?.trim() ?? '';
      expect(version).toMatch(/^rb-/);
      await active.click();
      await page.waitForURL(new RegExp(`/rulebook/versions/${version}`));
      await expect.poll(() => page.textContent('h1')).toContain(version);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
