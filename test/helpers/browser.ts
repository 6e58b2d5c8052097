// Debian's Chromium driven by playwright-core, for browser tests against a real hub serving the built
// client (dist/client). Waits go through locators and page functions with deadlines, never sleeps.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD } from './fixture.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** GY_TEST_CLIENT_DIR lets parallel work build the client into its own folder. */
export const CLIENT_DIR = process.env['GY_TEST_CLIENT_DIR'] ?? path.join(ROOT, 'dist', 'client');
export const SCREENS_DIR = path.join(ROOT, 'test-results', 'screens');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * The little of the DOM that functions run in the page use: the test project compiles without lib.dom
 * (it is Node code), so page functions take these from `globalThis as unknown as PageWindow`.
 */
export interface PageElement {
  textContent: string | null;
  tagName: string;
  className: unknown;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { width: number; right: number; bottom: number };
}
export interface PageWindow {
  localStorage: { getItem(key: string): string | null };
  innerWidth: number;
  innerHeight: number;
  document: {
    documentElement: { scrollWidth: number; scrollHeight: number };
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
  };
}

export const FULL_HD = { width: 1920, height: 1080 } as const;
export const LAPTOP = { width: 1440, height: 900 } as const;

/** The built client's folder; fails with what to do when it has not been built. */
export function builtClientDir(): string {
  if (!existsSync(path.join(CLIENT_DIR, 'index.html'))) {
    throw new Error(`${path.relative(ROOT, CLIENT_DIR)}/index.html is missing: run \`npm run build:client\` before the browser tests`);
  }
  return CLIENT_DIR;
}

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab; tabs share the profile, so they share the signed-in session. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A fresh headless Chromium with its own profile folder, removed on close. */
export async function launchBrowser(opts: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium fonts-wqy-zenhei)`);
  const profile = await mkdtemp(path.join(os.tmpdir(), 'gy-browser-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: opts.viewport ?? LAPTOP,
      locale: opts.locale ?? 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Saves the visible viewport to test-results/screens/<name>.png and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENS_DIR, { recursive: true });
  const file = path.join(SCREENS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false, animations: 'disabled' });
  return file;
}

/** Signs in through the login form and waits until the app has left /login. */
export async function signIn(page: Page, baseUrl: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 10_000 });
}

/** Resolves when the element with `testid` has text satisfying `accept`; fails after `timeout` ms naming what it saw. */
export async function waitForTestIdText(
  page: Page,
  testid: string,
  accept: string | RegExp,
  timeout = 10_000,
): Promise<string> {
  const locator = page.getByTestId(testid).first();
  const pattern = typeof accept === 'string' ? accept : { source: accept.source, flags: accept.flags };
  try {
    await page.waitForFunction(
      ({ id, pattern }) => {
        const { document } = globalThis as unknown as PageWindow;
        const text = document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
        return typeof pattern === 'string' ? text.includes(pattern) : new RegExp(pattern.source, pattern.flags).test(text);
      },
      { id: testid, pattern },
      { timeout },
    );
  } catch (error) {
    const seen = await locator.textContent().catch(() => null);
    throw new Error(`[data-testid=${testid}] never showed ${String(accept)} within ${timeout} ms; it shows ${JSON.stringify(seen)}`, {
      cause: error,
    });
  }
  return (await locator.textContent()) ?? '';
}

/** Collects uncaught page errors and console errors, for asserting a page ran cleanly. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}
