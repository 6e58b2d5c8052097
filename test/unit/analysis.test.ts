import { describe, expect, test } from 'vitest';
import { compareMetrics, completenessOf, computeAnalysis, percentile, type CohortEntry, type EventRow, type SessionTimes } from '../../server/domain/analysis.ts';
import { parseExport, reconcile, yuanTextToFen, type ExportOrder } from '../../server/analysis/reconcile.ts';
import { MemoryLiveStore } from '../../server/live/memory-store.ts';
import { SessionModel } from '../../server/sim/model.ts';
import type { StoreEvent } from '../../server/live/store.ts';
import type { AnalysisMetrics, ColumnMapping } from '../../contracts/analysis.ts';

const T0 = Date.parse('2024-10-21T12:00:00Z');
const MIN = 60_000;
const at = (sec: number) => new Date(T0 + sec * 1000);

const blank = (id: string, type: EventRow['type'], sec: number, receivedSec = sec): EventRow => ({
  eventId: id, type, at: at(sec), receivedAt: at(receivedSec), online: null, views: null, viewers: null, likes: null, comments: null,
  shares: null, followers: null, orderId: null, quantity: null, amountFen: null, productId: null, productName: null, buyerRef: null,
});
const stats = (id: string, sec: number, v: Partial<EventRow> & { online: number; views: number }, receivedSec = sec): EventRow => ({ ...blank(id, 'stats', sec, receivedSec), ...v });
const order = (id: string, sec: number, orderId: string, amountFen: number, extra: Partial<EventRow> = {}, receivedSec = sec): EventRow => ({
  ...blank(id, 'order', sec, receivedSec), orderId, amountFen, quantity: 1, ...extra,
});
const refund = (id: string, sec: number, orderId: string, amountFen: number): EventRow => ({ ...blank(id, 'refund', sec), orderId, amountFen });
const ended = (startSec: number, endSec: number): SessionTimes => ({ status: 'ended', actualStart: at(startSec), actualEnd: at(endSec) });

