// `npm run bench`: the hub against its own redis-server and a fresh PostgreSQL database, all on 127.0.0.1.
// Measures ingest throughput (100-event batches and single events) against an Express baseline run in the
// same go, Redis commands per event counted two ways (what the hub sends, through a counting proxy; what Redis
// runs, Lua included), ingest→dashboard latency with 500 live sessions and 200 dashboards, and memory per
// dashboard and per live session. Prints a table, writes bench/results/latest.json,
// exits 1 if a floor of the issue is missed (2 if the bench itself failed). Stops by itself in about 3 minutes
// (a watchdog ends it at 7); Ctrl-C cleans up too. docs/BENCHMARKS.md says how to read the figures.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { openDatabase } from '../server/db/index';
import { migrate } from '../server/db/migrate';
import { keys } from '../server/live/keys';
import { createTestDatabase } from '../test/helpers/db';
import { FromDashboards, type LatencyResult, type ToDashboards } from './dash-protocol';
import { Traffic } from './events';
import { Poster, saturate, type LoadResult, type Post } from './load';
import {
  cleanupAll, cpuSeconds, freePort, installSignalHandlers, onCleanup, portInUse, RssSampler, start, stop, waitFor, type Child,
} from './procs';
import { CpuMeter, cpuText, type CpuShare } from './cpu';
import {
  commandCalls, diffCounts, httpGet, httpPostJson, redisInfo, sample, scrapeMetrics, topCounts, total,
} from './probes';
import { CountingProxy } from './resp-proxy';
import { PROVINCE_PASSWORD, PROVINCE_USER, seedContest, type BenchCity, type BenchContest } from './seed';
import { fmt, median, summarize } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Diagnostics, not for the record: BENCH_QUICK=1 shortens the runs; BENCH_HUB_ENV="ALERTS=false,PERSISTER=false"
// changes the hub's settings (to see what a part costs); BENCH_CPU_PROF=1 writes the first hub's CPU profile to
// bench/results/prof/ (read it with bench/prof-top.ts).
const QUICK = process.env['BENCH_QUICK'] === '1';
const HUB_ENV: Record<string, string> = Object.fromEntries(
  (process.env['BENCH_HUB_ENV'] ?? '').split(',').filter((kv) => kv.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
);
const PERSISTER = HUB_ENV['PERSISTER'] === 'false' ? 'false' : 'true';

const P = {
  sessions: 500,
  dashboards: 200,
  /** Of those, how many parse and time every update (spread over the connection order). */
  measuringDashboards: 20,
  /** Concurrent keep-alive senders: enough to keep the hub busy while it waits on Redis. */
  senders: 12,
  batchSize: 100,
  /** Share of orders in the throughput mix (the rest are stats snapshots). */
  orderShare: 0.2,
  runs: 3,
  warmupMs: QUICK ? 1000 : 2000,
  batchRunMs: QUICK ? 3000 : 6000,
  singleRunMs: QUICK ? 2000 : 4000,
  latencyRunMs: QUICK ? 8000 : 20_000,
  /** Collector pace without dashboards (after a warm-up): the reference for memory per dashboard. */
  referenceMs: QUICK ? 4000 : 8000,
  /** Longest wait for the persister to catch up between throughput runs. */
  settleMaxMs: 5000,
  /** The whole bench is stopped (and cleaned up) if it runs longer than this. */
  deadlineMs: 7 * 60_000,
  /** After the last send of a latency run: time for the coalesced update to arrive. */
  latencyTailMs: 1500,
  liveMaxHz: 10,
  dashboardRooms: 'wall' as 'wall' | 'mixed',
  floors: { eventsPerSec: 20_000, commandsPerEvent: 0.5, p99Ms: 250 },
};

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const log = (s: string) => console.log(`[bench ${((performance.now() - T0) / 1000).toFixed(0).padStart(3)}s] ${s}`);
const T0 = performance.now();

// ---------------------------------------------------------------------------------------------- setup

async function startRedis(): Promise<{ child: Child; port: number; admin: Redis; version: string }> {
  const port = (await portInUse(6391)) ? await freePort() : 6391;
  const dir = mkdtempSync(path.join(tmpdir(), 'gy-bench-redis-'));
  onCleanup(async () => rmSync(dir, { recursive: true, force: true }));
  const child = start('redis-server', 'redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir,
  ]);
  const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, protocol: 2 });
  admin.on('error', () => {});
  onCleanup(async () => admin.disconnect());
  await waitFor('redis-server', async () => (await admin.connect().catch(() => undefined), (await admin.ping()) === 'PONG'), child, 10_000);
  const version = (await redisInfo(admin, 'server')).get('redis_version') ?? '?';
  return { child, port, admin, version };
}

