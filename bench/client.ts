// `npm run bench:client`: the control room in Debian's Chromium against a local hub (a child process on a fresh
// PostgreSQL database, the in-process live store, the built client) with the bench contest's 500 live sessions.
// Measures, against a baseline page load in the same go:
//  - the first screen of each role (province wall, city room, team phone view): cold profile, stored sign-in,
//    navigation to the numbers on screen with the live connection up; 5 runs each, median;
//  - the JS shipped to the wall: every script the wall loads, gzip-compressed as a server would send it;
//  - the wall under load: the simulator at 5× on all 500 sessions plus a burst of 2,000 orders, recorded in a
//    Chromium performance trace; the longest main-thread task, and the longest animation frame from the page's
//    Long Animation Frames API (passive: a requestAnimationFrame loop that timed the gaps between frames made the
//    page render every frame, and so measured a wall that did more work than one nobody probes).
// Prints a table, writes bench/results/client-latest.json, exits 1 if a floor of issue #7 is missed (2 if the
// bench itself failed). Needs the built client (`npm run build:client`, done by `npm install`).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openDatabase } from '../server/db/index';
import { migrate } from '../server/db/migrate';
import { createUser } from '../server/auth/service';
import { Simulator, httpSender } from '../server/sim/runner';
import type { SimSession } from '../server/sim/model';
import { createTestDatabase } from '../test/helpers/db';
import { cleanupAll, freePort, installSignalHandlers, onCleanup, start, stop, waitFor, type Child } from './procs';
import { httpGet, httpPostJson } from './probes';
import { PROVINCE_PASSWORD, PROVINCE_USER, seedContest, type BenchContest } from './seed';
import { median } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const QUICK = process.env['BENCH_QUICK'] === '1';

const P = {
  sessions: 500,
  loads: QUICK ? 3 : 5,
  traceMs: QUICK ? 20_000 : 60_000,
  speed: 5,
  burstOrders: 2000,
  /** Issue #7's floors. */
  firstScreenMs: 2000,
  wallJsGzipBytes: 600 * 1024,
  longestFrameMs: 100,
};
const CITY_USER = 'bench-city';
const TEAM_USER = 'bench-team';

const FULL_HD = { width: 1920, height: 1080 };
const LAPTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

interface Role {
  name: 'province' | 'city' | 'team';
  username: string;
  path: string;
  viewport: { width: number; height: number };
  /** Ready = the live connection is up and the first number is on screen. */
  ready: string;
  number: string;
}

const ROLES: Role[] = [
  { name: 'province', username: PROVINCE_USER, path: '/province/wall', viewport: FULL_HD, ready: '[data-testid="wall-connection"][data-state="connected"]', number: 'wall-gmv' },
  { name: 'city', username: CITY_USER, path: '/city/room', viewport: LAPTOP, ready: '[data-testid="live-connection"][data-state="connected"]', number: 'city-gmv' },
  { name: 'team', username: TEAM_USER, path: '/team/live', viewport: PHONE, ready: '[data-testid="live-connection"][data-state="connected"]', number: 'team-gmv' },
];

