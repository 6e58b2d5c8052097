// Ingest contract (API.md "Ingest"): what collectors send and what the hub answers.
import { z } from 'zod';
import { noNul } from './common';

export const MAX_BATCH = 1000;
/** An order above ¥1,000,000 is not a student live room's order; refuse it as a likely unit error. */
export const MAX_AMOUNT_FEN = 100_000_000;
const MAX_COUNTER = 2_000_000_000;
/** Events may not claim to come from the future by more than this (collector clock skew). */
export const MAX_FUTURE_SKEW_MS = 2 * 60_000;

const EventId = z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const SessionId = z.number().int().positive().max(2_147_483_647);
const Instant = z.iso.datetime({ offset: true });
const Count = z.number().int().min(0).max(MAX_COUNTER);
const Ref = noNul(z.string().min(1).max(64));

export const StatsEvent = z.strictObject({
  type: z.literal('stats'),
  id: EventId,
  sessionId: SessionId,
  at: Instant,
  online: Count,
  views: Count,
  viewers: Count.optional(),
  likes: Count.optional(),
  comments: Count.optional(),
  shares: Count.optional(),
  followers: Count.optional(),
});

export const OrderEvent = z.strictObject({
  type: z.literal('order'),
  id: EventId,
  sessionId: SessionId,
  at: Instant,
  orderId: Ref,
  quantity: z.number().int().min(1).max(10_000),
  amountFen: z.number().int().min(0).max(MAX_AMOUNT_FEN),
  productId: Ref.optional(),
  productName: noNul(z.string().min(1).max(80)).optional(),
  buyerRef: Ref.optional(),
});

export const RefundEvent = z.strictObject({
  type: z.literal('refund'),
  id: EventId,
  sessionId: SessionId,
  at: Instant,
  orderId: Ref,
  amountFen: z.number().int().min(1).max(MAX_AMOUNT_FEN),
});

export const IngestEvent = z.discriminatedUnion('type', [StatsEvent, OrderEvent, RefundEvent]);
export type IngestEvent = z.infer<typeof IngestEvent>;
export type StatsEvent = z.infer<typeof StatsEvent>;
export type OrderEvent = z.infer<typeof OrderEvent>;
export type RefundEvent = z.infer<typeof RefundEvent>;

/**
 * The envelope is checked strictly (a bad envelope is 400 and nothing is stored); each event is then
 * checked on its own, so one bad event is rejected by index while the rest are accepted.
 */
export const IngestEnvelope = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_BATCH),
});

export const RejectCode = z.enum([
  'VALIDATION_FAILED', // the event itself is malformed or out of bounds
  'FORBIDDEN', // the session is outside the key's scope
  'NOT_FOUND', // no such session
  'NOT_LIVE', // cancelled, ended long ago, or outside its window
  'SUSPENDED', // the session or its team is suspended (停播整改)
  'DISQUALIFIED', // the team is disqualified (取消资格)
  'UNKNOWN_ORDER', // a refund for an order the hub has not seen
  'REFUND_EXCEEDS_ORDER', // refunds would exceed the order's amount
  'CONFLICT', // the same event id was used for a different event in one batch
]);
export type RejectCode = z.infer<typeof RejectCode>;

export interface Rejection {
  index: number;
  code: RejectCode;
  message: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
}
