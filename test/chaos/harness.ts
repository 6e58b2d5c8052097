// The fault harness (issue #8): real hub processes on a redis-server it starts itself (AOF, fsync always) and a
// fresh PostgreSQL database, the simulator feeding them as collectors would (a failed send is resent with the same
// event ids, to the other hub), a province dashboard, and faults injected at moments drawn from a seeded PRNG:
// SIGKILL a hub and restart it, restart Redis, SIGKILL the persister, drop the dashboard's connection.
// At the end the totals in Redis, in PostgreSQL and on the dashboard must equal those of the unique events sent,
// and `npm run cli -- verify` (the same code, against the harness's PostgreSQL and Redis, once the persister has
// drained) must find zero differences between the event log and the live leaderboards.
//
// Used by test/chaos/chaos.test.ts (short, CI) and scripts/chaos.ts (`npm run chaos`, long).
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { freePort, start, waitFor, type Child } from '../../bench/procs.ts';
import { PROVINCE_PASSWORD, PROVINCE_USER, seedContest, type BenchContest } from '../../bench/seed.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { RedisLiveStore } from '../../server/live/redis-store.ts';
import { MemoryLiveStore } from '../../server/live/memory-store.ts';
import type { SessionMeta, StageTotals, StoreEvent } from '../../server/live/store.ts';
import { httpSender, Simulator, type Sender, type SendResult } from '../../server/sim/runner.ts';
import type { SimSession } from '../../server/sim/model.ts';
import { rng } from '../../server/seed/random.ts';
import type { IngestEvent } from '../../contracts/ingest.ts';
import type { SessionLive, Totals } from '../../contracts/live.ts';
import type { Client } from '../helpers/socket.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { verifyForOperator } from '../../server/cli/verify.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const FAULT_KINDS = ['hub-kill', 'redis-restart', 'persister-kill', 'dashboard-drop'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  seed: number;
  /** How long the load runs, with faults spread over it. */
  durationMs: number;
  /** Faults to inject; every kind at least once when there are as many faults as kinds. */
  faults: number;
  /** Teams (one session each) of the seeded contest, spread over Jiangxi's 11 cities (one collector key each). */
  teams?: number;
  /** 'one': hub A persists, hub B does not; 'both': both persist (one consumer group). */
  persisters?: 'one' | 'both';
  /** PERSISTER_STALE_MS of the hubs: how soon a dead persister's entries are taken over. */
  staleMs?: number;
  log?: (line: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  ok: boolean;
  seed: number;
  faults: Record<FaultKind, number>;
  faultLog: string[];
  events: { unique: number; sendsOk: number; sendsFailed: number; answersLost: number; duplicatesAnswered: number; rejected: number; eventsSent: number };
  sessionsChecked: number;
  /** `npm run cli -- verify` against the run's PostgreSQL and Redis once the persister drained; null if it never ran. */
  verify: { ok: boolean; differences: number; backlog: number; stages: number; ranked: number; lines: string[] } | null;
  checks: Check[];
  /** Error-level lines the hubs logged (pino level ≥ 50), counted per hub. */
  hubErrors: Record<string, number>;
  lines: string[];
}

// ---------------------------------------------------------------- processes

interface Hub {
  name: string;
  port: number;
  url: string;
  persister: boolean;
  child: Child | null;
  errors: number;
  errorSamples: string[];
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ port, host: '127.0.0.1' });
    let got = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
  await res.text();
  return res.status === 200;
}

/** SIGKILL by pid and wait for the exit. */
async function kill9(child: Child): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGKILL');
  await child.exited;
}

/** SIGTERM by pid, SIGKILL after graceMs. */
async function term(child: Child, graceMs = 5000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  const t = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(t);
}

// ---------------------------------------------------------------- the recording sender

interface Recorded {
  json: string;
  event: IngestEvent;
  /** 'stored' once an answer counted it accepted or duplicate; 'rejected' when an answer rejected it. */
  status: 'unsent' | 'stored' | 'rejected';
}