async function main(): Promise<void> {
  installSignalHandlers();
  if (!existsSync(path.join(ROOT, 'dist', 'client', 'index.html'))) throw new Error('dist/client is missing: run `npm run build:client`');
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium fonts-wqy-zenhei)`);

  const target = await createTestDatabase();
  onCleanup(() => target.drop());
  const contest = await seedDatabase(target.url);
  const hub = await startHub(target.url);
  onCleanup(() => stop(hub.child));
  const base = `http://127.0.0.1:${hub.port}`;
  const sessions = await simSessions(target.url, contest);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  onCleanup(() => browser.close());

  // Phase 1: first screens and the wall's JS, with the simulator feeding every session at 1×.
  const steady = new Simulator({ sessions, keyFor: keyOf(contest), sender: httpSender(base), seed: 1, log: simLog });
  steady.start();
  const baseline: number[] = [];
  const firstScreens = new Map<Role['name'], number[]>();
  for (let i = 0; i < P.loads; i++) {
    baseline.push(await baselineLoad(browser, base));
    for (const role of ROLES) {
      const ms = await firstScreen(browser, base, role);
      firstScreens.set(role.name, [...(firstScreens.get(role.name) ?? []), ms]);
    }
  }
  const js = await wallScripts(browser, base);
  await steady.stop();

  // Phase 2: the wall under the simulator at 5× and a burst of orders, traced. Simulated time starts eight
  // minutes back so that at 5× it stays behind the hub's clock for the whole trace (the hub refuses events
  // stamped more than two minutes ahead).
  const fast = new Simulator({
    sessions, keyFor: keyOf(contest), sender: httpSender(base), seed: 2, runTag: 'x5-', log: simLog, speed: P.speed, startAt: Date.now() - 8 * 60_000,
  });
  const trace = await tracedWall(browser, base, fast, contest);

  const result = {
    at: new Date().toISOString(),
    machine: { cores: (await import('node:os')).cpus().length },
    sessions: contest.sessionIds.length,
    baselineLoadMs: median(baseline),
    firstScreenMs: Object.fromEntries([...firstScreens].map(([k, v]) => [k, { median: median(v), runs: v }])),
    wallJs: js,
    trace,
  };
  const floors = [
    ...ROLES.map((r) => ({ what: `first screen ${r.name} ≤ ${P.firstScreenMs} ms`, ok: median(firstScreens.get(r.name) ?? []) <= P.firstScreenMs })),
    { what: `wall JS ≤ ${P.wallJsGzipBytes / 1024} KB gzip (and sent compressed)`, ok: js.gzipBytes <= P.wallJsGzipBytes && js.servedCompressed },
    { what: `longest main-thread task ≤ ${P.longestFrameMs} ms`, ok: trace.longestTaskMs <= P.longestFrameMs },
    { what: `longest animation frame ≤ ${P.longestFrameMs} ms`, ok: trace.longestFrameMs <= P.longestFrameMs },
    { what: 'the wall moved during the trace', ok: trace.wallGmvEnd !== trace.wallGmvStart },
  ];
  print(result, floors);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'client-latest.json'), JSON.stringify({ ...result, floors }, null, 2));
  await cleanupAll();
  process.exit(floors.every((f) => f.ok) ? 0 : 1);
}

async function seedDatabase(url: string): Promise<BenchContest> {
  const db = await openDatabase({ url });
  try {
    await migrate(db);
    const contest = await seedContest(db, { teams: P.sessions, now: Date.now() });
    const firstCity = contest.cities[0]!;
    const team = await db.prisma.liveSession.findUniqueOrThrow({ where: { id: firstCity.sessionIds[0]! } });
    await createUser(db, { username: CITY_USER, password: PROVINCE_PASSWORD, role: 'city', cityCode: firstCity.code });
    await createUser(db, { username: TEAM_USER, password: PROVINCE_PASSWORD, role: 'team', teamId: team.teamId });
    return contest;
  } finally {
    await db.close();
  }
}

async function simSessions(url: string, contest: BenchContest): Promise<SimSession[]> {
  const db = await openDatabase({ url });
  try {
    const rows = await db.prisma.liveSession.findMany({ where: { id: { in: contest.sessionIds } } });
    const products = new Map(contest.cities.map((c) => [c.code, c.products]));
    return rows.map((r) => ({
      id: r.id, cityCode: r.cityCode, teamId: r.teamId,
      plannedStart: r.plannedStart.getTime(), plannedEnd: r.plannedEnd.getTime(), products: products.get(r.cityCode) ?? [],
    }));
  } finally {
    await db.close();
  }
}

const simLog = (msg: string, data?: object) => console.error(`  ${msg}${data ? ` ${JSON.stringify(data)}` : ''}`);

const keyOf = (contest: BenchContest) => {
  const keys = new Map(contest.cities.map((c) => [c.code, c.key]));
  return (s: SimSession) => keys.get(s.cityCode);
};

async function startHub(databaseUrl: string): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'METRICS_TOKEN', 'ALERTS', 'CORS_ORIGINS', 'DATA_DIR', 'TOKEN_TTL_HOURS', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', SERVE_CLIENT: 'true', HUB_ID: 'bench-client' });
  const child = start('hub', process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env });
  await waitFor('GET /api/health 200', async () => (await httpGet(port, '/api/health')).status === 200, child, 60_000);
  return { child, port };
}

/** Signs in over the API once per role; the stored session is what the client keeps in localStorage. */
const sessionsByUser = new Map<string, string>();
async function storedSession(base: string, username: string): Promise<string> {
  const known = sessionsByUser.get(username);
  if (known) return known;
  const port = Number(new URL(base).port);
  const r = await httpPostJson(port, '/api/v1/auth/login', { username, password: PROVINCE_PASSWORD });
  if (r.status !== 200) throw new Error(`sign-in of ${username} → ${r.status}: ${r.text.slice(0, 200)}`);
  sessionsByUser.set(username, r.text);
  return r.text;
}

