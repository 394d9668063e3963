// The scorecard's accounts in a real browser, in Arabic (right to left): each account shows its collection
// (last run, next run, posts captured) and "test connection" / "import now" answer inline, by keyboard.
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { AccountList, EntityList } from '../../server/api-types.ts';
import { getJson, launchBrowser, signIn, signInThroughPage } from './harness.ts';

const base = inject('mizanBase');
let browser: Browser | undefined;
/** Signed in as the admin through the sign-in page (once for the file) and over HTTP. */
let storageState: BrowserContextOptions['storageState'];
let cookie = '';

beforeAll(async () => {
  browser = await launchBrowser();
  storageState = await signInThroughPage(browser, base);
  cookie = await signIn(base);
});
afterAll(async () => {
  await browser?.close().catch(() => {});
});

describe('account collection on the scorecard', () => {
  test('test connection shows the sample texts in their own direction; import now follows the run to its end', async () => {
    const entities = await getJson<EntityList>(base, '/api/entities', cookie);
    const entity = entities.body!.items.find((e) => e.accounts > 0)!;
    const context = await browser!.newContext({ storageState, locale: 'ar-BH', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(`${base}/entities/${entity.id}?lang=ar`);
      await page.waitForSelector('html[dir="rtl"]');
      const group = page.locator('table.accounts tbody tr').first().locator('[role="group"]');
      await group.waitFor();
      await expect.poll(() => group.textContent()).toContain('الجمع التالي');
      await expect.poll(() => group.textContent()).toContain('منشور محفوظ');

      // Keyboard: focus the button and press Enter.
      const testButton = group.locator('[data-testid="test-connection"]');
      await testButton.focus();
      await page.keyboard.press('Enter');
      const result = group.locator('[data-testid="test-result"]');
      await result.waitFor({ timeout: 30_000 });
      expect(await result.textContent()).toContain('الاتصال ناجح');
      const samples = result.locator('li[dir="auto"]');
      expect(await samples.count()).toBeGreaterThan(0);
      expect(await testButton.isEnabled()).toBe(true);

      const accounts = (await getJson<AccountList>(base, `/api/accounts?entity=${entity.id}`, cookie)).body!.items;
      expect(accounts.every((a) => a.nextRunAt === null || typeof a.nextRunAt === 'string')).toBe(true);
      const importButton = group.locator('[data-testid="import-now"]');
      await importButton.click();
      await expect.poll(() => importButton.isDisabled(), { timeout: 5_000 }).toBe(true);
      // The run ends (the page polls every 2 s), the button is back and the result is said.
      await expect.poll(() => group.textContent(), { timeout: 90_000, interval: 500 }).toMatch(/انتهى الاستيراد|ما زال الاستيراد جارياً/);
      expect(await importButton.isEnabled()).toBe(true);
      expect(await group.locator('.pill').first().textContent()).toBeTruthy();
      const text = (await group.textContent()) ?? '';
      if (text.includes('انتهى الاستيراد')) expect(text).not.toContain('الجمع جارٍ الآن');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