class RecordingSender implements Sender {
  readonly events = new Map<string, Recorded>();
  /** Keys in the order the hubs first confirmed them stored: per session, the order the store applied them. */
  readonly storedOrder: string[] = [];
  readonly problems: string[] = [];
  readonly counts = { sendsOk: 0, sendsFailed: 0, answersLost: 0, duplicatesAnswered: 0, rejected: 0, eventsSent: 0 };
  private next = 0;

  constructor(
    private readonly hubs: Hub[],
    private readonly timeoutMs: number,
    /** Draws whether a stored batch's answer is "lost" on the way back (the collector then resends it). */
    private readonly loseAnswer: () => boolean,
  ) {}

  async send(events: IngestEvent[], key: string): Promise<SendResult> {
    for (const e of events) {
      const k = `${e.sessionId}:${e.id}`;
      const json = JSON.stringify(e);
      const had = this.events.get(k);
      if (!had) this.events.set(k, { json, event: e, status: 'unsent' });
      else if (had.json !== json) this.problems.push(`event ${k} sent with two different contents`);
    }
    // Alternate hubs: a retry of a failed batch goes to the other hub (or this one once it is back).
    const hub = this.hubs[this.next++ % this.hubs.length]!;
    this.counts.eventsSent += events.length;
    let res: SendResult;
    try {
      res = await httpSender(hub.url, { timeoutMs: this.timeoutMs }).send(events, key);
    } catch (err) {
      this.counts.sendsFailed++;
      throw err;
    }
    this.counts.sendsOk++;
    this.counts.duplicatesAnswered += res.duplicates;
    const rejected = new Set(res.rejected.map((r) => r.index));
    this.counts.rejected += rejected.size;
    events.forEach((e, i) => {
      const k = `${e.sessionId}:${e.id}`;
      const rec = this.events.get(k)!;
      const now = rejected.has(i) ? 'rejected' : 'stored';
      if (rec.status === 'unsent') {
        rec.status = now;
        if (now === 'stored') this.storedOrder.push(k);
      } else if (rec.status !== now) {
        this.problems.push(`event ${k} answered ${rec.status} once and ${now} later (${JSON.stringify(res.rejected.find((r) => r.index === i))})`);
      }
    });
    // As when a collector's connection drops after the hub stored the batch: the same events go out again.
    if (this.loseAnswer()) {
      this.counts.answersLost++;
      throw new Error('answer lost (injected)');
    }
    return res;
  }
}

// ---------------------------------------------------------------- the dashboard

/** A province wall that reconnects (to the other hub) after any drop and resubscribes, keeping the latest numbers. */
class Dashboard {
  totals: Totals | null = null;
  readonly rows = new Map<number, SessionLive>();
  connects = 0;
  snapshots = 0;
  updates = 0;
  private socket: Client | null = null;
  private closed = false;
  private next = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hubs: Hub[],
    private readonly token: string,
  ) {}

  open(): void {
    if (this.closed) return;
    const hub = this.hubs[this.next++ % this.hubs.length]!;
    const s: Client = io(hub.url, { transports: ['websocket'], auth: { token: this.token }, reconnection: false, forceNew: true, timeout: 3000 });
    this.socket = s;
    s.on('connect', () => {
      this.connects++;
      s.emit('wall:subscribe', null, () => {});
    });
    s.on('wall:snapshot', (snap) => {
      this.snapshots++;
      this.totals = snap.totals;
      for (const r of snap.sessions) this.rows.set(r.sessionId, r);
    });
    s.on('wall:updated', (u) => {
      this.updates++;
      this.totals = u.totals;
      for (const r of u.sessions) this.rows.set(r.sessionId, r);
    });
    const again = () => {
      s.removeAllListeners();
      s.close();
      if (this.socket === s) this.socket = null;
      if (this.closed || this.reconnectTimer) return;
      // A pause between attempts, not a wait for state: the next attempt decides.
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.open();
      }, 250);
    };
    s.on('disconnect', again);
    s.on('connect_error', again);
  }

  /** The fault: the connection drops (as a network would), the dashboard reconnects on its own. */
  drop(): void {
    this.socket?.io.engine?.close();
  }

  /** A fresh snapshot (resubscribe), as a reloaded dashboard would get. */
  resubscribe(): void {
    this.socket?.emit('wall:subscribe', null, () => {});
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.removeAllListeners();
    this.socket?.close();
  }
}