/** A cold profile loading a small JSON document from the same hub: what any first load costs here. */
async function baselineLoad(browser: Browser, base: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${base}/api/health`, { waitUntil: 'load' });
    return Date.now() - t0;
  } finally {
    await context.close();
  }
}

async function firstScreen(browser: Browser, base: string, role: Role): Promise<number> {
  const session = await storedSession(base, role.username);
  const context = await browser.newContext({ viewport: role.viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    await context.addInitScript((s: string) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('ganyou.session', s);
    }, session);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${base}${role.path}`, { waitUntil: 'commit' });
    await page.locator(role.ready).waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      (id: string) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
        const text = doc.querySelector(`[data-testid="${id}"]`)?.textContent ?? '';
        return /\d/.test(text);
      },
      role.number,
      { timeout: 30_000, polling: 'raf' },
    );
    return Date.now() - t0;
  } finally {
    await context.close();
  }
}

/** Every script the wall loads (entry, chunks, lazy chunks), as bytes and as gzip -6 would send them. */
async function wallScripts(browser: Browser, base: string): Promise<{ files: number; rawBytes: number; gzipBytes: number; sentBytes: number; servedCompressed: boolean }> {
  const session = await storedSession(base, PROVINCE_USER);
  const context = await browser.newContext({ viewport: FULL_HD });
  try {
    await context.addInitScript((s: string) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('ganyou.session', s);
    }, session);
    const page = await context.newPage();
    const bodies: Array<Promise<{ raw: number; gz: number; sent: number; encoded: boolean }>> = [];
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'script') return;
      bodies.push(
        (async () => {
          const b = await res.body();
          const headers = await res.allHeaders();
          const sizes = await res.request().sizes();
          return { raw: b.length, gz: gzipSync(b, { level: 6 }).length, sent: sizes.responseBodySize, encoded: /gzip|br/.test(headers['content-encoding'] ?? '') || sizes.responseBodySize < b.length };
        })(),
      );
    });
    await page.goto(`${base}/province/wall`);
    await page.locator(ROLES[0]!.ready).waitFor({ timeout: 30_000 });
    await page.waitForLoadState('networkidle');
    const all = await Promise.all(bodies);
    return {
      files: all.length,
      rawBytes: all.reduce((a, b) => a + b.raw, 0),
      gzipBytes: all.reduce((a, b) => a + b.gz, 0),
      sentBytes: all.reduce((a, b) => a + b.sent, 0),
      // Files under 1 KB are not precompressed (client/build/precompress.ts): gzip would not pay for its header.
      servedCompressed: all.length > 0 && all.filter((b) => b.raw >= 1024).every((b) => b.encoded),
    };
  } finally {
    await context.close();
  }
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

