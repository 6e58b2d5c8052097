// Redis data loss: noticed, said out loud, and repaired from PostgreSQL.
//
// Every hub keeps a marker key (`live:epoch`) in the live store's Redis. A Redis that comes back empty (a restart
// without persistence, a FLUSHDB, a failover to an empty replica) has lost the marker with everything else. The
// first hub to notice takes the `live:rebuilding` flag (a lease, so a hub that dies mid-way does not leave it
// behind), logs an error, and replays the LiveEvent rows of every session whose live keys could still exist through
// the store's own applyBatch (the same Lua path: dedupe sets, order books, buyers, series, leaderboards and totals
// come back as the events first made them). Then it writes a new epoch and drops the flag. While the flag is up,
// every hub refuses ingest with 503 UNAVAILABLE (collectors retry the same ids later) and its health check fails.
//
// What cannot come back: events that were acked but not yet written to PostgreSQL when Redis lost them (the
// durable log was in Redis too). With AOF `appendfsync always` that only happens when Redis restarts without its
// data. The rebuild logs how many events it replayed, so an operator can compare with the collectors.
//
// Replay order: PostgreSQL keeps no arrival sequence, so events are replayed per session by (receivedAt, at, kind,
// eventId), with a refund never before its order. The replay's own durable-log entries are harmless: the persister
// writes by (sessionId, eventId) and skips rows it has.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Database } from '../db/index';
import type { Logger } from '../logger';
import type { IngestEvent, OrderEvent, StatsEvent } from '../../contracts/ingest';
import { newestBigOrders, type BigOrder, type SeriesPoint, type SessionLive } from '../../contracts/live';
import { announcesBigOrder, selectBigOrders, type AcceptedEvent } from '../domain/wall';
import { AppError } from '../http/errors';
import { SESSION_KEY_TTL_SECONDS } from './keys';
import type { ApplyOutcome, LiveStore, LogEntry, RankDimension, SessionMeta, StageTotals, StoreEvent } from './store';

export const EPOCH_KEY = 'live:epoch';
export const REBUILDING_KEY = 'live:rebuilding';

export type GuardState = 'starting' | 'ok' | 'rebuilding';

export interface LiveGuardOptions {
  redisUrl: string;
  /** The store to rebuild (the unguarded one). */
  store: LiveStore;
  db: Database;
  log: Logger;
  hubId: string;
  /** How often the marker is checked; a loss is noticed within this. */
  checkMs?: number;
  /** Lease of the rebuilding flag, renewed while the rebuild runs. */
  leaseMs?: number;
  now?: () => number;
}

export interface RebuildReport {
  sessions: number;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  ms: number;
}