async function startHub(env: { databaseUrl: string; redisUrl: string; cpuProfDir?: string }): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // Only the settings the bench means: nothing inherited from the caller's shell changes the hub.
  for (const k of ['METRICS_TOKEN', 'ALERTS', 'CORS_ORIGINS', 'DATA_DIR', 'TOKEN_TTL_HOURS', 'NODE_OPTIONS']) delete childEnv[k];
  Object.assign(childEnv, {
    PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, LOG_LEVEL: 'warn',
    SERVE_CLIENT: 'false', PERSISTER, LIVE_MAX_HZ: String(P.liveMaxHz), HUB_ID: 'bench-hub', ...HUB_ENV,
  });
  const prof = env.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', env.cpuProfDir] : [];
  const child = start('hub', process.execPath, [...prof, '--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: childEnv });
  await waitFor('GET /api/health 200', async () => (await httpGet(port, '/api/health')).status === 200, child, 60_000);
  return { child, port };
}

async function startBaseline(): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const child = start('baseline', process.execPath, ['--import', 'tsx', 'bench/baseline-server.ts'], {
    cwd: ROOT, env: { ...process.env, PORT: String(port) },
  });
  await waitFor('baseline /health', async () => (await httpGet(port, '/health')).status === 200, child, 30_000);
  return { child, port };
}

const LoginAnswer = z.object({ token: z.string() });

async function login(port: number): Promise<string> {
  const r = await httpPostJson(port, '/api/v1/auth/login', { username: PROVINCE_USER, password: PROVINCE_PASSWORD });
  if (r.status !== 200) throw new Error(`login → ${r.status}: ${r.text}`);
  return LoginAnswer.parse(JSON.parse(r.text)).token;
}

// ------------------------------------------------------------------------------------------ dashboards

class Dashboards {
  private waiters: Array<(m: FromDashboards) => boolean> = [];

  constructor(readonly child: Child) {
    child.proc.on('message', (raw: unknown) => {
      const m = FromDashboards.parse(raw);
      this.waiters = this.waiters.filter((w) => !w(m));
    });
  }

  send(m: ToDashboards): void {
    this.child.proc.send(m);
  }

  /** The next message of that type, or an error naming what did not come. */
  next<T extends FromDashboards['type']>(type: T, timeoutMs: number): Promise<Extract<FromDashboards, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`dashboards: no '${type}' within ${timeoutMs} ms\n${this.child.tail()}`)), timeoutMs);
      const wanted = (m: FromDashboards): m is Extract<FromDashboards, { type: T }> => m.type === type;
      this.waiters.push((m) => {
        if (!wanted(m)) return false;
        clearTimeout(timer);
        resolve(m);
        return true;
      });
    });
  }
}

// ------------------------------------------------------------------------------------------- phases

function batchSource(traffic: Traffic, contest: BenchContest, size: number): () => Post {
  let c = 0;
  return () => {
    const city = contest.cities[c++ % contest.cities.length]!;
    return { key: city.key, body: JSON.stringify({ events: traffic.batch(city, size, P.orderShare) }) };
  };
}

function checkLoad(what: string, r: LoadResult): void {
  if (r.failed || r.rejected || r.duplicates) {
    log(`  ! ${what}: ${r.failed} failed requests, ${r.rejected} rejected, ${r.duplicates} duplicates: ${r.problems.join(' | ')}`);
  }
}

interface Commands {
  /** Commands the hub's Redis connections sent, counted on the wire by the proxy, by name. */
  hubSent: Map<string, number>;
  /** Calls Redis ran (INFO commandstats): the commands clients sent and those run inside Lua scripts alike. */
  redisCalls: Map<string, number>;
}

/**
 * Starts counting Redis commands. Nothing the bench itself asks of the hub may fall inside a window (a /metrics
 * scrape makes the hub send INFO and a MULTI of its own); the bench's own INFO commandstats is taken out.
 */
async function countCommands(proxy: CountingProxy, admin: Redis): Promise<() => Promise<Commands>> {
  const p0 = proxy.snapshot();
  const c0 = await commandCalls(admin);
  return async () => {
    const hubSent = diffCounts(proxy.snapshot(), p0);
    const redisCalls = diffCounts(await commandCalls(admin), c0);
    redisCalls.set('info', (redisCalls.get('info') ?? 0) - 1);
    if (redisCalls.get('info') === 0) redisCalls.delete('info');
    return { hubSent, redisCalls };
  };
}

interface PerEvent {
  hubSent: number;
  redisCalls: number;
  hubSentTop: string;
  redisCallsTop: string;
}

const perEvent = (c: Commands, events: number): PerEvent => ({
  hubSent: total(c.hubSent) / events,
  redisCalls: total(c.redisCalls) / events,
  hubSentTop: topCounts(c.hubSent),
  redisCallsTop: topCounts(c.redisCalls),
});

