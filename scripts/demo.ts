// `npm run demo`: seed the demo contest (idempotent), start the hub, and feed it with the simulator over
// HTTP as real collectors would (one collector key per city, created fresh for this run).
import { loadConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { startHub } from '../server/boot';
import { seedDemo } from '../server/seed/demo';
import { rebuildFromDatabase } from '../server/live/rebuild';
import { MemoryLiveStore } from '../server/live/memory-store';
import { systemClock } from '../server/clock';
import { createCollectorKey } from '../server/auth/service';
import { Simulator, httpSender } from '../server/sim/runner';
import type { SimSession } from '../server/sim/model';
import { DAY } from '../server/domain/time';

const DEMO_KEY_LABEL = 'demo-simulator';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const running = await startHub(config, { log });
  const { db } = running;
  const seeded = await seedDemo(db, systemClock);
  await running.hub.live.directory.refresh();
  // History seeded just now went straight to PostgreSQL: replay it so the wall's stage totals and boards include
  // the earlier days from the first run on, as they do after a restart.
  if (seeded.created['past events']) {
    const store = running.hub.live.store;
    // Already in PostgreSQL: the in-process store need not send them to the persister again.
    const r = await rebuildFromDatabase(db, store, store instanceof MemoryLiveStore ? { apply: (b) => store.applyBatch(b, { durable: false }) } : {});
    log.info({ ...r }, 'seeded history replayed into the live store');
  }

  // Keys are shown once; the demo makes new ones each run and revokes the previous run's.
  await db.prisma.collectorKey.updateMany({ where: { label: DEMO_KEY_LABEL, revokedAt: null }, data: { revokedAt: new Date() } });
  const keys = new Map<string, string>();
  for (const c of await db.prisma.city.findMany()) {
    keys.set(c.code, (await createCollectorKey(db, { cityCode: c.code, label: DEMO_KEY_LABEL })).key);
  }

  const speed = Number(process.env['SIM_SPEED'] ?? 1);
  const sim = new Simulator({
    sessions: await demoSessions(db),
    keyFor: (s) => keys.get(s.cityCode),
    sender: httpSender(`http://127.0.0.1:${running.port}`),
    speed,
    log: (msg, data) => log.info(data ?? {}, `sim: ${msg}`),
  });
  sim.start();
  // Sessions of the next day join as the clock moves on.
  const refresh = setInterval(() => {
    void demoSessions(db).then((s) => sim.addSessions(s));
  }, 60_000);
  refresh.unref();

  const s = seeded.signIns;
  console.log(`
赣邮杯 demo running: http://localhost:${running.port}/
  sign in (password ${s.password}):  province → ${s.province}   city → ${s.city}   team → ${s.team}
  simulator: ${keys.size} city collector keys, speed ×${speed}; Ctrl-C stops`);

  const stop = async () => {
    clearInterval(refresh);
    await sim.stop();
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

/** Today's sessions (yesterday to tomorrow) with their city's products, as the simulator wants them. */
async function demoSessions(db: Awaited<ReturnType<typeof startHub>>['db']): Promise<SimSession[]> {
  const now = Date.now();
  const rows = await db.prisma.liveSession.findMany({
    where: { plannedEnd: { gte: new Date(now - DAY) }, plannedStart: { lte: new Date(now + DAY) }, status: { in: ['scheduled', 'live'] } },
  });
  const products = await db.prisma.product.findMany({ where: { active: true } });
  return rows.map((r) => ({
    id: r.id,
    cityCode: r.cityCode,
    teamId: r.teamId,
    plannedStart: r.plannedStart.getTime(),
    plannedEnd: r.plannedEnd.getTime(),
    products: products.filter((p) => p.cityCode === r.cityCode).map((p) => ({ id: `P${p.id}`, name: p.name, priceFen: p.priceFen })),
  }));
}

main().catch((err: unknown) => {
  console.error('demo failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
