// The dashboards, in their own process so parsing their updates does not stall the load generator's clock:
// N socket.io clients signed in as the province. A few of them, spread over the connection order, parse every
// update and note when they first see a session's order count rise; the rest drop updates unread
// (bench/lean-parser.ts), so the clients' own JSON parsing does not become what is measured.
// Driven over IPC by bench/run.ts (messages in bench/dash-protocol.ts).
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionLive } from '../contracts/live';
import type { Ack } from '../contracts/errors';
import { FromDashboards, ToDashboards, type LatencyResult } from './dash-protocol';
import { percentileSorted } from './stats';
import { leanParser } from './lean-parser';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const now = () => performance.timeOrigin + performance.now();

/** Per dashboard: the highest order count seen per session. */
const seen: Array<Map<number, number>> = [];
const sockets: Client[] = [];
/** `sessionId:orderCount` → when each dashboard first saw it, for the run being recorded. */
let receipts = new Map<string, number[]>();
let recording = false;
let updates = 0;
let sizeSum = 0;
let sizeN = 0;
let snapshotBytes = 0;
let cpuAtStart = process.cpuUsage();
let eluAtStart = performance.eventLoopUtilization();
/** Dashboards that parse and time their updates; the others only load the hub. */
const measuring = new Set<number>();

function send(m: FromDashboards): void {
  process.send?.(m);
}

function onSessions(d: number, sessions: SessionLive[], sample: () => number): void {
  const t = now();
  updates++;
  if (d === 0 && recording) {
    sizeSum += sample();
    sizeN++;
  }
  const mine = seen[d]!;
  for (const s of sessions) {
    const before = mine.get(s.sessionId) ?? 0;
    if (s.orders <= before) continue;
    mine.set(s.sessionId, s.orders);
    if (!recording) continue;
    // Two orders coalesced into one update are both seen now.
    for (let c = before + 1; c <= s.orders; c++) {
      const key = `${s.sessionId}:${c}`;
      const list = receipts.get(key);
      if (list) list.push(t);
      else receipts.set(key, [t]);
    }
  }
}

function ackOf(what: string, resolve: () => void, reject: (e: Error) => void) {
  return (a: Ack<null>) => (a.ok ? resolve() : reject(new Error(`${what}: ${a.error.code} ${a.error.message}`)));
}

type Room = { kind: 'wall' } | { kind: 'city'; code: string };

const rooms: Room[] = [];

async function connectOne(d: number, url: string, token: string): Promise<void> {
  const socket: Client = io(url, {
    transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true, timeout: 20_000,
    ...(measuring.has(d) ? {} : { parser: leanParser }),
  });
  sockets[d] = socket;
  seen[d] = new Map();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
}

/** Subscribes one dashboard; returns the order counts of its snapshot. */
async function subscribeOne(d: number): Promise<Map<number, number>> {
  const socket = sockets[d]!;
  const room = rooms[d]!;
  const snapshot = new Map<number, number>();
  if (!measuring.has(d)) {
    const [event, payload] = room.kind === 'wall' ? (['wall:subscribe', null] as const) : (['city:subscribe', { cityCode: room.code }] as const);
    await new Promise<void>((resolve, reject) => socket.emit(event, payload, ackOf(event, resolve, reject)));
    return snapshot;
  }
  if (room.kind === 'wall') {
    socket.on('wall:snapshot', (s) => {
      for (const row of s.sessions) snapshot.set(row.sessionId, row.orders);
      snapshotBytes ||= JSON.stringify(s).length;
    });
    socket.on('wall:updated', (u) => onSessions(d, u.sessions, () => JSON.stringify(u).length));
    await new Promise<void>((resolve, reject) => socket.emit('wall:subscribe', null, ackOf('wall:subscribe', resolve, reject)));
  } else {
    socket.on('city:snapshot', (s) => {
      for (const row of s.sessions) snapshot.set(row.sessionId, row.orders);
    });
    socket.on('city:updated', (u) => onSessions(d, u.sessions, () => JSON.stringify(u).length));
    await new Promise<void>((resolve, reject) =>
      socket.emit('city:subscribe', { cityCode: room.code }, ackOf('city:subscribe', resolve, reject)),
    );
  }
  for (const [sid, n] of snapshot) seen[d]!.set(sid, n);
  return snapshot;
}