interface HubRun {
  load: LoadResult;
  commands: PerEvent;
  /** gy_live_store_commands_total delta per accepted event (0 when the hub does not report it). */
  hubReportedPerEvent: number;
  /** Cores used while the senders ran. */
  cpu: CpuShare;
  /** CPU per accepted event (µs), counted until the persister had caught up (bounded), so its writes are in. */
  perEventUs: { hub: number; redis: number; postgres: number };
  backlogAfter: number;
  settle: { entries: number; waitedMs: number };
}

async function hubThroughputRun(hubPort: number, proxy: CountingProxy, admin: Redis, meter: CpuMeter, poster: Poster, ms: number, next: () => Post, settleMs: number): Promise<HubRun> {
  const m0 = await scrapeMetrics(hubPort);
  const counting = await countCommands(proxy, admin);
  const cpu = await meter.start();
  const whole = await meter.start();
  const load = await saturate(poster, P.senders, ms, next);
  const share = cpu();
  const commands = await counting();
  const m1 = await scrapeMetrics(hubPort);
  const settle = await settleBacklog(admin, settleMs);
  const w = whole();
  const us = (cores: number) => ((cores * w.seconds) / load.accepted) * 1e6;
  const reported = sample(m1, 'gy_live_store_commands_total') - sample(m0, 'gy_live_store_commands_total');
  return {
    load, commands: perEvent(commands, load.accepted), hubReportedPerEvent: reported / load.accepted, cpu: share,
    perEventUs: { hub: us(w.hub), redis: us(w.redis), postgres: us(w.postgres) }, backlogAfter: backlogOf(m1), settle,
  };
}

const backlogOf = (m: Map<string, number>) =>
  sample(m, 'gy_persister_backlog_entries{state="unread"}') + sample(m, 'gy_persister_backlog_entries{state="pending"}');

/**
 * Waits (bounded) for the persister to catch up, so one run's PostgreSQL writes do not land in the next. Asks
 * Redis directly (XLEN, XPENDING of the durable log) rather than the hub, whose commands are being counted.
 */
async function settleBacklog(admin: Redis, maxMs: number): Promise<{ entries: number; waitedMs: number }> {
  const t = performance.now();
  let entries = NaN;
  while (PERSISTER === 'true' && performance.now() - t < maxMs) {
    const [len, pending] = await Promise.all([admin.xlen(keys.log), admin.xpending(keys.log, keys.logGroup)]);
    entries = Number(len) + Number(Array.isArray(pending) ? pending[0] : 0);
    if (entries <= 0) break;
    await sleep(250);
  }
  return { entries, waitedMs: performance.now() - t };
}

/** A baseline run, with the CPU the baseline process used per accepted event (µs). */
async function baselineRun(poster: Poster, pid: number, ms: number, next: () => Post): Promise<LoadResult & { cpuPerEventUs: number }> {
  const c0 = cpuSeconds(pid);
  const r = await saturate(poster, P.senders, ms, next);
  return { ...r, cpuPerEventUs: ((cpuSeconds(pid) - c0) / r.accepted) * 1e6 };
}

interface PaceResult {
  sent: number;
  accepted: number;
  sends: Array<[string, number]>;
}

const Accepted = z.object({ accepted: z.number() });

/**
 * Collectors at their real pace: each city's collector posts one batch a second (a stats event per session,
 * an order for about one in five), the 11 cities spread over the second. Records each order's send time.
 */
async function collectorPace(poster: Poster, traffic: Traffic, cities: BenchCity[], ms: number): Promise<PaceResult> {
  const r: PaceResult = { sent: 0, accepted: 0, sends: [] };
  const pending: Array<Promise<void>> = [];
  const t0 = performance.now();
  const step = 1000 / cities.length;
  const ticks = Math.floor(ms / step);
  for (let k = 0; k < ticks; k++) {
    await sleep(t0 + k * step - performance.now());
    const city = cities[k % cities.length]!;
    const { events, orders } = traffic.tick(city, Math.floor(k / cities.length));
    const body = JSON.stringify({ events });
    const sentAt = now();
    for (const o of orders) r.sends.push([`${o.sid}:${o.count}`, sentAt]);
    r.sent += events.length;
    pending.push(
      poster.post({ key: city.key, body }).then(
        (a) => {
          const ok = a.status === 200 ? Accepted.safeParse(JSON.parse(a.text)) : null;
          if (ok?.success) r.accepted += ok.data.accepted;
          else log(`  ! collector batch → ${a.status}: ${a.text.slice(0, 200)}`);
        },
        (e: unknown) => log(`  ! collector batch failed: ${e instanceof Error ? e.message : String(e)}`),
      ),
    );
  }
  await Promise.all(pending);
  return r;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT }).toString().trim();
  } catch {
    return '?';
  }
}

/** CPU a party used per accepted event in a hub run, in µs, the persister's catching up included. */
const usPerEvent = (h: HubRun, who: keyof HubRun['perEventUs']): number => h.perEventUs[who];

