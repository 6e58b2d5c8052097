// Rules of the province wall that need no I/O: which accepted orders count as big, and yesterday's GMV curve
// laid over today's time axis.
import type { IngestEvent } from '../../contracts/ingest';
import { newestBigOrders, type BigOrder } from '../../contracts/live';
import { DAY } from './time';

/** An event the store accepted, with who sold it. */
export interface AcceptedEvent {
  event: IngestEvent;
  atMs: number;
  sessionId: number;
  teamId: number;
  teamName: string;
  cityCode: string;
}

/**
 * Whether an accepted event goes to the wall's big-order feed: a collector's order of at least `thresholdFen`.
 * Quick entry's orders split a typed total evenly: none of them is a real order to announce as big.
 */
export function announcesBigOrder(event: IngestEvent, source: 'collector' | 'manual', thresholdFen: number): boolean {
  return event.type === 'order' && source === 'collector' && event.amountFen >= thresholdFen;
}

/**
 * The accepted orders of at least `thresholdFen`, newest first, as the wall shows them. Nothing that identifies
 * the buyer (buyerRef) or the platform's order leaves here.
 */
export function selectBigOrders(accepted: Iterable<AcceptedEvent>, thresholdFen: number): BigOrder[] {
  const out: BigOrder[] = [];
  for (const a of accepted) {
    const e = a.event;
    if (e.type !== 'order' || e.amountFen < thresholdFen) continue;
    out.push({
      id: `${a.sessionId}:${e.id}`,
      at: a.atMs,
      sessionId: a.sessionId,
      teamId: a.teamId,
      teamName: a.teamName,
      cityCode: a.cityCode,
      productName: e.productName ?? null,
      quantity: e.quantity,
      amountFen: e.amountFen,
    });
  }
  return newestBigOrders([out], out.length);
}

/** Of the big orders, those of the Shanghai day starting at `dayStart`. */
export function bigOrdersOfDay(orders: readonly BigOrder[], dayStart: number): BigOrder[] {
  return orders.filter((o) => o.at >= dayStart && o.at < dayStart + DAY);
}

/**
 * Yesterday's per-minute GMV (minutes of [yesterdayStart, yesterdayStart + 1 day), any order) as a cumulative
 * curve moved one day forward, so each point sits at the same clock time today. Minutes outside the day are
 * ignored; the result is sorted by time.
 */
export function yesterdayOnToday(
  minutes: ReadonlyArray<{ t: number; gmvFen: number }>,
  yesterdayStart: number,
): Array<{ t: number; gmvFen: number }> {
  const inDay = minutes
    .filter((m) => m.t >= yesterdayStart && m.t < yesterdayStart + DAY && m.gmvFen !== 0)
    .sort((a, b) => a.t - b.t);
  let sum = 0;
  return inDay.map((m) => ({ t: m.t + DAY, gmvFen: (sum += m.gmvFen) }));
}