async function tracedWall(browser: Browser, base: string, sim: Simulator, contest: BenchContest) {
  const session = await storedSession(base, PROVINCE_USER);
  const context = await browser.newContext({ viewport: FULL_HD, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  try {
    await context.addInitScript((s: string) => {
      (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('ganyou.session', s);
    }, session);
    const page = await context.newPage();
    await page.goto(`${base}/province/wall`);
    await page.locator(ROLES[0]!.ready).waitFor({ timeout: 30_000 });
    await page.getByTestId('wall-gmv').waitFor();
    const wallGmvStart = (await page.getByTestId('wall-gmv').textContent()) ?? '';
    await startFrameProbe(page);

    await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel', 'disabled-by-default-devtools.timeline.frame'] });
    sim.start();
    const started = Date.now();
    let burstSent = 0;
    // The burst lands a third of the way in, while the simulator keeps going.
    const burstAt = started + P.traceMs / 3;
    const port = Number(new URL(base).port);
    while (Date.now() - started < P.traceMs) {
      if (!burstSent && Date.now() >= burstAt) burstSent = await burst(port, contest);
      await new Promise((r) => setTimeout(r, 250));
    }
    const traceBuf = await browser.stopTracing();
    const frames = await readFrameProbe(page);
    const wallGmvEnd = (await page.getByTestId('wall-gmv').textContent()) ?? '';
    const simStats = sim.stats();
    await sim.stop();

    const events = (JSON.parse(traceBuf.toString('utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
    const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && mains.has(`${e.pid}:${e.tid}`) && typeof e.dur === 'number');
    const durs = tasks.map((e) => e.dur! / 1000).sort((a, b) => b - a);
    mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results', 'wall-trace.json'), traceBuf);
    return {
      traceMs: P.traceMs,
      speed: P.speed,
      burstOrders: burstSent,
      simulator: simStats,
      mainThreadTasks: tasks.length,
      longestTaskMs: round(durs[0] ?? 0),
      tasksOver50Ms: durs.filter((d) => d > 50).length,
      longFrames: frames.count,
      longestFrameMs: round(frames.longestMs),
      wallGmvStart,
      wallGmvEnd,
    };
  } finally {
    await context.close();
  }
}

/** Counts the page's long animation frames (over 50 ms) and keeps the longest, without asking for any frame. */
async function startFrameProbe(page: Page): Promise<void> {
  // A string, not a function: tsx's name-keeping helper (__name) does not exist in the page.
  await page.evaluate(`(() => {
    const f = (globalThis.__frames = { count: 0, longestMs: 0 });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        f.count++;
        f.longestMs = Math.max(f.longestMs, e.duration);
      }
    }).observe({ type: 'long-animation-frame' });
  })()`);
}

async function readFrameProbe(page: Page): Promise<{ count: number; longestMs: number }> {
  return page.evaluate(() => {
    const f = (globalThis as unknown as { __frames: { count: number; longestMs: number } }).__frames;
    return { count: f.count, longestMs: f.longestMs };
  });
}

/** 2,000 orders over ten batches of 200 spread across the cities' sessions, as fast as the hub takes them. */
async function burst(port: number, contest: BenchContest): Promise<number> {
  let sent = 0;
  const runId = Date.now().toString(36);
  for (let b = 0; b < P.burstOrders / 200; b++) {
    const city = contest.cities[b % contest.cities.length]!;
    const events = Array.from({ length: 200 }, (_, i) => {
      const n = b * 200 + i;
      const product = city.products[n % city.products.length]!;
      return {
        type: 'order', id: `burst-${runId}-${n}`, sessionId: city.sessionIds[n % city.sessionIds.length]!, at: new Date().toISOString(),
        orderId: `burst-${runId}-${n}`, quantity: 1, amountFen: product.priceFen, productId: product.id, productName: product.name,
      };
    });
    const r = await postWithKey(port, city.key, { events });
    if (r.status !== 200) throw new Error(`burst batch → ${r.status}: ${r.text.slice(0, 200)}`);
    sent += (JSON.parse(r.text) as { accepted: number }).accepted;
  }
  return sent;
}

async function postWithKey(port: number, key: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/ingest`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const round = (x: number) => Math.round(x * 10) / 10;

interface ClientBenchResult {
  sessions: number;
  baselineLoadMs: number;
  firstScreenMs: Record<string, { median: number; runs: number[] }>;
  wallJs: Awaited<ReturnType<typeof wallScripts>>;
  trace: Awaited<ReturnType<typeof tracedWall>>;
}

function print(r: ClientBenchResult, floors: Array<{ what: string; ok: boolean }>): void {
  const lines = [
    `client bench — ${r.sessions} live sessions, Chromium ${CHROMIUM}`,
    `baseline cold load (JSON page)      ${r.baselineLoadMs} ms`,
    ...Object.entries(r.firstScreenMs).map(([k, v]) => `first screen ${k.padEnd(9)}             ${v.median} ms  (runs ${v.runs.join(', ')}; ×${(v.median / r.baselineLoadMs).toFixed(1)} baseline)`),
    `wall JS                             ${(r.wallJs.gzipBytes / 1024).toFixed(1)} KB gzip, ${(r.wallJs.rawBytes / 1024).toFixed(1)} KB raw, ${r.wallJs.files} files; the hub sent ${(r.wallJs.sentBytes / 1024).toFixed(1)} KB${r.wallJs.servedCompressed ? ' (gzip)' : ' (uncompressed!)'}`,
    `wall under ${r.trace.speed}× simulator + ${r.trace.burstOrders} orders burst, ${r.trace.traceMs / 1000} s traced:`,
    `  main-thread tasks                 ${r.trace.mainThreadTasks}, longest ${r.trace.longestTaskMs} ms, ${r.trace.tasksOver50Ms} over 50 ms`,
    `  animation frames over 50 ms       ${r.trace.longFrames}, longest ${r.trace.longestFrameMs} ms`,
    `  simulator                         ${r.trace.simulator.accepted} accepted, ${r.trace.simulator.rejected} rejected, ${r.trace.simulator.retries} retries`,
    `  wall GMV                          ${r.trace.wallGmvStart} → ${r.trace.wallGmvEnd}`,
    ...floors.map((f) => `${f.ok ? 'ok  ' : 'MISS'} ${f.what}`),
  ];
  console.log(lines.join('\n'));
}

main().catch(async (err: unknown) => {
  console.error('client bench failed:', err instanceof Error ? err.stack ?? err.message : err);
  await cleanupAll();
  process.exit(2);
});
