// The production live store: state in Redis, shared by every hub. applyBatch is one Lua round trip
// (redis-lua.ts); changes reach every hub through pub/sub; the durable log is a stream read as a consumer group.
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { newestBigOrders, BIG_ORDER_FEED_SIZE, type BigOrder, type SeriesPoint, type SessionLive } from '../../contracts/live';
import { logEntry, type ApplyOutcome, type LiveStore, type LogEntry, type RankDimension, type StageTotals, type StoreEvent } from './store';
import { keys, SESSION_KEY_TTL_SECONDS } from './keys';
import { APPLY_BATCH_LUA, applyInput, applyOutcome, parseSessions, unpackFold, type FoldField } from './redis-lua';

const APPLY_SHA = createHash('sha1').update(APPLY_BATCH_LUA).digest('hex');

export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis';
  /** Pub/sub ignores the database number, so the channel carries it: hubs on one database hear each other only. */
  readonly channel: string;
  readonly bigOrderChannel: string;
  private readonly main: Redis;
  private readonly sub: Redis;
  /** XREADGROUP BLOCK holds its connection, so each consumer blocks on its own. */
  private readonly blockers = new Map<string, Redis>();
  private readonly listeners = new Set<(changed: SessionLive[]) => void>();
  private readonly bigOrderListeners = new Set<(stageId: number, orders: BigOrder[]) => void>();
  private readonly started: Promise<void>;
  /** Commands handed to any of this store's connections (gy_live_store_commands_total). */
  private sent = 0;
  /** A command ioredis re-queues after a reconnect passes through sendCommand again: counted once. */
  private readonly seen = new WeakSet<object>();

  constructor(target: string | RedisOptions) {
    // RESP2 everywhere: RESP3 reshapes stream and sorted-set replies, and the parsers below expect one shape.
    this.main = this.counted(typeof target === 'string' ? new Redis(target, { protocol: 2 }) : new Redis({ ...target, protocol: 2 }));
    this.sub = this.counted(this.main.duplicate());
    // Failures reach callers through their commands; ioredis reconnects on its own.
    for (const c of [this.main, this.sub]) c.on('error', () => {});
    const db = this.main.options.db ?? 0;
    this.channel = db === 0 ? keys.changes : `${keys.changes}:db${db}`;
    this.bigOrderChannel = db === 0 ? keys.bigOrderChannel : `${keys.bigOrderChannel}:db${db}`;
    this.sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.emit(text);
      else if (channel === this.bigOrderChannel) this.emitBigOrders(text);
    });
    this.started = Promise.all([this.sub.subscribe(this.channel, this.bigOrderChannel), this.createGroup()]).then(() => undefined);
    this.started.catch(() => {}); // reported by ready(); not an unhandled rejection meanwhile
  }

  /** Resolves once changes are being received and the log's consumer group exists; rejects if Redis is unreachable. */
  ready(): Promise<void> {
    return this.started;
  }

  async applyBatch(events: StoreEvent[]): Promise<ApplyOutcome> {
    if (!events.length) return { results: [], changed: [] };
    const input = applyInput(events, this.channel);
    return applyOutcome(events, await this.evalApply(input.keys, input.args));
  }

  async getSessions(ids: number[]): Promise<Map<number, SessionLive>> {
    const out = new Map<number, SessionLive>();
    if (!ids.length) return out;
    const pipe = this.main.pipeline();
    for (const id of ids) pipe.hgetBuffer(keys.session(id), 'fold');
    const replies = await execAll(pipe.exec());
    ids.forEach((id, i) => {
      const packed = replies[i];
      // The script writes a session's state when it accepts an event for it: without it there is no state.
      if (Buffer.isBuffer(packed)) out.set(id, toSession(id, unpackFold(packed)));
    });
    return out;
  }

  async getSeries(sessionId: number, sinceMs = 0): Promise<SeriesPoint[]> {
    const since = Math.max(0, Math.ceil(sinceMs));
    // MULTI: the stored points and the bucket in progress from the same moment, never one point twice.
    const [stored, current] = await execAll(
      this.main
        .multi()
        .xrange(keys.series(sessionId), String(since), '+')
        .hgetBuffer(keys.session(sessionId), 'fold')
        .exec(),
    );
    const points: SeriesPoint[] = [];
    for (const [id, fields] of asArray(stored).map(asArray)) {
      const f = fieldMap(fields);
      points.push({ t: parseInt(String(id), 10), online: num(f.online), gmvFen: num(f.gmv), orders: num(f.orders) });
    }
    if (Buffer.isBuffer(current)) {
      const f = unpackFold(current);
      if (Number.isFinite(f.bucket) && f.bucket >= since) points.push({ t: f.bucket, online: f.online, gmvFen: f.gmvFen, orders: f.orders });
    }
    return points;
  }

  async stageTotals(stageId: number): Promise<StageTotals> {
    const h = await this.main.hgetall(keys.stageTotals(stageId));
    return { gmvFen: num(h.gmvFen), orders: num(h.orders), units: num(h.units), buyers: num(h.buyers), refundFen: num(h.refundFen) };
  }

  async leaderboard(stageId: number, dim: RankDimension, limit: number): Promise<Array<{ id: string; netFen: number }>> {
    if (limit <= 0) return [];
    const flat = await this.main.zrevrange(keys.board(stageId, dim), 0, limit - 1, 'WITHSCORES');
    const out: Array<{ id: string; netFen: number }> = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: String(flat[i]), netFen: num(flat[i + 1]) });
    return out;
  }

  async gmvByMinute(stageId: number, fromMs: number, toMs: number): Promise<Array<{ t: number; gmvFen: number }>> {
    const h = await this.main.hgetall(keys.gmvMinutes(stageId));
    return Object.entries(h)
      .map(([t, v]) => ({ t: num(t), gmvFen: num(v) }))
      .filter((m) => m.t >= fromMs && m.t < toMs)
      .sort((a, b) => a.t - b.t);
  }

  /** XREADGROUP from '>'; `blockMs` ≤ 0 does not wait (Redis would read BLOCK 0 as forever). */
  async readLog(consumer: string, max: number, blockMs: number): Promise<LogEntry[]> {
    const conn = blockMs > 0 ? this.blocker(consumer) : this.main;
    const block = blockMs > 0 ? ['BLOCK', Math.ceil(blockMs)] : [];
    const reply = await this.withGroup(() =>
      conn.call('XREADGROUP', 'GROUP', keys.logGroup, consumer, 'COUNT', max, ...block, 'STREAMS', keys.log, '>'),
    );
    // [[stream, [[id, fields], …]]], or null when nothing arrived in time.
    const streams = asArray(reply);
    return toEntries(asArray(streams[0])[1]);
  }

  async claimStale(consumer: string, minIdleMs: number, max: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    if (max <= 0) return out;
    let cursor = '0-0';
    // XAUTOCLAIM scans a bounded slice of the pending list per call; follow its cursor until done or full.
    do {
      const count = max - out.length;
      const reply = await this.withGroup(() =>
        this.main.call('XAUTOCLAIM', keys.log, keys.logGroup, consumer, Math.max(0, minIdleMs), cursor, 'COUNT', count),
      );
      const [next, claimed] = asArray(reply);
      out.push(...toEntries(claimed));
      cursor = String(next);
    } while (cursor !== '0-0' && out.length < max);
    return out;
  }

  async ackLog(ids: string[]): Promise<void> {
    if (!ids.length) return;
    // Acked entries leave the stream: its length is then what the persister still owes.
    await execAll(this.main.multi().xack(keys.log, keys.logGroup, ...ids).xdel(keys.log, ...ids).exec());
  }

  async logInfo(): Promise<{ length: number; pending: number }> {
    const [length, summary] = await this.withGroup(async () =>
      execAll(this.main.multi().xlen(keys.log).call('XPENDING', keys.log, keys.logGroup).exec()),
    );
    return { length: num(length), pending: num(asArray(summary)[0]) };
  }

  onChange(listener: (changed: SessionLive[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async pushBigOrders(stageId: number, orders: BigOrder[]): Promise<void> {
    if (!orders.length) return;
    const key = keys.bigOrders(stageId);
    // Oldest pushed first, so the newest ends at the head; hubs push concurrently, so readers sort by time and the
    // list keeps some slack beyond what the wall shows.
    const json = [...orders].sort((a, b) => a.at - b.at).map((o) => JSON.stringify(o));
    await execAll(
      this.main
        .multi()
        .lpush(key, ...json)
        .ltrim(key, 0, 2 * BIG_ORDER_FEED_SIZE - 1)
        .expire(key, SESSION_KEY_TTL_SECONDS)
        .publish(this.bigOrderChannel, JSON.stringify({ stageId, orders }))
        .exec(),
    );
  }

  async bigOrders(stageId: number): Promise<BigOrder[]> {
    const items = await this.main.lrange(keys.bigOrders(stageId), 0, -1);
    return newestBigOrders([items.flatMap((text) => parseJson<BigOrder>(text) ?? [])]);
  }

  onBigOrders(listener: (stageId: number, orders: BigOrder[]) => void): () => void {
    this.bigOrderListeners.add(listener);
    return () => this.bigOrderListeners.delete(listener);
  }

  /** Commands sent so far by every connection of this store (pipelined, MULTI and EVALSHA each count per command). */
  commandsSent(): number {
    return this.sent;
  }

  async ping(): Promise<string> {
    const info = await this.main.info('server');
    return `redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'}`;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.bigOrderListeners.clear();
    const conns = [this.main, this.sub, ...this.blockers.values()];
    this.blockers.clear();
    await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private emit(text: string): void {
    const changed = parseSessions(text);
    // Off the connection's read path, like the memory store: a throwing listener cannot upset ioredis.
    for (const listener of this.listeners) queueMicrotask(() => listener(changed.map((c) => ({ ...c }))));
  }

  private emitBigOrders(text: string): void {
    const msg = parseJson<{ stageId: number; orders: BigOrder[] }>(text);
    if (!msg) return;
    for (const listener of this.bigOrderListeners) queueMicrotask(() => listener(msg.stageId, msg.orders.map((o) => ({ ...o }))));
  }

  private async evalApply(keyList: string[], args: string[]): Promise<unknown> {
    try {
      return await this.main.evalsha(APPLY_SHA, keyList.length, ...keyList, ...args);
    } catch (err) {
      // First use on this server (or after SCRIPT FLUSH / a restart): EVAL also caches the script.
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.main.eval(APPLY_BATCH_LUA, keyList.length, ...keyList, ...args);
    }
  }

  private blocker(consumer: string): Redis {
    let conn = this.blockers.get(consumer);
    if (!conn) {
      conn = this.counted(this.main.duplicate());
      conn.on('error', () => {});
      this.blockers.set(consumer, conn);
    }
    return conn;
  }

  /**
   * Counts at ioredis' single door for commands (plain calls, pipelines and MULTI all go through sendCommand):
   * one increment per command, no extra round trip.
   */
  private counted(conn: Redis): Redis {
    const send = conn.sendCommand.bind(conn);
    conn.sendCommand = ((command, stream) => {
      if (!this.seen.has(command)) {
        this.seen.add(command);
        this.sent++;
      }
      return send(command, stream);
    }) as Redis['sendCommand'];
    return conn;
  }

  private async createGroup(): Promise<void> {
    try {
      await this.main.call('XGROUP', 'CREATE', keys.log, keys.logGroup, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('BUSYGROUP')) throw err;
    }
  }

  /** Recreates the group if the stream went away under us (FLUSHDB, a deleted key), then retries once. */
  private async withGroup<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes('NOGROUP')) throw err;
      await this.createGroup();
      return run();
    }
  }
}

