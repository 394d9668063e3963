// PDF through headless Chromium (playwright-core on Debian's chromium): one browser per run, its pages reused.
// Each page loads the shell document once (fonts, stylesheet); a report is then only its body (charts as SVG), handed to
// the shell's window.__mizanRender as an argument (see html.ts).
// pdfkit and pdfmake were tried for issue 9: they drop spaces in Arabic and misorder mixed runs; Chromium does not.
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** PDF cannot be made here; XLSX and CSV can. The message says how to install Chromium. */
export class ChromiumMissingError extends Error {
  constructor(path: string, cause?: string) {
    super(
      `PDF reports need Chromium at ${path}${cause ? ` (${cause})` : ''}: install it with \`apt-get install chromium\` ` +
        `(Debian/Ubuntu) or point MIZAN_CHROMIUM_PATH at a Chromium or Chrome binary; XLSX and CSV reports do not need it`,
    );
    this.name = 'ChromiumMissingError';
  }
}

export interface PdfJob {
  /** JSON for the shell's window.__mizanRender. */
  content: unknown;
  footer: string;
}

const RENDER_TIMEOUT_MS = 30_000;

export class PdfRenderer {
  readonly #idle: Page[] = [];
  readonly #waiting: ((p: Page) => void)[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly shell: string,
    pages: Page[],
  ) {
    this.#idle.push(...pages);
  }

  /** `pages` PDFs render at once (the machine's cores are the limit); `shell` is the document each page loads once. */
  static async launch(executablePath: string, shell: string, pages = 2): Promise<PdfRenderer> {
    if (!existsSync(executablePath)) throw new ChromiumMissingError(executablePath, 'not found');
    let browser: Browser;
    try {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    } catch (err) {
      throw new ChromiumMissingError(executablePath, (err as Error).message.split('\n')[0]);
    }
    const context = await browser.newContext({ javaScriptEnabled: true, offline: true });
    // Nothing leaves the page: every asset is inline.
    await context.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    const created = await Promise.all(Array.from({ length: Math.max(1, pages) }, () => context.newPage()));
    try {
      await Promise.all(created.map((p) => PdfRenderer.#load(p, shell)));
    } catch (err) {
      await browser.close();
      throw err;
    }
    return new PdfRenderer(browser, shell, created);
  }

  static async #load(page: Page, shell: string): Promise<void> {
    await page.setContent(shell, { waitUntil: 'load' });
    await page.waitForFunction('typeof window.__mizanRender === "function"', undefined, { timeout: RENDER_TIMEOUT_MS });
  }

  async #take(): Promise<Page> {
    const page = this.#idle.pop();
    if (page) return page;
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #give(page: Page) {
    const next = this.#waiting.shift();
    if (next) next(page);
    else this.#idle.push(page);
  }

  async render(job: PdfJob): Promise<Uint8Array> {
    const page = await this.#take();
    let broken = false;
    try {
      // Resolves once the body is in, the fonts are ready and the charts are drawn.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        page.evaluate((content) => (globalThis as unknown as { __mizanRender: (c: unknown) => Promise<void> }).__mizanRender(content), job.content),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`report not ready after ${RENDER_TIMEOUT_MS} ms`)), RENDER_TIMEOUT_MS))),
      ]).finally(() => clearTimeout(timer));
      const pdf = await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: job.footer,
        margin: { top: '16mm', bottom: '18mm', left: '14mm', right: '14mm' },
      });
      return new Uint8Array(pdf);
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      // A page that failed mid-report gets a fresh shell before the next report.
      if (broken) await PdfRenderer.#load(page, this.shell).catch(() => undefined);
      this.#give(page);
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
