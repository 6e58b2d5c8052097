// Live state and the dashboard subscriptions (API.md "Live"), shared by hub, client and tests.
import { z } from 'zod';
import type { Ack } from './errors';
import type { IngestResult } from './ingest';
import type { AlertDto, AnnouncementDto, TicketDto, TicketUpdate } from './response';
import type { ScoreboardMessage } from './scoreboard';

/** Numbers of one session as the live store keeps them. Money in fen, times in epoch ms. */
export interface SessionNumbers {
  online: number;
  peakOnline: number;
  views: number;
  viewers: number;
  likes: number;
  comments: number;
  shares: number;
  followers: number;
  gmvFen: number;
  orders: number;
  buyers: number;
  units: number;
  refunds: number;
  refundFen: number;
  lastEventAt: number | null;
  /** True when the latest stats came from quick entry (typed by hand), not a collector. */
  manual: boolean;
}

export interface SessionLive extends SessionNumbers {
  sessionId: number;
}

/** A live session on the wall: its numbers plus who it is (names come with the snapshot). */
export interface SessionRow extends SessionLive {
  teamId: number;
  teamName: string;
  cityCode: string;
  universityName: string;
  status: 'scheduled' | 'live' | 'ended' | 'cancelled' | 'suspended';
  plannedStart: string;
  plannedEnd: string;
}

export interface Totals {
  gmvFen: number;
  orders: number;
  units: number;
  buyers: number;
  refundFen: number;
  online: number;
  liveSessions: number;
}

export interface RankEntry {
  id: string; // team id, city code or university id
  name: string;
  cityCode?: string;
  gmvFen: number;
  rank: number;
}

export interface Leaderboards {
  team: RankEntry[];
  city: RankEntry[];
  university: RankEntry[];
}

/** One point of a curve: epoch ms at the start of its bucket. */
export interface SeriesPoint {
  t: number;
  online: number;
  gmvFen: number; // cumulative at the end of the bucket
  orders: number; // cumulative
}

/**
 * An order at or above the province's big-order threshold, for the wall's feed: which team sold what and when,
 * never who bought it (no buyer reference, no order id).
 */
export interface BigOrder {
  /** `<sessionId>:<event id>`, unique per accepted event. */
  id: string;
  /** Event time, epoch ms. */
  at: number;
  sessionId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  productName: string | null;
  quantity: number;
  amountFen: number;
}

/** Big orders the wall keeps on screen and the store keeps per stage. */
export const BIG_ORDER_FEED_SIZE = 20;

/** Newest first, each order once (lists may overlap after a resync), at most `limit`. */
export function newestBigOrders(lists: ReadonlyArray<readonly BigOrder[]>, limit = BIG_ORDER_FEED_SIZE): BigOrder[] {
  const byId = new Map<string, BigOrder>();
  for (const list of lists) for (const o of list) if (!byId.has(o.id)) byId.set(o.id, o);
  return [...byId.values()].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit);
}

export interface WallSnapshot {
  at: number;
  stage: { id: number; name: string } | null;
  totals: Totals;
  sessions: SessionRow[];
  leaderboards: Leaderboards;
  /** Province GMV per minute today (Asia/Shanghai), cumulative. */
  gmvCurve: Array<{ t: number; gmvFen: number }>;
  /**
   * Yesterday's province GMV per minute (from PostgreSQL's minute aggregates), cumulative and shifted one day
   * forward onto today's time axis, for comparison.
   */
  gmvYesterday: Array<{ t: number; gmvFen: number }>;
  /** Today's big orders of the stage, newest first. */
  bigOrders: BigOrder[];
  /** The threshold (fen) an order must reach to count as big. */
  bigOrderFen: number;
}

export interface WallUpdate {
  at: number;
  totals: Totals;
  /** Only the sessions that changed since the last update (full rows when the hub knows the session). */
  sessions: Array<SessionLive | SessionRow>;
  leaderboards?: Leaderboards;
  gmvCurve?: Array<{ t: number; gmvFen: number }>;
  /** Big orders accepted (on any hub) since the last update, newest first. */
  bigOrders?: BigOrder[];
}

export interface CitySnapshot {
  at: number;
  cityCode: string;
  totals: Totals;
  sessions: SessionRow[];
  rankInProvince: number | null;
}

