// @vitest-environment node
// The province wall in Chromium at 1920×1080, fed by a real hub: sales ingested over HTTP reach the
// headline, the session rows and the boards; a dropped connection is shown, and caught up after.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, PASSWORD } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import {
  FULL_HD, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText,
  type PageWindow, type TestBrowser,
} from '../helpers/browser.ts';

let seq = 0;
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** `¥1,234.56` → 123456 (the wall shows money with formatFen). */
function fenOf(text: string | null): number {
  const m = /(-?)¥([\d,]+)\.(\d{2})/.exec(text ?? '');
  if (!m) throw new Error(`no amount in ${JSON.stringify(text)}`);
  return (m[1] ? -1 : 1) * (Number(m[2]!.replaceAll(',', '')) * 100 + Number(m[3]));
}
/** The wall's own money format, for the text to wait for. */
function yuan(fen: number): string {
  const whole = Math.floor(fen / 100).toLocaleString('en-US');
  return `¥${whole}.${String(fen % 100).padStart(2, '0')}`;
}

describe('the province wall', () => {
  let h: TestHub;
  let browser: TestBrowser;
  let page: Page;
  let errors: string[];
  let collectorKey: string;
  /** While true the hub refuses new socket connections, as a hub in trouble would. */
  let refuseSockets = false;

  const order = (sessionId: number, amountFen: number) => ({
    type: 'order', id: uid('o'), sessionId, at: new Date().toISOString(), orderId: uid('ord'), quantity: 1, amountFen,
  });
  const ingest = async (events: unknown[]) => {
    const r = await h.req('POST', '/api/v1/ingest', { token: collectorKey, body: { events } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ accepted: events.length, duplicates: 0, rejected: [] });
  };
  const row = (sessionId: number) => page.locator(`[data-testid="wall-session-row"][data-session-id="${sessionId}"]`);
  const headlineFen = async () => fenOf(await page.getByTestId('wall-gmv').textContent());

  beforeAll(async () => {
    h = await startTestHub('pglite', { clientDir: builtClientDir() });
    h.hub.io.use((_socket, next) => (refuseSockets ? next(new Error('hub unavailable')) : next()));
    collectorKey = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    browser = await launchBrowser({ viewport: FULL_HD });
    page = await browser.newPage();
    errors = recordPageErrors(page);
    await signIn(page, h.url, h.fx.users.province);
    await page.waitForURL((url) => url.pathname === '/province/wall');
    await page.locator('[data-testid="wall-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
    await row(h.fx.sessionB1).waitFor({ timeout: 10_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  test('shows the stage, the headline numbers and every session in its slot', async () => {
    await waitForTestIdText(page, 'wall-stage', '初赛');
    for (const id of ['wall-gmv', 'wall-orders', 'wall-online', 'wall-live-count', 'wall-team-board', 'wall-city-board', 'wall-sessions']) {
      expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    }
    const ids = await page.getByTestId('wall-session-row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-session-id'))));
    expect(ids.sort()).toEqual([h.fx.sessionA1, h.fx.sessionA2, h.fx.sessionB1].sort());
    expect(await row(h.fx.sessionA1).textContent()).toContain('南昌大学');
  });

  test('an order ingested over HTTP reaches the GMV headline, its session row and the boards', async () => {
    const before = await headlineFen();
    await ingest([order(h.fx.sessionA1, 12345)]);

    await waitForTestIdText(page, 'wall-gmv', yuan(before + 12345));
    const a1 = row(h.fx.sessionA1);
    await page.waitForFunction(
      (id) => {
        const { document } = globalThis as unknown as PageWindow;
        const r = document.querySelector(`[data-testid="wall-session-row"][data-session-id="${id}"]`);
        return r?.querySelector('[data-testid="row-gmv"]')?.textContent?.includes('¥123.45') &&
          r.querySelector('[data-testid="row-orders"]')?.textContent?.trim() === '1' &&
          r.getAttribute('data-air') === 'onAir';
      },
      h.fx.sessionA1,
      { timeout: 10_000 },
    );
    // Highest GMV first.
    expect(await page.getByTestId('wall-session-row').first().getAttribute('data-session-id')).toBe(String(h.fx.sessionA1));
    expect(await a1.textContent()).toContain('赣鄱新农人');
    await waitForTestIdText(page, 'wall-orders', /^\s*1\s*$/);
    await waitForTestIdText(page, 'wall-live-count', /^\s*1\s*$/);
    await waitForTestIdText(page, 'wall-team-board', '赣鄱新农人');
    await waitForTestIdText(page, 'wall-city-board', '南昌');
    expect(await page.getByTestId('wall-team-board').textContent()).toContain('¥123.45');
    await screenshot(page, 'wall-1920x1080');
  });

  test('fits 1920×1080 without overflow, in Chinese and in English', async () => {
    const overflow = () =>
      page.evaluate(() => {
        const { document, innerWidth, innerHeight } = globalThis as unknown as PageWindow;
        const out: string[] = [];
        if (document.documentElement.scrollWidth > innerWidth || document.documentElement.scrollHeight > innerHeight) out.push('page scrolls');
        for (const el of document.querySelectorAll('[data-testid="wall"] *')) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)) out.push(`${el.tagName}.${el.className}`);
        }
        return out;
      });
    expect(await overflow()).toEqual([]);
    await page.getByTestId('lang-en').click();
    await waitForTestIdText(page, 'page-title', 'Province live wall');
    expect(await overflow()).toEqual([]);
    await screenshot(page, 'wall-1920x1080-en');
    await page.getByTestId('lang-zh-CN').click();
    await waitForTestIdText(page, 'page-title', '全省直播实况');
  });

  test('a burst of orders ends on the exact total', async () => {
    const before = await headlineFen();
    const batches = Array.from({ length: 5 }, (_, b) =>
      Array.from({ length: 40 }, (_, i) => order(i % 2 ? h.fx.sessionA2 : h.fx.sessionA1, 100 + b * 40 + i)),
    );
    const added = batches.flat().reduce((sum, e) => sum + e.amountFen, 0);
    await Promise.all(batches.map((events) => ingest(events)));
    await waitForTestIdText(page, 'wall-gmv', yuan(before + added));
    await waitForTestIdText(page, 'wall-orders', '201');
    expect(await page.getByTestId('wall-gmv').getAttribute('data-stale')).toBe('false');
    await screenshot(page, 'wall-after-burst');
  });

  test('a dropped connection is shown and the numbers marked stale; after reconnecting the wall catches up', async () => {
    refuseSockets = true;
    h.hub.io.disconnectSockets(true);
    await page.locator('[data-testid="wall"][data-stale="true"]').waitFor({ timeout: 10_000 });
    await waitForTestIdText(page, 'wall-connection', '连接已断开');
    const shown = await headlineFen();
    expect(shown).toBeGreaterThan(0); // the last numbers stay on screen, marked stale
    expect(await page.getByTestId('wall-gmv').getAttribute('data-stale')).toBe('true');
    await screenshot(page, 'wall-stale');

    // A sale while the wall is cut off arrives with the fresh snapshot after reconnecting.
    await ingest([order(h.fx.sessionA2, 50000)]);
    refuseSockets = false;
    await page.locator('[data-testid="wall"][data-stale="false"]').waitFor({ timeout: 20_000 });
    await waitForTestIdText(page, 'wall-gmv', yuan(shown + 50000));
    await page.locator('[data-testid="wall-connection"][data-state="connected"]').waitFor();
    expect(errors).toEqual([]);
  });

  test('a token the hub no longer accepts at reconnect signs the wall out, back to the wall after signing in', async () => {
    const stored = await page.evaluate(() => (globalThis as unknown as PageWindow).localStorage.getItem('ganyou.session'));
    const token = (JSON.parse(stored ?? '{}') as { token?: string }).token;
    expect(token).toBeTruthy();
    expect((await h.req('POST', '/api/v1/auth/logout', { token })).status).toBeLessThan(300);
    h.hub.io.disconnectSockets(true);

    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/province/wall', { timeout: 15_000 });
    await page.getByTestId('login-expired').waitFor();
    await page.getByTestId('login-username').fill(h.fx.users.province);
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForURL((url) => url.pathname === '/province/wall');
    await page.locator('[data-testid="wall-connection"][data-state="connected"]').waitFor({ timeout: 10_000 });
    await row(h.fx.sessionA1).waitFor();
  });
});
