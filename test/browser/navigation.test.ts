// @vitest-environment node
// Every role's navigation (issue #7 item 2), in Chromium against a real hub: each menu entry opens its screen
// without an error, in Chinese and in English with no message key showing through, and on a phone the same
// entries are in a drawer behind the menu button.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, type TestBrowser } from '../helpers/browser.ts';

/** What a screen looks like when a message is missing from a catalogue: vue-i18n shows its key. */
const RAW_KEY = /\b(?:nav|ops|response|analysis|wall|report|quickEntry|layout|scoreboard|settings|common|lang|role)\.[a-zA-Z]+(?:\.[a-zA-Z]+)*\b/;

const EXPECTED: Record<'province' | 'city' | 'team', string[]> = {
  province: ['province-wall', 'province-alerts', 'province-tickets', 'province-announcements', 'province-home', 'province-stages', 'province-schedule', 'province-deadlines', 'province-account-requests', 'province-incentives', 'province-violations', 'province-verify', 'province-audit', 'province-analyses', 'province-report', 'province-settings'],
  city: ['city-home', 'city-tickets', 'city-quick-entry', 'city-announcements', 'city-teams', 'city-schedule', 'city-deadlines', 'city-violations', 'city-accounts', 'city-samples', 'city-trainings', 'city-analyses', 'city-report'],
  team: ['team-home', 'team-quick-entry', 'team-sessions', 'team-analyses', 'team-violations'],
};

async function navIds(page: Page, prefix: string): Promise<string[]> {
  const ids = await page.locator(`[data-testid^="${prefix}"]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
  return ids.map((id) => id.slice(prefix.length));
}

/** The screen a route opens is up: its title (or, for the wall, its connection badge) is on screen. */
async function screenUp(page: Page, route: string): Promise<string> {
  if (route === 'province-wall') {
    await page.getByTestId('wall-connection').waitFor({ timeout: 15_000 });
    return 'wall';
  }
  // The printable reports have their own heading (no app frame around them when printed).
  const title = page.getByTestId(/-report$/.test(route) ? 'report-title' : 'page-title').first();
  await title.waitFor({ timeout: 15_000 }).catch((err: unknown) => {
    throw new Error(`${route}: no title on screen (${err instanceof Error ? err.message.split('\n')[0] : err})`);
  });
  await page.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]'), null, { timeout: 15_000 });
  return (await title.textContent())?.trim() ?? '';
}

describe('navigation for each role', () => {
  let h: TestHub;
  let browser: TestBrowser;

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  for (const role of ['province', 'city', 'team'] as const) {
    test(`${role}: every menu entry opens its screen, in Chinese and in English`, async () => {
      browser = await launchBrowser({ viewport: LAPTOP });
      const page = await browser.newPage();
      const errors = recordPageErrors(page);
      const user = { province: h.fx.users.province, city: h.fx.users.cityA, team: h.fx.users.teamA1 }[role];
      await signIn(page, h.url, user);
      // A page inside the app frame (the province lands on the full-screen wall).
      const framed = { province: '/province', city: '/city', team: '/team' }[role];
      await page.goto(`${h.url}${framed}`);
      await page.getByTestId('side-nav').waitFor();
      expect(await navIds(page, 'nav-')).toEqual(EXPECTED[role]);

      for (const locale of ['zh-CN', 'en'] as const) {
        await page.goto(`${h.url}${framed}`);
        await page.getByTestId(`lang-${locale}`).click();
        for (const route of EXPECTED[role]) {
          if (!(await page.getByTestId('side-nav').isVisible())) await page.goto(`${h.url}${framed}`);
          await page.getByTestId(`nav-${route}`).click();
          const title = await screenUp(page, route);
          expect(title, `${route} (${locale}) has a title`).not.toBe('');
          const text = (await page.locator('body').innerText()) ?? '';
          expect(RAW_KEY.exec(text)?.[0] ?? null, `${route} (${locale}) shows a message key`).toBeNull();
        }
      }
      await page.getByTestId('lang-zh-CN').click();
      await screenshot(page, `nav-${role}`);
      expect(errors).toEqual([]);
      await browser.close();
    });
  }

  test('on a phone the menu is a drawer with the same entries; a tap navigates and closes it', async () => {
    browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    const page = await browser.newPage();
    const errors = recordPageErrors(page);
    await signIn(page, h.url, h.fx.users.teamA1);
    await page.getByTestId('phone-menu').waitFor();
    expect(await page.getByTestId('side-nav').count()).toBe(0);
    await page.getByTestId('phone-menu').click();
    await page.getByTestId('phone-nav').waitFor();
    expect(await navIds(page, 'phone-nav-')).toEqual(EXPECTED.team);
    await screenshot(page, 'nav-team-phone-drawer');
    await page.getByTestId('phone-nav-team-analyses').click();
    await page.waitForURL((u) => u.pathname === '/team/analyses');
    await page.getByTestId('phone-nav').waitFor({ state: 'hidden' });
    await screenUp(page, 'team-analyses');
    const width = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await browser.close();
  });
});
