// @vitest-environment node
// The public scoreboard in Chromium, never signed in: closed, then opened and frozen by the province (the page
// follows by itself over the /public room), on a big screen and on a phone; and the province's controls.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { FULL_HD, LAPTOP, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText } from '../helpers/browser.ts';
import { createCollectorKey } from '../../server/auth/service.ts';

describe('the public scoreboard page', () => {
  let h: TestHub;
  let province: string;

  const sell = async (sessionId: number, cityCode: string, amountFen: number) => {
    const { key } = await createCollectorKey(h.db, { cityCode });
    const at = new Date().toISOString();
    const id = `o-${sessionId}-${amountFen}-${Math.random().toString(36).slice(2)}`;
    const r = await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [{ type: 'order', id, sessionId, at, orderId: id, quantity: 1, amountFen }] } });
    expect(r.body.accepted).toBe(1);
  };
  const configure = (value: object) => h.req('PUT', '/api/v1/settings/scoreboard.public', { token: province, body: { value } });

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    province = await h.login(h.fx.users.province);
    await sell(h.fx.sessionA1, CITY_A, 123_456);
    await sell(h.fx.sessionB1, CITY_B, 86_000);
  });
  afterAll(() => h?.close());

  test('anyone opens /scoreboard without signing in: closed, then the board as the province opens and freezes it', async () => {
    const browser = await launchBrowser({ viewport: FULL_HD });
    try {
      const page = await browser.newPage();
      const errors = recordPageErrors(page);
      await page.goto(`${h.url}/scoreboard`);
      await waitForTestIdText(page, 'public-scoreboard-closed', '榜单暂未开放');
      expect(new URL(page.url()).pathname).toBe('/scoreboard');

      // Opened by the province: the page, left alone, shows the board (pushed over the public room).
      expect((await configure({ enabled: true, stageId: null, gmv: 'exact', basis: 'provisional' })).status).toBe(200);
      await waitForTestIdText(page, 'public-scoreboard-team', '赣鄱新农人');
      await waitForTestIdText(page, 'public-scoreboard-team', '¥1,234.56');
      await waitForTestIdText(page, 'public-scoreboard-university', '景德镇陶瓷大学');
      await waitForTestIdText(page, 'public-scoreboard-city', '南昌');
      await waitForTestIdText(page, 'public-scoreboard-basis', '暂定成绩');
      await page.getByTestId('public-scoreboard-live').waitFor();
      await screenshot(page, 'public-scoreboard-wide');

      // 封榜: the page says so, and a new order does not move it.
      expect((await h.req('POST', '/api/v1/scoreboard/freeze', { token: province })).status).toBe(200);
      await waitForTestIdText(page, 'public-scoreboard-frozen', /已封榜（.+）/);
      await sell(h.fx.sessionB1, CITY_B, 500_000);
      const ticks = h.hub.scoreboard.stats.ticks;
      const until = Date.now() + 10_000;
      while (h.hub.scoreboard.stats.ticks < ticks + 2) {
        if (Date.now() > until) throw new Error('the scoreboard stopped ticking');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await page.getByTestId('public-scoreboard-team').textContent()).toContain('¥860.00');
      await screenshot(page, 'public-scoreboard-frozen');

      // 解封 at the ceremony: the current standings, B1 first now.
      expect((await h.req('POST', '/api/v1/scoreboard/unfreeze', { token: province })).status).toBe(200);
      await waitForTestIdText(page, 'public-scoreboard-team', '¥5,860.00');
      await page.getByTestId('public-scoreboard-live').waitFor();
      expect(await page.getByTestId('standings-row').first().textContent()).toContain('瓷都青年');
      expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('on a phone: one board at a time behind tabs, money hidden when the province hides it, nothing overflowing', async () => {
    expect((await configure({ enabled: true, stageId: null, gmv: 'hidden', basis: 'provisional' })).status).toBe(200);
    const browser = await launchBrowser({ viewport: { width: 390, height: 844 } });
    try {
      const page = await browser.newPage();
      const errors = recordPageErrors(page);
      await page.goto(`${h.url}/scoreboard`);
      await waitForTestIdText(page, 'public-scoreboard-team', '瓷都青年');
      expect(await page.getByTestId('public-scoreboard-team').textContent()).not.toContain('¥');
      expect(await page.getByTestId('public-scoreboard-city').count()).toBe(0);
      await page.getByTestId('public-scoreboard-tab-city').click();
      await waitForTestIdText(page, 'public-scoreboard-city', '景德镇');
      const overflow = await page.evaluate(() => {
        const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(page, 'public-scoreboard-phone');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  test('the province freezes and unfreezes from the settings page', async () => {
    const browser = await launchBrowser({ viewport: LAPTOP });
    try {
      const page = await browser.newPage();
      await signIn(page, h.url, h.fx.users.province);
      await page.goto(`${h.url}/province/settings`);
      await waitForTestIdText(page, 'scoreboard-freeze-state', '未封榜');
      await page.getByTestId('scoreboard-freeze').click();
      await page.getByRole('button', { name: '确定' }).click();
      await waitForTestIdText(page, 'scoreboard-freeze-state', '已封榜于');
      expect((await h.req('GET', '/api/v1/public/scoreboard')).body.frozenAt).toEqual(expect.any(String));
      await screenshot(page, 'public-scoreboard-settings');
      await page.getByTestId('scoreboard-unfreeze').click();
      await page.getByRole('button', { name: '确定' }).click();
      await waitForTestIdText(page, 'scoreboard-freeze-state', '未封榜');
      const actions = (await h.db.prisma.auditLog.findMany({ where: { action: { startsWith: 'scoreboard.' } }, orderBy: { id: 'asc' } })).map((a) => a.action);
      expect(actions).toEqual(['scoreboard.freeze', 'scoreboard.unfreeze', 'scoreboard.freeze', 'scoreboard.unfreeze']);
    } finally {
      await browser.close();
    }
  });
});
