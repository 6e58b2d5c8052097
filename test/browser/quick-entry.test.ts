// @vitest-environment node
// Quick entry in Chromium: a team on a 390×844 phone finds 手动录入 from its live card, sees its last entry is old
// (a reminder), types the Youle console's figures, gets a clear refusal for a lower total, and the province wall,
// open in a second browser, shows the numbers on the team's row marked 手动录入. City staff then see the mark in
// their room and enter for another of their teams.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  FULL_HD, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser,
} from '../helpers/browser.ts';
import type { Clock } from '../../server/clock.ts';

const PHONE = { width: 390, height: 844 } as const;

describe('quick entry on a phone, seen on the wall', { timeout: 60_000 }, () => {
  let h: TestHub;
  let phone: TestBrowser;
  let wallBrowser: TestBrowser;
  let team: Page;
  let wall: Page;
  const errors: string[] = [];
  /** The hub runs on real time, shifted while the earlier entry is made. */
  let offset = 0;
  const clock: Clock = { now: () => Date.now() + offset };
  const row = () => wall.locator(`[data-testid="wall-session-row"][data-session-id="${h.fx.sessionA1}"]`);
  const row2 = () => wall.locator(`[data-testid="wall-session-row"][data-session-id="${h.fx.sessionA2}"]`);

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir(), clock });
    // An entry seven minutes ago, made by the team from another phone.
    offset = -7 * 60_000;
    const token = await h.login(h.fx.users.teamA1);
    const earlier = await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/manual-stats`, {
      token,
      body: { key: 'earlier-entry-1', online: 20, views: 300, gmvFen: 10_000, orders: 2 },
    });
    if (earlier.status !== 200) throw new Error(`earlier entry: ${earlier.status} ${JSON.stringify(earlier.body)}`);
    offset = 0;

    phone = await launchBrowser({ viewport: PHONE });
    wallBrowser = await launchBrowser({ viewport: FULL_HD });
    team = await phone.newPage();
    wall = await wallBrowser.newPage();
    for (const p of [team, wall]) p.setDefaultTimeout(15_000);
    errors.push(...[team, wall].flatMap((p) => recordPageErrors(p)));
  }, 60_000);
  afterAll(async () => {
    await phone?.close();
    await wallBrowser?.close();
    await h?.close();
  });

  test('the team opens 手动录入 from its live card: its session is picked, the last entry is shown with a reminder', async () => {
    await signIn(team, h.url, h.fx.users.teamA1);
    // On a phone the side navigation is folded away; the team's live card links to quick entry.
    await team.getByTestId('team-quick-entry-link').click();
    await team.waitForURL((url) => url.pathname === '/team/quick-entry');
    await waitForTestIdText(team, 'qe-last-figures', '¥100.00');
    await waitForTestIdText(team, 'qe-last', '7 分钟前');
    await waitForTestIdText(team, 'qe-remind', '超过 5 分钟');
    // The form starts from what is counted.
    expect(await team.getByLabel('订单数').inputValue()).toBe('2');
    expect(await team.getByLabel('成交额（元）').inputValue()).toBe('100.00');
    // Nothing runs off the side of the phone.
    const overflow = await team.evaluate(() => {
      const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
      return w.document.documentElement.scrollWidth - w.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(team, 'quick-entry-phone-reminder');
  });

  test('a lower total is refused, under its field, quoting what is counted, and nothing changes', async () => {
    await team.getByLabel('订单数').fill('1');
    await team.getByTestId('qe-submit').click();
    await waitForTestIdText(team, 'qe-orders-error', '订单数不能少于已记录的 2');
    await team.getByLabel('成交额（元）').fill('12.345');
    await team.getByTestId('qe-submit').click();
    await waitForTestIdText(team, 'qe-gmv-error', '请填写金额');
    await screenshot(team, 'quick-entry-phone-refused');
    expect((await h.hub.live.store.getSessions([h.fx.sessionA1])).get(h.fx.sessionA1)).toMatchObject({ orders: 2, gmvFen: 10_000 });
  });

  test('the team enters the console’s figures; the province wall shows them on its row, marked 手动录入', async () => {
    await signIn(wall, h.url, h.fx.users.province);
    await wall.waitForURL((url) => url.pathname === '/province/wall');
    await row().waitFor({ timeout: 10_000 });
    await expect.poll(() => row().getByTestId('row-gmv').textContent()).toContain('¥100.00');

    await team.getByLabel('在线人数').fill('88');
    await team.getByLabel('观看人次').fill('1,234');
    await team.getByLabel('成交额（元）').fill('456.78');
    await team.getByLabel('订单数').fill('5');
    await team.getByTestId('qe-submit').click();
    await waitForTestIdText(team, 'qe-last-figures', '¥456.78');
    await waitForTestIdText(team, 'qe-last', '刚刚');
    expect(await team.getByTestId('qe-remind').count()).toBe(0);
    await screenshot(team, 'quick-entry-phone-entered');

    await expect.poll(() => row().getByTestId('row-gmv').textContent(), { timeout: 10_000 }).toContain('¥456.78');
    expect(await row().getByTestId('row-orders').textContent()).toContain('5');
    expect(await row().getByTestId('row-online').textContent()).toContain('88');
    expect(await row().getByTestId('row-manual').textContent()).toContain('手动录入');
    // A row fed by nothing typed carries no mark.
    expect(await wall.locator(`[data-testid="wall-session-row"][data-session-id="${h.fx.sessionB1}"] [data-testid="row-manual"]`).count()).toBe(0);
    await screenshot(wall, 'quick-entry-wall-manual');
  });

  test('city staff see the mark in their room, pick one of their teams’ sessions and enter for it', async () => {
    await team.getByTestId('logout').click();
    await team.waitForURL((url) => url.pathname === '/login');
    await signIn(team, h.url, h.fx.users.cityA);
    const manualMark = (sessionId: number) =>
      team.locator(`[data-testid="city-live-table"] tr:has([data-testid="city-live-row"][data-session-id="${sessionId}"]) [data-testid="city-live-manual"]`);
    await manualMark(h.fx.sessionA1).waitFor();
    expect(await manualMark(h.fx.sessionA2).count()).toBe(0);
    await team.getByTestId('city-quick-entry-link').click();
    await team.waitForURL((url) => url.pathname === '/city/quick-entry');
    // Two of the city's sessions are on air: nothing is entered until one is picked.
    expect(await team.getByLabel('订单数').count()).toBe(0);
    await team.getByTestId('qe-session').click();
    await team.getByRole('option', { name: /红土地优品/ }).click();
    await waitForTestIdText(team, 'qe-last', '本场还没有手动录入');
    await team.getByLabel('在线人数').fill('12');
    await team.getByLabel('观看人次').fill('80');
    await team.getByLabel('成交额（元）').fill('59');
    await team.getByLabel('订单数').fill('1');
    await team.getByTestId('qe-submit').click();
    await waitForTestIdText(team, 'qe-last', '市分公司录入');
    await waitForTestIdText(team, 'qe-last-figures', '¥59.00');
    await screenshot(team, 'quick-entry-city-phone');
    await expect.poll(() => row2().getByTestId('row-gmv').textContent(), { timeout: 10_000 }).toContain('¥59.00');
    expect(await row2().getByTestId('row-manual').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
