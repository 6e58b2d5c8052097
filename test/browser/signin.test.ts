// @vitest-environment node
// Each role signs in through the real form, in Chromium, against a real hub serving the built client.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  FULL_HD, LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser,
} from '../helpers/browser.ts';

describe('signing in, each role lands on its own page', () => {
  let h: TestHub;
  let browser: TestBrowser | undefined;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
  });
  afterAll(() => h?.close());

  beforeEach(async (ctx) => {
    const wall = ctx.task.name.startsWith('the province');
    browser = await launchBrowser({ viewport: wall ? FULL_HD : LAPTOP });
    page = await browser.newPage();
    errors = recordPageErrors(page);
  });
  afterEach(async () => {
    await browser?.close();
    browser = undefined;
  });

  test('the province lands on the live wall, and reaches the cities & teams registry from it', async () => {
    await signIn(page, h.url, h.fx.users.province);
    expect(new URL(page.url()).pathname).toBe('/province/wall');
    await waitForTestIdText(page, 'wall-stage', '初赛');
    await page.locator('[data-testid="wall-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
    await page.getByTestId('wall-session-row').nth(2).waitFor();
    await screenshot(page, 'signin-province-wall');

    await page.getByTestId('wall-to-registry').click();
    await page.waitForURL((url) => url.pathname === '/province');
    await waitForTestIdText(page, 'cities-table', '南昌');
    await waitForTestIdText(page, 'teams-table', '瓷都青年');
    // The wall is the province's first entry in the side navigation.
    const nav = await page.locator('[data-testid="side-nav"] [data-testid^="nav-"]').evaluateAll((els) =>
      els.map((el) => el.getAttribute('data-testid')),
    );
    expect(nav[0]).toBe('nav-province-wall');
    expect(nav).toEqual(expect.arrayContaining(['nav-province-home', 'nav-province-schedule', 'nav-province-audit']));
    await screenshot(page, 'signin-province-registry');
    expect(errors).toEqual([]);
  });

  test('a city sees its own teams and no other city’s', async () => {
    await signIn(page, h.url, h.fx.users.cityA);
    expect(new URL(page.url()).pathname).toBe('/city');
    await waitForTestIdText(page, 'page-title', '南昌');
    const teams = await waitForTestIdText(page, 'teams-table', '赣鄱新农人');
    expect(teams).toContain('红土地优品');
    expect(teams).not.toContain('瓷都青年');
    await screenshot(page, 'signin-city');
    expect(errors).toEqual([]);
  });

  test('a team sees its own team and members, and is turned back from the province wall', async () => {
    await signIn(page, h.url, h.fx.users.teamA1);
    expect(new URL(page.url()).pathname).toBe('/team');
    await waitForTestIdText(page, 'page-title', '赣鄱新农人');
    await waitForTestIdText(page, 'members-table', '张三');
    await screenshot(page, 'signin-team');

    await page.goto(`${h.url}/province/wall`);
    await page.waitForURL((url) => url.pathname === '/team');
    expect(await page.getByTestId('wall').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
