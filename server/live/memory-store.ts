// The embedded live store: the LiveStore contract held in this process (no REDIS_URL). It is also the
// reference the Redis Lua script mirrors; the contract suite compares the two on random batches.
import { emptyNumbers, newestBigOrders, type BigOrder, type SeriesPoint, type SessionLive, type SessionNumbers } from '../../contracts/live';
import type { IngestEvent } from '../../contracts/ingest';
import { emptyCursor, foldStats, type StatsCursor } from '../domain/stats';
import { MINUTE } from '../domain/time';
import type {
  ApplyOutcome,
  ApplyResult,
  LiveStore,
  LogEntry,
  RankDimension,
  StageTotals,
  StoreEvent,
} from './store';
import { logEntry } from './store';

const SERIES_BUCKET_MS = 10_000;

type RejectCode = Extract<ApplyResult, { status: 'rejected' }>['code'];

/** The one wording of a store rejection, shared by both stores. */
export function rejection(code: RejectCode, event: IngestEvent): ApplyResult {
  const order = 'orderId' in event ? event.orderId : '?';
  const message = {
    CONFLICT: `order ${order} already recorded`,
    UNKNOWN_ORDER: `no order ${order} in session ${event.sessionId}`,
    REFUND_EXCEEDS_ORDER: `refunds of order ${order} would exceed its amount`,
  }[code];
  return { status: 'rejected', code, message };
}

interface SessionState {
  numbers: SessionNumbers;
  cursor: StatsCursor;
  bucket: number | null;
  seen: Set<string>;
  orders: Map<string, { amountFen: number; refundedFen: number }>;
  buyers: Set<string>;
  points: SeriesPoint[];
}

interface StageState {
  totals: StageTotals;
  boards: Record<RankDimension, Map<string, number>>;
  minutes: Map<number, number>;
}

const ACCEPTED: ApplyResult = { status: 'accepted' };
const DUPLICATE: ApplyResult = { status: 'duplicate' };

export class MemoryLiveStore implements LiveStore {
  readonly kind = 'memory';
  private readonly sessions = new Map<number, SessionState>();
  private readonly stages = new Map<number, StageState>();
  private readonly log = new MemoryLog();
  private readonly listeners = new Set<(changed: SessionLive[]) => void>();
  private readonly bigOrderListeners = new Set<(stageId: number, orders: BigOrder[]) => void>();
  private readonly bigOrderLists = new Map<number, BigOrder[]>();

  /**
   * `durable: false` leaves the accepted events out of the durable log: a replay of PostgreSQL's own event log at
   * start must not send every event back to the persister.
   */
  async applyBatch(events: StoreEvent[], opts: { durable?: boolean } = {}): Promise<ApplyOutcome> {
    const results: ApplyResult[] = [];
    const accepted: StoreEvent[] = [];
    // Sessions in order of first appearance, so `changed` comes out in the same order as from Redis.
    const appeared = new Set<number>();
    const changedIds = new Set<number>();
    for (const se of events) {
      const sid = se.event.sessionId;
      appeared.add(sid);
      const s = this.sessions.get(sid) ?? newSession();
      const result = s.seen.has(se.event.id) ? DUPLICATE : check(s, se.event);
      results.push(result);
      if (result.status !== 'accepted') continue;
      this.sessions.set(sid, s);
      changedIds.add(sid);
      accepted.push(se);
      s.seen.add(se.event.id);
      advanceBucket(s, se.atMs);
      this.apply(s, se);
      s.numbers.lastEventAt = Math.max(s.numbers.lastEventAt ?? se.atMs, se.atMs);
    }
    if (accepted.length && opts.durable !== false) this.log.append(accepted);
    const changed = [...appeared].filter((sid) => changedIds.has(sid)).map((sid) => this.live(sid));
    if (changed.length) this.emit(changed);
    return { results, changed };
  }