describe('computeAnalysis() on a crafted session with known answers', () => {
  // Ten minutes: online 100 → 300 → 200; two products; three buyers over four orders; one partial refund.
  const events: EventRow[] = [
    stats('s1', 0, { online: 100, views: 100, viewers: 80, likes: 10, comments: 2, shares: 1, followers: 0 }),
    stats('s2', 120, { online: 300, views: 500, viewers: 400, likes: 50, comments: 9, shares: 3, followers: 5 }),
    stats('s3', 600, { online: 200, views: 1000, viewers: 600, likes: 90, comments: 20, shares: 4, followers: 12 }),
    order('o1', 30, 'A1', 5000, { productId: 'p1', productName: '南丰蜜桔', quantity: 2, buyerRef: 'b1' }),
    order('o2', 150, 'A2', 3000, { productId: 'p2', productName: '赣南脐橙', buyerRef: 'b2' }),
    order('o3', 170, 'A3', 3000, { productId: 'p2', productName: '赣南脐橙', buyerRef: 'b2' }),
    order('o4', 400, 'A4', 9000, { productId: 'p1', productName: '南丰蜜桔', quantity: 3, buyerRef: 'b3' }),
    refund('r1', 500, 'A2', 1000),
  ];
  const a = computeAnalysis(events, ended(0, 600), T0 + 86_400_000);

  test('duration, online peak (and when), time-weighted average online', () => {
    expect(a.metrics.durationMs).toBe(600_000);
    expect(a.metrics.peakOnline).toBe(300);
    expect(a.metrics.peakAt).toBe(at(120).toISOString());
    // 100 for 120 s, 300 for 480 s, over 600 s.
    expect(a.metrics.avgOnline).toBe((100 * 120 + 300 * 480) / 600);
  });

  test('views, viewers and engagement counters are the latest cumulative values', () => {
    expect(a.metrics).toMatchObject({ views: 1000, viewers: 600, likes: 90, comments: 20, shares: 4, followers: 12 });
  });

  test('sales: GMV, orders, distinct buyers, units, average order value, refunds and net', () => {
    expect(a.metrics).toMatchObject({ gmvFen: 20000, orders: 4, buyers: 3, units: 7, aovFen: 5000, refunds: 1, refundFen: 1000, netGmvFen: 19000 });
  });

  test('conversion is buyers ÷ viewers, GPM is GMV per 1,000 views, value per viewer is GMV ÷ viewers', () => {
    expect(a.metrics.conversionBasis).toBe('buyers/viewers');
    expect(a.metrics.conversion).toBeCloseTo(3 / 600, 6);
    expect(a.metrics.gpmFen).toBe(20000);
    expect(a.metrics.valuePerViewerFen).toBe(Math.round(20000 / 600));
    expect(a.metrics.valuePerViewerBasis).toBe('viewers');
    expect(a.metrics.eventCount).toBe(8);
  });

  test('the per-minute curve carries online, orders and GMV, with running totals', () => {
    expect(a.curve).toHaveLength(11);
    expect(a.curve[0]).toMatchObject({ t: at(0).toISOString(), online: 100, orders: 1, gmvFen: 5000, units: 2, cumGmvFen: 5000 });
    expect(a.curve[1]).toMatchObject({ online: null, orders: 0 });
    expect(a.curve[2]).toMatchObject({ online: 300, orders: 2, gmvFen: 6000, cumOrders: 3, cumGmvFen: 11000 });
    expect(a.curve[8]).toMatchObject({ refundFen: 1000 });
    expect(a.curve[10]).toMatchObject({ online: 200, cumOrders: 4, cumGmvFen: 20000 });
  });

  test('products rank by GMV with units, orders and refunds attributed through the order id', () => {
    expect(a.products.map((p) => [p.rank, p.productId, p.gmvFen, p.units, p.orders, p.refundFen, p.netGmvFen])).toEqual([
      [1, 'p1', 14000, 5, 2, 0, 14000],
      [2, 'p2', 6000, 2, 2, 1000, 5000],
    ]);
  });

  test('top moments: the minutes with most sales, and the biggest rise in online', () => {
    expect(a.moments.topSales.map((m) => [m.t, m.gmvFen])).toEqual([
      [at(360).toISOString(), 9000],
      [at(120).toISOString(), 6000],
      [at(0).toISOString(), 5000],
    ]);
    expect(a.moments.viewerGains).toEqual([{ t: at(120).toISOString(), gain: 200, online: 300 }]);
  });
});

