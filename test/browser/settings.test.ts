// @vitest-environment node
// The province tunes the real-time response in the browser (alert thresholds, ticket SLA: checked with the
// contract's schema before sending, saved, still there after a reload, defaults restorable), and a team on
// its phone comments on and reopens its own ticket while the city room sees each step without a reload.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText,
  type PageWindow, type TestBrowser,
} from '../helpers/browser.ts';

const PHONE = { width: 390, height: 844 } as const;

const markPage = (page: Page) => page.evaluate(() => Reflect.set(globalThis, '__noReload', true));
const stillSamePage = (page: Page) => page.evaluate(() => Reflect.get(globalThis, '__noReload') === true);

describe('response settings and the team’s own ticket steps, in the browser', { timeout: 90_000 }, () => {
  let h: TestHub;
  let browsers: TestBrowser[] = [];
  let token: { province: string; teamA1: string; cityA: string };

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    token = {
      province: await h.login(h.fx.users.province),
      teamA1: await h.login(h.fx.users.teamA1),
      cityA: await h.login(h.fx.users.cityA),
    };
  });
  afterAll(async () => {
    for (const b of browsers) await b.close();
    await h?.close();
  });

  const stored = async (path: string) => (await h.req('GET', path, { token: token.province })).body;

  describe('the province’s settings screen', () => {
    let page: Page;
    let errors: string[];
    const input = (testid: string) => page.locator(`[data-testid="${testid}"] input`);
    /** Types into an input-number and leaves it, as a person would (the value commits on change). */
    const type = async (testid: string, value: string) => {
      await input(testid).fill(value);
      await input(testid).press('Tab');
    };
    const valueOf = (testid: string) => input(testid).inputValue();
    const waitValue = (testid: string, value: string) =>
      page.waitForFunction(
        ({ id, v }) => {
          const { document } = globalThis as unknown as PageWindow;
          const el = document.querySelector(`[data-testid="${id}"] input`) as unknown as { value?: string } | null;
          return el?.value === v;
        },
        { id: testid, v: value },
        { timeout: 10_000 },
      );

    beforeAll(async () => {
      const b = await launchBrowser({ viewport: LAPTOP });
      browsers.push(b);
      page = await b.newPage();
      errors = recordPageErrors(page);
      await signIn(page, h.url, h.fx.users.province);
      await page.goto(`${h.url}/province/settings`);
      await waitForTestIdText(page, 'page-title', '设置');
    });

    test('the forms show every threshold with its unit, loaded from the hub, and the defaults in force', async () => {
      await waitValue('thresholds-silentSeconds', '120');
      const form = (await page.getByTestId('thresholds-form').textContent()) ?? '';
      for (const label of ['计划开播后仍无数据（分钟）', '直播中无数据（秒）', '在线人数下降至少（%）', '近 1 分钟订单至少（单）', '同一买家下单达（单）', '计划结束后仍在播（分钟）']) {
        expect(form).toContain(label);
      }
      expect(form).toContain('范围 30–1800秒');
      expect(await valueOf('thresholds-viewerDropRatio')).toBe('50.0'); // 0.5 stored, shown in percent
      expect(await valueOf('thresholds-lateStartMinutes')).toBe('5');
      expect(await page.getByTestId('thresholds-status').textContent()).toContain('当前为默认设置');
      await waitValue('sla-ackMinutes', '5');
      expect(await valueOf('sla-resolveMinutes')).toBe('30');
      // Labels belong to their inputs (keyboard and screen-reader users reach each by name).
      await expect(page.getByLabel('直播中无数据（秒）').inputValue()).resolves.toBe('120');
    });

    test('a value out of the contract’s bounds is refused in the form, with the reason, and nothing is saved', async () => {
      const puts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'PUT') puts.push(r.url());
      });
      await type('thresholds-silentSeconds', '10');
      await page.getByTestId('thresholds-save').click();
      await waitForTestIdText(page, 'thresholds-silentSeconds-error', '不能小于 30秒');
      await waitForTestIdText(page, 'thresholds-invalid', '有 1 项填写不正确');

      await type('sla-ackMinutes', '0');
      await page.getByTestId('sla-save').click();
      await waitForTestIdText(page, 'sla-ackMinutes-error', '不能小于 1分钟');
      await page.getByTestId('thresholds-section').evaluate((el) => (el as unknown as { scrollIntoView(): void }).scrollIntoView());
      await screenshot(page, 'settings-invalid-1440x900');

      expect(puts).toEqual([]);
      expect(await stored('/api/v1/alerts/thresholds')).toMatchObject({ isDefault: true, value: { silentSeconds: 120 } });
      expect(await stored('/api/v1/tickets/sla')).toMatchObject({ isDefault: true, value: { ackMinutes: 5 } });

      // Corrected, the message goes at once.
      await type('thresholds-silentSeconds', '90');
      await page.getByTestId('thresholds-silentSeconds-error').waitFor({ state: 'detached', timeout: 5_000 });
    });

    test('the hub’s own refusal is shown with its reason under the field', async () => {
      // A client older than the hub's contract: the request leaves with a value the hub refuses.
      await page.route('**/api/v1/alerts/thresholds', async (route) => {
        if (route.request().method() !== 'PUT') return route.continue();
        const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
        await route.continue({ postData: JSON.stringify({ ...body, silentSeconds: 5 }) });
      });
      try {
        await page.getByTestId('thresholds-save').click();
        await waitForTestIdText(page, 'thresholds-server-error', '提交的内容有误');
        await waitForTestIdText(page, 'thresholds-silentSeconds-error', '不能小于 30');
      } finally {
        await page.unroute('**/api/v1/alerts/thresholds');
      }
      // The one console error so far is the browser logging that refused request.
      expect(errors.splice(0)).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
      expect(await stored('/api/v1/alerts/thresholds')).toMatchObject({ isDefault: true });
    });

    test('valid thresholds and SLA are saved, confirmed, and still there after a reload', async () => {
      await type('thresholds-silentSeconds', '90');
      await type('thresholds-viewerDropRatio', '40');
      await type('thresholds-lateStartMinutes', '8');
      await page.getByTestId('thresholds-dirty').waitFor({ timeout: 5_000 });
      await page.getByTestId('thresholds-save').click();
      await page.locator('.el-message--success', { hasText: '告警阈值已保存' }).waitFor({ timeout: 10_000 });
      await page.getByTestId('thresholds-server-error').waitFor({ state: 'detached', timeout: 5_000 });

      await type('sla-ackMinutes', '10');
      await type('sla-resolveMinutes', '60');
      await page.getByTestId('sla-save').click();
      await page.locator('.el-message--success', { hasText: '10 分钟内确认，60 分钟内解决' }).waitFor({ timeout: 10_000 });

      expect(await stored('/api/v1/alerts/thresholds')).toMatchObject({
        isDefault: false,
        value: { silentSeconds: 90, viewerDropRatio: 0.4, lateStartMinutes: 8, burstFactor: 5, overrunMinutes: 0 },
      });
      expect(await stored('/api/v1/tickets/sla')).toMatchObject({ isDefault: false, value: { ackMinutes: 10, resolveMinutes: 60 } });

      await page.reload();
      await waitValue('thresholds-silentSeconds', '90');
      expect(await valueOf('thresholds-viewerDropRatio')).toBe('40.0');
      expect(await valueOf('thresholds-lateStartMinutes')).toBe('8');
      await waitValue('sla-ackMinutes', '10');
      expect(await valueOf('sla-resolveMinutes')).toBe('60');
      expect(await page.getByTestId('thresholds-status').textContent()).toContain('最近修改于');
      expect(await page.getByTestId('thresholds-dirty').count()).toBe(0);
      await page.getByTestId('thresholds-section').evaluate((el) => (el as unknown as { scrollIntoView(): void }).scrollIntoView());
      await screenshot(page, 'settings-saved-1440x900');
    });

    test('“restore defaults” fills in the contract’s defaults, unsaved until saved', async () => {
      await page.getByTestId('thresholds-reset').click();
      expect(await valueOf('thresholds-silentSeconds')).toBe('120');
      expect(await valueOf('thresholds-viewerDropRatio')).toBe('50.0');
      await page.getByTestId('thresholds-dirty').waitFor({ timeout: 5_000 });
      expect(await stored('/api/v1/alerts/thresholds')).toMatchObject({ value: { silentSeconds: 90 } });
      await page.getByTestId('thresholds-save').click();
      await page.getByTestId('thresholds-dirty').waitFor({ state: 'detached', timeout: 10_000 });
      expect((await stored('/api/v1/alerts/thresholds')).value).toEqual({
        lateStartMinutes: 5, silentSeconds: 120, viewerDropRatio: 0.5, viewerDropWindowSeconds: 60, viewerDropMinPeak: 20,
        burstMinOrders: 10, burstFactor: 5, repeatBuyerOrders: 5, memberBuyerOrders: 1, overrunMinutes: 0,
      });
      expect(errors).toEqual([]);
    });
  });

  describe('the team comments on and reopens its own ticket on a phone; the city room sees it live', () => {
    let team: Page;
    let city: Page;
    let teamErrors: string[];
    let cityErrors: string[];
    let id = 0;
    const teamCard = () => team.locator(`[data-testid="ticket-card"][data-ticket-id="${id}"]`);
    const cityCard = () => city.locator(`[data-testid="ticket-card"][data-ticket-id="${id}"]`);

    beforeAll(async () => {
      const opened = await h.req('POST', '/api/v1/tickets', { token: token.teamA1, body: { kind: 'equipment', text: '补光灯不亮', sessionId: h.fx.sessionA1 } });
      expect(opened.status).toBe(201);
      id = opened.body.id;
      const [tb, cb] = await Promise.all([launchBrowser({ viewport: PHONE }), launchBrowser({ viewport: LAPTOP })]);
      browsers.push(tb, cb);
      [team, city] = await Promise.all([tb.newPage(), cb.newPage()]);
      teamErrors = recordPageErrors(team);
      cityErrors = recordPageErrors(city);
      await Promise.all([signIn(team, h.url, h.fx.users.teamA1), signIn(city, h.url, h.fx.users.cityA)]);
      for (const page of [team, city]) {
        await page.locator('[data-testid="live-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
        await markPage(page);
      }
      await teamCard().waitFor({ timeout: 10_000 });
      await cityCard().waitFor({ timeout: 10_000 });
    });

    test('the team’s comment appears in the city room’s queue, marked as the team’s, without a reload', async () => {
      await teamCard().getByTestId('ticket-comment').click();
      await teamCard().getByTestId('ticket-text').fill('换了插座也不亮，备用灯在路上');
      await screenshot(team, 'settings-team-comment-390x844');
      await teamCard().getByTestId('ticket-send').click();
      await team.locator('.el-message--success', { hasText: '已留言' }).waitFor({ timeout: 10_000 });

      await waitForTestIdText(city, 'response-queue', '换了插座也不亮，备用灯在路上');
      const step = cityCard().locator('[data-testid="ticket-steps"] li[data-kind="comment"]');
      expect(await step.getAttribute('data-by')).toBe('team');
      expect(await step.textContent()).toContain('团队留言');
      expect(await teamCard().getByTestId('ticket-steps').textContent()).toContain('换了插座也不亮，备用灯在路上');
      expect(await stillSamePage(city)).toBe(true);
      await screenshot(city, 'settings-city-team-comment-1440x900');
    });

    test('resolved by the city, the ticket is reopened from the phone and comes back to the city’s queue', async () => {
      const resolved = await h.req('POST', `/api/v1/tickets/${id}/resolve`, { token: token.cityA, body: { text: '已寄送新灯' } });
      expect(resolved.body.status).toBe('resolved');
      await team.locator(`[data-testid="ticket-card"][data-ticket-id="${id}"][data-status="resolved"]`).waitFor({ timeout: 10_000 });
      await cityCard().waitFor({ state: 'detached', timeout: 10_000 });

      await teamCard().getByTestId('ticket-reopen').click();
      await team.locator(`[data-testid="ticket-card"][data-ticket-id="${id}"][data-status="open"]`).waitFor({ timeout: 10_000 });
      await city.locator(`[data-testid="ticket-card"][data-ticket-id="${id}"][data-status="open"]`).waitFor({ timeout: 10_000 });
      expect(await cityCard().getByTestId('ticket-steps').textContent()).toContain('重新打开');
      expect(await teamCard().getByTestId('ticket-reopen').count()).toBe(0);
      expect(await stillSamePage(team)).toBe(true);
      expect(await stillSamePage(city)).toBe(true);
      const row = await h.req('GET', `/api/v1/tickets/${id}`, { token: token.cityA });
      expect(row.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['opened', 'comment', 'resolved', 'reopened']);

      // The phone view fits 390 px: nothing scrolls sideways.
      const overflow = await team.evaluate(() => {
        const { document, innerWidth } = globalThis as unknown as PageWindow;
        return document.documentElement.scrollWidth - innerWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      await teamCard().scrollIntoViewIfNeeded();
      await screenshot(team, 'settings-team-reopened-390x844');
      await screenshot(city, 'settings-city-reopened-1440x900');
      expect(teamErrors).toEqual([]);
      expect(cityErrors).toEqual([]);
    });
  });
});