export class LiveGuard {
  state: GuardState = 'starting';
  /** Rebuilds this hub ran, newest last (for tests and logs). */
  readonly rebuilds: RebuildReport[] = [];
  private epoch: string | null = null;
  private readonly redis: Redis;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private stopped = false;
  private failing = false;
  private readonly checkMs: number;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: LiveGuardOptions) {
    this.redis = new Redis(opts.redisUrl, { protocol: 2, maxRetriesPerRequest: 2 });
    this.redis.on('error', () => {}); // a check that fails is retried on the next tick
    this.checkMs = opts.checkMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.now = opts.now ?? Date.now;
  }

  /** Runs the first check in the background, then one every checkMs. */
  start(): void {
    this.stopped = false;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.checkMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
    this.redis.disconnect();
  }

  /** One check (and the rebuild it may start); concurrent calls share the one in progress. */
  check(): Promise<void> {
    this.checking ??= this.checkOnce()
      .then(() => {
        this.failing = false;
      })
      .catch((err: unknown) => {
        // Once per outage: Redis being away is reported by the store's own commands and the health probe.
        if (!this.failing) this.opts.log.warn({ err }, 'live store check failed; retrying');
        this.failing = true;
      })
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking ?? Promise.resolve();
  }

  /** Throws 503 UNAVAILABLE while the live state is not known to be whole. */
  assertReady(): void {
    if (this.state === 'rebuilding') {
      throw new AppError('UNAVAILABLE', 'Live data is being rebuilt from the database; retry shortly', undefined, 2);
    }
  }

  /** The store as the rest of the hub should use it: ingest and health refused while rebuilding. */
  wrap(store: LiveStore): LiveStore {
    return new GuardedStore(store, this);
  }

  private async checkOnce(): Promise<void> {
    if (this.stopped) return;
    const [epoch, flag] = await this.redis.mget(EPOCH_KEY, REBUILDING_KEY);
    if (flag) {
      if (this.state !== 'rebuilding') {
        // A hub that never saw an epoch is starting next to one that initialises the store: no loss to report.
        if (this.epoch) this.opts.log.error({ by: flag }, 'live store lost its data; another hub is rebuilding it from PostgreSQL');
        else this.opts.log.info({ by: flag }, 'live store is being initialised from PostgreSQL by another hub');
      }
      this.state = 'rebuilding';
      return;
    }
    if (epoch) {
      if (this.epoch && epoch !== this.epoch) this.opts.log.warn({ epoch }, 'live store was rebuilt; following the new epoch');
      if (this.state === 'rebuilding') this.opts.log.warn('live store is whole again; ingest resumes');
      this.epoch = epoch;
      this.state = 'ok';
      return;
    }
    // No marker: a Redis that never had one, or one that lost everything. Replaying is idempotent either way.
    const lease = `${this.opts.hubId}:${randomUUID()}`;
    const took = await this.redis.set(REBUILDING_KEY, lease, 'PX', this.leaseMs, 'NX');
    this.state = 'rebuilding';
    if (took !== 'OK') return; // another hub got there first; its flag is what the next check sees
    const renew = setInterval(() => {
      void this.redis.eval(RENEW_LUA, 1, REBUILDING_KEY, lease, this.leaseMs).catch(() => {});
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    try {
      if (this.epoch) {
        this.opts.log.error(
          { epoch: this.epoch },
          'live store lost its data (Redis came back empty): rebuilding live state from PostgreSQL; events acked but not yet persisted before the loss cannot be recovered',
        );
      } else {
        this.opts.log.warn('live store has no epoch marker (new or emptied Redis): rebuilding live state from PostgreSQL');
      }
      const report = await rebuildFromDatabase(this.opts.db, this.opts.store, { now: this.now() });
      this.rebuilds.push(report);
      const epoch = `${this.now()}:${this.opts.hubId}:${randomUUID()}`;
      await this.redis.set(EPOCH_KEY, epoch);
      this.epoch = epoch;
      this.state = 'ok';
      this.opts.log[report.events ? 'error' : 'info']({ ...report, epoch }, 'live state rebuilt from PostgreSQL');
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE_LUA, 1, REBUILDING_KEY, lease).catch(() => {});
    }
  }
}

const RENEW_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const RELEASE_LUA = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** A stored event as the replay reads it: times in epoch ms. */
export type EventRow = {
  sessionId: number;
  eventId: string;
  type: 'stats' | 'order' | 'refund';
  source: 'collector' | 'manual';
  at: number;
  receivedAt: number;
  online: number | null;
  views: number | null;
  viewers: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  followers: number | null;
  orderId: string | null;
  quantity: number | null;
  amountFen: number | null;
  productId: string | null;
  productName: string | null;
  buyerRef: string | null;
};

const KIND_RANK = { stats: 0, order: 1, refund: 2 } as const;
const BATCH = 500;
/** Sessions are read in groups of about this many events: one query each, bounded memory. */
const CHUNK_EVENTS = 100_000;

const COUNT_SQL = 'SELECT "sessionId" AS s, count(*)::int AS n FROM "LiveEvent" WHERE "sessionId" = ANY($1::int[]) GROUP BY 1';
// One row per session, its events as one JSON text of arrays (times in epoch ms): parsing one text natively is
// several times cheaper than the driver decoding 19 columns of every event (PGlite's protocol parser in JS).
const ROWS_SQL = `SELECT "sessionId" AS s, json_agg(json_build_array("eventId", "type", "source",
  extract(epoch FROM "at") * 1000, extract(epoch FROM "receivedAt") * 1000, online, views, viewers, likes, comments,
  shares, followers, "orderId", quantity, "amountFen", "productId", "productName", "buyerRef"))::text AS j
FROM "LiveEvent" WHERE "sessionId" = ANY($1::int[]) GROUP BY 1`;

type JsonRow = [string, EventRow['type'], EventRow['source'], number, number, ...Array<number | string | null>];

function fromJson(sessionId: number, a: JsonRow): EventRow {
  return {
    sessionId,
    eventId: a[0],
    type: a[1],
    source: a[2],
    at: Math.round(a[3]),
    receivedAt: Math.round(a[4]),
    online: a[5] as number | null,
    views: a[6] as number | null,
    viewers: a[7] as number | null,
    likes: a[8] as number | null,
    comments: a[9] as number | null,
    shares: a[10] as number | null,
    followers: a[11] as number | null,
    orderId: a[12] as string | null,
    quantity: a[13] as number | null,
    amountFen: a[14] as number | null,
    productId: a[15] as string | null,
    productName: a[16] as string | null,
    buyerRef: a[17] as string | null,
  };
}

/**
 * Replays the stored events of every session whose live keys may still matter (the current stage's, live ones,
 * and any that ended within the keys' TTL) through `store.applyBatch`. Idempotent: events the store already has
 * come back as duplicates.
 */
