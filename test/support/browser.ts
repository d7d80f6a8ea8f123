// A real browser for the report tests: Debian's chromium driven by puppeteer-core (the npm
// registry cannot download browsers here). Like the AWS CLI referee: without the browser the tests
// skip with a visible message, and under CI=true its absence is a failure (.ci/run installs it).
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((p): p is string => !!p);

export function browserPath(): string | undefined {
  return CANDIDATES.find((p) => existsSync(p));
}

/** True when a browser is there; else skips visibly, or throws under CI. */
export function browserAvailable(purpose: string): boolean {
  if (browserPath()) return true;
  const msg = `no Chromium found (${CANDIDATES.join(', ')}): ${purpose} tests are skipped (install it: apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires a browser: ${msg}`);
  process.stderr.write(`SKIP: ${msg}\n`);
  return false;
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Every request the page tried that was not the report file itself (all are refused). */
  outside: string[];
  close(): Promise<void>;
}

export interface ReportBrowser {
  open(file: string, viewport?: { width: number; height: number }): Promise<OpenedPage>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with no network: the flags keep it from calling home (refused here anyway),
 * and every request but the file asked for is aborted and recorded, so a test sees any fetch.
 */
export async function launchBrowser(): Promise<ReportBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'r53m-chromium-'));
  const browser: Browser = await puppeteer.launch({
    executablePath: browserPath()!,
    headless: true,
    userDataDir: profile,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    timeout: 60_000,
  });
  return {
    async open(file, viewport = { width: 1400, height: 1000 }) {
      const page = await browser.newPage();
      await page.setViewport(viewport);
      const errors: string[] = [];
      const outside: string[] = [];
      const url = pathToFileURL(file).href;
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.setRequestInterception(true);
      page.on('request', (r) => {
        if (r.url() === url) return void r.continue();
        outside.push(r.url());
        void r.abort();
      });
      await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
      return { page, errors, outside, close: () => page.close() };
    },
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
