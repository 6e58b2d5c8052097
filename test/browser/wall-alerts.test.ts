// @vitest-environment node
// The wall's alert feed against a real hub: the hub's evaluator raises `late_start` for the fixture's silent
// sessions; the wall lists them, and an event from the session clears its alert off the feed.
// Also: the province's ranking check (排名核验) runs and shows its result.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { FULL_HD, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, type TestBrowser } from '../helpers/browser.ts';

describe('the wall alert feed', () => {
  let h: TestHub;
  let browser: TestBrowser;
  let page: Page;
  let errors: string[];
  let collectorKey: string;

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    collectorKey = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    browser = await launchBrowser({ viewport: FULL_HD });
    page = await browser.newPage();
    errors = recordPageErrors(page);
    await signIn(page, h.url, h.fx.users.province);
    await page.waitForURL((url) => url.pathname === '/province/wall');
    await page.locator('[data-testid="wall-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  test('late-start alerts appear on the wall and leave it once the session is heard from', async () => {
    expect(await page.getByTestId('wall-alerts').isVisible()).toBe(true);
    const item = (sessionId: number) => page.locator(`[data-testid="wall-alert"][data-session-id="${sessionId}"]`);
    const cityASessions = [h.fx.sessionA1, h.fx.sessionA2];
    await page
      .locator(cityASessions.map((id) => `[data-testid="wall-alert"][data-session-id="${id}"]`).join(', '))
      .first()
      .waitFor({ timeout: 20_000 });
    const sessionId = Number(
      await page
        .locator(cityASessions.map((id) => `[data-testid="wall-alert"][data-session-id="${id}"]`).join(', '))
        .first()
        .getAttribute('data-session-id'),
    );
    expect(await item(sessionId).first().textContent()).toContain('未按时开播');
    await screenshot(page, 'wall-alerts-1920x1080');

    const r = await h.req('POST', '/api/v1/ingest', {
      token: collectorKey,
      body: {
        events: [
          { type: 'order', id: `o-${Date.now()}`, sessionId, at: new Date().toISOString(), orderId: `ord-${Date.now()}`, quantity: 1, amountFen: 100 },
        ],
      },
    });
    expect(r.status).toBe(200);
    await page.waitForFunction(
      (id) => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(`[data-testid="wall-alert"][data-session-id="${id}"][data-rule="late_start"]`),
      sessionId,
      { timeout: 20_000 },
    );
    expect(errors).toEqual([]);
  });

  test('the ranking check runs and shows its result', async () => {
    await page.goto(`${h.url}/province/verify`);
    await page.getByTestId('verify-run').click();
    await page.getByTestId('verify-result').waitFor({ timeout: 15_000 });
    expect(['true', 'false']).toContain(await page.getByTestId('verify-result').getAttribute('data-ok'));
    await screenshot(page, 'province-verify');
  });

  test('account requests from a city are listed, approved and rejected', async () => {
    const cityToken = await h.login(h.fx.users.cityA);
    const make = async (applicant: string) => {
      const r = await h.req('POST', '/api/v1/account-requests', { token: cityToken, body: { applicant, details: { 平台: '抖音' } } });
      expect(r.status).toBeLessThan(300);
    };
    await make('申请人甲');
    await make('申请人乙');
    await page.goto(`${h.url}/province/account-requests`);
    const table = page.getByTestId('account-requests-table');
    await table.getByText('申请人甲').waitFor({ timeout: 10_000 });
    const rowOf = (name: string) => table.locator('tr', { hasText: name });

    await rowOf('申请人甲').getByTestId('account-request-approve').click();
    await page.getByTestId('account-request-account-no').fill('oms_test_01');
    await page.getByTestId('account-request-label').fill('南昌测试帐号');
    await page.getByTestId('account-request-submit').click();
    await rowOf('申请人甲').getByText('已批准').waitFor({ timeout: 10_000 });

    await rowOf('申请人乙').getByTestId('account-request-reject').click();
    await page.getByTestId('account-request-note').fill('资料不全');
    await page.getByTestId('account-request-submit').click();
    await rowOf('申请人乙').getByText('已驳回').waitFor({ timeout: 10_000 });
    await screenshot(page, 'province-account-requests');
  });
});