export async function rebuildFromDatabase(
  db: Database,
  store: LiveStore,
  opts: {
    now?: number;
    apply?: (batch: StoreEvent[]) => Promise<ApplyOutcome>;
    /**
     * The wall's big-order threshold: the newest collector orders at or over it, of each stage replayed, go back
     * into the store's big-order feed (an in-process store starts without one; ingest fills it only with new orders).
     */
    bigOrderFen?: number;
  } = {},
): Promise<RebuildReport> {
  const apply = opts.apply ?? ((batch: StoreEvent[]) => store.applyBatch(batch));
  const started = Date.now();
  const now = opts.now ?? Date.now();
  const { prisma } = db;
  const stage = await prisma.stage.findFirst({
    where: { startsAt: { lte: new Date(now) } },
    orderBy: { startsAt: 'desc' },
    select: { id: true },
  });
  const sessions = await prisma.liveSession.findMany({
    where: {
      OR: [
        ...(stage ? [{ stageId: stage.id }] : []),
        { status: 'live' },
        { plannedEnd: { gte: new Date(now - SESSION_KEY_TTL_SECONDS * 1000) } },
      ],
    },
    select: { id: true, stageId: true, teamId: true, cityCode: true, team: { select: { universityId: true, name: true } } },
    orderBy: { id: 'asc' },
  });
  const teamNames = new Map(sessions.map((s) => [s.id, s.team.name]));
  /** Per stage, the newest big orders replayed so far (a feed's worth). */
  const big = new Map<number, BigOrder[]>();
  const bigFen = opts.bigOrderFen;
  const report: RebuildReport = { sessions: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, ms: 0 };
  const pending: StoreEvent[] = [];
  const flush = async () => {
    if (!pending.length) return;
    const batch = pending.splice(0);
    const outcome = await apply(batch);
    const announced = new Map<number, AcceptedEvent[]>();
    for (const [i, r] of outcome.results.entries()) {
      if (r.status === 'duplicate') report.duplicates++;
      else if (r.status !== 'accepted') report.rejected++;
      else {
        report.accepted++;
        const se = batch[i]!;
        if (bigFen !== undefined && announcesBigOrder(se.event, se.source, bigFen)) {
          const list = announced.get(se.meta.stageId) ?? announced.set(se.meta.stageId, []).get(se.meta.stageId)!;
          list.push({ ...se.meta, event: se.event, atMs: se.atMs, teamName: teamNames.get(se.meta.sessionId) ?? `#${se.meta.teamId}` });
        }
      }
    }
    for (const [stageId, accepted] of announced) {
      big.set(stageId, newestBigOrders([selectBigOrders(accepted, bigFen!), big.get(stageId) ?? []]));
    }
  };
  const metas = new Map<number, SessionMeta>(
    sessions.map((s) => [s.id, { sessionId: s.id, stageId: s.stageId, teamId: s.teamId, cityCode: s.cityCode, universityId: s.team.universityId }]),
  );
  const counts = sessions.length ? await db.query<{ s: number; n: number }>(COUNT_SQL, [sessions.map((s) => s.id)]) : [];
  for (const group of chunkByCount(counts, CHUNK_EVENTS)) {
    for (const { s: sessionId, j } of await db.query<{ s: number; j: string }>(ROWS_SQL, [group])) {
      const meta = metas.get(sessionId)!;
      const rows = (JSON.parse(j) as JsonRow[]).map((a) => fromJson(sessionId, a));
      report.sessions++;
      for (const row of replayOrder(rows)) {
        pending.push({ event: toEvent(row), atMs: row.at, receivedAt: row.receivedAt, source: row.source, meta });
        report.events++;
        if (pending.length >= BATCH) await flush();
      }
    }
  }
  await flush();
  for (const [stageId, orders] of big) await store.pushBigOrders(stageId, orders);
  report.ms = Date.now() - started;
  return report;
}

/** (receivedAt, at, kind, eventId), then any refund that would precede its order moved right after it. */
export function replayOrder(rows: EventRow[]): EventRow[] {
  const sorted = [...rows].sort(
    (a, b) =>
      a.receivedAt - b.receivedAt ||
      a.at - b.at ||
      KIND_RANK[a.type] - KIND_RANK[b.type] ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const seenOrders = new Set<string>();
  const waiting = new Map<string, EventRow[]>();
  const out: EventRow[] = [];
  for (const r of sorted) {
    if (r.type === 'refund' && r.orderId !== null && !seenOrders.has(r.orderId)) {
      const list = waiting.get(r.orderId) ?? [];
      list.push(r);
      waiting.set(r.orderId, list);
      continue;
    }
    out.push(r);
    if (r.type === 'order' && r.orderId !== null) {
      seenOrders.add(r.orderId);
      out.push(...(waiting.get(r.orderId) ?? []));
      waiting.delete(r.orderId);
    }
  }
  for (const list of waiting.values()) out.push(...list); // no order stored: the store rejects them, as it did
  return out;
}

/** Session ids in groups of about `target` stored events (a session with more is a group of its own). */
export function chunkByCount(counts: Array<{ s: number; n: number }>, target: number): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let size = 0;
  for (const { s, n } of [...counts].sort((a, b) => a.s - b.s)) {
    if (group.length && size + n > target) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(s);
    size += n;
  }
  if (group.length) groups.push(group);
  return groups;
}