export interface CityUpdate {
  at: number;
  cityCode: string;
  totals: Totals;
  sessions: Array<SessionLive | SessionRow>;
}

export interface SessionSnapshot {
  at: number;
  session: SessionRow;
  series: SeriesPoint[];
  rankInCity: number | null;
}

export interface SessionUpdate {
  at: number;
  session: SessionLive;
  series: SeriesPoint[]; // points added or changed since the last update
  rankInCity: number | null;
}

export const CitySubscribe = z.strictObject({ cityCode: z.string().regex(/^36\d{4}$/) });
export const SessionSubscribe = z.strictObject({ sessionId: z.number().int().positive().max(2_147_483_647) });

type Cb<T> = (ack: Ack<T>) => void;

export interface ClientToServerEvents {
  'wall:subscribe': (payload: unknown, cb: Cb<null>) => void;
  'wall:unsubscribe': (payload: unknown, cb: Cb<null>) => void;
  'city:subscribe': (payload: unknown, cb: Cb<null>) => void;
  'city:unsubscribe': (payload: unknown, cb: Cb<null>) => void;
  'session:subscribe': (payload: unknown, cb: Cb<null>) => void;
  'session:unsubscribe': (payload: unknown, cb: Cb<null>) => void;
  'ingest:batch': (payload: unknown, cb: Cb<IngestResult>) => void;
  'alert:sync': (payload: unknown, cb: Cb<AlertDto[]>) => void;
  'ticket:open': (payload: unknown, cb: Cb<TicketDto>) => void;
}

/**
 * One round of the alert evaluator, as one room sees it. A busy evening changes hundreds of alerts in one round
 * (each open one is refreshed every few seconds); one Socket.IO message per alert was hundreds of WebSocket frames
 * in a few milliseconds, each a task on every staff screen's main thread, and the wall's frames waited behind them.
 */
export interface AlertChanges {
  raised: AlertDto[];
  updated: AlertDto[];
  cleared: AlertDto[];
}

/**
 * A list of open alerts after a round: raised and updated ones put in (replacing the same id; an update that
 * carries clearedAt removes it), cleared ones taken out. New alerts go first, the list's order otherwise kept.
 */
export function applyAlertChanges(open: readonly AlertDto[], c: AlertChanges): AlertDto[] {
  const gone = new Set(c.cleared.map((a) => a.id));
  const put = new Map<number, AlertDto>();
  for (const a of [...c.raised, ...c.updated]) {
    if (a.clearedAt) gone.add(a.id);
    else put.set(a.id, a);
  }
  for (const id of gone) put.delete(id);
  const known = new Set(open.map((a) => a.id));
  const fresh = [...put.values()].filter((a) => !known.has(a.id));
  const kept = open.filter((a) => !gone.has(a.id)).map((a) => put.get(a.id) ?? a);
  return [...fresh, ...kept];
}

export interface ServerToClientEvents {
  'wall:snapshot': (s: WallSnapshot) => void;
  'wall:updated': (u: WallUpdate) => void;
  'city:snapshot': (s: CitySnapshot) => void;
  'city:updated': (u: CityUpdate) => void;
  'session:snapshot': (s: SessionSnapshot) => void;
  'session:updated': (u: SessionUpdate) => void;
  /** Every alert one evaluation raised, updated or cleared in the receiver's scope: one message, however many. */
  'alert:changes': (c: AlertChanges) => void;
  'ticket:opened': (t: TicketDto) => void;
  'ticket:updated': (u: TicketUpdate) => void;
  'announcement:posted': (a: AnnouncementDto) => void;
  /** Namespace /public, room public:scoreboard: the public scoreboard, the same message for every viewer. */
  'scoreboard:updated': (m: ScoreboardMessage) => void;
}

export const emptyNumbers = (): SessionNumbers => ({
  online: 0,
  peakOnline: 0,
  views: 0,
  viewers: 0,
  likes: 0,
  comments: 0,
  shares: 0,
  followers: 0,
  gmvFen: 0,
  orders: 0,
  buyers: 0,
  units: 0,
  refunds: 0,
  refundFen: 0,
  lastEventAt: null,
  manual: false,
});