// ---------------------------------------------------------------- expected numbers

interface Sums {
  events: number;
  orders: number;
  units: number;
  gmvFen: number;
  refunds: number;
  refundFen: number;
  buyers: number;
}
const emptySums = (): Sums => ({ events: 0, orders: 0, units: 0, gmvFen: 0, refunds: 0, refundFen: 0, buyers: 0 });

const SESSION_FIELDS = [
  'online', 'peakOnline', 'views', 'viewers', 'likes', 'comments', 'shares', 'followers',
  'gmvFen', 'orders', 'buyers', 'units', 'refunds', 'refundFen', 'lastEventAt', 'manual',
] as const satisfies ReadonlyArray<keyof SessionLive>;

function diffSession(a: SessionLive | undefined, b: SessionLive | undefined): string[] {
  const out: string[] = [];
  for (const f of SESSION_FIELDS) {
    const x = a?.[f] ?? null;
    const y = b?.[f] ?? null;
    if (x !== y && !(f === 'manual' && !x && !y)) out.push(`${f} ${String(x)}≠${String(y)}`);
  }
  return out;
}

const TOTAL_FIELDS = ['gmvFen', 'orders', 'units', 'buyers', 'refundFen'] as const satisfies ReadonlyArray<keyof StageTotals>;
const sameTotals = (a: StageTotals, b: Pick<StageTotals, (typeof TOTAL_FIELDS)[number]>) => TOTAL_FIELDS.every((f) => a[f] === b[f]);
const fmtTotals = (t: Pick<StageTotals, (typeof TOTAL_FIELDS)[number]>) => TOTAL_FIELDS.map((f) => `${f}=${t[f]}`).join(' ');