// ---- reply parsing: Redis replies are `unknown` until checked ----

const asArray = (u: unknown): unknown[] => (Array.isArray(u) ? u : []);
const num = (u: unknown): number => (u === undefined || u === null ? 0 : Number(u));

function fieldMap(u: unknown): Record<string, string> {
  const flat = asArray(u);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

/** JSON this store wrote itself (pushBigOrders); anything unreadable is skipped, never thrown on the read path. */
function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Pipeline/MULTI results with the first error thrown. */
async function execAll(p: Promise<Array<[Error | null, unknown]> | null>): Promise<unknown[]> {
  const results = await p;
  if (!results) throw new Error('live store: transaction aborted');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}

function toEntries(items: unknown): LogEntry[] {
  const out: LogEntry[] = [];
  for (const item of asArray(items)) {
    const [id, fields] = asArray(item);
    const f = fieldMap(fields);
    const json = f.events;
    // An entry deleted while pending comes back without fields; there is nothing left to persist.
    if (typeof id !== 'string' || json === undefined) continue;
    // Written by the apply script from validated events as LogRows with their count `n`. An entry written before
    // the log held rows has no `n` and holds StoreEvents: it is turned into rows here, so the persister reads one shape.
    if (f.n !== undefined) out.push({ id, json, count: Number(f.n) });
    else out.push(logEntry(id, JSON.parse(json) as StoreEvent[]));
  }
  return out;
}

function toSession(sessionId: number, f: Record<FoldField, number>): SessionLive {
  return {
    sessionId,
    online: f.online,
    peakOnline: f.peakOnline,
    views: f.views,
    viewers: f.viewers,
    likes: f.likes,
    comments: f.comments,
    shares: f.shares,
    followers: f.followers,
    gmvFen: f.gmvFen,
    orders: f.orders,
    buyers: f.buyers,
    units: f.units,
    refunds: f.refunds,
    refundFen: f.refundFen,
    lastEventAt: Number.isFinite(f.lastEventAt) ? f.lastEventAt : null,
    manual: f.manual === 1,
  };
}
