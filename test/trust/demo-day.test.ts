// `verify` after a demo day (issue #8): the demo contest seeded on a fresh PostgreSQL database (one day of history
// instead of three, to stay quick; seeded once and copied per case), a hub started on it as a restarted `npm run demo`
// starts (the history replayed into its live store), the simulator driving a stretch of the morning through real
// HTTP ingest with one collector key per city, the sessions of that stretch ended, the persister drained — and then
// every leaderboard recomputed from the event log must equal the live one: through the hub (GET /api/v1/verify, the
// province's button) and through `npm run cli -- verify`. For the in-process store and for the Redis store (whose
// live guard initialises the empty Redis from PostgreSQL). The embedded PGlite is left out for time: migrating and
// seeding it alone takes longer than this whole file; test/live/memory-restart covers its replay.
// Simulated time runs 900× faster than the wall, on a clock the hub and the simulator share.
// @vitest-environment node
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type Hub } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import type { Clock } from '../../server/clock.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { openLiveStore } from '../../server/live/open-store.ts';
import { createLive } from '../../server/live/index.ts';
import { closeFinishedSessions } from '../../server/live/lifecycle.ts';
import type { LiveStore } from '../../server/live/store.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { DEMO_PASSWORD, seedDemo, type SeedResult } from '../../server/seed/demo.ts';
import { Simulator, httpSender } from '../../server/sim/runner.ts';
import type { SimSession } from '../../server/sim/model.ts';
import { HOUR, MINUTE, shanghaiDayStart } from '../../server/domain/time.ts';
import { OVERRUN_MS } from '../../server/domain/ingest-rules.ts';
import { verifyForOperator } from '../../server/cli/verify.ts';
import type { VerifyResult } from '../../contracts/verify.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { freshRedisUrl } from '../helpers/redis.ts';

const SPEED = 900;
/** The simulated stretch: 09:00 to 12:00 (Shanghai) today; its sessions are the ones that end inside it. */
const FROM_H = 9;
const HOURS = 3;
const HISTORY_DAYS = 1;

/** Simulated time: stands still until go(), then runs SPEED× the wall; jump() moves it on at once. */
function pacedClock(start: number) {
  let base = start;
  let wall: number | null = null;
  return {
    now: () => (wall === null ? base : base + (Date.now() - wall) * SPEED),
    go() {
      wall = Date.now();
    },
    jump(ms: number) {
      base += ms;
    },
  };
}

interface DemoHub {
  hub: Hub;
  url: string;
  store: LiveStore;
  close(): Promise<void>;
}

/** A hub as server/boot.ts composes one (without the fixture of test/helpers/hub.ts: the demo brings its own). */
async function startDemoHub(db: Database, clock: Clock, redisUrl?: string): Promise<DemoHub> {
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SERVE_CLIENT: 'false', ...(redisUrl ? { REDIS_URL: redisUrl } : {}) });
  const log = createLogger(config);
  const store = await openLiveStore(redisUrl);
  const live = createLive({ config, db, clock, log, store });
  const hub = createApp({ config, db, clock, log, live });
  const port = await hub.listen(0, '127.0.0.1');
  return {
    hub,
    url: `http://127.0.0.1:${port}`,
    store,
    close: async () => {
      await hub.close();
      await store.close();
    },
  };
}

