// `npm run bench:scoreboard`: how many public scoreboard viewers one hub serves. One hub (in-process live store,
// a fresh PostgreSQL database, 500 teams) takes a steady 50 orders a second, so the board changes every tick; then,
// in the same go and interleaved, the hub's CPU with no viewers (the baseline), with 500 / 1,000 / 2,000 anonymous
// sockets on the /public room, and with 1,000 / 2,000 HTTP pollers of the cached route every 2 s (the alternative
// the room was chosen over). Per configuration: the median of the runs of hub CPU (cores), delivery latency (hub
// read → viewer has it, p50/p99 of 20 parsing viewers) and boards delivered. Prints a table and writes
// bench/results/scoreboard.json. BENCH_QUICK=1: one short run each.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../server/db/index';
import { migrate } from '../server/db/migrate';
import { createTestDatabase } from '../test/helpers/db';
import { cleanupAll, cpuSeconds, freePort, installSignalHandlers, onCleanup, start, stop, waitFor, type Child } from './procs';
import { seedContest, type BenchContest } from './seed';
import { median, percentileSorted } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env['BENCH_QUICK'] === '1';
const P = {
  teams: 500,
  ordersPerSecond: 50,
  runs: QUICK ? 1 : 3,
  warmupMs: QUICK ? 2000 : 3000,
  recordMs: QUICK ? 5000 : 10_000,
  pollMs: 2000,
};
type Config = { name: string; mode: 'none' | 'socket' | 'poll'; viewers: number };
const CONFIGS: Config[] = [
  { name: 'baseline (no viewers)', mode: 'none', viewers: 0 },
  { name: 'socket room × 500', mode: 'socket', viewers: 500 },
  { name: 'socket room × 1,000', mode: 'socket', viewers: 1000 },
  { name: 'socket room × 2,000', mode: 'socket', viewers: 2000 },
  { name: 'HTTP poll 2 s × 1,000', mode: 'poll', viewers: 1000 },
  { name: 'HTTP poll 2 s × 2,000', mode: 'poll', viewers: 2000 },
];

interface Run {
  hubCores: number;
  p50: number;
  p99: number;
  /** Boards per viewer per second (sockets: pushes; pollers: 200s). */
  perViewerPerSec: number;
  /** Share of the pushes the parsing viewers got that every other viewer got too (sockets). */
  delivered: number;
  requestsPerSec: number;
  viewerCpu: number;
  errors: number;
}

