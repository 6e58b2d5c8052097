// @vitest-environment node
// The province wall in Chromium at 1920×1080, fed by a real hub: sales ingested over HTTP reach the
// headline (rolling digits), the session rows, the boards, the 11 area tiles and the big-order feed; yesterday's
// curve comes from PostgreSQL; the stage scales to other 16:9 screens without scrollbars; a dropped connection
// is shown, and caught up after.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, PASSWORD } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { DAY, MINUTE, shanghaiDayStart } from '../../server/domain/time.ts';
import { jiangxi } from '../../server/seed/jiangxi.ts';
import {
  FULL_HD, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText,
  type PageWindow, type TestBrowser,
} from '../helpers/browser.ts';

/** The bits of a DOM node the page functions below read (the test project compiles without lib.dom). */
interface DomNode {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): DomNode[];
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
}

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
    // Yesterday's sales as the persister leaves them in PostgreSQL: the wall draws them beside today's.
    const yesterday = shanghaiDayStart(Date.now()) - DAY;
    await h.db.prisma.minuteAggregate.createMany({
      data: [
        { sessionId: h.fx.sessionA1, minute: new Date(yesterday + 1 * 60 * MINUTE), orders: 3, gmvFen: 30_000 },
        { sessionId: h.fx.sessionB1, minute: new Date(yesterday + 2 * 60 * MINUTE), orders: 1, gmvFen: 12_000 },
      ],
    });
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

  test('the headline rolls its digits and keeps the value as text; sessions in slot and late to start are counted', async () => {
    for (const id of ['wall-gmv-today', 'wall-scheduled-count', 'wall-late-count']) expect(await page.getByTestId(id).isVisible(), id).toBe(true);
    await waitForTestIdText(page, 'wall-scheduled-count', /^\s*3\s*$/);
    // The fixture's three sessions were due ten minutes ago and nothing has arrived yet.
    await waitForTestIdText(page, 'wall-late-count', /^\s*3\s*$/);
    await waitForTestIdText(page, 'wall-gmv-today', /^\s*¥0\.00\s*$/);
    // The painted copy: one strip per digit, moved to show it; the text stays for screen readers.
    const strips = await page.getByTestId('wall-scheduled-count').evaluate((el) => {
      const node = el as unknown as DomNode;
      return [...node.querySelectorAll('.roll__strip')].map((s) => s.getAttribute('style'));
    });
    expect(strips).toEqual(['transform: translateY(-30%);']);
    expect(await page.getByTestId('wall-gmv').locator('[aria-hidden="true"]').count()).toBe(1);
  });

  test('yesterday’s GMV from PostgreSQL is drawn beside today’s, with a legend', async () => {
    const curve = page.getByTestId('wall-curve');
    expect(await curve.getAttribute('data-yesterday-points')).toBe('2');
    await waitForTestIdText(page, 'wall-curve', '昨日同期');
    await waitForTestIdText(page, 'wall-curve', '今日累计');
    // Yesterday by this time of day: its 01:00 minute counts from 01:01 on, its 02:00 minute from 02:01.
    const minutesToday = (Date.now() - shanghaiDayStart(Date.now())) / MINUTE;
    const note = await page.locator('.wall-headline__tile--today .wall-headline__note').textContent();
    expect(note).toContain(minutesToday > 2 * 60 + 1 ? '¥420.00' : minutesToday > 60 + 1 ? '¥300.00' : '¥0.00');
  });

  test('all 11 areas have a tile, with or without sales', async () => {
    const tiles = page.getByTestId('wall-city-tile');
    await page.waitForFunction(() => [...(globalThis as unknown as PageWindow).document.querySelectorAll('[data-testid="wall-city-tile"] .city-grid__name')].length === 11);
    const codes = await tiles.evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(codes).toEqual(jiangxi().cities.map((c) => c.code).sort());
    const names = await tiles.evaluateAll((els) => els.map((e) => e.querySelector('.city-grid__name')?.textContent?.trim()));
    expect(names).toEqual([...jiangxi().cities].sort((a, b) => a.code.localeCompare(b.code)).map((c) => c.short));
    expect(await tiles.first().getByTestId('city-tile-gmv').textContent()).toBe('¥0.00');
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
    await waitForTestIdText(page, 'wall-gmv-today', yuan(before + 12345));
    await waitForTestIdText(page, 'wall-late-count', /^\s*2\s*$/);
    const nanchang = page.locator(`[data-testid="wall-city-tile"][data-code="${CITY_A}"]`);
    await page.locator(`[data-testid="wall-city-tile"][data-code="${CITY_A}"][data-live="1"]`).waitFor({ timeout: 10_000 });
    expect(await nanchang.getByTestId('city-tile-gmv').textContent()).toBe('¥123.45');
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

  test('a big order ingested over HTTP appears at the top of the feed, with team, area, product and no buyer', async () => {
    await waitForTestIdText(page, 'wall-big-orders', '¥200.00');
    const small = order(h.fx.sessionA2, 19_999);
    const big = { ...order(h.fx.sessionA2, 58_800), productName: '军山湖大闸蟹', quantity: 2, buyerRef: 'buyer-ref-secret' };
    await ingest([small, big]);
    const item = page.locator(`[data-testid="wall-big-order"][data-id="${h.fx.sessionA2}:${big.id}"]`);
    await item.waitFor({ timeout: 10_000 });
    const text = (await item.textContent()) ?? '';
    for (const part of ['¥588.00', '红土地优品', '南昌', '军山湖大闸蟹', '×2']) expect(text).toContain(part);
    expect(await page.getByTestId('wall-big-order').first().getAttribute('data-id')).toBe(`${h.fx.sessionA2}:${big.id}`);
    expect(await page.getByTestId('wall-big-orders').textContent()).not.toContain('¥199.99');
    expect(await page.content()).not.toContain('buyer-ref-secret');
    await screenshot(page, 'wall-big-order');
  });

  test('the 1920×1080 stage scales to 1280×720 and 3840×2160 with no scrollbars', async () => {
    try {
      for (const [size, scale] of [[{ width: 1280, height: 720 }, 1280 / 1920], [{ width: 3840, height: 2160 }, 2]] as const) {
        await page.setViewportSize(size);
        await page.locator(`[data-testid="wall"][data-scale="${scale.toFixed(4)}"]`).waitFor({ timeout: 10_000 });
        const box = await page.evaluate(() => {
          const w = globalThis as unknown as PageWindow;
          const wall = w.document.querySelector('[data-testid="wall"]') as unknown as DomNode;
          const r = wall.getBoundingClientRect();
          const root = w.document.documentElement;
          return { scrollW: root.scrollWidth, scrollH: root.scrollHeight, w: w.innerWidth, h: w.innerHeight, left: r.left, top: r.top, width: r.width, height: r.height };
        });
        expect(box.scrollW).toBeLessThanOrEqual(box.w);
        expect(box.scrollH).toBeLessThanOrEqual(box.h);
        expect(box.width).toBeCloseTo(1920 * scale, 0);
        expect(box.height).toBeCloseTo(1080 * scale, 0);
        expect(box.left).toBeCloseTo(0, 0);
        expect(box.top).toBeCloseTo(0, 0);
        expect(await page.getByTestId('wall-gmv').isVisible()).toBe(true);
        // The GMV curve's canvas is drawn at the pixels it covers on this screen (in quarter steps), not at the
        // stage's: sharp on a 4K wall, no wasted pixels on a small one.
        const ratio = Math.ceil(scale * 4) / 4;
        await page.waitForFunction(
          (r) => {
            const canvas = (globalThis as unknown as PageWindow).document.querySelector('[data-testid="wall-curve"] canvas') as unknown as
              | { width: number; clientWidth: number }
              | null;
            return canvas !== null && canvas.clientWidth > 0 && Math.abs(canvas.width - canvas.clientWidth * r) <= 1;
          },
          ratio,
          { timeout: 10_000 },
        );
        await screenshot(page, `wall-${size.width}x${size.height}`);
      }
      // Another shape (16:10) is letterboxed: the stage keeps its proportions, centred.
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.locator(`[data-testid="wall"][data-scale="${(1440 / 1920).toFixed(4)}"]`).waitFor({ timeout: 10_000 });
      const top = await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('[data-testid="wall"]')!.getBoundingClientRect() as unknown as { top: number });
      expect(top.top).toBeCloseTo((900 - 1080 * 0.75) / 2, 0);
      await screenshot(page, 'wall-1440x900-letterbox');
    } finally {
      await page.setViewportSize(FULL_HD);
      await page.locator('[data-testid="wall"][data-scale="1.0000"]').waitFor({ timeout: 10_000 });
    }
  });

  test('with reduced motion the digits change in place', async () => {
    const duration = () =>
      page.getByTestId('wall-orders').evaluate((el) => {
        const strip = (el as unknown as DomNode).querySelectorAll('.roll__strip')[0]!;
        return (globalThis as unknown as { getComputedStyle(e: unknown): { transitionDuration: string } }).getComputedStyle(strip).transitionDuration;
      });
    expect(await duration()).not.toBe('0s');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    try {
      expect(await duration()).toBe('0s');
    } finally {
      await page.emulateMedia({ reducedMotion: 'no-preference' });
    }
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
