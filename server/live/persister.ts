// Drains the live store's durable log into PostgreSQL: the event log and per-minute aggregates.
// Idempotent by (sessionId, eventId): an entry written but not acked (crash) is written again harmlessly.
import type { Database } from '../db/index';
import type { Logger } from '../logger';
import type { LiveStore, LogEntry } from './store';

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
   * statement, so both happen or neither does. The event log's insert hands the rows it really inserted to the
   * aggregate upsert, so an entry written twice (a crash between the write and the ack, a replay) adds nothing the
   * second time.
   *
   * The entries' JSON goes to PostgreSQL as it came from the log: the hub neither parses nor re-encodes it (that,
   * and Prisma's parameter handling, was most of the hub's CPU per persisted event).
   */
  async write(entries: LogEntry[]): Promise<void> {
    const json = joinLogJson(entries.map((e) => e.json));
    if (json === '[]') return;
    await this.db.query(WRITE_SQL, [json]);
    this.stats.entries += entries.length;
    this.stats.events += entries.reduce((n, e) => n + e.count, 0);
    this.stats.lastWriteAt = Date.now();
  }
}

/** Log entries' JSON arrays of log rows as one array, without parsing them. */
export function joinLogJson(arrays: string[]): string {
  const inner = arrays.map((a) => a.trim().slice(1, -1).trim()).filter((a) => a.length > 0);
  return `[${inner.join(',')}]`;
}

// The log rows (store.ts LogRow) as PostgreSQL rows, in one pass over the JSON. Times are epoch ms, written as UTC
// `timestamp` as Prisma keeps DateTime.
const SOURCE_SQL = `
SELECT x."sessionId" AS s, x."eventId" AS e, x.type AS t, x.source AS src,
  timestamp '1970-01-01' + x.at * interval '1 millisecond' AS a,
  timestamp '1970-01-01' + x."receivedAt" * interval '1 millisecond' AS r,
  x.online, x.views, x.viewers, x.likes, x.comments, x.shares, x.followers,
  x."orderId" AS oid, x.quantity AS qty, x."amountFen" AS amt, x."productId" AS pid, x."productName" AS pname,
  x."buyerRef" AS buyer
FROM json_to_recordset($1::json) AS x("sessionId" int, "eventId" text, type text, source text, at bigint,
  "receivedAt" bigint, online int, views int, viewers int, likes int, comments int, shares int, followers int,
  "orderId" text, quantity int, "amountFen" int, "productId" text, "productName" text, "buyerRef" text)`;

// One statement: the events into the log (a duplicate is skipped), and the ones inserted into their minute
// aggregates: counts and money add up; the cumulative counters keep their maximum (GREATEST skips nulls); the
// minute's last online figure is the latest stats event's (by time, then id), whether it came now or before.
const LATEST = `ORDER BY "at" DESC, "eventId" DESC) FILTER (WHERE "type" = 'stats'))[1]`;
const LATER = `EXCLUDED."onlineLastAt" IS NOT NULL AND ("MinuteAggregate"."onlineLastAt" IS NULL
      OR (EXCLUDED."onlineLastAt", EXCLUDED."onlineLastId") > ("MinuteAggregate"."onlineLastAt", "MinuteAggregate"."onlineLastId"))`;
const WRITE_SQL = `
WITH src AS (${SOURCE_SQL}),
ins AS (
  INSERT INTO "LiveEvent" ("sessionId", "eventId", "type", "source", "at", "receivedAt", "online", "views", "viewers",
    "likes", "comments", "shares", "followers", "orderId", "quantity", "amountFen", "productId", "productName", "buyerRef")
  SELECT s, e, t::"EventType", src::"EventSource", a, r, online, views, viewers, likes, comments, shares, followers,
    oid, qty, amt, pid, pname, buyer
  FROM src
  ON CONFLICT ("sessionId", "eventId") DO NOTHING
  RETURNING "sessionId", "eventId", "at", "type", "online", "views", "viewers", "likes", "quantity", "amountFen"
)
INSERT INTO "MinuteAggregate" ("sessionId", "minute", "onlineMax", "onlineLast", "onlineLastAt", "onlineLastId",
  "views", "viewers", "likes", "orders", "units", "gmvFen", "refunds", "refundFen")
SELECT "sessionId", date_trunc('minute', "at"), COALESCE(MAX("online"), 0),
  COALESCE((array_agg("online" ${LATEST}, 0), (array_agg("at" ${LATEST}, (array_agg("eventId" ${LATEST},
  COALESCE(MAX("views"), 0), MAX("viewers"), COALESCE(MAX("likes"), 0),
  COUNT(*) FILTER (WHERE "type" = 'order'),
  COALESCE(SUM("quantity") FILTER (WHERE "type" = 'order'), 0),
  COALESCE(SUM("amountFen") FILTER (WHERE "type" = 'order'), 0),
  COUNT(*) FILTER (WHERE "type" = 'refund'),
  COALESCE(SUM("amountFen") FILTER (WHERE "type" = 'refund'), 0)
FROM ins
GROUP BY 1, 2
ON CONFLICT ("sessionId", "minute") DO UPDATE SET
  "onlineMax" = GREATEST("MinuteAggregate"."onlineMax", EXCLUDED."onlineMax"),
  "onlineLast" = CASE WHEN ${LATER} THEN EXCLUDED."onlineLast" ELSE "MinuteAggregate"."onlineLast" END,
  "onlineLastAt" = CASE WHEN ${LATER} THEN EXCLUDED."onlineLastAt" ELSE "MinuteAggregate"."onlineLastAt" END,
  "onlineLastId" = CASE WHEN ${LATER} THEN EXCLUDED."onlineLastId" ELSE "MinuteAggregate"."onlineLastId" END,
  "views" = GREATEST("MinuteAggregate"."views", EXCLUDED."views"),
  "viewers" = GREATEST("MinuteAggregate"."viewers", EXCLUDED."viewers"),
  "likes" = GREATEST("MinuteAggregate"."likes", EXCLUDED."likes"),
  "orders" = "MinuteAggregate"."orders" + EXCLUDED."orders",
  "units" = "MinuteAggregate"."units" + EXCLUDED."units",
  "gmvFen" = "MinuteAggregate"."gmvFen" + EXCLUDED."gmvFen",
  "refunds" = "MinuteAggregate"."refunds" + EXCLUDED."refunds",
  "refundFen" = "MinuteAggregate"."refundFen" + EXCLUDED."refundFen"`;
