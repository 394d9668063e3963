// Sign-in in a real browser against the real server's demo users: a wrong password is refused in the live region,
// the admin reaches the Users page (the page asked for opens after sign-in) and invites a user, the director sees
// only their entity and gets the not-found page for another's, sign-out returns to the sign-in page, Arabic is RTL.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { EntityList } from '../../server/api-types.ts';
import { DEMO, DEMO_PASSWORD, getJson, launchBrowser, signIn } from './harness.ts';

const base = inject('mizanBase');
let browser: Browser | undefined;
/** The server answers within seconds on a busy machine (scrypt, the demo import running). */
const WAIT = { timeout: 15_000 };

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

/** A fresh (signed-out) context; `run` gets its page, and no page error may happen. */
async function withPage(locale: string, run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser!.newContext({ locale, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await run(page);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}

async function fillSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in through the form and waits for the app (password hashing takes a moment on a busy machine). */
async function signInAs(page: Page, email: string): Promise<void> {
  await fillSignIn(page, email, DEMO_PASSWORD);
  await page.waitForSelector('[data-testid="user-menu"]');
}

describe('sign-in page', () => {
  test('a wrong password shows the error in the live region and signs nobody in', async () => {
    await withPage('en-US', async (page) => {
      await page.goto(`${base}/?lang=en`);
      await expect.poll(() => page.textContent('h1'), WAIT).toContain('Sign in');
      expect(await page.getAttribute('#sign-in-email', 'autocomplete')).toBe('username');
      expect(await page.getAttribute('#sign-in-password', 'autocomplete')).toBe('current-password');
      await fillSignIn(page, DEMO.viewer, 'not-the-password-at-all');
      const message = page.locator('[data-testid="sign-in-error"]');
      await expect.poll(() => message.textContent(), WAIT).toContain('wrong');
      expect(await message.getAttribute('aria-live')).toBe('assertive');
      expect(await page.getAttribute('#sign-in-password', 'aria-invalid')).toBe('true');
      expect(await page.locator('[data-testid="user-menu"]').count()).toBe(0);
    });
  });

  test('the admin opens /users, signs in there, sees the users and invites one with a one-time password', async () => {
    await withPage('en-US', async (page) => {
      await page.goto(`${base}/users?lang=en`);
      await signInAs(page, DEMO.admin);
      // the page asked for opens once signed in
      await expect.poll(() => page.textContent('h1'), WAIT).toBe('Users');
      expect(new URL(page.url()).pathname).toBe('/users');
      const table = page.locator('[data-testid="users-table"]');
      await table.waitFor();
      for (const email of Object.values(DEMO)) await expect.poll(() => table.textContent(), WAIT).toContain(email);

      const email = `invited-${Date.now()}@mizan.local`;
      await page.getByLabel('E-mail address').fill(email);
      await page.locator('#invite-role').selectOption('director');
      await page.locator('[data-testid="entity-picker"] input[type="checkbox"]').first().check();
      await page.getByRole('button', { name: 'Invite', exact: true }).click();
      const secret = page.locator('[data-testid="one-time-password"]');
      await secret.waitFor();
      expect((await secret.locator('[data-testid="secret-value"]').textContent())?.trim()).toMatch(/^\S{12,}$/);
      expect(await secret.textContent()).toContain('will not be shown again');
      await expect.poll(() => table.textContent(), WAIT).toContain(email);

      // the user menu has the admin links; the role is shown
      await page.click('[data-testid="user-menu"]');
      expect(await page.textContent('[data-testid="user-role"]')).toContain('Administrator');
      await page.click('[data-testid="nav-audit"]');
      await expect.poll(() => page.textContent('h1'), WAIT).toBe('Audit log');
      await expect.poll(() => page.locator('[data-testid="audit-table"]').textContent(), WAIT).toContain('user.created');
    });
  });

  test('the director sees only community-health on the overview and the not-found page for another entity', async () => {
    const admin = await signIn(base);
    const all = (await getJson<EntityList>(base, '/api/entities', admin)).body!.items;
    const own = all.find((e) => e.slug === 'community-health')!;
    const other = all.find((e) => e.id !== own.id)!;
    expect(own && other).toBeTruthy();

    await withPage('en-US', async (page) => {
      await page.goto(`${base}/?lang=en`);
      await signInAs(page, DEMO.director);
      await expect.poll(() => page.textContent('h1'), WAIT).toContain('Sector overview');
      const rows = page.locator('.entity-table tbody tr');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain(own.nameEn);
      // a director has no admin link in the user menu
      await page.click('[data-testid="user-menu"]');
      expect(await page.textContent('[data-testid="user-role"]')).toContain('Entity director');
      expect(await page.locator('[data-testid="nav-users"]').count()).toBe(0);

      await page.goto(`${base}/entities/${other.id}?lang=en`);
      await expect.poll(() => page.textContent('main'), WAIT).toContain('This item does not exist');
      await page.goto(`${base}/entities/${own.id}?lang=en`);
      await expect.poll(() => page.textContent('h1'), WAIT).toContain(own.nameEn);
    });
  });

  test('sign-out returns to the sign-in page, and a reload stays there', async () => {
    await withPage('en-US', async (page) => {
      await page.goto(`${base}/posts?lang=en`);
      await signInAs(page, DEMO.oversight);
      await expect.poll(() => page.textContent('h1'), WAIT).toBe('Posts');
      await page.click('[data-testid="user-menu"]');
      await page.click('[data-testid="sign-out"]');
      await page.waitForSelector('[data-testid="sign-in-form"]');
      expect(await page.textContent('h1')).toContain('Sign in');
      await page.reload();
      await page.waitForSelector('[data-testid="sign-in-form"]');
      expect(await page.locator('[data-testid="user-menu"]').count()).toBe(0);
    });
  });

  test('in Arabic the sign-in page is right to left, and the switch gives English', async () => {
    await withPage('ar-BH', async (page) => {
      await page.goto(`${base}/`);
      await page.waitForSelector('html[dir="rtl"]');
      expect(await page.getAttribute('html', 'lang')).toBe('ar');
      await expect.poll(() => page.textContent('h1'), WAIT).toContain('تسجيل الدخول');
      expect(await page.getByLabel('البريد الإلكتروني').count()).toBe(1);
      await page.click('[data-testid="language-switch"]');
      await page.waitForSelector('html[dir="ltr"]');
      await expect.poll(() => page.textContent('h1'), WAIT).toContain('Sign in');
      expect(page.url()).toContain('lang=en');
    });
  });
});