  private apply(s: SessionState, se: StoreEvent): void {
    const e = se.event;
    const n = s.numbers;
    if (e.type === 'stats') {
      const before = s.cursor.at;
      const folded = foldStats(s.cursor, n, { ...e, at: se.atMs });
      s.cursor = folded.cursor;
      Object.assign(n, folded.numbers);
      // Only a sample that was applied (not a stale one) says who typed the latest numbers.
      if (se.atMs >= before) n.manual = se.source === 'manual';
      return;
    }
    const stage = this.stage(se.meta.stageId);
    if (e.type === 'order') {
      s.orders.set(e.orderId, { amountFen: e.amountFen, refundedFen: 0 });
      n.gmvFen += e.amountFen;
      n.orders += 1;
      n.units += e.quantity;
      const t = stage.totals;
      t.gmvFen += e.amountFen;
      t.orders += 1;
      t.units += e.quantity;
      const ref = e.buyerRef;
      if (ref !== undefined && !s.buyers.has(ref)) {
        s.buyers.add(ref);
        n.buyers += 1;
        t.buyers += 1;
      }
      addToBoards(stage, se, e.amountFen);
      const minute = Math.floor(se.atMs / MINUTE) * MINUTE;
      stage.minutes.set(minute, (stage.minutes.get(minute) ?? 0) + e.amountFen);
      return;
    }
    const order = s.orders.get(e.orderId);
    if (order) order.refundedFen += e.amountFen;
    n.refunds += 1;
    n.refundFen += e.amountFen;
    stage.totals.refundFen += e.amountFen;
    addToBoards(stage, se, -e.amountFen);
  }

  async getSessions(ids: number[]): Promise<Map<number, SessionLive>> {
    const out = new Map<number, SessionLive>();
    for (const id of ids) if (this.sessions.has(id)) out.set(id, this.live(id));
    return out;
  }

  async getSeries(sessionId: number, sinceMs = 0): Promise<SeriesPoint[]> {
    const s = this.sessions.get(sessionId);
    if (!s || s.bucket === null) return [];
    const points = s.points.filter((p) => p.t >= sinceMs).map((p) => ({ ...p }));
    if (s.bucket >= sinceMs) points.push(currentPoint(s.bucket, s.numbers));
    return points;
  }

  async stageTotals(stageId: number): Promise<StageTotals> {
    return { ...(this.stages.get(stageId)?.totals ?? emptyTotals()) };
  }

  async leaderboard(stageId: number, dim: RankDimension, limit: number): Promise<Array<{ id: string; netFen: number }>> {
    const board = this.stages.get(stageId)?.boards[dim];
    if (!board || limit <= 0) return [];
    // Ties in reverse id order: what Redis ZREVRANGE gives, so both stores rank alike.
    return [...board]
      .map(([id, netFen]) => ({ id, netFen }))
      .sort((a, b) => b.netFen - a.netFen || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit);
  }

  async gmvByMinute(stageId: number, fromMs: number, toMs: number): Promise<Array<{ t: number; gmvFen: number }>> {
    const minutes = this.stages.get(stageId)?.minutes ?? new Map<number, number>();
    return [...minutes]
      .filter(([t]) => t >= fromMs && t < toMs)
      .sort(([a], [b]) => a - b)
      .map(([t, gmvFen]) => ({ t, gmvFen }));
  }

  readLog(consumer: string, max: number, blockMs: number): Promise<LogEntry[]> {
    return this.log.read(consumer, max, blockMs);
  }

  async claimStale(consumer: string, minIdleMs: number, max: number): Promise<LogEntry[]> {
    return this.log.claim(consumer, minIdleMs, max);
  }

  async ackLog(ids: string[]): Promise<void> {
    this.log.ack(ids);
  }

  async logInfo(): Promise<{ length: number; pending: number }> {
    return this.log.info();
  }

