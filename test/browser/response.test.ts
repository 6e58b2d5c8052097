// @vitest-environment node
// Real-time response in two browsers against a real hub: team A1 on a phone asks for help, city A's staff
// see the request arrive live, claim and resolve it, and the team sees every step, all without a reload.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText,
  type PageWindow, type TestBrowser,
} from '../helpers/browser.ts';

const PHONE = { width: 390, height: 844 } as const;

/** A mark left in the page's global scope: still there later means the page was never reloaded. */
const markPage = (page: Page) => page.evaluate(() => Reflect.set(globalThis, '__noReload', true));
const stillSamePage = (page: Page) => page.evaluate(() => Reflect.get(globalThis, '__noReload') === true);

describe('a team’s request for help, answered by its city live', { timeout: 60_000 }, () => {
  let h: TestHub;
  let teamBrowser: TestBrowser;
  let cityBrowser: TestBrowser;
  let team: Page;
  let city: Page;
  let teamErrors: string[];
  let cityErrors: string[];
  const problem = `直播间推流卡顿，画面一直转圈 ${Date.now().toString(36)}`;
  let ticketId = '';

  const cityCard = () => city.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"]`);
  const teamCard = () => team.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"]`);

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    [teamBrowser, cityBrowser] = await Promise.all([launchBrowser({ viewport: PHONE }), launchBrowser({ viewport: LAPTOP })]);
    [team, city] = await Promise.all([teamBrowser.newPage(), cityBrowser.newPage()]);
    teamErrors = recordPageErrors(team);
    cityErrors = recordPageErrors(city);
    await Promise.all([signIn(team, h.url, h.fx.users.teamA1), signIn(city, h.url, h.fx.users.cityA)]);
    expect(new URL(team.url()).pathname).toBe('/team');
    expect(new URL(city.url()).pathname).toBe('/city');
    for (const page of [team, city]) {
      await page.locator('[data-testid="live-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
      await markPage(page);
    }
  });
  afterAll(async () => {
    await teamBrowser?.close();
    await cityBrowser?.close();
    await h?.close();
  });

  test('the city room shows its teams live and today’s schedule; the team sees its session’s numbers', async () => {
    await waitForTestIdText(city, 'page-title', '南昌');
    await city.locator(`[data-testid="city-live-row"][data-session-id="${h.fx.sessionA1}"]`).waitFor({ timeout: 10_000 });
    await waitForTestIdText(city, 'city-schedule-table', '赣鄱新农人');
    await waitForTestIdText(city, 'teams-table', '红土地优品');
    // No collector has reported for the fixture's sessions, 10 minutes into their slot: late on the schedule,
    // and the hub's late-start alerts in the queue.
    await waitForTestIdText(city, 'city-late', '未按时开播');
    await waitForTestIdText(city, 'response-queue', '未按时开播');

    await waitForTestIdText(team, 'page-title', '赣鄱新农人');
    // The fixture's session is in its slot now: its live numbers come over session:subscribe.
    await waitForTestIdText(team, 'team-gmv', '¥0.00');
    await waitForTestIdText(team, 'team-online', /\d/);
  });

  test('the team taps “need help” on its phone and the request reaches the city room without a reload', async () => {
    await team.getByTestId('need-help').click();
    await team.getByTestId('help-kind-network').click();
    await team.getByTestId('help-text').fill(problem);
    expect(await team.getByTestId('help-link-session').textContent()).toContain(String(h.fx.sessionA1));
    await screenshot(team, 'response-team-help-390x844');
    await team.getByTestId('help-submit').click();

    const mine = team.locator('[data-testid="ticket-card"]', { hasText: problem });
    await mine.waitFor({ timeout: 10_000 });
    ticketId = (await mine.getAttribute('data-ticket-id')) ?? '';
    expect(ticketId).toMatch(/^\d+$/);
    expect(await mine.getAttribute('data-status')).toBe('open');
    expect(await mine.textContent()).toContain(`场次 #${h.fx.sessionA1}`);

    await cityCard().waitFor({ timeout: 10_000 });
    const card = (await cityCard().textContent()) ?? '';
    expect(card).toContain(problem);
    expect(card).toContain('赣鄱新农人');
    expect(card).toContain('网络');
    expect(card).toMatch(/确认剩余 \d+:\d{2}/); // the SLA clock counts
    expect(await stillSamePage(city)).toBe(true);
    await screenshot(city, 'response-city-new-ticket-1440x900');
  });

  test('the city claims and resolves it; the team sees each step and the resolution without a reload', async () => {
    await cityCard().getByTestId('ticket-claim').click();
    await city.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"][data-status="claimed"]`).waitFor({ timeout: 10_000 });
    await team.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"][data-status="claimed"]`).waitFor({ timeout: 10_000 });
    await waitForTestIdText(team, 'team-tickets', '市分公司已认领');

    await cityCard().getByTestId('ticket-resolve').click();
    await cityCard().getByTestId('ticket-text').fill('已远程重启推流，画面恢复');
    await cityCard().getByTestId('ticket-send').click();
    // Resolved tickets leave the city's queue.
    await cityCard().waitFor({ state: 'detached', timeout: 10_000 });

    await team.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"][data-status="resolved"]`).waitFor({ timeout: 10_000 });
    const steps = (await teamCard().getByTestId('ticket-steps').textContent()) ?? '';
    expect(steps).toContain('市分公司已认领');
    expect(steps).toContain('已解决');
    expect(steps).toContain('已远程重启推流，画面恢复');
    expect(await teamCard().getByTestId('ticket-status').textContent()).toContain('已解决');
    expect(await stillSamePage(team)).toBe(true);
    expect(await stillSamePage(city)).toBe(true);

    // The phone view fits 390 px: nothing scrolls sideways.
    const overflow = await team.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as PageWindow;
      return document.documentElement.scrollWidth - innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await team.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await screenshot(team, 'response-team-390x844');
    await screenshot(city, 'response-city-1440x900');
  });

  test('the province sees the ticket in its stats and list, the alerts feed, and an announcement read by the team', async () => {
    const prov = city; // the city's browser signs in again as the province
    await prov.getByTestId('logout').click();
    await signIn(prov, h.url, h.fx.users.province);
    await prov.goto(`${h.url}/province/tickets`);
    await waitForTestIdText(prov, 'ticket-stats-table', '南昌');
    await prov.locator(`[data-testid="ticket-card"][data-ticket-id="${ticketId}"][data-status="resolved"]`).waitFor({ timeout: 10_000 });
    await screenshot(prov, 'response-province-tickets-1440x900');

    await prov.getByTestId('nav-province-alerts').click();
    await waitForTestIdText(prov, 'alerts-section', '未按时开播');

    await prov.getByTestId('nav-province-announcements').click();
    const title = `初赛第二轮排期调整 ${Date.now().toString(36)}`;
    await prov.getByTestId('announcement-title').fill(title);
    await prov.getByTestId('announcement-body').fill('请各团队按新的排期准备直播。');
    await prov.getByTestId('announcement-send').click();
    const row = prov.locator('[data-testid="announcement-row"]', { hasText: title });
    await row.waitFor({ timeout: 10_000 });

    // The team's phone shows it without a reload, unread; opening it marks it read.
    const notice = team.locator('[data-testid="announcement"]', { hasText: title });
    await notice.waitFor({ timeout: 10_000 });
    expect(await notice.getAttribute('data-read')).toBe('false');
    await notice.getByTestId('announcement-toggle').click();
    await team.locator('[data-testid="announcement"][data-read="true"]', { hasText: title }).waitFor({ timeout: 10_000 });
    expect(await stillSamePage(team)).toBe(true);

    await row.getByTestId('announcement-reads').click();
    await waitForTestIdText(prov, 'announcements-section', 'teamA1');
    await screenshot(prov, 'response-province-announcements-1440x900');
    await screenshot(team, 'response-team-announcement-390x844');
    expect(teamErrors).toEqual([]);
    expect(cityErrors).toEqual([]);
  });
});