async function until(what: string, probe: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

const today = shanghaiDayStart(Date.now());
const from = today + FROM_H * HOUR;
const to = from + HOURS * HOUR;
/** The seeded demo, closed, for CREATE DATABASE … TEMPLATE. */
let template: Awaited<ReturnType<typeof createTestDatabase>>;
let seeded: SeedResult;
beforeAll(async () => {
  template = await createTestDatabase();
  const db = await openDatabase({ url: template.url });
  try {
    await migrate(db);
    seeded = await seedDemo(db, pacedClock(from), { historyDays: HISTORY_DAYS });
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(() => template?.drop());

describe.each([
  { name: 'in-process store', redis: false },
  { name: 'Redis store', redis: true },
])('a demo day on PostgreSQL, $name', ({ redis }) => {
  test(
    'after a simulated morning through real ingest, verify finds zero differences',
    async () => {
      const clock = pacedClock(from);
      const target = await createTestDatabase({ template: template.name });
      cleanups.push(() => target.drop());
      const db = await openDatabase({ url: target.url });
      cleanups.push(() => db.close());
      const redisUrl = redis ? await freshRedisUrl() : undefined;

      // The hub starts on the seeded contest and brings its live store up to the event log: the in-process store
      // replays it before listening; on Redis the live guard finds no epoch marker and rebuilds from PostgreSQL.
      const h = await startDemoHub(db, clock, redisUrl);
      cleanups.push(() => h.close());
      const history = seeded.created['past events'] ?? 0;
      expect(history).toBeGreaterThan(1000);
      const guard = h.hub.live.guard;
      if (redis) {
        if (!guard) throw new Error('a Redis hub has a live guard');
        await until('the live guard initialises the fresh Redis', async () => (await guard.check(), guard.state === 'ok'), 30_000);
        expect(guard.rebuilds[0]).toMatchObject({ events: history, accepted: history, rejected: 0 });
      }
      const stageId = (await db.prisma.stage.findFirstOrThrow({ where: { name: '初赛' } })).id;
      expect((await h.hub.live.store.stageTotals(stageId)).orders).toBe(await db.prisma.liveEvent.count({ where: { type: 'order' } }));

      const keys = new Map<string, string>();
      for (const c of await db.prisma.city.findMany()) keys.set(c.code, (await createCollectorKey(db, { cityCode: c.code, label: 'demo-day test' })).key);
      const products = await db.prisma.product.findMany({ where: { active: true } });
      const rows = await db.prisma.liveSession.findMany({ where: { plannedEnd: { gt: new Date(from), lte: new Date(to - 10 * MINUTE) }, status: 'scheduled' } });
      const sessions: SimSession[] = rows.map((r) => ({
        id: r.id,
        cityCode: r.cityCode,
        teamId: r.teamId,
        plannedStart: r.plannedStart.getTime(),
        plannedEnd: r.plannedEnd.getTime(),
        products: products.filter((p) => p.cityCode === r.cityCode).map((p) => ({ id: `P${p.id}`, name: p.name, priceFen: p.priceFen })),
      }));
      expect(sessions.length).toBeGreaterThanOrEqual(10);
      const historyEvents = await db.prisma.liveEvent.count();
      expect(historyEvents).toBe(history);

      // The morning: simulated collectors post to the hub as the demo's do.
      clock.go();
      const sim = new Simulator({ sessions, keyFor: (s) => keys.get(s.cityCode), sender: httpSender(h.url), speed: SPEED, startAt: clock.now(), tickMs: 250, seed: 8 });
      sim.start();
      await until('the simulated stretch', () => sim.simTime >= to, 60_000);
      await sim.stop({ flushMs: 30_000 });
      const stats = sim.stats();
      expect(stats.pendingEvents).toBe(0);
      expect(stats.rejected).toBe(0);
      expect(stats.accepted).toBeGreaterThan(1000);

      // The sessions end (the hub's periodic job, run now rather than in 30 s), the persister drains.
      clock.jump(OVERRUN_MS + MINUTE);
      await closeFinishedSessions(db, h.hub.live.store, clock);
      const statuses = await db.prisma.liveSession.findMany({ where: { id: { in: sessions.map((s) => s.id) } }, select: { id: true, status: true, _count: { select: { events: true } } } });
      const wentLive = statuses.filter((s) => s._count.events > 0);
      expect(wentLive.length).toBeGreaterThanOrEqual(sessions.length - 3);
      expect(wentLive.filter((s) => s.status !== 'ended')).toEqual([]);
      await h.hub.live.persister!.drain(60_000);
      expect((await db.prisma.liveEvent.count()) - historyEvents).toBe(stats.accepted + stats.duplicates);

      // verify through the hub, as the province's button runs it …
      const login = await fetch(`${h.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'province', password: DEMO_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const res = await fetch(`${h.url}/api/v1/verify`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const viaHub = (await res.json()) as VerifyResult;
      expect(viaHub.differences).toEqual([]);
      expect(viaHub).toMatchObject({ ok: true, against: 'live-store', backlog: 0 });
      const board = viaHub.rankings.find((r) => r.stageId === stageId);
      expect(board?.team.length).toBeGreaterThan(50); // yesterday's teams and this morning's

      // … and as `npm run cli -- verify` does: against Redis with REDIS_URL, else against the minute aggregates.
      const viaCli = await verifyForOperator(db, redisUrl);
      expect(viaCli.result.differences).toEqual([]);
      expect(viaCli.result).toMatchObject({ ok: true, against: redis ? 'live-store' : 'minute-aggregates', backlog: 0 });
      expect(viaCli.lines.at(-1)).toBe('OK: every leaderboard matches the recorded events');

      // The wall's stage totals are the event log's, to the fen.
      const [sums] = await db.query<{ gmv: number; orders: number; refund: number }>(
        `SELECT COALESCE(SUM(e."amountFen") FILTER (WHERE e.type = 'order'), 0)::float8 AS gmv,
                COUNT(*) FILTER (WHERE e.type = 'order')::float8 AS orders,
                COALESCE(SUM(e."amountFen") FILTER (WHERE e.type = 'refund'), 0)::float8 AS refund
           FROM "LiveEvent" e JOIN "LiveSession" s ON s.id = e."sessionId" WHERE s."stageId" = $1`,
        [stageId],
      );
      const totals = await h.hub.live.store.stageTotals(stageId);
      expect({ gmvFen: totals.gmvFen, orders: totals.orders, refundFen: totals.refundFen }).toEqual({ gmvFen: Number(sums!.gmv), orders: Number(sums!.orders), refundFen: Number(sums!.refund) });
    },
    120_000,
  );
});