// ---------------------------------------------------------------- the run

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const teams = opts.teams ?? 30;
  const staleMs = opts.staleMs ?? 3000;
  const persisters = opts.persisters ?? 'one';
  const r = rng(opts.seed);
  const t0 = Date.now();
  const say = (msg: string) => log(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

  const children = new Set<Child>();
  const cleanups: Array<() => Promise<void>> = [];
  const report: ChaosReport = {
    ok: false,
    seed: opts.seed,
    faults: { 'hub-kill': 0, 'redis-restart': 0, 'persister-kill': 0, 'dashboard-drop': 0 },
    faultLog: [],
    events: { unique: 0, sendsOk: 0, sendsFailed: 0, answersLost: 0, duplicatesAnswered: 0, rejected: 0, eventsSent: 0 },
    sessionsChecked: 0,
    verify: null,
    checks: [],
    hubErrors: {},
    lines: [],
  };
  const check = (name: string, ok: boolean, detail: string) => {
    report.checks.push({ name, ok, detail });
    say(`${ok ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
  };

  let sim: Simulator | null = null;
  let dash: Dashboard | null = null;
  try {
    // Redis of our own: AOF on, fsync on every write, in a folder we delete at the end.
    const redisDir = mkdtempSync(path.join(tmpdir(), 'gy-chaos-redis-'));
    cleanups.push(async () => rmSync(redisDir, { recursive: true, force: true }));
    const redisPort = await freePort();
    const redisUrl = `redis://127.0.0.1:${redisPort}`;
    let redis: Child | null = null;
    const startRedis = async () => {
      const c = start('redis-server', 'redis-server', [
        '--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--appendonly', 'yes',
        '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--protected-mode', 'yes',
      ]);
      children.add(c);
      void c.exited.then(() => children.delete(c));
      redis = c;
      await waitFor('redis-server', () => redisPing(redisPort), c, 20_000);
    };
    await startRedis();

    // A fresh PostgreSQL database, migrated and seeded: a stage running now, `teams` sessions live now.
    const target = await createTestDatabase();
    cleanups.push(() => target.drop());
    const db: Database = await openDatabase({ url: target.url });
    cleanups.push(() => db.close());
    await migrate(db);
    const contest: BenchContest = await seedContest(db, { teams, now: Date.now() });
    const sessionRows = await db.prisma.liveSession.findMany({
      where: { id: { in: contest.sessionIds } },
      select: { id: true, stageId: true, teamId: true, cityCode: true, plannedStart: true, plannedEnd: true, team: { select: { universityId: true } } },
    });
    const meta = new Map<number, SessionMeta>(
      sessionRows.map((s) => [s.id, { sessionId: s.id, stageId: s.stageId, teamId: s.teamId, cityCode: s.cityCode, universityId: s.team.universityId }]),
    );
    const stageId = sessionRows[0]!.stageId;
    say(`redis ${redisUrl} (AOF always), database ${target.name}, ${contest.sessionIds.length} sessions in ${contest.cities.length} cities`);

    // Two hubs: A runs the persister; B too with persisters = 'both'.
    const hubs: Hub[] = [];
    for (const [i, name] of ['hub-a', 'hub-b'].entries()) {
      const port = await freePort();
      hubs.push({ name, port, url: `http://127.0.0.1:${port}`, persister: i === 0 || persisters === 'both', child: null, errors: 0, errorSamples: [] });
    }
    const startHub = async (h: Hub) => {
      const c = start(h.name, process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: target.url,
          REDIS_URL: redisUrl,
          PORT: String(h.port),
          HOST: '127.0.0.1',
          HUB_ID: h.name,
          LOG_LEVEL: 'warn',
          SERVE_CLIENT: 'false',
          PERSISTER: h.persister ? 'true' : 'false',
          PERSISTER_STALE_MS: String(staleMs),
          SHUTDOWN_GRACE_SECONDS: '2',
          INGEST_MAX_RPS: '5000',
        },
      });
      children.add(c);
      void c.exited.then(() => children.delete(c));
      // Error-level log lines, counted (and a few kept) for the report.
      const scan = (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          const m = /"level":(\d+)/.exec(line);
          // Access-log lines of 5xx answers (a hub starting, Redis away) are the faults themselves, not errors.
          if (m && Number(m[1]) >= 50 && !line.includes('"msg":"request"')) {
            h.errors++;
            if (h.errorSamples.length < 5) h.errorSamples.push(line.slice(0, 300));
          }
        }
      };
      c.proc.stdout?.on('data', scan);
      c.proc.stderr?.on('data', scan);
      h.child = c;
      await waitFor(`${h.name} healthy`, () => healthy(h.url), c, 60_000);
    };
    await Promise.all(hubs.map(startHub));
    say(`hubs up: ${hubs.map((h) => `${h.name} ${h.url}${h.persister ? ' (persister)' : ''}`).join(', ')}`);

    // The harness's own view of Redis, for the final comparison and the backlog.
    const store = new RedisLiveStore(redisUrl);
    cleanups.push(() => store.close());

    // The province dashboard.
    const login = await fetch(`${hubs[0]!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: PROVINCE_USER, password: PROVINCE_PASSWORD }),
    });
    const loginBody: unknown = await login.json();
    const token = typeof loginBody === 'object' && loginBody !== null && 'token' in loginBody && typeof loginBody.token === 'string' ? loginBody.token : null;
    if (!token) throw new Error(`province sign-in failed: HTTP ${login.status}`);
    dash = new Dashboard(hubs, token);
    dash.open();

    // The load: the simulator on every session, one lane per city key, retries with the same ids.
    const lose = rng(opts.seed ^ 0x105e);
    const sender = new RecordingSender(hubs, 5000, () => lose() < 0.03);
    const keyOf = new Map(contest.cities.map((c) => [c.code, c.key]));
    const productsOf = new Map(contest.cities.map((c) => [c.code, c.products]));
    const sims: SimSession[] = sessionRows.map((s) => ({
      id: s.id,
      teamId: s.teamId,
      cityCode: s.cityCode,
      plannedStart: s.plannedStart.getTime(),
      plannedEnd: s.plannedEnd.getTime(),
      products: productsOf.get(s.cityCode) ?? [],
    }));
    sim = new Simulator({ sessions: sims, keyFor: (s) => keyOf.get(s.cityCode), sender, speed: 1, tickMs: 500, maxBatch: 200, seed: opts.seed, startAt: Date.now() });
    sim.start();
    say(`load started (seed ${opts.seed}); ${opts.faults} faults over ${Math.round(opts.durationMs / 1000)} s`);

    // Fault plan: every kind once (shuffled), then random kinds; moments drawn in the middle of the run.
    const kinds: FaultKind[] = [];
    const shuffled = [...FAULT_KINDS].sort(() => r() - 0.5);
    for (let i = 0; i < opts.faults; i++) kinds.push(i < shuffled.length ? shuffled[i]! : FAULT_KINDS[Math.floor(r() * FAULT_KINDS.length)]!);
    const loadStart = Date.now();
    const window = { from: 0.1 * opts.durationMs, to: 0.85 * opts.durationMs };
    const moments = kinds.map(() => window.from + r() * (window.to - window.from)).sort((a, b) => a - b);

    const inject = async (kind: FaultKind) => {
      const at = ((Date.now() - loadStart) / 1000).toFixed(1);
      const t = Date.now();
      let what = '';
      if (kind === 'hub-kill' || kind === 'persister-kill') {
        const pool = kind === 'persister-kill' ? hubs.filter((h) => h.persister) : persisters === 'one' ? hubs.filter((h) => !h.persister) : hubs;
        const h = pool[Math.floor(r() * pool.length)]!;
        await kill9(h.child!);
        await startHub(h);
        what = `SIGKILL ${h.name}${h.persister ? ' (persister)' : ''}, restarted on :${h.port}`;
      } else if (kind === 'redis-restart') {
        if (redis) await term(redis);
        await startRedis();
        what = 'SIGTERM redis-server, restarted on the same AOF dir';
      } else {
        dash!.drop();
        what = 'dashboard connection dropped';
      }
      report.faults[kind]++;
      const line = `fault #${report.faultLog.length + 1} at +${at}s ${kind}: ${what} (${Date.now() - t} ms)`;
      report.faultLog.push(line);
      say(line);
    };

    for (const [i, kind] of kinds.entries()) {
      const wait = loadStart + moments[i]! - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait)); // the fault's moment, not a wait for state
      await inject(kind);
    }
    const rest = loadStart + opts.durationMs - Date.now();
    if (rest > 0) await new Promise((res) => setTimeout(res, rest)); // the load's remaining duration

    // ---- end: stop the load, deliver everything queued, let the persister drain.
    say('stopping the load; delivering what is queued');
    await sim.stop({ flushMs: 60_000 });
    const simStats = sim.stats();
    check('load delivered', simStats.pendingEvents === 0, `pending events after stop: ${simStats.pendingEvents}; simulator retries: ${simStats.retries}`);
    check('sender consistency', sender.problems.length === 0, sender.problems.slice(0, 5).join('; ') || 'every event id had one content and one outcome');
    const unsent = [...sender.events.values()].filter((e) => e.status === 'unsent').length;
    check('every event answered', unsent === 0, `${unsent} events never got an answer`);

    await waitFor(
      'durable log drained',
      async () => {
        const info = await store.logInfo();
        return info.length === 0 && info.pending === 0;
      },
      null,
      staleMs + 60_000,
    ).catch(() => {}); // reported by the check below
    const info = await store.logInfo();
    check('durable log drained', info.length === 0 && info.pending === 0, `XLEN ${info.length}, pending ${info.pending}`);


    // ---- expected: the unique stored events, summed, and folded by the in-process store in the order applied.
    const expected = new Map<number, Sums>(contest.sessionIds.map((id) => [id, emptySums()]));
    const buyerSets = new Map<number, Set<string>>();
    const reference = new MemoryLiveStore();
    const refEvents: StoreEvent[] = [];
    for (const k of sender.storedOrder) {
      const e = sender.events.get(k)!.event;
      const s = expected.get(e.sessionId)!;
      s.events++;
      if (e.type === 'order') {
        s.orders++;
        s.units += e.quantity;
        s.gmvFen += e.amountFen;
        if (e.buyerRef) {
          const set = buyerSets.get(e.sessionId) ?? new Set<string>();
          buyerSets.set(e.sessionId, set);
          if (!set.has(e.buyerRef)) {
            set.add(e.buyerRef);
            s.buyers++;
          }
        }
      } else if (e.type === 'refund') {
        s.refunds++;
        s.refundFen += e.amountFen;
      }
      refEvents.push({ event: e, atMs: Date.parse(e.at), receivedAt: 0, source: 'collector', meta: meta.get(e.sessionId)! });
    }
    let refRejected = 0;
    for (let i = 0; i < refEvents.length; i += 500) {
      const out = await reference.applyBatch(refEvents.slice(i, i + 500));
      refRejected += out.results.filter((x) => x.status !== 'accepted').length;
    }
    const total = emptySums();
    for (const s of expected.values()) for (const f of Object.keys(total) as Array<keyof Sums>) total[f] += s[f];
    report.events = { unique: sender.storedOrder.length, ...sender.counts };
    check('reference fold', refRejected === 0, `${refEvents.length} unique events folded in-process, ${refRejected} not accepted`);
    check(
      'resends answered as duplicates',
      sender.counts.answersLost === 0 || sender.counts.duplicatesAnswered > 0,
      `${sender.counts.answersLost} stored batches resent after a dropped answer (plus ${sender.counts.sendsFailed} failed sends resent); the hubs answered ${sender.counts.duplicatesAnswered} events as duplicates`,
    );
    check('some load', total.orders > 0 && total.events > total.orders, `expected: ${total.events} events, ${total.orders} orders, ${total.units} units, gmv ${total.gmvFen} fen, ${total.refunds} refunds (${total.refundFen} fen), ${total.buyers} buyers`);

    // ---- the operator's check: `npm run cli -- verify` (the same function) against this run's PostgreSQL and Redis.
    const v = await verifyForOperator(db, redisUrl);
    // One session per team: every team that sold must be on the board.
    const withSales = [...expected.values()].filter((x) => x.orders > 0).length;
    const ranked = v.result.rankings.reduce((n, st) => n + st.team.length, 0);
    report.verify = { ok: v.result.ok, differences: v.result.differences.length, backlog: v.result.backlog, stages: v.result.stages.length, ranked, lines: v.lines };
    check(
      'verify (CLI) after the run',
      v.result.ok && v.result.backlog === 0 && ranked === withSales,
      `${v.result.differences.length} differences between the event log and Redis's leaderboards over ${v.result.stages.length} stage(s), ${ranked} teams ranked (${withSales} sold), backlog ${v.result.backlog}` +
        (v.result.differences.length ? `: ${v.lines.filter((l) => l.startsWith('DIFFERENCE')).slice(0, 3).join('; ')}` : ''),
    );

    const ids = contest.sessionIds;
    report.sessionsChecked = ids.length;

    // ---- Redis: every number of every session, the stage totals, the leaderboards.
    const inRedis = await store.getSessions(ids);
    const inRef = await reference.getSessions(ids);
    const redisDiffs: string[] = [];
    const sumDiffs: string[] = [];
    for (const id of ids) {
      const d = diffSession(inRedis.get(id), inRef.get(id));
      if (d.length) redisDiffs.push(`session ${id}: ${d.join(', ')}`);
      const got = inRedis.get(id);
      const want = expected.get(id)!;
      for (const f of ['orders', 'units', 'gmvFen', 'refunds', 'refundFen', 'buyers'] as const) {
        if ((got?.[f] ?? 0) !== want[f]) sumDiffs.push(`session ${id} ${f}: redis ${got?.[f] ?? 0} ≠ ${want[f]}`);
      }
    }
    check('redis sessions = unique-event sums', sumDiffs.length === 0, sumDiffs.slice(0, 5).join('; ') || `${ids.length} sessions: orders, units, gmv, refunds, refund fen, buyers`);
    check('redis sessions = reference fold', redisDiffs.length === 0, redisDiffs.slice(0, 5).join('; ') || `${ids.length} sessions × ${SESSION_FIELDS.length} fields (views, likes, online, peak, lastEventAt…)`);
    const redisTotals = await store.stageTotals(stageId);
    check('redis stage totals', sameTotals(redisTotals, total), `redis ${fmtTotals(redisTotals)} | expected ${fmtTotals(total)}`);
    const boardDiffs: string[] = [];
    for (const dim of ['team', 'city', 'university'] as const) {
      const a = await store.leaderboard(stageId, dim, 1000);
      const b = await reference.leaderboard(stageId, dim, 1000);
      const key = (xs: Array<{ id: string; netFen: number }>) => JSON.stringify([...xs].sort((x, y) => x.id.localeCompare(y.id)));
      if (key(a) !== key(b)) boardDiffs.push(dim);
    }
    check('redis leaderboards', boardDiffs.length === 0, boardDiffs.length ? `differ: ${boardDiffs.join(', ')}` : 'team, city and university net GMV equal the reference');

    // ---- PostgreSQL: the event log and the minute aggregates.
    const pgEvents = await db.query<{ sid: number; events: number; orders: number; units: number; gmv: number; refunds: number; refund: number; buyers: number }>(
      `SELECT "sessionId" AS sid, count(*)::float8 AS events,
         count(*) FILTER (WHERE type = 'order')::float8 AS orders,
         COALESCE(sum(quantity) FILTER (WHERE type = 'order'), 0)::float8 AS units,
         COALESCE(sum("amountFen") FILTER (WHERE type = 'order'), 0)::float8 AS gmv,
         count(*) FILTER (WHERE type = 'refund')::float8 AS refunds,
         COALESCE(sum("amountFen") FILTER (WHERE type = 'refund'), 0)::float8 AS refund,
         count(DISTINCT "buyerRef") FILTER (WHERE type = 'order')::float8 AS buyers
       FROM "LiveEvent" GROUP BY "sessionId"`,
    );
    const pgAgg = await db.query<{ sid: number; orders: number; units: number; gmv: number; refunds: number; refund: number }>(
      `SELECT "sessionId" AS sid, sum(orders)::float8 AS orders, sum(units)::float8 AS units, sum("gmvFen")::float8 AS gmv,
         sum(refunds)::float8 AS refunds, sum("refundFen")::float8 AS refund FROM "MinuteAggregate" GROUP BY "sessionId"`,
    );
    const evBy = new Map(pgEvents.map((x) => [Number(x.sid), x]));
    const aggBy = new Map(pgAgg.map((x) => [Number(x.sid), x]));
    const pgDiffs: string[] = [];
    const aggDiffs: string[] = [];
    for (const id of ids) {
      const want = expected.get(id)!;
      const e = evBy.get(id);
      const got: Sums = {
        events: Number(e?.events ?? 0), orders: Number(e?.orders ?? 0), units: Number(e?.units ?? 0), gmvFen: Number(e?.gmv ?? 0),
        refunds: Number(e?.refunds ?? 0), refundFen: Number(e?.refund ?? 0), buyers: Number(e?.buyers ?? 0),
      };
      for (const f of Object.keys(want) as Array<keyof Sums>) if (got[f] !== want[f]) pgDiffs.push(`session ${id} ${f}: pg ${got[f]} ≠ ${want[f]}`);
      const a = aggBy.get(id);
      const agg = { orders: Number(a?.orders ?? 0), units: Number(a?.units ?? 0), gmvFen: Number(a?.gmv ?? 0), refunds: Number(a?.refunds ?? 0), refundFen: Number(a?.refund ?? 0) };
      for (const f of Object.keys(agg) as Array<keyof typeof agg>) if (agg[f] !== want[f]) aggDiffs.push(`session ${id} ${f}: minute aggregates ${agg[f]} ≠ ${want[f]}`);
    }
    check('postgres LiveEvent = unique events', pgDiffs.length === 0, pgDiffs.slice(0, 5).join('; ') || `${ids.length} sessions: event count, orders, units, gmv, refunds, refund fen, distinct buyers`);
    check('postgres MinuteAggregate sums', aggDiffs.length === 0, aggDiffs.slice(0, 5).join('; ') || `${ids.length} sessions: orders, units, gmv, refunds, refund fen`);

    // ---- The dashboard: its latest wall totals must reach the expected ones (heartbeats come every 5 s).
    const d = dash;
    const wallOk = () => d.totals !== null && sameTotals({ ...d.totals }, total);
    try {
      await waitFor('dashboard totals', async () => wallOk(), null, 20_000);
    } catch {
      /* reported below */
    }
    check('dashboard wall totals', wallOk(), `wall ${d.totals ? fmtTotals(d.totals) : '(none)'} | expected ${fmtTotals(total)} (connects ${d.connects}, snapshots ${d.snapshots}, updates ${d.updates})`);
    const rowDiffs = () => {
      const out: string[] = [];
      for (const id of ids) {
        const row = d.rows.get(id);
        const want = inRef.get(id);
        for (const f of ['gmvFen', 'orders', 'units', 'refunds', 'refundFen', 'buyers'] as const) {
          if ((row?.[f] ?? 0) !== (want?.[f] ?? 0)) out.push(`session ${id} ${f}: wall ${row?.[f] ?? 0} ≠ ${want?.[f] ?? 0}`);
        }
      }
      return out;
    };
    let rows = rowDiffs();
    let how = 'from snapshots and live updates';
    if (rows.length) {
      // Updates are volatile by design (a dropped one is repaired by the next change); once the load has
      // stopped there is no next change, so a reloaded wall is what must be right.
      how = `after a fresh snapshot (live updates had left ${rows.length} differences: ${rows.slice(0, 2).join('; ')})`;
      d.resubscribe();
      try {
        await waitFor('dashboard rows', async () => rowDiffs().length === 0, null, 10_000);
      } catch {
        /* reported below */
      }
      rows = rowDiffs();
    }
    check('dashboard session rows', rows.length === 0, rows.slice(0, 5).join('; ') || `${ids.length} sessions equal ${how}`);

    for (const h of hubs) {
      report.hubErrors[h.name] = h.errors;
      for (const line of h.errorSamples) say(`${h.name} logged: ${line}`);
    }
  } catch (err) {
    check('harness', false, err instanceof Error ? (err.stack ?? err.message) : String(err));
  } finally {
    try {
      dash?.close();
      await sim?.stop();
    } finally {
      // Every child by pid, then what was opened, in reverse.
      await Promise.allSettled([...children].map((c) => term(c)));
      for (const fn of cleanups.reverse()) await fn().catch((e: unknown) => log(`cleanup failed: ${String(e)}`));
    }
  }
  report.ok = report.checks.length > 0 && report.checks.every((c) => c.ok);
  report.lines = formatReport(report);
  return report;
}

