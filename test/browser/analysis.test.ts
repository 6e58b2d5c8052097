// @vitest-environment node
// The post-session analysis in Chromium, fed by a real hub: a session with orders and stats ingested over HTTP is
// ended by city staff; the team reads its analysis on a 390×844 phone (curves, GMV) and saves its reflection; city
// staff comment, and the record turns complete.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import {
  LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser,
} from '../helpers/browser.ts';

const PHONE = { width: 390, height: 844 } as const;
let seq = 0;
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;
const yuan = (fen: number) => `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;

describe('the session analysis', () => {
  let h: TestHub;
  let phone: TestBrowser;
  let desk: TestBrowser;
  let teamPage: Page;
  let cityPage: Page;
  let errors: string[];
  let total = 0;

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    const key = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    const sessionId = h.fx.sessionA1;
    const base = Date.now() - 8 * 60_000;
    const at = (minute: number) => new Date(base + minute * 60_000).toISOString();
    const events: unknown[] = [];
    for (let m = 0; m < 6; m++) {
      events.push({ type: 'stats', id: uid('s'), sessionId, at: at(m), online: 20 + m * 15, views: 100 + m * 80, likes: m * 10 });
      const amountFen = 1990 + m * 1000;
      total += amountFen;
      events.push({
        type: 'order', id: uid('o'), sessionId, at: at(m + 0.5), orderId: uid('ord'), quantity: 1, amountFen,
        productId: m % 2 ? 'p-rice' : 'p-tea', productName: m % 2 ? '万年贡米' : '庐山云雾茶',
      });
    }
    const ingested = await h.req('POST', '/api/v1/ingest', { token: key, body: { events } });
    expect(ingested.status).toBe(200);
    expect(ingested.body).toMatchObject({ accepted: events.length, rejected: [] });
    await h.hub.live.persister!.drain();
    // A ticket opened by the team while live: a mark on the curves.
    const teamToken = await h.login(h.fx.users.teamA1);
    const ticket = await h.req('POST', '/api/v1/tickets', { token: teamToken, body: { kind: 'network', text: '直播间卡顿', sessionId } });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    const cityToken = await h.login(h.fx.users.cityA);
    const ended = await h.req('POST', `/api/v1/sessions/${sessionId}/end`, { token: cityToken, body: {} });
    expect(ended.status, JSON.stringify(ended.body)).toBe(200);

    phone = await launchBrowser({ viewport: PHONE });
    teamPage = await phone.newPage();
    errors = recordPageErrors(teamPage);
    desk = await launchBrowser({ viewport: LAPTOP });
    cityPage = await desk.newPage();
  }, 60_000);
  afterAll(async () => {
    await phone?.close();
    await desk?.close();
    await h?.close();
  });

  test('the team opens its analysis on a phone: curves drawn, GMV shown, record incomplete', async () => {
    await signIn(teamPage, h.url, h.fx.users.teamA1);
    await teamPage.goto(`${h.url}/team/analyses`);
    const row = teamPage.locator(`[data-testid="team-analysis-row"][data-session-id="${h.fx.sessionA1}"]`);
    await row.waitFor({ timeout: 10_000 });
    await screenshot(teamPage, 'analysis-team-list-390');
    await row.locator('a').click();
    await teamPage.waitForURL((url) => url.pathname === `/team/analysis/${h.fx.sessionA1}`);

    await waitForTestIdText(teamPage, 'analysis-gmv', yuan(total));
    for (const metric of ['online', 'orders', 'gmv']) {
      await teamPage.locator(`[data-testid="analysis-curve-${metric}"] canvas`).first().waitFor({ timeout: 10_000 });
    }
    await waitForTestIdText(teamPage, 'analysis-mark-count', /\([1-9]\d*\)/);
    expect(await teamPage.getByTestId('analysis-verified-gmv').textContent()).toContain('尚未对账');
    await waitForTestIdText(teamPage, 'analysis-products', '庐山云雾茶');
    expect(await teamPage.locator('[data-testid="completeness"]').first().getAttribute('data-complete')).toBe('false');
    // Nothing wider than the phone.
    const scrollWidth = await teamPage.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    expect(scrollWidth).toBeLessThanOrEqual(PHONE.width + 1);
    await screenshot(teamPage, 'analysis-team-390');
    await teamPage.getByTestId('analysis-curves').scrollIntoViewIfNeeded();
    await screenshot(teamPage, 'analysis-team-curves-390');
  });

  test('the team fills in and saves its reflection (all five fields required)', async () => {
    const field = (name: string) => teamPage.locator(`[data-testid="reflection-${name}"]`).locator('xpath=descendant-or-self::textarea');
    // Saving with a field empty is refused on the page.
    await field('wentWell').fill('开场引流做得好，贡米讲解清楚');
    await teamPage.getByTestId('reflection-save').click();
    await waitForTestIdText(teamPage, 'analysis-reflection', '请填写此项');
    await field('wentWrong').fill('中段在线人数下滑');
    await field('toChange').fill('每 15 分钟安排一次福利');
    await field('keepProducts').fill('万年贡米');
    await field('dropProducts').fill('无');
    await teamPage.getByTestId('reflection-save').click();
    await teamPage.locator('[data-testid="analysis-reflection-state"][data-done="true"]').waitFor({ timeout: 10_000 });
    expect(await teamPage.locator('[data-testid="completeness"]').first().getAttribute('data-complete')).toBe('false');
    await teamPage.getByTestId('analysis-reflection').scrollIntoViewIfNeeded();
    await screenshot(teamPage, 'analysis-team-reflection-390');
    expect(errors).toEqual([]);
  });

  test('city staff see the incomplete record, comment, and it turns complete', async () => {
    await signIn(cityPage, h.url, h.fx.users.cityA);
    await cityPage.goto(`${h.url}/city/analyses`);
    const row = cityPage.locator(`[data-testid="lacking-row"][data-session-id="${h.fx.sessionA1}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await cityPage.getByTestId('city-completeness-counts').getAttribute('data-complete')).toBe('0');
    await screenshot(cityPage, 'analysis-city-lacking');
    await row.locator('a').click();
    await cityPage.waitForURL((url) => url.pathname === `/city/analysis/${h.fx.sessionA1}`);
    await waitForTestIdText(cityPage, 'analysis-reflection', '万年贡米');
    await cityPage.locator('[data-testid="comment-input"]').locator('xpath=descendant-or-self::textarea').fill('复盘认真，下场注意中段节奏。');
    await cityPage.getByTestId('comment-save').click();
    await cityPage.locator('[data-testid="analysis-page"] [data-testid="completeness"][data-complete="true"]').first().waitFor({ timeout: 10_000 });
    await screenshot(cityPage, 'analysis-city-commented');

    await cityPage.goto(`${h.url}/city/analyses`);
    await cityPage.locator('[data-testid="city-completeness-counts"][data-complete="1"]').waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(0);
    await screenshot(cityPage, 'analysis-city-complete');

    // The team sees the record complete too.
    await teamPage.goto(`${h.url}/team/analyses`);
    await teamPage.locator(`[data-testid="team-analysis-row"][data-session-id="${h.fx.sessionA1}"] [data-complete="true"]`).waitFor({ timeout: 10_000 });
  });

  test('prints on A4 without the app frame', async () => {
    await teamPage.goto(`${h.url}/team/analysis/${h.fx.sessionA1}`);
    await waitForTestIdText(teamPage, 'analysis-gmv', yuan(total));
    await teamPage.emulateMedia({ media: 'print' });
    expect(await teamPage.locator('.app-layout__header').isVisible()).toBe(false);
    expect(await teamPage.getByTestId('analysis-print').isVisible()).toBe(false);
    await screenshot(teamPage, 'analysis-print-390');
    await teamPage.emulateMedia({ media: 'screen' });
  });

  test('the province sees completeness per city and rankings on either basis, saying which', async () => {
    const browser = await launchBrowser({ viewport: LAPTOP });
    try {
      const page = await browser.newPage();
      await signIn(page, h.url, h.fx.users.province);
      await page.goto(`${h.url}/province/analyses`);
      await waitForTestIdText(page, 'province-completeness-table', '南昌');
      await waitForTestIdText(page, 'rankings-basis-text', '暂定口径');
      await waitForTestIdText(page, 'rankings-table', '赣鄱新农人');
      await page.getByTestId('rankings-basis').getByText('核实口径').click();
      await waitForTestIdText(page, 'rankings-basis-text', '核实口径');
      await screenshot(page, 'analysis-province');
    } finally {
      await browser.close();
    }
  });
});
