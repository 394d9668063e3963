// Right-to-left override characters in post text and handles are shown as their code points, and the
// evidence highlight still marks the matched words. The demo data has no such post, so the post page and the
// list get a real demo post from the real server with controls put in front (the browser's answer is rewritten).
import type { Browser, BrowserContextOptions, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { PostDetail, PostList } from '../../server/api-types.ts';
import { getJson, launchBrowser, signIn, signInThroughPage } from './harness.ts';

const base = inject('mizanBase');
let browser: Browser | undefined;
/** Signed in as the admin through the sign-in page (once for the file) and over HTTP. */
let storageState: BrowserContextOptions['storageState'];
let cookie = '';

const RLO = '\u202E';
const PREFIX = `${RLO}txt.exe \u2067`;
const CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

beforeAll(async () => {
  browser = await launchBrowser();
  storageState = await signInThroughPage(browser, base);
  cookie = await signIn(base);
});

afterAll(async () => {
  await browser?.close().catch(() => {});
});

async function withPage(run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser!.newContext({ storageState, locale: 'en-US', viewport: { width: 1280, height: 900 } });
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

describe('bidi controls in the browser', () => {
  test('the post page shows U+202E as a marker in the text and the handle, and marks the same words as before', async () => {
    const flagged = (await getJson<PostList>(base, '/api/posts?verdict=violation&limit=1', cookie)).body?.items[0] ?? (await getJson<PostList>(base, '/api/posts?verdict=review&limit=1', cookie)).body?.items[0];
    expect(flagged, 'the demo data has a flagged post').toBeTruthy();
    const original = (await getJson<PostDetail>(base, `/api/posts/${flagged!.id}`, cookie)).body!;
    const finding = original.findingsList.find((f) => f.status !== 'dismissed' && original.findingsList.every((g) => g === f || g.end <= f.start || g.start >= f.end));
    expect(finding, 'a finding that overlaps no other').toBeTruthy();
    const words = original.text.slice(finding!.start, finding!.end);
    expect(words).not.toMatch(CONTROLS);
    // the same post with controls before the evidence: every offset moves by the prefix, as the scorer would store it
    const shifted: PostDetail = {
      ...original,
      text: PREFIX + original.text,
      handle: RLO + original.handle,
      findingsList: original.findingsList.map((f) => ({ ...f, start: f.start + PREFIX.length, end: f.end + PREFIX.length })),
    };

    await withPage(async (page) => {
      await page.route(`**/api/posts/${original.id}`, (route: Route) => route.fulfill({ json: shifted }));
      await page.goto(`${base}/posts/${original.id}?lang=en`);
      const text = page.locator('.highlight');
      await text.waitFor();
      const marker = text.locator('.bidi-control').first();
      expect(await marker.textContent()).toBe('⟨U+202E⟩');
      expect(await marker.isVisible()).toBe(true);
      expect(await text.locator('.bidi-control').nth(1).textContent()).toBe('⟨U+2067⟩');
      // the control is shown, never left in the page to reorder the text
      expect(await text.textContent()).not.toMatch(CONTROLS);
      expect((await text.textContent())?.startsWith('⟨U+202E⟩txt.exe ⟨U+2067⟩')).toBe(true);
      expect(await text.locator(`mark[data-findings="${finding!.id}"]`).textContent()).toBe(words);
      await expect.poll(() => page.locator('.page-header bdi[dir="ltr"] .bidi-control').textContent()).toBe('⟨U+202E⟩');
    });
  });

  test('a post card in the list shows the marker in its text and handle', async () => {
    await withPage(async (page) => {
      await page.route(
        (url) => url.pathname === '/api/posts',
        async (route: Route) => {
          const list = (await (await route.fetch()).json()) as PostList;
          list.items[0] = { ...list.items[0], text: PREFIX + list.items[0].text, handle: RLO + list.items[0].handle };
          await route.fulfill({ json: list });
        },
      );
      await page.goto(`${base}/posts?lang=en`);
      const card = page.locator('.post-card').first();
      await card.waitFor();
      expect(await card.locator('.text .bidi-control').first().textContent()).toBe('⟨U+202E⟩');
      expect(await card.locator('.text .bidi-control').first().isVisible()).toBe(true);
      expect(await card.locator('.handle .bidi-control').textContent()).toBe('⟨U+202E⟩');
      expect(await card.textContent()).not.toMatch(CONTROLS);
    });
  });

  test('a text tried on the rulebook page shows the marker, and the abusive word is still the one marked', async () => {
    await withPage(async (page) => {
      await page.goto(`${base}/rulebook/try?lang=en`);
      await expect.poll(() => page.textContent('h1')).toContain('Try a rule');
      await page.getByLabel('Post text').fill(`${RLO}txt.exe يا حمار انت ما تفهم`);
      await page.getByRole('button', { name: 'Try on this text' }).click();
      const result = page.locator('[data-testid="text-result"]');
      await result.locator('.highlight mark').first().waitFor();
      expect(await result.locator('.highlight .bidi-control').first().textContent()).toBe('⟨U+202E⟩');
      expect(await result.locator('.highlight').textContent()).not.toMatch(CONTROLS);
      const marked = await result.locator('.highlight mark').allTextContents();
      expect(marked.some((m) => m.includes('حمار'))).toBe(true);
      expect(marked.join('')).not.toContain('txt.exe');
    });
  });
});