/** Orders to random sessions at a steady pace, so the board changes every tick. */
function startOrders(url: string, contest: BenchContest): () => void {
  let n = 0;
  const timer = setInterval(() => {
    const city = contest.cities[n % contest.cities.length]!;
    const at = new Date().toISOString();
    const events = Array.from({ length: P.ordersPerSecond / 10 }, () => {
      const id = `sb-${process.pid}-${++n}`;
      const sessionId = city.sessionIds[Math.floor(Math.random() * city.sessionIds.length)]!;
      return { type: 'order', id, sessionId, at, orderId: id, quantity: 1, amountFen: 100 + Math.floor(Math.random() * 50_000) };
    });
    fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { authorization: `Bearer ${city.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ events }) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  }, 100);
  return () => clearInterval(timer);
}

async function measure(url: string, hub: Child, c: Config): Promise<Run> {
  if (c.mode === 'none') {
    await new Promise((r) => setTimeout(r, P.warmupMs));
    const h0 = cpuSeconds(hub.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, P.recordMs));
    const s = (performance.now() - t0) / 1000;
    return { hubCores: (cpuSeconds(hub.pid) - h0) / s, p50: NaN, p99: NaN, perViewerPerSec: NaN, delivered: NaN, requestsPerSec: 0, viewerCpu: 0, errors: 0 };
  }
  const viewers = start('viewers', process.execPath, ['--import', 'tsx', 'bench/scoreboard-viewers.ts', url, c.mode, String(c.viewers), String(P.pollMs), String(P.warmupMs), String(P.recordMs)], {
    cwd: ROOT,
    ipc: true,
  });
  let h0 = 0;
  let t0 = 0;
  const result = await new Promise<{ latencies: number[]; counts: Record<string, number>; measuring: number; viewerCpu: number }>((resolve, reject) => {
    viewers.proc.on('message', (m: { kind: string } & Record<string, unknown>) => {
      if (m.kind === 'recording') {
        h0 = cpuSeconds(hub.pid);
        t0 = performance.now();
      }
      if (m.kind === 'result') resolve(m as never);
    });
    void viewers.exited.then((code) => reject(new Error(`viewers exited (${code}) before a result:\n${viewers.tail()}`)));
  });
  const s = (performance.now() - t0) / 1000;
  const hubCores = (cpuSeconds(hub.pid) - h0) / s;
  await stop(viewers);
  const lat = [...result.latencies].sort((a, b) => a - b);
  const k = result.counts;
  const lean = c.viewers - result.measuring;
  const perMeasured = (k['measured'] ?? 0) / result.measuring;
  return {
    hubCores,
    p50: percentileSorted(lat, 50),
    p99: percentileSorted(lat, 99),
    perViewerPerSec: c.mode === 'socket' ? perMeasured / s : (k['ok'] ?? 0) / c.viewers / s,
    delivered: c.mode === 'socket' && lean > 0 && perMeasured > 0 ? (k['lean'] ?? 0) / (lean * perMeasured) : NaN,
    requestsPerSec: c.mode === 'poll' ? ((k['ok'] ?? 0) + (k['notModified'] ?? 0)) / s : 0,
    viewerCpu: result.viewerCpu,
    errors: k['errors'] ?? 0,
  };
}

/** This environment without a Redis: the board's cost does not depend on the live store, and one hub needs none. */
function hubEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['REDIS_URL'];
  return env;
}

async function main(): Promise<void> {
  installSignalHandlers();
  const watchdog = setTimeout(() => {
    console.error('watchdog: the bench took too long');
    void cleanupAll().finally(() => process.exit(2));
  }, 15 * 60_000);
  watchdog.unref();

  const target = await createTestDatabase();
  onCleanup(() => target.drop());
  const db = await openDatabase({ url: target.url });
  await migrate(db);
  const contest = await seedContest(db, { teams: P.teams, now: Date.now() });
  await db.prisma.setting.create({ data: { key: 'scoreboard.public', value: { enabled: true, stageId: null, gmv: 'exact', basis: 'provisional' } } });
  await db.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const hub = start('hub', process.execPath, ['--import', 'tsx', 'bench/hub-process.ts', path.join(ROOT, 'no-client')], {
    cwd: ROOT,
    env: { ...hubEnv(), DATABASE_URL: target.url, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', SERVE_CLIENT: 'false' },
  });
  await waitFor('the hub', async () => (await fetch(`${url}/api/health`)).ok, hub, 60_000);
  const stopOrders = startOrders(url, contest);
  await waitFor('an open scoreboard', async () => (await fetch(`${url}/api/v1/public/scoreboard`)).ok, hub, 30_000);
  // Warm up (JIT, the persister's first batches, every team on the board) before the first window.
  await new Promise((r) => setTimeout(r, QUICK ? 5000 : 15_000));

  const runs = new Map<string, Run[]>(CONFIGS.map((c) => [c.name, []]));
  for (let r = 0; r < P.runs; r++) {
    for (const c of CONFIGS) {
      const run = await measure(url, hub, c);
      runs.get(c.name)!.push(run);
      console.error(`run ${r + 1}/${P.runs} ${c.name}: hub ${run.hubCores.toFixed(3)} cores, p50 ${run.p50.toFixed(0)} ms, p99 ${run.p99.toFixed(0)} ms`);
    }
  }
  const board = await (await fetch(`${url}/api/v1/public/scoreboard`)).text();
  stopOrders();
  await stop(hub);

  const med = (xs: number[]) => median(xs.filter(Number.isFinite));
  const base = med(runs.get(CONFIGS[0]!.name)!.map((x) => x.hubCores));
  const rows = CONFIGS.map((c) => {
    const rs = runs.get(c.name)!;
    const hubCores = med(rs.map((x) => x.hubCores));
    return {
      config: c.name,
      hubCores,
      overBaseline: hubCores - base,
      perThousandViewers: c.viewers ? ((hubCores - base) * 1000) / c.viewers : NaN,
      p50: med(rs.map((x) => x.p50)),
      p99: med(rs.map((x) => x.p99)),
      perViewerPerSec: med(rs.map((x) => x.perViewerPerSec)),
      delivered: med(rs.map((x) => x.delivered)),
      requestsPerSec: med(rs.map((x) => x.requestsPerSec)),
      viewerCpu: med(rs.map((x) => x.viewerCpu)),
      errors: rs.reduce((a, x) => a + x.errors, 0),
      runs: rs,
    };
  });
  const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
  console.log(`\nPublic scoreboard, one hub, ${P.teams} teams, ${P.ordersPerSecond} orders/s, board ${board.length} bytes; median of ${P.runs} run(s) of ${P.recordMs / 1000} s`);
  console.log('| viewers | hub CPU (cores) | over baseline | per 1,000 viewers | delivery p50 / p99 (ms) | boards per viewer/s | delivered | HTTP req/s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.config} | ${f(r.hubCores, 3)} | ${f(r.overBaseline, 3)} | ${f(r.perThousandViewers, 3)} | ${f(r.p50)} / ${f(r.p99)} | ${f(r.perViewerPerSec, 2)} | ${Number.isFinite(r.delivered) ? `${(r.delivered * 100).toFixed(1)} %` : '—'} | ${f(r.requestsPerSec)} |`,
    );
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() };
  console.log(`machine: ${machine.cpus} × ${machine.model}, load average ${machine.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
  mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'results', 'scoreboard.json'), JSON.stringify({ at: new Date().toISOString(), quick: QUICK, params: P, machine, boardBytes: board.length, rows }, null, 2));
  await cleanupAll();
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? err.stack ?? err.message : err);
    await cleanupAll();
    process.exit(2);
  },
);
