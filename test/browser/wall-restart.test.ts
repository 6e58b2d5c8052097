// @vitest-environment node
// Issue #7: the wall recovers from a hub restart by itself. A real hub in a child process (the in-process live
// store, as the demo runs it, on PGlite in a DATA_DIR or on PostgreSQL), the province wall open in Chromium; the hub
// is SIGKILLed and started again on the same port and data. Without a reload the wall shows the connection lost,
// reconnects, shows the same totals as before the kill (every event had been written to the database, which the
// new hub replays at start) and then an order ingested after the restart.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { freePort, start, stop, waitFor, type Child } from '../../bench/procs.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { CITY_A, seedFixture, type Fixture } from '../helpers/fixture.ts';
import { FULL_HD, builtClientDir, launchBrowser, recordPageErrors, screenshot, signIn, waitForTestIdText, type TestBrowser } from '../helpers/browser.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONNECTED = '[data-testid="wall-connection"][data-state="connected"]';

/** The wall's money format, for the text to wait for. */
function yuan(fen: number): string {
  return `¥${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
}

let seq = 0;
const uid = (prefix: string) => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(['pglite', 'postgres'] as const)('the wall across a hub SIGKILL and restart (%s)', (kind) => {
  let fx: Fixture;
  let key: string;
  let port: number;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let hub: Child | null = null;
  let browser: TestBrowser;
  let page: Page;
  let errors: string[];
  const cleanups: Array<() => Promise<void> | void> = [];

  async function startHub(): Promise<Child> {
    const child = start(`hub-${kind}`, process.execPath, ['--import', 'tsx', 'bench/hub-process.ts', builtClientDir()], { cwd: ROOT, env });
    await waitFor('GET /api/health 200', async () => (await fetch(`${url}/api/health`)).status === 200, child, 120_000);
    return child;
  }

  async function ingest(events: unknown[]): Promise<void> {
    const res = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: events.length, duplicates: 0, rejected: [] });
  }

  const order = (sessionId: number, amountFen: number) => ({
    type: 'order', id: uid('o'), sessionId, at: new Date().toISOString(), orderId: uid('ord'), quantity: 1, amountFen,
  });

  /** Everything the hub acknowledged is in the database once its durable log is empty. */
  async function persisted(): Promise<void> {
    await waitFor('the persister has written every event', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const backlog = [...text.matchAll(/^gy_persister_backlog_entries\{state="(?:unread|pending)"\} (\d+)$/gm)].map((m) => Number(m[1]));
      return backlog.length === 2 && backlog.every((n) => n === 0);
    }, hub, 20_000);
  }

  beforeAll(async () => {
    env = { ...process.env };
    for (const k of ['REDIS_URL', 'DATABASE_URL', 'DATA_DIR', 'METRICS_TOKEN', 'NODE_OPTIONS', 'PERSISTER']) delete env[k];
    let db: Database;
    if (kind === 'pglite') {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'gy-wall-restart-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      env['DATA_DIR'] = dir;
      db = await openDatabase({ dataDir: path.join(dir, 'db') });
    } else {
      const target = await createTestDatabase();
      cleanups.push(() => target.drop());
      env['DATABASE_URL'] = target.url;
      db = await openDatabase({ url: target.url });
    }
    try {
      await migrate(db);
      fx = await seedFixture(db);
      key = (await createCollectorKey(db, { cityCode: CITY_A })).key;
    } finally {
      await db.close(); // PGlite's folder is one process's at a time: the hub's from now on
    }
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SERVE_CLIENT: 'true', HUB_ID: `wall-restart-${kind}` });
    hub = await startHub();

    browser = await launchBrowser({ viewport: FULL_HD });
    page = await browser.newPage();
    errors = recordPageErrors(page);
    await signIn(page, url, fx.users.province);
    await page.waitForURL((u) => u.pathname === '/province/wall');
    await page.locator(CONNECTED).waitFor({ timeout: 15_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (hub) await stop(hub);
    for (const fn of cleanups.reverse()) await fn();
  }, 60_000);

  test('reconnects without a reload, shows the persisted totals again and then a new order', async () => {
    // Sales before the kill, on two sessions.
    await ingest([order(fx.sessionA1, 12_345), order(fx.sessionA1, 20_000), order(fx.sessionA2, 8_800)]);
    const before = 12_345 + 20_000 + 8_800;
    await waitForTestIdText(page, 'wall-gmv', yuan(before));
    await waitForTestIdText(page, 'wall-orders', /^\s*3\s*$/);
    await persisted();
    // A mark in the page's memory: it survives only if the page is never reloaded.
    await page.evaluate('globalThis.__sameDocument = "yes"');

    hub!.proc.kill('SIGKILL');
    await hub!.exited;
    hub = null;
    // The wall says it lost the hub and keeps the last numbers, marked stale.
    await page.locator('[data-testid="wall-connection"]:not([data-state="connected"])').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="wall-gmv"][data-stale="true"]').waitFor({ timeout: 5_000 });
    expect(await page.getByTestId('wall-gmv').textContent()).toContain(yuan(before));
    await screenshot(page, `wall-restart-${kind}-down`);

    hub = await startHub();
    // socket.io's reconnection backs off; the wall must come back by itself within its longest delay.
    await page.locator(CONNECTED).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="wall-gmv"][data-stale="false"]').waitFor({ timeout: 10_000 });
    await waitForTestIdText(page, 'wall-gmv', yuan(before));
    await waitForTestIdText(page, 'wall-orders', /^\s*3\s*$/);
    const rowGmv = page.locator(`[data-testid="wall-session-row"][data-session-id="${fx.sessionA1}"] [data-testid="row-gmv"]`);
    await expect.poll(() => rowGmv.textContent(), { timeout: 10_000 }).toContain(yuan(32_345));
    expect(await page.evaluate('globalThis.__sameDocument')).toBe('yes');

    // New traffic reaches the restarted hub's wall.
    await ingest([order(fx.sessionA2, 777)]);
    await waitForTestIdText(page, 'wall-gmv', yuan(before + 777));
    await waitForTestIdText(page, 'wall-orders', /^\s*4\s*$/);
    await screenshot(page, `wall-restart-${kind}-back`);
    expect(await page.evaluate('globalThis.__sameDocument')).toBe('yes');
    // Failed connection attempts while the hub was down are logged to the console; nothing may throw.
    expect(errors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
  }, 240_000);
});
