// Quick entry (手动录入): the numbers a team or its city's staff read off the Youle console and type in for a room
// no collector feeds. The hub turns the typed totals into ordinary ingest events (source 'manual').
import { z } from 'zod';
import { MAX_AMOUNT_FEN } from './ingest';

const MAX_COUNTER = 2_000_000_000;
const Count = z.number().int().min(0).max(MAX_COUNTER);

/** One submission of the console's figures, all cumulative for the session except `online` (in the room now). */
export const ManualStatsInput = z.strictObject({
  /** Chosen by the client once per submission and resent on a retry, so a double tap counts once. */
  key: z.string().regex(/^[A-Za-z0-9_-]{8,40}$/, '8–40 letters, digits, _ or -'),
  online: Count,
  views: Count,
  /** 成交额 in fen (the screen takes yuan with two decimals). */
  gmvFen: z.number().int().min(0).max(MAX_COUNTER),
  orders: Count,
});
export type ManualStatsInput = z.infer<typeof ManualStatsInput>;

/**
 * Why a submission is refused, as the `code` of each issue of a 400 (field problems) or of the refusal
 * (409 NOT_LIVE, session state). The message says the same in English; the screen words it from the code.
 */
export const ManualProblemCode = z.enum([
  'views.lower', // 观看人次 below what the hub already counts
  'orders.lower', // 订单数 below what the hub already counts
  'gmv.lower', // 成交额 below what the hub already counts
  'gmv.withoutOrders', // 成交额 went up but 订单数 did not: every yuan belongs to an order
  'orders.tooMany', // more new orders than one submission may add
  'gmv.perOrder', // the new 成交额 split over the new orders exceeds one order's bound
  'collector.active', // a collector fed this session in the last minutes: its numbers would be counted twice
  'NOT_LIVE', // cancelled, ended, outside its window
  'SUSPENDED', // 停播整改
  'DISQUALIFIED', // 取消资格
]);
export type ManualProblemCode = z.infer<typeof ManualProblemCode>;

/** New orders one submission may add (one ingest batch holds 1,000 events, the stats sample included). */
export const MAX_NEW_ORDERS = 999;
/** The same as an order's bound: a typed amount above it is most likely a unit error. */
export const MAX_ORDER_FEN = MAX_AMOUNT_FEN;
/** A collector's event this recent means the session is fed automatically; quick entry then refuses. */
export const COLLECTOR_QUIET_MS = 5 * 60_000;
/** The screen reminds whoever enters when the last entry is older than this. */
export const MANUAL_REMIND_MS = 5 * 60_000;
/**
 * A room whose latest figures were typed stays on air (on the wall, in the online total) and is not 断流 for this long
 * after its last event: entries come every few minutes, not every few seconds as a collector's do.
 */
export const MANUAL_ON_AIR_MS = 10 * 60_000;

/** How long after its last event a session counts as quiet: `collectorMs`, or longer when its figures are typed. */
export const quietAfterMs = (manual: boolean | undefined, collectorMs: number) => (manual ? Math.max(collectorMs, MANUAL_ON_AIR_MS) : collectorMs);

/** The figures of one entry as typed, when, and by which role. */
export interface ManualEntryDto {
  at: string;
  online: number;
  views: number;
  gmvFen: number;
  orders: number;
  byRole: 'province' | 'city' | 'team';
}

/** What the hub counts for the session now, from whatever source. */
export interface ManualNumbers {
  online: number;
  views: number;
  gmvFen: number;
  orders: number;
  /** The latest stats came from quick entry. */
  manual: boolean;
  lastEventAt: number | null;
}

/** GET …/manual-stats: the last entry (from the audit log) and the live numbers. */
export interface ManualStatsView {
  sessionId: number;
  last: ManualEntryDto | null;
  numbers: ManualNumbers;
}

/** POST …/manual-stats answer: how many of the entry's events were new (a retry: none) and the numbers after. */
export interface ManualStatsResult extends ManualStatsView {
  accepted: number;
  duplicates: number;
}