describe('computeAnalysis() edge cases', () => {
  test('zero viewers: conversion, GPM and value per viewer are empty, not infinite', () => {
    const a = computeAnalysis([stats('s', 0, { online: 0, views: 0, viewers: 0 }), order('o', 5, 'X', 100, { buyerRef: 'b' })], ended(0, 60), T0);
    expect(a.metrics).toMatchObject({ peakOnline: 0, peakAt: null, views: 0, viewers: 0, conversion: null, gpmFen: null, valuePerViewerFen: null, buyers: 1 });
  });

  test('a session with no orders: zero sales, no average order value, conversion 0', () => {
    const a = computeAnalysis([stats('s1', 0, { online: 10, views: 10 }), stats('s2', 60, { online: 20, views: 40 })], ended(0, 60), T0);
    expect(a.metrics).toMatchObject({ gmvFen: 0, orders: 0, buyers: 0, units: 0, aovFen: null, conversion: 0, gpmFen: 0, netGmvFen: 0 });
    expect(a.products).toEqual([]);
    expect(a.moments.topSales).toEqual([]);
  });

  test('viewers unknown: conversion and value per viewer fall back to views and say so', () => {
    const a = computeAnalysis([stats('s', 0, { online: 5, views: 200 }), order('o', 1, 'X', 1000, { buyerRef: 'b' })], ended(0, 60), T0);
    expect(a.metrics).toMatchObject({ viewers: null, conversionBasis: 'buyers/views', conversion: 1 / 200, valuePerViewerBasis: 'views', valuePerViewerFen: 5 });
  });

  test('buyers unknown: orders stand in, and the basis says so', () => {
    const a = computeAnalysis([stats('s', 0, { online: 5, views: 100, viewers: 50 }), order('o1', 1, 'X', 1000), order('o2', 2, 'Y', 1000)], ended(0, 60), T0);
    expect(a.metrics).toMatchObject({ buyers: null, conversionBasis: 'orders/viewers', conversion: 2 / 50 });
  });

  test('a stats counter reset keeps what was counted before it, as the live board does', () => {
    const a = computeAnalysis(
      [stats('s1', 0, { online: 50, views: 100, likes: 10 }), stats('s2', 10, { online: 80, views: 180, likes: 25 }), stats('s3', 20, { online: 40, views: 30, likes: 5 })],
      ended(0, 20),
      T0,
    );
    expect(a.metrics).toMatchObject({ views: 210, likes: 30, peakOnline: 80 });
  });

  test('a stale sample that arrived late is ignored like the live fold ignores it, even around a reset', () => {
    // Arrival: t0 (100), t20 (reset to 5), then t10 (120) late. Live: 100 + 5 = 105; replaying by event time would say 125.
    const a = computeAnalysis(
      [stats('a', 0, { online: 10, views: 100 }, 0), stats('c', 20, { online: 30, views: 5 }, 21), stats('b', 10, { online: 999, views: 120 }, 40)],
      ended(0, 20),
      T0,
    );
    expect(a.metrics.views).toBe(105);
    expect(a.metrics.peakOnline).toBe(30);
  });

  test('late events (received after the end) count, and the event count tells the job to recompute', () => {
    const before = computeAnalysis([order('o1', 10, 'X', 1000)], ended(0, 60), T0);
    const after = computeAnalysis([order('o1', 10, 'X', 1000), order('o2', 50, 'Y', 500, {}, 3600)], ended(0, 60), T0);
    expect(before.metrics).toMatchObject({ gmvFen: 1000, eventCount: 1 });
    expect(after.metrics).toMatchObject({ gmvFen: 1500, orders: 2, eventCount: 2 });
  });

  test('a live session runs to now; one without events has an empty curve', () => {
    const live = computeAnalysis([order('o', 10, 'X', 100)], { status: 'live', actualStart: at(0), actualEnd: null }, T0 + 5 * MIN);
    expect(live.metrics.durationMs).toBe(5 * MIN);
    const none = computeAnalysis([], { status: 'ended', actualStart: null, actualEnd: null }, T0);
    expect(none.metrics).toMatchObject({ durationMs: 0, eventCount: 0, startAt: null });
    expect(none.curve).toEqual([]);
  });

  test('replaying a simulated room gives the live store’s numbers', async () => {
    const sim = { id: 7, cityCode: '360100', teamId: 1, plannedStart: T0, plannedEnd: T0 + 40 * MIN, products: [{ id: 'p', name: '米粉', priceFen: 1990 }, { id: 'q', name: '茶', priceFen: 5900 }] };
    const model = new SessionModel(sim, 99);
    const store = new MemoryLiveStore();
    const rows: EventRow[] = [];
    // Batches every 20 simulated seconds, each received when sent.
    for (let t = T0; !model.done && t < T0 + 2 * 3600_000; t += 20_000) {
      const evs = model.step(t);
      if (!evs.length) continue;
      const batch: StoreEvent[] = evs.map((e) => ({ event: e, atMs: Date.parse(e.at), receivedAt: t, source: 'collector', meta: { sessionId: 7, stageId: 1, teamId: 1, cityCode: '360100', universityId: 1 } }));
      await store.applyBatch(batch);
      for (const e of evs) {
        const base = blank(e.id, e.type, 0);
        const row: EventRow = { ...base, at: new Date(e.at), receivedAt: new Date(t) };
        if (e.type === 'stats') Object.assign(row, { online: e.online, views: e.views, viewers: e.viewers ?? null, likes: e.likes ?? null, comments: e.comments ?? null, shares: e.shares ?? null, followers: e.followers ?? null });
        else if (e.type === 'order') Object.assign(row, { orderId: e.orderId, quantity: e.quantity, amountFen: e.amountFen, productId: e.productId ?? null, productName: e.productName ?? null, buyerRef: e.buyerRef ?? null });
        else Object.assign(row, { orderId: e.orderId, amountFen: e.amountFen });
        rows.push(row);
      }
    }
    const live = (await store.getSessions([7])).get(7)!;
    const a = computeAnalysis(rows, { status: 'ended', actualStart: null, actualEnd: null }, T0);
    expect(live.orders).toBeGreaterThan(0);
    const { metrics: m } = a;
    expect([m.peakOnline, m.views, m.viewers, m.likes, m.comments, m.shares, m.followers, m.gmvFen, m.orders, m.buyers, m.units, m.refunds, m.refundFen]).toEqual([
      live.peakOnline, live.views, live.viewers, live.likes, live.comments, live.shares, live.followers, live.gmvFen, live.orders, live.buyers, live.units, live.refunds, live.refundFen,
    ]);
    await store.close();
  });
});

