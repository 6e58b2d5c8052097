// The live store contract. Two implementations behave the same: RedisLiveStore (production, several hubs)
// and MemoryLiveStore (the embedded default). One contract suite (test/live/store.contract.test.ts) runs both.
import type { IngestEvent } from '../../contracts/ingest';
import type { BigOrder, SeriesPoint, SessionLive } from '../../contracts/live';

/** Who a session belongs to; the leaderboards are keyed by these. */
export interface SessionMeta {
  sessionId: number;
  stageId: number;
  teamId: number;
  cityCode: string;
  universityId: number;
}

/** An event that passed validation and scope checks, ready for the store. */
export interface StoreEvent {
  event: IngestEvent;
  /** Event time (`event.at`) in epoch ms. */
  atMs: number;
  receivedAt: number;
  source: 'collector' | 'manual';
  meta: SessionMeta;
}

export type ApplyResult =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: 'UNKNOWN_ORDER' | 'REFUND_EXCEEDS_ORDER' | 'CONFLICT'; message: string };

export interface ApplyOutcome {
  /** One per input event, in input order. */
  results: ApplyResult[];
  /** State after the batch of every session the batch changed. */
  changed: SessionLive[];
}

/** Stage-wide sums (net of nothing: refunds are their own figure). */
export interface StageTotals {
  gmvFen: number;
  orders: number;
  units: number;
  buyers: number;
  refundFen: number;
}

export type RankDimension = 'team' | 'city' | 'university';

/**
 * An accepted event as the durable log keeps it: the row it becomes in PostgreSQL's event log ("LiveEvent", times
 * in epoch ms), so the persister hands the log to PostgreSQL without reshaping it. Fields an event lacks are absent.
 */
export interface LogRow {
  sessionId: number;
  eventId: string;
  type: IngestEvent['type'];
  source: StoreEvent['source'];
  at: number;
  receivedAt: number;
  online?: number;
  views?: number;
  viewers?: number;
  likes?: number;
  comments?: number;
  shares?: number;
  followers?: number;
  orderId?: string;
  quantity?: number;
  amountFen?: number;
  productId?: string;
  productName?: string;
  buyerRef?: string;
}

export function logRow(se: StoreEvent): LogRow {
  const { type, id, sessionId: _sessionId, at: _at, ...fields } = se.event;
  return { sessionId: se.meta.sessionId, eventId: id, type, source: se.source, at: se.atMs, receivedAt: se.receivedAt, ...fields };
}

/** One entry of the durable log: the accepted events of one batch, in order, as a JSON array of their LogRows. */
export interface LogEntry {
  id: string;
  json: string;
  /** How many events `json` holds. */
  count: number;
}

/** A log entry of these events. */
export const logEntry = (id: string, events: StoreEvent[]): LogEntry => ({ id, json: JSON.stringify(events.map(logRow)), count: events.length });

/** The rows of a log entry (written by a store from StoreEvents, so trusted as such). */
export const logRows = (entry: LogEntry): LogRow[] => JSON.parse(entry.json) as LogRow[];

export interface LiveStore {
  readonly kind: 'memory' | 'redis';

  /**
   * Dedupe by (sessionId, event.id), fold the accepted events into the live state, the series, the
   * leaderboards and the stage totals, and append them to the durable log: all or nothing, in one round trip.
   * When this resolves the events are stored (acked); the durable log then feeds PostgreSQL.
   */
  applyBatch(events: StoreEvent[]): Promise<ApplyOutcome>;

  getSessions(ids: number[]): Promise<Map<number, SessionLive>>;
  /** 10-second points, oldest first, from `sinceMs` (inclusive). The bucket in progress comes last. */
  getSeries(sessionId: number, sinceMs?: number): Promise<SeriesPoint[]>;
  stageTotals(stageId: number): Promise<StageTotals>;
  /** Highest net GMV (gmvFen − refundFen) first; ids are team ids, city codes or university ids as strings. */
  leaderboard(stageId: number, dim: RankDimension, limit: number): Promise<Array<{ id: string; netFen: number }>>;
  /** Province GMV (gross) per minute of the stage in [fromMs, toMs), epoch ms of each minute → fen in that minute. */
  gmvByMinute(stageId: number, fromMs: number, toMs: number): Promise<Array<{ t: number; gmvFen: number }>>;

  /** Durable log, read by the persister as a consumer group: new entries for this consumer. */
  readLog(consumer: string, max: number, blockMs: number): Promise<LogEntry[]>;
  /** Entries another consumer took but never acked for `minIdleMs` (it died): hand them to `consumer`. */
  claimStale(consumer: string, minIdleMs: number, max: number): Promise<LogEntry[]>;
  ackLog(ids: string[]): Promise<void>;
  logInfo(): Promise<{ length: number; pending: number }>;

  /** Changes from every hub's batches (through Redis pub/sub when there are several). */
  onChange(listener: (changed: SessionLive[]) => void): () => void;

  /**
   * Records big orders of a stage (the newest BIG_ORDER_FEED_SIZE are kept) and announces them to every hub's
   * onBigOrders listeners, this hub's included. Called by ingest after the batch was applied.
   */
  pushBigOrders(stageId: number, orders: BigOrder[]): Promise<void>;
  /** The stage's kept big orders, newest first. */
  bigOrders(stageId: number): Promise<BigOrder[]>;
  /** Big orders pushed by any hub, as they come. */
  onBigOrders(listener: (stageId: number, orders: BigOrder[]) => void): () => void;

  ping(): Promise<string>;
  close(): Promise<void>;
  /** Commands this store has sent to its backend (Redis); 0 for the in-process store. */
  commandsSent?(): number;
}