const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;

// --------------------------------------------------------------------------------------------- main

async function main(): Promise<number> {
  installSignalHandlers();
  setTimeout(() => {
    console.error(`bench: still running after ${P.deadlineMs / 60_000} minutes; stopping`);
    void cleanupAll().finally(() => process.exit(2));
  }, P.deadlineMs).unref();
  const machine = {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
    redis: '',
    loadavgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    // What was measured: the commit, and whether the hub's code had uncommitted changes (others work alongside).
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedHubFiles: git(['status', '--porcelain', '--', 'server', 'contracts', 'prisma']).split('\n').filter(Boolean).length,
  };
  const notes = [QUICK ? 'BENCH_QUICK: short runs' : '', process.env['BENCH_HUB_ENV'] ? `BENCH_HUB_ENV=${process.env['BENCH_HUB_ENV']}` : ''].filter(Boolean);
  log(
    `machine: ${machine.nproc} cores (${machine.cpu}), node ${machine.node}, load average ${machine.loadavgAtStart.join(' ')}; ` +
      `commit ${machine.commit}${machine.uncommittedHubFiles ? ` + ${machine.uncommittedHubFiles} uncommitted files in server/, contracts/, prisma/` : ''}${notes.length ? `  [${notes.join('; ')}: not for the record]` : ''}`,
  );

  // ---- Redis (behind the counting proxy), PostgreSQL, the contest, the hub and the baseline
  const redis = await startRedis();
  machine.redis = redis.version;
  const proxy = new CountingProxy(redis.port);
  const proxyPort = await proxy.listen();
  onCleanup(() => proxy.close());
  log(`redis-server ${redis.version} on 127.0.0.1:${redis.port} (pid ${redis.child.pid}); the hub reaches it through a counting proxy on ${proxyPort}`);
  const target = await createTestDatabase();
  onCleanup(() => target.drop());
  const db = await openDatabase({ url: target.url });
  await migrate(db);
  const contest = await seedContest(db, { teams: P.sessions, now: Date.now() });
  await db.close();
  log(`database ${target.name}: ${contest.cities.length} cities, ${contest.sessionIds.length} sessions, ${contest.cities.length} collector keys`);

  const cpuProfDir = process.env['BENCH_CPU_PROF'] === '1' ? path.join(ROOT, 'bench', 'results', 'prof') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  const hub = await startHub({ databaseUrl: target.url, redisUrl: `redis://127.0.0.1:${proxyPort}`, ...(cpuProfDir ? { cpuProfDir } : {}) });
  log(`hub on 127.0.0.1:${hub.port} (pid ${hub.child.pid}, persister ${PERSISTER === 'true' ? 'in process' : 'off'})`);
  const baseline = await startBaseline();
  log(`baseline Express 5 on 127.0.0.1:${baseline.port} (pid ${baseline.child.pid})`);
  const meter = new CpuMeter(target.url, () => ({ hub: hub.child.pid, redis: redis.child.pid }));
  onCleanup(() => meter.close());
  const token = await login(hub.port);
  const traffic = new Traffic(`b${Date.now().toString(36)}`);
  const collector = new Poster(hub.port, '/api/v1/ingest', contest.cities.length);
  const redisMemIdle = Number((await redisInfo(redis.admin, 'memory')).get('used_memory'));

  // ---- reference: collectors at their pace, no dashboards (the memory and CPU reference for dashboards), after
  // a warm-up: the JIT, and the first event of each session marking it live in PostgreSQL, would inflate it.
  const warm = await collectorPace(collector, traffic, contest.cities, P.warmupMs * 2);
  const refRss = new RssSampler(hub.child.pid);
  const refCount = await countCommands(proxy, redis.admin);
  const refCpuWindow = await meter.start();
  const refPace = await collectorPace(collector, traffic, contest.cities, P.referenceMs);
  const refCpu = refCpuWindow();
  const refCommands = perEvent(await refCount(), refPace.accepted);
  const memRef = refRss.stop();
  log(
    `reference, collector pace without dashboards: ${refPace.accepted}/${refPace.sent} events accepted; hub RSS ${mb(memRef.median)}; ` +
      `hub sent ${refCommands.hubSent.toFixed(3)} commands/event (${refCommands.hubSentTop}); cpu ${cpuText(refCpu)}`,
  );

  // ---- dashboards (hub memory read idle before and after, and under load below)
  await sleep(2000);
  const idle0 = await scrapeMetrics(hub.port);
  const dash = new Dashboards(start('dashboards', process.execPath, ['--import', 'tsx', 'bench/dashboards.ts'], { cwd: ROOT, ipc: true }));
  dash.send({
    type: 'connect', url: `http://127.0.0.1:${hub.port}`, token, count: P.dashboards, rooms: P.dashboardRooms,
    measuring: P.measuringDashboards, cityCodes: contest.cities.map((c) => c.code),
  });
  const conn = await dash.next('connected', 120_000);
  if (conn.connected < P.dashboards) throw new Error(`only ${conn.connected} of ${P.dashboards} dashboards connected: ${conn.firstError ?? ''}`);
  await sleep(1500);
  const connected = await scrapeMetrics(hub.port);
  const sockets = sample(connected, 'gy_socket_connections');
  dash.send({ type: 'subscribe' });
  const sub = await dash.next('subscribed', 120_000);
  if (sub.subscribed < P.dashboards) throw new Error(`only ${sub.subscribed} of ${P.dashboards} dashboards subscribed: ${sub.firstError ?? ''}`);
  log(`dashboards: ${conn.connected} connected in ${(conn.ms / 1000).toFixed(1)} s (hub counts ${sockets} sockets), subscribed (${P.dashboardRooms}) in ${(sub.ms / 1000).toFixed(1)} s`);
  await sleep(3000);
  const idle1 = await scrapeMetrics(hub.port);
  // Before any dashboard, connected but not subscribed, subscribed to the wall (each got a snapshot).
  const idleRss = [idle0, connected, idle1].map((m) => sample(m, 'process_resident_memory_bytes'));
  const idleHeap = [idle0, connected, idle1].map((m) => sample(m, 'nodejs_heap_used_bytes'));

  // ---- latency: 500 sessions at collector pace, 200 dashboards
  traffic.setOrders(new Map(sub.orders));
  type LatencyRun = LatencyResult & { sent: number; accepted: number; cpu: CpuShare; dashCpuCores: number; commands: PerEvent };
  const latency: LatencyRun[] = [];
  const dashRss = new RssSampler(hub.child.pid);
  for (let run = 1; run <= P.runs; run++) {
    dash.send({ type: 'run-start', run });
    const counting = await countCommands(proxy, redis.admin);
    const cpu = await meter.start();
    const t = performance.now();
    const pace = await collectorPace(collector, traffic, contest.cities, P.latencyRunMs);
    await sleep(P.latencyTailMs);
    const share = cpu();
    const commands = perEvent(await counting(), pace.accepted);
    const seconds = (performance.now() - t) / 1000;
    dash.send({ type: 'run-end', run, sends: pace.sends });
    const { result } = await dash.next('run-result', 60_000);
    // The dashboards process is part of "the rest of the machine" as measured; shown apart.
    const dashCpuCores = result.cpuSeconds / seconds;
    share.other = Math.max(0, share.other - dashCpuCores);
    latency.push({ ...result, sent: pace.sent, accepted: pace.accepted, cpu: share, dashCpuCores, commands });
    log(
      `latency run ${run}: p50 ${result.p50.toFixed(0)} ms, p95 ${result.p95.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms, max ${result.max.toFixed(0)} ms ` +
        `(first dashboard to see each order: p50 ${result.firstP50.toFixed(0)}, p99 ${result.firstP99.toFixed(0)}); ${result.samples}/${result.expected} order sightings; ` +
        `${pace.accepted}/${pace.sent} events accepted; ${(result.updates / result.measuring / seconds).toFixed(1)} updates/s per dashboard of ~${kb(result.updateBytes)}; ` +
        `hub sent ${commands.hubSent.toFixed(3)} commands/event; cpu ${cpuText(share, dashCpuCores)}; dashboards' event loop ${(100 * result.elu).toFixed(0)}% busy`,
    );
  }
  const memDash = dashRss.stop();
  const heapLoaded = sample(await scrapeMetrics(hub.port), 'nodejs_heap_used_bytes');
  const drained = await settleBacklog(redis.admin, 10_000);
  const redisMemLive = Number((await redisInfo(redis.admin, 'memory')).get('used_memory'));
  const liveEvents = warm.accepted + refPace.accepted + latency.reduce((a, r) => a + r.accepted, 0);
  // One session's keys, to show where its memory goes.
  const perKey: Record<string, number> = {};
  for (const k of ['state', 'seen', 'orders', 'buyers', 'series']) {
    perKey[k] = Number(await redis.admin.call('MEMORY', 'USAGE', `live:s:{${contest.sessionIds[0]!}}:${k}`, 'SAMPLES', '0')) || 0;
  }
  dash.send({ type: 'close' });
  await dash.next('closed', 10_000).catch(() => undefined);
  await stop(dash.child);
  collector.close();
  log(`redis used_memory ${mb(redisMemIdle)} → ${mb(redisMemLive)} after ${liveEvents} events over ${P.sessions} sessions (persister backlog ${drained.entries})`);

  // ---- throughput: baseline and hub runs interleaved, so both see the same noise
  const hubPoster = new Poster(hub.port, '/api/v1/ingest', P.senders);
  const basePoster = new Poster(baseline.port, '/api/v1/ingest', P.senders);
  const batches = batchSource(traffic, contest, P.batchSize);
  const singles = batchSource(traffic, contest, 1);
  await saturate(hubPoster, P.senders, P.warmupMs, batches);
  await saturate(basePoster, P.senders, P.warmupMs, batches);
  await settleBacklog(redis.admin, P.settleMaxMs);
  const batchRuns: Array<{ hub: HubRun; base: LoadResult & { cpuPerEventUs: number } }> = [];
  for (let run = 1; run <= P.runs; run++) {
    const base = await baselineRun(basePoster, baseline.child.pid, P.batchRunMs, batches);
    checkLoad('baseline', base);
    const h = await hubThroughputRun(hub.port, proxy, redis.admin, meter, hubPoster, P.batchRunMs, batches, P.settleMaxMs);
    checkLoad('hub', h.load);
    const settle = h.settle;
    batchRuns.push({ hub: h, base });
    log(
      `batched run ${run}: hub ${Math.round(h.load.eventsPerSec)} ev/s, baseline ${Math.round(base.eventsPerSec)} ev/s (×${(h.load.eventsPerSec / base.eventsPerSec).toFixed(3)}); ` +
        `hub sent ${h.commands.hubSent.toFixed(3)} commands/event, Redis ran ${h.commands.redisCalls.toFixed(2)}; cpu ${cpuText(h.cpu)}; ` +
        `CPU per event: hub ${usPerEvent(h, 'hub').toFixed(0)} µs, redis ${usPerEvent(h, 'redis').toFixed(0)} µs, baseline ${base.cpuPerEventUs.toFixed(1)} µs; ` +
        `persister backlog ${h.backlogAfter} entries${PERSISTER === 'true' ? `, ${settle.entries > 0 ? `still ${settle.entries} after` : 'drained in'} ${(settle.waitedMs / 1000).toFixed(1)} s` : ''}`,
    );
  }
  await saturate(hubPoster, P.senders, P.warmupMs / 2, singles);
  await saturate(basePoster, P.senders, P.warmupMs / 2, singles);
  const singleRuns: Array<{ hub: HubRun; base: LoadResult & { cpuPerEventUs: number } }> = [];
  for (let run = 1; run <= P.runs; run++) {
    const base = await baselineRun(basePoster, baseline.child.pid, P.singleRunMs, singles);
    checkLoad('baseline single', base);
    const h = await hubThroughputRun(hub.port, proxy, redis.admin, meter, hubPoster, P.singleRunMs, singles, P.settleMaxMs / 2);
    checkLoad('hub single', h.load);
    singleRuns.push({ hub: h, base });
    log(
      `single-event run ${run}: hub ${Math.round(h.load.eventsPerSec)} ev/s, baseline ${Math.round(base.eventsPerSec)} ev/s (×${(h.load.eventsPerSec / base.eventsPerSec).toFixed(3)}); ` +
        `hub sent ${h.commands.hubSent.toFixed(3)} commands/event, Redis ran ${h.commands.redisCalls.toFixed(2)}; cpu ${cpuText(h.cpu)}`,
    );
  }
  hubPoster.close();
  basePoster.close();
  const m3 = await scrapeMetrics(hub.port);
  const redisMemAfter = Number((await redisInfo(redis.admin, 'memory')).get('used_memory'));
  const throughputEvents = sample(m3, 'gy_ingest_events_total{result="accepted"}') - liveEvents;

  // ---------------------------------------------------------------------------------------- report
  const s = <T>(runs: T[], f: (r: T) => number) => summarize(runs.map(f));
  const hubBatch = s(batchRuns, (r) => r.hub.load.eventsPerSec);
  const baseBatch = s(batchRuns, (r) => r.base.eventsPerSec);
  const ratioBatch = s(batchRuns, (r) => r.hub.load.eventsPerSec / r.base.eventsPerSec);
  const hubSingle = s(singleRuns, (r) => r.hub.load.eventsPerSec);
  const baseSingle = s(singleRuns, (r) => r.base.eventsPerSec);
  const ratioSingle = s(singleRuns, (r) => r.hub.load.eventsPerSec / r.base.eventsPerSec);
  const sentBatch = s(batchRuns, (r) => r.hub.commands.hubSent);
  const sentSingle = s(singleRuns, (r) => r.hub.commands.hubSent);
  const sentLive = s(latency, (r) => r.commands.hubSent);
  const callsBatch = s(batchRuns, (r) => r.hub.commands.redisCalls);
  const callsSingle = s(singleRuns, (r) => r.hub.commands.redisCalls);
  const callsLive = s(latency, (r) => r.commands.redisCalls);
  const reportedBatch = s(batchRuns, (r) => r.hub.hubReportedPerEvent);
  const p50 = s(latency, (r) => r.p50);
  const p95 = s(latency, (r) => r.p95);
  const p99 = s(latency, (r) => r.p99);
  const at = (xs: number[], i: number) => xs[i] ?? NaN;
  const connectedRssPerDashboard = (at(idleRss, 1) - at(idleRss, 0)) / P.dashboards;
  const idleRssPerDashboard = (at(idleRss, 2) - at(idleRss, 0)) / P.dashboards;
  const loadedRssPerDashboard = (memDash.median - memRef.median) / P.dashboards;
  const perSessionRedis = (redisMemLive - redisMemIdle) / P.sessions;
  const perEventRedis = (redisMemAfter - redisMemLive) / throughputEvents;
  const lastTop = <T>(runs: T[], f: (r: T) => string) => (runs.length ? f(runs[runs.length - 1]!) : '');
  const cpuMedian = (runs: Array<{ cpu: CpuShare }>, dashboards?: number[]): string =>
    cpuText(
      {
        hub: median(runs.map((r) => r.cpu.hub)),
        redis: median(runs.map((r) => r.cpu.redis)),
        postgres: median(runs.map((r) => r.cpu.postgres)),
        loadgen: median(runs.map((r) => r.cpu.loadgen)),
        other: median(runs.map((r) => r.cpu.other)),
        seconds: 0,
      },
      dashboards ? median(dashboards) : undefined,
    );

  const floors = {
    eventsPerSec: { need: `≥ ${P.floors.eventsPerSec} events/s, batched`, got: hubBatch.median, met: hubBatch.median >= P.floors.eventsPerSec },
    commandsPerEvent: { need: `≤ ${P.floors.commandsPerEvent} Redis commands the hub sends per event, batched`, got: sentBatch.median, met: sentBatch.median <= P.floors.commandsPerEvent },
    p99Ms: { need: `≤ ${P.floors.p99Ms} ms ingest→dashboard p99`, got: p99.median, met: p99.median <= P.floors.p99Ms },
  };
  const rows: Array<[string, string, string]> = [
    ['ingest, 100-event batches (events/s accepted)', fmt(hubBatch), `baseline ${fmt(baseBatch)}; hub/baseline ×${fmt(ratioBatch, 3)}`],
    ['  CPU in batched hub runs (cores)', '', cpuMedian(batchRuns.map((r) => r.hub))],
    ['  CPU per event, batched (µs): hub / redis / postgres', `${fmt(s(batchRuns, (r) => usPerEvent(r.hub, 'hub')))} / ${fmt(s(batchRuns, (r) => usPerEvent(r.hub, 'redis')))} / ${fmt(s(batchRuns, (r) => usPerEvent(r.hub, 'postgres')))}`, `baseline process ${fmt(s(batchRuns, (r) => r.base.cpuPerEventUs), 1)}; hub/baseline ×${fmt(s(batchRuns, (r) => usPerEvent(r.hub, 'hub') / r.base.cpuPerEventUs), 1)} (steadier than events/s on a busy machine)`],
    ['ingest, single events (events/s accepted)', fmt(hubSingle), `baseline ${fmt(baseSingle)}; hub/baseline ×${fmt(ratioSingle, 3)}`],
    ['  CPU per event, single (µs): hub / redis / postgres', `${fmt(s(singleRuns, (r) => usPerEvent(r.hub, 'hub')))} / ${fmt(s(singleRuns, (r) => usPerEvent(r.hub, 'redis')))} / ${fmt(s(singleRuns, (r) => usPerEvent(r.hub, 'postgres')))}`, `baseline process ${fmt(s(singleRuns, (r) => r.base.cpuPerEventUs), 1)}`],
    ['Redis commands the hub sent / event: batched', fmt(sentBatch, 3), lastTop(batchRuns, (r) => r.hub.commands.hubSentTop)],
    ['  single events', fmt(sentSingle, 3), lastTop(singleRuns, (r) => r.hub.commands.hubSentTop)],
    ['  collector pace, no dashboards', refCommands.hubSent.toFixed(3), refCommands.hubSentTop],
    [`  collector pace, ${P.dashboards} dashboards`, fmt(sentLive, 3), lastTop(latency, (r) => r.commands.hubSentTop)],
    ['Redis calls run / event (incl. Lua): batched', fmt(callsBatch, 2), lastTop(batchRuns, (r) => r.hub.commands.redisCallsTop)],
    ['  single events', fmt(callsSingle, 2), lastTop(singleRuns, (r) => r.hub.commands.redisCallsTop)],
    ['  collector pace, no dashboards', refCommands.redisCalls.toFixed(2), refCommands.redisCallsTop],
    [`  collector pace, ${P.dashboards} dashboards`, fmt(callsLive, 2), lastTop(latency, (r) => r.commands.redisCallsTop)],
    ['gy_live_store_commands_total / event (hub-reported)', fmt(reportedBatch, 3), reportedBatch.median === 0 ? 'the hub reports 0: is it a hub from before RedisLiveStore.commandsSent()?' : ''],
    ['ingest→dashboard latency p50 / p95 / p99 (ms)', `${fmt(p50)} / ${fmt(p95)} / ${fmt(p99)}`, `${P.dashboards} dashboards on the ${P.dashboardRooms} (${P.measuringDashboards} of them timing), ${P.sessions} sessions at 1 stats/s + 1 order/5 s, LIVE_MAX_HZ ${P.liveMaxHz}; max ${fmt(s(latency, (r) => r.max))}`],
    ['  first dashboard to see each order: p50 / p99 (ms)', `${fmt(s(latency, (r) => r.firstP50))} / ${fmt(s(latency, (r) => r.firstP99))}`, `updates ~${kb(median(latency.map((r) => r.updateBytes)))}, ${median(latency.map((r) => r.updates / r.measuring / ((P.latencyRunMs + P.latencyTailMs) / 1000))).toFixed(1)}/s per dashboard; dashboards' event loop ${(100 * median(latency.map((r) => r.elu))).toFixed(0)}% busy`],
    ['  CPU in latency runs (cores)', '', cpuMedian(latency, latency.map((r) => r.dashCpuCores))],
    ['hub RSS per dashboard, connected (idle)', kb(connectedRssPerDashboard), `RSS ${mb(at(idleRss, 0))} before any dashboard → ${mb(at(idleRss, 1))} with ${P.dashboards} connected`],
    ['hub RSS per dashboard, on the wall (idle)', kb(idleRssPerDashboard), `→ ${mb(at(idleRss, 2))} 3 s after all subscribed, each sent a ~${kb(sub.snapshotBytes)} snapshot (heap ${idleHeap.map(mb).join(' → ')}: GC timing, not a per-dashboard figure)`],
    ['hub RSS per dashboard, under collector load', kb(loadedRssPerDashboard), `median RSS ${mb(memRef.median)} without → ${mb(memDash.median)} with them (heap ${mb(heapLoaded)} after the runs)`],
    ['Redis memory per live session', kb(perSessionRedis), `after ~${Math.round(liveEvents / P.sessions)} events each; one session: ${Object.entries(perKey).map(([k, v]) => `${k} ${v} B`).join(', ')}`],
    ['Redis memory per further event', `${perEventRedis.toFixed(0)} B`, `over the ${throughputEvents} events of the throughput runs (dedupe ids are kept 3 days)`],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log('\n' + rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`).join('\n'));
  console.log('\nfloors (the issue, on this 2-core machine, load generator included):');
  for (const f of Object.values(floors)) console.log(`  ${f.met ? 'MET   ' : 'MISSED'} ${f.need}: ${Number.isFinite(f.got) ? (f.got < 10 ? f.got.toFixed(3) : Math.round(f.got)) : 'n/a'}`);
  console.log('  medians of 3 runs (range in brackets); hub/baseline ratios are per interleaved pair of runs');

  const results = {
    at: new Date().toISOString(), quick: QUICK, hubEnv: HUB_ENV, machine, params: P,
    throughput: {
      batched: { hub: hubBatch, baseline: baseBatch, ratio: ratioBatch, runs: batchRuns },
      single: { hub: hubSingle, baseline: baseSingle, ratio: ratioSingle, runs: singleRuns },
    },
    commands: {
      hubSentPerEvent: { batched: sentBatch, single: sentSingle, paceNoDashboards: refCommands, paceWithDashboards: sentLive },
      redisCallsPerEvent: { batched: callsBatch, single: callsSingle, paceWithDashboards: callsLive },
      hubReportedPerEvent: reportedBatch,
    },
    latency: { p50, p95, p99, runs: latency, referenceCpu: refCpu },
    memory: {
      idleRss, idleHeap, connectedRssPerDashboard, idleRssPerDashboard, snapshotBytes: sub.snapshotBytes, sockets,
      rssUnderLoadWithout: memRef, rssUnderLoadWith: memDash, loadedRssPerDashboard, heapLoaded,
      redisIdle: redisMemIdle, redisLive: redisMemLive, redisAfterThroughput: redisMemAfter,
      perSessionRedis, liveEvents, perKey, perEventRedis, throughputEvents,
    },
    floors,
  };
  const out = path.join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  log('wrote bench/results/latest.json');
  // --cpu-prof writes its file only on a clean exit, which a graceful drain can take longer than 3 s to reach.
  if (cpuProfDir) await stop(hub.child, 30_000);
  return Object.values(floors).every((f) => f.met) ? 0 : 1;
}

main().then(
  async (code) => {
    await cleanupAll();
    log(code === 0 ? 'all floors met' : 'a floor was missed');
    process.exit(code);
  },
  async (err: unknown) => {
    console.error('bench failed:', err instanceof Error ? (err.stack ?? err.message) : err);
    await cleanupAll();
    process.exit(2);
  },
);