describe('completeness and comparisons', () => {
  const parts = { computed: true, wentWell: 'a', wentWrong: 'b', toChange: 'c', keepProducts: 'd', dropProducts: 'e', cityComment: 'ok' };

  test('complete = computed + all five reflection fields + a city comment', () => {
    expect(completenessOf(parts)).toEqual({ computed: true, reflected: true, commented: true, complete: true });
    expect(completenessOf({ ...parts, dropProducts: '  ' })).toMatchObject({ reflected: false, complete: false });
    expect(completenessOf({ ...parts, cityComment: null })).toMatchObject({ reflected: true, commented: false, complete: false });
    expect(completenessOf({ ...parts, computed: false })).toMatchObject({ complete: false });
    expect(completenessOf(null)).toEqual({ computed: false, reflected: false, commented: false, complete: false });
  });

  test('percentile interpolates linearly', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5], 75)).toBe(4);
    expect(percentile([], 50)).toBeNull();
  });

  test('each number against the team’s previous and best sessions and the stage and city cohorts', () => {
    const m = (gmvFen: number, refundFen: number) => ({ gmvFen, refundFen }) as unknown as AnalysisMetrics;
    const entry = (sessionId: number, teamId: number, cityCode: string, startMs: number, gmv: number, refund: number): CohortEntry => ({ sessionId, teamId, cityCode, startMs, metrics: m(gmv, refund) });
    const current = entry(4, 1, 'A', 400, 300, 50);
    const stage = [entry(1, 1, 'A', 100, 500, 10), entry(2, 1, 'A', 200, 100, 80), entry(3, 2, 'B', 300, 900, 0), current, entry(5, 1, 'A', 500, 1000, 0)];
    const c = compareMetrics(current, stage);
    expect(c.gmvFen).toEqual({
      value: 300,
      previous: 100, // session 2: the latest that started before this one
      teamBest: 1000,
      stage: { n: 5, median: 500, top25: 900 },
      city: { n: 4, median: 400, top25: 625 },
    });
    // Lower is better for refunds: the team's best is its lowest, the top quarter is the 25th percentile.
    expect(c.refundFen).toMatchObject({ teamBest: 0, stage: { n: 5, median: 10, top25: 0 } });
  });
});