export function formatReport(rep: ChaosReport): string[] {
  const lines = [
    `chaos report (seed ${rep.seed})`,
    `faults injected: ${Object.values(rep.faults).reduce((a, b) => a + b, 0)} — ${Object.entries(rep.faults).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    ...rep.faultLog.map((l) => `  ${l}`),
    `events: ${rep.events.unique} unique stored, ${rep.events.eventsSent} sent incl. resends; sends ok ${rep.events.sendsOk}, failed (retried) ${rep.events.sendsFailed}, stored but answer dropped (retried) ${rep.events.answersLost}; duplicates answered ${rep.events.duplicatesAnswered}; rejected ${rep.events.rejected}`,
    `sessions checked: ${rep.sessionsChecked}`,
    rep.verify
      ? `verify (npm run cli -- verify, after the persister drained): ${rep.verify.differences} differences, ${rep.verify.ranked} teams ranked over ${rep.verify.stages} stage(s), backlog ${rep.verify.backlog} — ${rep.verify.lines.at(-1) ?? ''}`
      : 'verify: not run (the harness stopped before it)',
    `hub error-level log lines (besides 5xx access lines): ${Object.entries(rep.hubErrors).map(([k, n]) => `${k} ${n}`).join(', ') || '(none counted)'}`,
    ...rep.checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
    rep.ok ? 'RESULT: PASS — totals exact in Redis, PostgreSQL and on the dashboard; verify found 0 differences' : 'RESULT: FAIL',
  ];
  return lines;
}