/** Runs `fn` for every dashboard, a wave at a time: each handshake and snapshot costs the hub a query. */
async function inWaves(count: number, fn: (d: number) => Promise<void>): Promise<{ ok: number; failed: number; firstError?: string; ms: number }> {
  const t0 = now();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const WAVE = 20;
  for (let base = 0; base < count; base += WAVE) {
    await Promise.all(
      Array.from({ length: Math.min(WAVE, count - base) }, async (_, k) => {
        try {
          await fn(base + k);
          ok++;
        } catch (e) {
          failed++;
          firstError ??= e instanceof Error ? e.message : String(e);
        }
      }),
    );
  }
  return { ok, failed, ...(firstError ? { firstError } : {}), ms: now() - t0 };
}

async function connectAll(m: Extract<ToDashboards, { type: 'connect' }>): Promise<void> {
  // Spread over the connection order: the hub writes to a room's sockets one after another.
  const every = Math.max(1, Math.floor(m.count / m.measuring));
  for (let d = 0; d < m.count && measuring.size < m.measuring; d += every) measuring.add(d);
  for (let d = 0; d < m.count; d++) {
    const code = m.cityCodes[d % m.cityCodes.length] ?? '360100';
    rooms[d] = m.rooms === 'mixed' && d % 2 === 1 ? { kind: 'city', code } : { kind: 'wall' };
  }
  const r = await inWaves(m.count, (d) => connectOne(d, m.url, m.token));
  send({ type: 'connected', connected: r.ok, failed: r.failed, ...(r.firstError ? { firstError: r.firstError } : {}), ms: r.ms });
}

async function subscribeAll(): Promise<void> {
  const orders = new Map<number, number>();
  const live = sockets.flatMap((s, d) => (s.connected ? [d] : []));
  let i = 0;
  const r = await inWaves(live.length, async () => {
    const d = live[i++]!;
    const snap = await subscribeOne(d);
    if (rooms[d]?.kind === 'wall') for (const [sid, n] of snap) orders.set(sid, n);
  });
  send({ type: 'subscribed', subscribed: r.ok, failed: r.failed, ...(r.firstError ? { firstError: r.firstError } : {}), ms: r.ms, orders: [...orders], snapshotBytes });
}

function finishRun(run: number, sends: Array<[string, number]>): LatencyResult {
  recording = false;
  const lat: number[] = [];
  const first: number[] = [];
  let expected = 0;
  const perKey = [...measuring].filter((d) => sockets[d]?.connected).length;
  for (const [key, sentAt] of sends) {
    expected += perKey;
    const seenAt = receipts.get(key) ?? [];
    for (const t of seenAt) lat.push(t - sentAt);
    if (seenAt.length) first.push(Math.min(...seenAt) - sentAt);
  }
  const sorted = Float64Array.from(lat).sort();
  const firstSorted = Float64Array.from(first).sort();
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    run,
    samples: sorted.length,
    expected,
    p50: percentileSorted(sorted, 50),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
    firstP50: percentileSorted(firstSorted, 50),
    firstP99: percentileSorted(firstSorted, 99),
    updates,
    updateBytes: sizeN ? sizeSum / sizeN : 0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    elu: performance.eventLoopUtilization(eluAtStart).utilization,
    measuring: perKey,
  };
}

process.on('message', (raw: unknown) => {
  const m = ToDashboards.parse(raw);
  switch (m.type) {
    case 'connect':
      void connectAll(m);
      break;
    case 'subscribe':
      void subscribeAll();
      break;
    case 'run-start':
      receipts = new Map();
      updates = 0;
      sizeSum = 0;
      sizeN = 0;
      cpuAtStart = process.cpuUsage();
      eluAtStart = performance.eventLoopUtilization();
      recording = true;
      break;
    case 'run-end':
      send({ type: 'run-result', result: finishRun(m.run, m.sends) });
      break;
    case 'close':
      for (const s of sockets) s.disconnect();
      send({ type: 'closed' });
      setTimeout(() => process.exit(0), 100).unref();
      break;
  }
});
// The parent went away (Ctrl-C, a crash): do not linger.
process.on('disconnect', () => process.exit(0));
