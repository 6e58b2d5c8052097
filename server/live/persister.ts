// Drains the live store's durable log into PostgreSQL: the event log and per-minute aggregates.
// Idempotent by (sessionId, eventId): an entry written but not acked (crash) is written again harmlessly.
import type { Database } from '../db/index';
import type { Logger } from '../logger';
import type { LiveStore, LogEntry, StoreEvent } from './store';
import { MINUTE } from '../domain/time';

export interface PersisterStats {
  entries: number;
  events: number;
  lastWriteAt: number | null;
  errors: number;
}

export class Persister {
  readonly stats: PersisterStats = { entries: 0, events: 0, lastWriteAt: null, errors: 0 };
  private running = false;
  private loop: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: LiveStore,
    private readonly db: Database,
    private readonly log: Logger,
    private readonly consumer: string,
    private readonly opts: { batch?: number; blockMs?: number; staleMs?: number } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Resolves once the log has been drained as far as this persister can see (for tests and shutdown). */
  async drain(deadlineMs = 10_000): Promise<void> {
    const until = Date.now() + deadlineMs;
    while (Date.now() < until) {
      const info = await this.store.logInfo();
      if (info.pending === 0 && info.length === 0) return;
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    throw new Error('persister did not drain the log in time');
  }

  private async run(): Promise<void> {
    const batch = this.opts.batch ?? 50;
    const blockMs = this.opts.blockMs ?? 500;
    const staleMs = this.opts.staleMs ?? 30_000;
    let lastClaim = 0;
    while (this.running) {
      try {
        let entries: LogEntry[] = [];
        // Entries a dead persister took but never acked come first, checked every few seconds.
        if (Date.now() - lastClaim > 5000) {
          lastClaim = Date.now();
          entries = await this.store.claimStale(this.consumer, staleMs, batch);
        }
        if (!entries.length) entries = await this.store.readLog(this.consumer, batch, blockMs);
        if (entries.length) {
          await this.write(entries);
          await this.store.ackLog(entries.map((e) => e.id));
        } else {
          for (const w of this.idleWaiters.splice(0)) w();
        }
      } catch (err) {
        this.stats.errors++;
        this.log.error({ err }, 'persister write failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  /**
   * Writes the entries' events and adds the ones PostgreSQL did not have yet to their minute aggregates, in one
   * transaction. The insert returns the rows it really inserted, so an entry written twice (a crash between the
   * write and the ack, a replay) adds nothing the second time.
   */
  async write(entries: LogEntry[]): Promise<void> {
    const events = entries.flatMap((e) => e.events);
    if (!events.length) return;
    await this.db.prisma.$transaction(async (tx) => {
      // One multi-row insert from column arrays: Prisma's createMany cost ~10x more CPU per event on the hot path.
      const inserted = await tx.$queryRawUnsafe<Array<{ s: number; e: string }>>(INSERT_SQL, ...columns(events));
      if (!inserted.length) return;
      const fresh = new Set(inserted.map((r) => `${r.s}\n${r.e}`));
      const minutes = minuteIncrements(events.filter((e) => fresh.has(`${e.meta.sessionId}\n${e.event.id}`)));
      await tx.$executeRawUnsafe(INCREMENT_SQL, ...incrementColumns(minutes));
      const withStats = minutes.filter((m) => m.hasStats);
      if (withStats.length) {
        await tx.$executeRawUnsafe(ONLINE_LAST_SQL, withStats.map((m) => m.sessionId), withStats.map((m) => m.minute));
      }
    });
    this.stats.entries += entries.length;
    this.stats.events += events.length;
    this.stats.lastWriteAt = Date.now();
  }
}

/** What a set of new events adds to one (session, minute) aggregate. */
export interface MinuteIncrement {
  sessionId: number;
  minute: number;
  onlineMax: number;
  views: number;
  viewers: number | null;
  likes: number;
  orders: number;
  units: number;
  gmvFen: number;
  refunds: number;
  refundFen: number;
  hasStats: boolean;
}

/** Pure: the events' contribution per (session, minute): maxima of the counters, sums of the money. */
export function minuteIncrements(events: StoreEvent[]): MinuteIncrement[] {
  const out = new Map<string, MinuteIncrement>();
  for (const e of events) {
    const minute = Math.floor(e.atMs / MINUTE) * MINUTE;
    const k = `${e.meta.sessionId}:${minute}`;
    let m = out.get(k);
    if (!m) {
      m = { sessionId: e.meta.sessionId, minute, onlineMax: 0, views: 0, viewers: null, likes: 0, orders: 0, units: 0, gmvFen: 0, refunds: 0, refundFen: 0, hasStats: false };
      out.set(k, m);
    }
    const ev = e.event;
    if (ev.type === 'stats') {
      m.hasStats = true;
      m.onlineMax = Math.max(m.onlineMax, ev.online);
      m.views = Math.max(m.views, ev.views);
      if (ev.viewers !== undefined) m.viewers = Math.max(m.viewers ?? 0, ev.viewers);
      m.likes = Math.max(m.likes, ev.likes ?? 0);
    } else if (ev.type === 'order') {
      m.orders++;
      m.units += ev.quantity;
      m.gmvFen += ev.amountFen;
    } else {
      m.refunds++;
      m.refundFen += ev.amountFen;
    }
  }
  return [...out.values()];
}

function incrementColumns(ms: MinuteIncrement[]): unknown[][] {
  const keys = ['sessionId', 'minute', 'onlineMax', 'views', 'viewers', 'likes', 'orders', 'units', 'gmvFen', 'refunds', 'refundFen'] as const;
  return keys.map((k) => ms.map((m) => m[k]));
}

const INSERT_SQL = `
INSERT INTO "LiveEvent" ("sessionId", "eventId", "type", "source", "at", "receivedAt", "online", "views", "viewers",
  "likes", "comments", "shares", "followers", "orderId", "quantity", "amountFen", "productId", "productName", "buyerRef")
SELECT u.s, u.e, u.t::"EventType", u.src::"EventSource", u.a AT TIME ZONE 'UTC', u.r AT TIME ZONE 'UTC', u.online, u.views,
  u.viewers, u.likes, u.comments, u.shares, u.followers, u.oid, u.qty, u.amt, u.pid, u.pname, u.buyer
FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::int[], $8::int[],
  $9::int[], $10::int[], $11::int[], $12::int[], $13::int[], $14::text[], $15::int[], $16::int[], $17::text[], $18::text[],
  $19::text[]) AS u(s, e, t, src, a, r, online, views, viewers, likes, comments, shares, followers, oid, qty, amt, pid, pname, buyer)
ON CONFLICT ("sessionId", "eventId") DO NOTHING
RETURNING "sessionId" AS s, "eventId" AS e`;

/** The events as 19 column arrays, in INSERT_SQL's order; fields an event type lacks are null. */
function columns(events: StoreEvent[]): unknown[][] {
  const cols: unknown[][] = Array.from({ length: 19 }, () => []);
  for (const e of events) {
    const ev = e.event;
    const stats = ev.type === 'stats' ? ev : undefined;
    const order = ev.type === 'order' ? ev : undefined;
    const money = ev.type === 'stats' ? undefined : ev;
    const row = [
      e.meta.sessionId, ev.id, ev.type, e.source, new Date(e.atMs).toISOString(), new Date(e.receivedAt).toISOString(),
      stats?.online, stats?.views, stats?.viewers, stats?.likes, stats?.comments, stats?.shares, stats?.followers,
      money?.orderId, order?.quantity, money?.amountFen, order?.productId, order?.productName, order?.buyerRef,
    ];
    for (let i = 0; i < 19; i++) cols[i]!.push(row[i] ?? null);
  }
  return cols;
}

// Prisma keeps DateTime as UTC in `timestamp` columns, hence minutes passed as epoch ms and read in UTC.
// Counts and money add up; the cumulative counters keep their maximum (GREATEST skips nulls, as MAX did).
const INCREMENT_SQL = `
INSERT INTO "MinuteAggregate" ("sessionId", "minute", "onlineMax", "onlineLast", "views", "viewers", "likes",
  "orders", "units", "gmvFen", "refunds", "refundFen")
SELECT u.s, to_timestamp(u.m / 1000.0) AT TIME ZONE 'UTC', u.omax, 0, u.views, u.viewers, u.likes, u.orders, u.units,
  u.gmv, u.refunds, u.rfen
FROM unnest($1::int[], $2::bigint[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[],
  $10::int[], $11::int[]) AS u(s, m, omax, views, viewers, likes, orders, units, gmv, refunds, rfen)
ON CONFLICT ("sessionId", "minute") DO UPDATE SET
  "onlineMax" = GREATEST("MinuteAggregate"."onlineMax", EXCLUDED."onlineMax"),
  "views" = GREATEST("MinuteAggregate"."views", EXCLUDED."views"),
  "viewers" = GREATEST("MinuteAggregate"."viewers", EXCLUDED."viewers"),
  "likes" = GREATEST("MinuteAggregate"."likes", EXCLUDED."likes"),
  "orders" = "MinuteAggregate"."orders" + EXCLUDED."orders",
  "units" = "MinuteAggregate"."units" + EXCLUDED."units",
  "gmvFen" = "MinuteAggregate"."gmvFen" + EXCLUDED."gmvFen",
  "refunds" = "MinuteAggregate"."refunds" + EXCLUDED."refunds",
  "refundFen" = "MinuteAggregate"."refundFen" + EXCLUDED."refundFen"`;

// The minute's last online figure: the latest stats event in it (by time, then id), one index probe per minute on
// ("sessionId", "at"). Events can arrive late and out of order, so it is looked up rather than carried over.
const ONLINE_LAST_SQL = `
UPDATE "MinuteAggregate" a SET "onlineLast" = COALESCE((
  SELECT e."online" FROM "LiveEvent" e
  WHERE e."sessionId" = a."sessionId" AND e."type" = 'stats' AND e."at" >= a."minute" AND e."at" < a."minute" + interval '1 minute'
  ORDER BY e."at" DESC, e."eventId" DESC LIMIT 1), 0)
FROM unnest($1::int[], $2::bigint[]) AS u(s, m)
WHERE a."sessionId" = u.s AND a."minute" = to_timestamp(u.m / 1000.0) AT TIME ZONE 'UTC'`;
