// The production live store: state in Redis, shared by every hub. applyBatch is one Lua round trip
// (redis-lua.ts); changes reach every hub through pub/sub; the durable log is a stream read as a consumer group.
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { SeriesPoint, SessionLive } from '../../contracts/live';
import type { ApplyOutcome, ApplyResult, LiveStore, LogEntry, RankDimension, StageTotals, StoreEvent } from './store';
import { keys, SESSION_KEY_TTL_SECONDS } from './keys';
import { APPLY_BATCH_LUA } from './redis-lua';
import { rejection } from './memory-store';

const APPLY_SHA = createHash('sha1').update(APPLY_BATCH_LUA).digest('hex');
const RESULT_CODES = { c: 'CONFLICT', u: 'UNKNOWN_ORDER', x: 'REFUND_EXCEEDS_ORDER' } as const;

export class RedisLiveStore implements LiveStore {
  readonly kind = 'redis';
  /** Pub/sub ignores the database number, so the channel carries it: hubs on one database hear each other only. */
  readonly channel: string;
  private readonly main: Redis;
  private readonly sub: Redis;
  /** XREADGROUP BLOCK holds its connection, so each consumer blocks on its own. */
  private readonly blockers = new Map<string, Redis>();
  private readonly listeners = new Set<(changed: SessionLive[]) => void>();
  private readonly started: Promise<void>;

  constructor(target: string | RedisOptions) {
    // RESP2 everywhere: RESP3 reshapes stream and sorted-set replies, and the parsers below expect one shape.
    this.main = typeof target === 'string' ? new Redis(target, { protocol: 2 }) : new Redis({ ...target, protocol: 2 });
    this.sub = this.main.duplicate();
    // Failures reach callers through their commands; ioredis reconnects on its own.
    for (const c of [this.main, this.sub]) c.on('error', () => {});
    const db = this.main.options.db ?? 0;
    this.channel = db === 0 ? keys.changes : `${keys.changes}:db${db}`;
    this.sub.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.emit(text);
    });
    this.started = Promise.all([this.sub.subscribe(this.channel), this.createGroup()]).then(() => undefined);
    this.started.catch(() => {}); // reported by ready(); not an unhandled rejection meanwhile
  }

  /** Resolves once changes are being received and the log's consumer group exists; rejects if Redis is unreachable. */
  ready(): Promise<void> {
    return this.started;
  }

  async applyBatch(events: StoreEvent[]): Promise<ApplyOutcome> {
    if (!events.length) return { results: [], changed: [] };
    const sessionIds = new Set(events.map((e) => e.event.sessionId));
    const stageIds = new Set(events.map((e) => e.meta.stageId));
    const keyList = [
      keys.log,
      ...[...sessionIds].flatMap((s) => [keys.session(s), keys.seen(s), keys.orders(s), keys.buyers(s), keys.series(s)]),
      ...[...stageIds].flatMap((g) => [keys.stageTotals(g), keys.board(g, 'team'), keys.board(g, 'city'), keys.board(g, 'university'), keys.gmvMinutes(g)]),
    ];
    const args = [JSON.stringify(events), keys.logGroup, this.channel, String(SESSION_KEY_TTL_SECONDS)];
    const reply = await this.evalApply(keyList, args);
    if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
      throw new Error('live store: unexpected reply from the apply script');
    }
    const codes: string = reply[0];
    const results = events.map((se, i): ApplyResult => {
      const code = codes[i];
      if (code === 'a') return { status: 'accepted' };
      if (code === 'd') return { status: 'duplicate' };
      if (code === 'c' || code === 'u' || code === 'x') return rejection(RESULT_CODES[code], se.event);
      throw new Error(`live store: unknown result code ${code ?? '(none)'}`);
    });
    return { results, changed: parseSessions(reply[1]) };
  }

  async getSessions(ids: number[]): Promise<Map<number, SessionLive>> {
    const out = new Map<number, SessionLive>();
    if (!ids.length) return out;
    const pipe = this.main.pipeline();
    for (const id of ids) pipe.hgetall(keys.session(id));
    const replies = await execAll(pipe.exec());
    ids.forEach((id, i) => {
      const h = replies[i];
      if (isRecord(h) && Object.keys(h).length) out.set(id, toSession(id, h));
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
        .hmget(keys.session(sessionId), 'bucket', 'online', 'gmvFen', 'orders')
        .exec(),
    );
    const points: SeriesPoint[] = [];
    for (const [id, fields] of asArray(stored).map(asArray)) {
      const f = fieldMap(fields);
      points.push({ t: parseInt(String(id), 10), online: num(f.online), gmvFen: num(f.gmv), orders: num(f.orders) });
    }
    const [bucket, online, gmvFen, orders] = asArray(current);
    if (typeof bucket === 'string' && num(bucket) >= since) {
      points.push({ t: num(bucket), online: num(online), gmvFen: num(gmvFen), orders: num(orders) });
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

  async ping(): Promise<string> {
    const info = await this.main.info('server');
    return `redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown'}`;
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const conns = [this.main, this.sub, ...this.blockers.values()];
    this.blockers.clear();
    await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private emit(text: string): void {
    const changed = parseSessions(text);
    // Off the connection's read path, like the memory store: a throwing listener cannot upset ioredis.
    for (const listener of this.listeners) queueMicrotask(() => listener(changed.map((c) => ({ ...c }))));
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
      conn = this.main.duplicate();
      conn.on('error', () => {});
      this.blockers.set(consumer, conn);
    }
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
const isRecord = (u: unknown): u is Record<string, string> => typeof u === 'object' && u !== null && !Array.isArray(u);
const num = (u: unknown): number => (u === undefined || u === null ? 0 : Number(u));

function fieldMap(u: unknown): Record<string, string> {
  const flat = asArray(u);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
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
    const json = fieldMap(fields).events;
    // An entry deleted while pending comes back without fields; there is nothing left to persist.
    if (typeof id !== 'string' || json === undefined) continue;
    // Written by the apply script from validated StoreEvents.
    out.push({ id, events: JSON.parse(json) as StoreEvent[] });
  }
  return out;
}

function toSession(sessionId: number, h: Record<string, string>): SessionLive {
  const n = (field: string): number => num(h[field]);
  return {
    sessionId,
    online: n('online'),
    peakOnline: n('peakOnline'),
    views: n('views'),
    viewers: n('viewers'),
    likes: n('likes'),
    comments: n('comments'),
    shares: n('shares'),
    followers: n('followers'),
    gmvFen: n('gmvFen'),
    orders: n('orders'),
    buyers: n('buyers'),
    units: n('units'),
    refunds: n('refunds'),
    refundFen: n('refundFen'),
    lastEventAt: h.lastEventAt === undefined ? null : n('lastEventAt'),
    manual: h.manual === '1',
  };
}

/** The apply script's JSON of changed sessions: every SessionLive field, written by the script itself. */
const parseSessions = (text: string): SessionLive[] => JSON.parse(text) as SessionLive[];
