// Quick entry: typed cumulative totals → ordinary ingest events, against what the hub already counts.
//
// 在线/观看 become one stats sample (the store folds cumulative counters as it does a collector's). 成交额/订单数
// cannot be a sample: GMV and orders are sums of order events. So the difference to the counted totals becomes that
// many synthetic orders (quantity 1, the amount split evenly, the first ones taking the odd fen), and each is named by
// its place in the session: the k-th order is `manual:<sessionId>:o<k>`. A retry, or a second person typing the same
// figures at the same moment, names the same orders again and the store's dedupe counts them once. The stats sample is
// named by the client's key for the submission, so a double tap adds one sample, not two.
//
// Totals never go down: a typed figure below the counted one is refused (no negative orders, no refunds invented to
// make a typo vanish). A figure typed too high stays until the console passes it; the verified GMV of a session comes
// from the order-export reconciliation, not from typed numbers.
import { MAX_NEW_ORDERS, MAX_ORDER_FEN, COLLECTOR_QUIET_MS, type ManualProblemCode, type ManualStatsInput } from '../../contracts/manual';
import type { OrderEvent, StatsEvent } from '../../contracts/ingest';

/** What the hub counts for the session before this entry. */
export interface ManualBaseline {
  views: number;
  gmvFen: number;
  orders: number;
  /** The latest stats sample came from quick entry. */
  manual: boolean;
  lastEventAt: number | null;
}

export interface ManualProblem {
  code: ManualProblemCode;
  field?: 'views' | 'gmvFen' | 'orders';
  message: string;
}

export type ManualPlan =
  | { ok: true; events: Array<StatsEvent | OrderEvent>; newOrders: number }
  | { ok: false; problems: ManualProblem[] };

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

export const manualStatsId = (sessionId: number, key: string) => `manual:${sessionId}:s:${key}`;
export const manualOrderId = (sessionId: number, k: number) => `manual:${sessionId}:o${k}`;

/** The problems with an entry against the baseline; empty when it may be ingested. */
export function manualProblems(input: ManualStatsInput, base: ManualBaseline, now: number): ManualProblem[] {
  if (!base.manual && base.lastEventAt !== null && now - base.lastEventAt < COLLECTOR_QUIET_MS)
    return [{ code: 'collector.active', message: 'A collector is feeding this session; its numbers would be counted twice' }];
  const out: ManualProblem[] = [];
  if (input.views < base.views)
    out.push({ code: 'views.lower', field: 'views', message: `views may not go below the ${base.views} already counted` });
  if (input.orders < base.orders)
    out.push({ code: 'orders.lower', field: 'orders', message: `orders may not go below the ${base.orders} already counted` });
  if (input.gmvFen < base.gmvFen)
    out.push({ code: 'gmv.lower', field: 'gmvFen', message: `GMV may not go below the ${yuan(base.gmvFen)} already counted` });
  if (out.length) return out;
  const newOrders = input.orders - base.orders;
  const newFen = input.gmvFen - base.gmvFen;
  if (newOrders === 0 && newFen > 0)
    return [{ code: 'gmv.withoutOrders', field: 'orders', message: 'GMV went up but orders did not; enter the orders that brought it' }];
  if (newOrders > MAX_NEW_ORDERS)
    return [{ code: 'orders.tooMany', field: 'orders', message: `at most ${MAX_NEW_ORDERS} new orders per entry` }];
  if (newOrders > 0 && Math.ceil(newFen / newOrders) > MAX_ORDER_FEN)
    return [{ code: 'gmv.perOrder', field: 'gmvFen', message: `more than ${yuan(MAX_ORDER_FEN)} per new order; check the unit (yuan)` }];
  return [];
}

/** The events an entry becomes, all stamped `now`: the stats sample first, then the new orders. */
export function manualEvents(sessionId: number, input: ManualStatsInput, base: ManualBaseline, now: number): ManualPlan {
  const problems = manualProblems(input, base, now);
  if (problems.length) return { ok: false, problems };
  const at = new Date(now).toISOString();
  const stats: StatsEvent = { type: 'stats', id: manualStatsId(sessionId, input.key), sessionId, at, online: input.online, views: input.views };
  const newOrders = input.orders - base.orders;
  const newFen = input.gmvFen - base.gmvFen;
  const events: Array<StatsEvent | OrderEvent> = [stats];
  for (let i = 0; i < newOrders; i++) {
    const id = manualOrderId(sessionId, base.orders + i + 1);
    const amountFen = Math.floor(newFen / newOrders) + (i < newFen % newOrders ? 1 : 0);
    events.push({ type: 'order', id, sessionId, at, orderId: id, quantity: 1, amountFen });
  }
  return { ok: true, events, newOrders };
}