// Plain property writes, not spreads of optional fields: this runs once per event of a replay.
export function toEvent(r: EventRow): IngestEvent {
  const at = new Date(r.at).toISOString();
  switch (r.type) {
    case 'stats': {
      const e: StatsEvent = { id: r.eventId, sessionId: r.sessionId, at, type: 'stats', online: r.online ?? 0, views: r.views ?? 0 };
      if (r.viewers !== null) e.viewers = r.viewers;
      if (r.likes !== null) e.likes = r.likes;
      if (r.comments !== null) e.comments = r.comments;
      if (r.shares !== null) e.shares = r.shares;
      if (r.followers !== null) e.followers = r.followers;
      return e;
    }
    case 'order': {
      const e: OrderEvent = {
        id: r.eventId,
        sessionId: r.sessionId,
        at,
        type: 'order',
        orderId: r.orderId ?? '',
        quantity: r.quantity ?? 1,
        amountFen: r.amountFen ?? 0,
      };
      if (r.productId !== null) e.productId = r.productId;
      if (r.productName !== null) e.productName = r.productName;
      if (r.buyerRef !== null) e.buyerRef = r.buyerRef;
      return e;
    }
    case 'refund':
      return { id: r.eventId, sessionId: r.sessionId, at, type: 'refund', orderId: r.orderId ?? '', amountFen: r.amountFen ?? 0 };
  }
}

/** The store with ingest (applyBatch) and the health probe (ping) refused while the guard rebuilds. */
class GuardedStore implements LiveStore {
  readonly kind: LiveStore['kind'];
  readonly commandsSent?: () => number;

  constructor(
    private readonly inner: LiveStore,
    private readonly guard: LiveGuard,
  ) {
    this.kind = inner.kind;
    const sent = inner.commandsSent?.bind(inner);
    if (sent) this.commandsSent = sent;
  }

  applyBatch(events: StoreEvent[]): Promise<ApplyOutcome> {
    this.guard.assertReady();
    return this.inner.applyBatch(events);
  }
  getSessions(ids: number[]): Promise<Map<number, SessionLive>> {
    return this.inner.getSessions(ids);
  }
  getSeries(sessionId: number, sinceMs?: number): Promise<SeriesPoint[]> {
    return this.inner.getSeries(sessionId, sinceMs);
  }
  stageTotals(stageId: number): Promise<StageTotals> {
    return this.inner.stageTotals(stageId);
  }
  leaderboard(stageId: number, dim: RankDimension, limit: number): Promise<Array<{ id: string; netFen: number }>> {
    return this.inner.leaderboard(stageId, dim, limit);
  }
  gmvByMinute(stageId: number, fromMs: number, toMs: number): Promise<Array<{ t: number; gmvFen: number }>> {
    return this.inner.gmvByMinute(stageId, fromMs, toMs);
  }
  readLog(consumer: string, max: number, blockMs: number): Promise<LogEntry[]> {
    return this.inner.readLog(consumer, max, blockMs);
  }
  claimStale(consumer: string, minIdleMs: number, max: number): Promise<LogEntry[]> {
    return this.inner.claimStale(consumer, minIdleMs, max);
  }
  ackLog(ids: string[]): Promise<void> {
    return this.inner.ackLog(ids);
  }
  logInfo(): Promise<{ length: number; pending: number }> {
    return this.inner.logInfo();
  }
  onChange(listener: (changed: SessionLive[]) => void): () => void {
    return this.inner.onChange(listener);
  }
  pushBigOrders(stageId: number, orders: BigOrder[]): Promise<void> {
    return this.inner.pushBigOrders(stageId, orders);
  }
  bigOrders(stageId: number): Promise<BigOrder[]> {
    return this.inner.bigOrders(stageId);
  }
  onBigOrders(listener: (stageId: number, orders: BigOrder[]) => void): () => void {
    return this.inner.onBigOrders(listener);
  }
  async ping(): Promise<string> {
    if (this.guard.state === 'rebuilding') throw new Error('rebuilding: live state is being rebuilt from PostgreSQL');
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