describe('order-export reconciliation', () => {
  const mapping: ColumnMapping = { orderId: '订单编号', amount: '实付金额', status: '订单状态', refundAmount: '退款金额', sessionRef: '场次编号' };

  test('yuan text becomes integer fen without float error', () => {
    expect(yuanTextToFen('¥1,234.5')).toBe(123450);
    expect(yuanTextToFen('0.07')).toBe(7);
    expect(yuanTextToFen('19.9元')).toBe(1990);
    expect(yuanTextToFen('abc')).toBeNull();
    expect(yuanTextToFen('1.234')).toBeNull();
  });

  test('the header must carry every mapped column; bad rows are listed, not guessed', () => {
    expect(parseExport([['订单编号', '实付金额']], mapping).missing).toEqual(['订单状态', '场次编号', '退款金额']);
    const p = parseExport(
      [['订单编号', '实付金额', '订单状态', '退款金额', '场次编号'], ['A', '10', '已完成', '', ''], ['', '5', '已完成', '', ''], ['A', '3', '已完成', '', ''], ['B', 'x', '已完成', '', '']],
      mapping,
    );
    expect(p.orders.map((o) => [o.row, o.orderId, o.amountFen])).toEqual([[2, 'A', 1000]]);
    expect(p.errors.map((e) => e.row)).toEqual([3, 4, 5]);
  });

  test('matched, missing and extra orders; refunds and cancellations applied; amounts that differ listed', () => {
    const rows = [
      ['订单编号', '实付金额', '订单状态', '退款金额', '场次编号'],
      ['O1', '100.00', '已完成', '', ''], // matched
      ['O2', '50', '已退款', '', ''], // matched, refunded → 0
      ['O3', '80', '已取消', '', ''], // matched, cancelled → 0
      ['O4', '60', '已完成', '20', ''], // matched, partly refunded → 40
      ['O5', '30', '已完成', '', ''], // not in the live log: counts for the file's session
      ['O6', '99', '已完成', '', ''], // matched but the amount differs
    ];
    const { orders, errors } = parseExport(rows, mapping);
    const live = [
      { sessionId: 1, orderId: 'O1', amountFen: 10000, refundedFen: 0 },
      { sessionId: 1, orderId: 'O2', amountFen: 5000, refundedFen: 5000 },
      { sessionId: 1, orderId: 'O3', amountFen: 8000, refundedFen: 0 },
      { sessionId: 1, orderId: 'O4', amountFen: 6000, refundedFen: 0 },
      { sessionId: 1, orderId: 'O6', amountFen: 9000, refundedFen: 0 },
      { sessionId: 1, orderId: 'O7', amountFen: 7000, refundedFen: 0 }, // missing from the export
    ];
    const r = reconcile(orders, live, { sessions: [{ id: 1, teamId: 9 }], target: 1 }, mapping, errors);
    expect(r.sessions).toEqual([
      { sessionId: 1, teamId: 9, provisionalNetFen: 10000 + 0 + 8000 + 6000 + 9000 + 7000, verifiedGmvFen: 10000 + 4000 + 3000 + 9900, matched: 5, exportOnly: 1, liveOnly: 1, cancelled: 1, refunded: 1 },
    ]);
    expect(r.exportOnly).toEqual([{ row: 6, orderId: 'O5', amountFen: 3000, status: '已完成', sessionId: 1, reason: 'not_in_live_log' }]);
    expect(r.liveOnly).toEqual([{ sessionId: 1, orderId: 'O7', amountFen: 7000 }]);
    expect(r.mismatches).toEqual([{ orderId: 'O6', sessionId: 1, liveFen: 9000, exportFen: 9900 }]);
  });

  test('a day’s file attributes by the live event, else by the session column; the rest has no session', () => {
    const exp: ExportOrder[] = [
      { row: 2, orderId: 'L2', amountFen: 100, status: '已完成', sessionRef: null, refundFen: 0 },
      { row: 3, orderId: 'N1', amountFen: 200, status: '已完成', sessionRef: '2', refundFen: 0 },
      { row: 4, orderId: 'N2', amountFen: 300, status: '已完成', sessionRef: null, refundFen: 0 },
      { row: 5, orderId: 'N3', amountFen: 400, status: '已完成', sessionRef: '77', refundFen: 0 },
    ];
    const live = [{ sessionId: 1, orderId: 'L2', amountFen: 100, refundedFen: 0 }, { sessionId: 99, orderId: 'N2', amountFen: 300, refundedFen: 0 }];
    const r = reconcile(exp, live, { sessions: [{ id: 1, teamId: 1 }, { id: 2, teamId: 2 }], target: null }, mapping);
    expect(r.sessions.map((s) => [s.sessionId, s.verifiedGmvFen, s.matched, s.exportOnly])).toEqual([[1, 100, 1, 0], [2, 200, 0, 1]]);
    // A live order of a session outside the file's scope does not match.
    expect(r.exportOnly.map((o) => [o.orderId, o.sessionId, o.reason])).toEqual([['N1', 2, 'not_in_live_log'], ['N2', null, 'no_session'], ['N3', null, 'no_session']]);
  });
});