  onChange(listener: (changed: SessionLive[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async pushBigOrders(stageId: number, orders: BigOrder[]): Promise<void> {
    if (!orders.length) return;
    this.bigOrderLists.set(stageId, newestBigOrders([orders, this.bigOrderLists.get(stageId) ?? []]));
    for (const listener of this.bigOrderListeners) queueMicrotask(() => listener(stageId, orders.map((o) => ({ ...o }))));
  }

  async bigOrders(stageId: number): Promise<BigOrder[]> {
    return (this.bigOrderLists.get(stageId) ?? []).map((o) => ({ ...o }));
  }

  onBigOrders(listener: (stageId: number, orders: BigOrder[]) => void): () => void {
    this.bigOrderListeners.add(listener);
    return () => this.bigOrderListeners.delete(listener);
  }

  async ping(): Promise<string> {
    return 'memory';
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.bigOrderListeners.clear();
    this.log.close();
  }

  private emit(changed: SessionLive[]): void {
    // After applyBatch returns, as a pub/sub message would arrive; each listener gets its own copy.
    for (const listener of this.listeners) queueMicrotask(() => listener(changed.map((c) => ({ ...c }))));
  }

  private live(sid: number): SessionLive {
    const s = this.sessions.get(sid);
    return { sessionId: sid, ...(s?.numbers ?? emptyNumbers()) };
  }

  private stage(stageId: number): StageState {
    let st = this.stages.get(stageId);
    if (!st) {
      st = { totals: emptyTotals(), boards: { team: new Map(), city: new Map(), university: new Map() }, minutes: new Map() };
      this.stages.set(stageId, st);
    }
    return st;
  }
}

function newSession(): SessionState {
  return {
    numbers: emptyNumbers(),
    cursor: emptyCursor(),
    bucket: null,
    seen: new Set(),
    orders: new Map(),
    buyers: new Set(),
    points: [],
  };
}

const emptyTotals = (): StageTotals => ({ gmvFen: 0, orders: 0, units: 0, buyers: 0, refundFen: 0 });

function check(s: SessionState, e: IngestEvent): ApplyResult {
  if (e.type === 'order') return s.orders.has(e.orderId) ? rejection('CONFLICT', e) : ACCEPTED;
  if (e.type === 'refund') {
    const order = s.orders.get(e.orderId);
    if (!order) return rejection('UNKNOWN_ORDER', e);
    if (order.refundedFen + e.amountFen > order.amountFen) return rejection('REFUND_EXCEEDS_ORDER', e);
  }
  return ACCEPTED;
}

/** Closes the bucket in progress (as it stood before this event) when the event starts a later one. */
function advanceBucket(s: SessionState, atMs: number): void {
  const bucket = Math.floor(atMs / SERIES_BUCKET_MS) * SERIES_BUCKET_MS;
  if (s.bucket !== null && bucket > s.bucket) s.points.push(currentPoint(s.bucket, s.numbers));
  if (s.bucket === null || bucket > s.bucket) s.bucket = bucket;
}

const currentPoint = (t: number, n: SessionNumbers): SeriesPoint => ({ t, online: n.online, gmvFen: n.gmvFen, orders: n.orders });

function addToBoards(stage: StageState, se: StoreEvent, deltaFen: number): void {
  const m = se.meta;
  const ids: Record<RankDimension, string> = { team: String(m.teamId), city: m.cityCode, university: String(m.universityId) };
  for (const dim of ['team', 'city', 'university'] as const) {
    const board = stage.boards[dim];
    board.set(ids[dim], (board.get(ids[dim]) ?? 0) + deltaFen);
  }
}

/**
 * The durable log as a Redis consumer group keeps it: entries wait until delivered, then stay pending with
 * the consumer that took them until acked (and deleted), or until another consumer claims them.
 */
class MemoryLog {
  // Both keep insertion order, which is id order; entries hold JSON, as the Redis stream does.
  private readonly fresh = new Map<string, { json: string; count: number }>();
  private readonly pending = new Map<string, { consumer: string; since: number; json: string; count: number }>();
  private readonly wakers = new Set<() => void>();
  private lastMs = 0;
  private seq = 0;
  private closed = false;

  append(events: StoreEvent[]): void {
    const now = Date.now();
    if (now > this.lastMs) [this.lastMs, this.seq] = [now, 0];
    else this.seq++;
    const { json, count } = logEntry('', events);
    this.fresh.set(`${this.lastMs}-${this.seq}`, { json, count });
    for (const wake of this.wakers) wake();
  }

  /** Like XREADGROUP … BLOCK: waits up to `blockMs` (not at all when ≤ 0) for new entries. */
  async read(consumer: string, max: number, blockMs: number): Promise<LogEntry[]> {
    const deadline = Date.now() + blockMs;
    for (;;) {
      const got = this.take(consumer, max);
      const left = deadline - Date.now();
      if (got.length || left <= 0 || this.closed) return got;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.wakers.add(done);
      });
    }
  }

  claim(consumer: string, minIdleMs: number, max: number): LogEntry[] {
    const now = Date.now();
    const out: LogEntry[] = [];
    for (const [id, p] of this.pending) {
      if (out.length >= max) break;
      if (now - p.since < minIdleMs) continue;
      p.consumer = consumer;
      p.since = now;
      out.push({ id, json: p.json, count: p.count });
    }
    return out;
  }

  /** XACK then XDEL: an acked entry leaves the log, so its length is what the persister still owes. */
  ack(ids: string[]): void {
    for (const id of ids) {
      this.pending.delete(id);
      this.fresh.delete(id);
    }
  }

  info(): { length: number; pending: number } {
    return { length: this.fresh.size + this.pending.size, pending: this.pending.size };
  }

  close(): void {
    this.closed = true;
    for (const wake of this.wakers) wake();
  }

  private take(consumer: string, max: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [id, entry] of this.fresh) {
      if (out.length >= max) break;
      this.fresh.delete(id);
      this.pending.set(id, { consumer, since: Date.now(), ...entry });
      out.push({ id, ...entry });
    }
    return out;
  }
}
