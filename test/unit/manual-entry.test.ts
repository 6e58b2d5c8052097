// Quick entry's conversion of typed totals into ingest events: deltas, names that make retries count once, and
// the refusals (lower totals, GMV without orders, a collector feeding the room). The last tests fold the events
// through the in-process store to show the typed totals are what the hub then counts.
import { describe, expect, test } from 'vitest';
import { IngestEvent } from '../../contracts/ingest.ts';
import { COLLECTOR_QUIET_MS, MANUAL_ON_AIR_MS, MAX_NEW_ORDERS, quietAfterMs, type ManualStatsInput } from '../../contracts/manual.ts';
import { manualEvents, manualProblems, type ManualBaseline } from '../../server/domain/manual-entry.ts';
import { MemoryLiveStore } from '../../server/live/memory-store.ts';
import type { StoreEvent } from '../../server/live/store.ts';
import { fenToYuanText, newEntryKey, parseCount, parseYuan } from '../../client/src/utils/manualEntry.ts';
import { streamSilent } from '../../server/domain/alerts.ts';
import { isOnAir } from '../../server/live/views.ts';
import { AlertThresholds } from '../../contracts/response.ts';

const T = Date.parse('2024-10-21T12:00:00Z');
const SID = 42;
const none: ManualBaseline = { views: 0, gmvFen: 0, orders: 0, manual: false, lastEventAt: null };
const entry = (o: Partial<ManualStatsInput> = {}): ManualStatsInput => ({ key: 'tap-000001', online: 12, views: 300, gmvFen: 10_000, orders: 3, ...o });

function plan(input: ManualStatsInput, base: ManualBaseline = none, now = T) {
  const p = manualEvents(SID, input, base, now);
  if (!p.ok) throw new Error(`refused: ${JSON.stringify(p.problems)}`);
  return p;
}

describe('manualEvents()', () => {
  test('a first entry becomes one stats sample and one order per order, the amount split to the fen', () => {
    const p = plan(entry({ gmvFen: 10_000, orders: 3 }));
    expect(p.newOrders).toBe(3);
    const [stats, ...orders] = p.events;
    expect(stats).toEqual({ type: 'stats', id: `manual:${SID}:s:tap-000001`, sessionId: SID, at: new Date(T).toISOString(), online: 12, views: 300 });
    expect(orders.map((o) => (o.type === 'order' ? [o.id, o.orderId, o.quantity, o.amountFen] : null))).toEqual([
      [`manual:${SID}:o1`, `manual:${SID}:o1`, 1, 3334],
      [`manual:${SID}:o2`, `manual:${SID}:o2`, 1, 3333],
      [`manual:${SID}:o3`, `manual:${SID}:o3`, 1, 3333],
    ]);
    // Every event is one a collector could have sent: the same contract checks it.
    for (const e of p.events) expect(IngestEvent.safeParse(e).success).toBe(true);
  });

  test('a later entry adds only the difference, numbering its orders after the ones counted', () => {
    const base: ManualBaseline = { views: 300, gmvFen: 10_000, orders: 3, manual: true, lastEventAt: T };
    const p = plan(entry({ key: 'tap-000002', views: 500, gmvFen: 15_001, orders: 5 }), base, T + 60_000);
    expect(p.events.map((e) => e.id)).toEqual([`manual:${SID}:s:tap-000002`, `manual:${SID}:o4`, `manual:${SID}:o5`]);
    expect(p.events.flatMap((e) => (e.type === 'order' ? [e.amountFen] : []))).toEqual([2501, 2500]);
  });

  test('the same submission planned twice from the same totals names the same events (a double tap)', () => {
    expect(plan(entry()).events).toEqual(plan(entry()).events);
  });

  test('unchanged totals give a stats sample only; zero new GMV with new orders gives orders of ¥0', () => {
    const base: ManualBaseline = { views: 300, gmvFen: 10_000, orders: 3, manual: true, lastEventAt: T };
    expect(plan(entry({ key: 'tap-000003', online: 20 }), base).events.map((e) => e.type)).toEqual(['stats']);
    const zero = plan(entry({ key: 'tap-000004', orders: 4 }), base).events.filter((e) => e.type === 'order');
    expect(zero.map((e) => (e.type === 'order' ? e.amountFen : -1))).toEqual([0]);
  });

  test('totals below the counted ones are refused, field by field, and nothing is planned', () => {
    const base: ManualBaseline = { views: 300, gmvFen: 10_000, orders: 3, manual: true, lastEventAt: T };
    const p = manualEvents(SID, entry({ views: 299, gmvFen: 9_999, orders: 2 }), base, T);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.problems.map((x) => [x.code, x.field])).toEqual([
      ['views.lower', 'views'],
      ['orders.lower', 'orders'],
      ['gmv.lower', 'gmvFen'],
    ]);
    expect(p.problems[2]!.message).toContain('¥100.00');
  });

  test('GMV up without new orders is refused: every yuan belongs to an order', () => {
    const base: ManualBaseline = { views: 300, gmvFen: 10_000, orders: 3, manual: true, lastEventAt: T };
    expect(manualProblems(entry({ gmvFen: 10_001 }), base, T).map((x) => x.code)).toEqual(['gmv.withoutOrders']);
  });

  test('too many new orders, or more than an order may hold on average, is refused', () => {
    expect(manualProblems(entry({ orders: MAX_NEW_ORDERS + 1, gmvFen: 0 }), none, T).map((x) => x.code)).toEqual(['orders.tooMany']);
    expect(manualProblems(entry({ orders: MAX_NEW_ORDERS, gmvFen: 0 }), none, T)).toEqual([]);
    expect(manualProblems(entry({ orders: 1, gmvFen: 100_000_001 }), none, T).map((x) => x.code)).toEqual(['gmv.perOrder']);
    expect(manualProblems(entry({ orders: 2, gmvFen: 100_000_001 }), none, T)).toEqual([]);
  });

  test('a collector that fed the room in the last minutes blocks quick entry; after a quiet spell it does not', () => {
    const fed: ManualBaseline = { views: 10, gmvFen: 0, orders: 0, manual: false, lastEventAt: T - 60_000 };
    expect(manualProblems(entry(), fed, T).map((x) => x.code)).toEqual(['collector.active']);
    expect(manualProblems(entry(), fed, T - 60_000 + COLLECTOR_QUIET_MS)).toEqual([]);
    // The latest numbers being typed ones does not count as a collector.
    expect(manualProblems(entry(), { ...fed, manual: true }, T)).toEqual([]);
  });
});

describe('quick entry folded by the live store', () => {
  const meta = { sessionId: SID, stageId: 1, teamId: 7, cityCode: '360100', universityId: 3 };
  const apply = async (store: MemoryLiveStore, events: ReturnType<typeof plan>['events'], now: number) => {
    const batch: StoreEvent[] = events.map((event) => ({ event, atMs: Date.parse(event.at), receivedAt: now, source: 'manual', meta }));
    return store.applyBatch(batch);
  };
  const baseOf = async (store: MemoryLiveStore): Promise<ManualBaseline> => {
    const n = (await store.getSessions([SID])).get(SID);
    return n ? { views: n.views, gmvFen: n.gmvFen, orders: n.orders, manual: n.manual, lastEventAt: n.lastEventAt } : none;
  };

  test('the hub then counts exactly the typed totals, marked manual, and a retry planned from the old totals counts once', async () => {
    const store = new MemoryLiveStore();
    const first = plan(entry({ key: 'tap-1xxxxx', views: 300, gmvFen: 10_000, orders: 3 }), await baseOf(store), T);
    await apply(store, first.events, T);
    // The retry was planned before the first landed (same baseline): every event is a duplicate.
    const again = await apply(store, first.events, T + 1000);
    expect(again.results.every((r) => r.status === 'duplicate')).toBe(true);
    // Another person typed the same orders from the same old totals with their own key: the orders still count once.
    const other = plan(entry({ key: 'tap-2xxxxx', views: 300, gmvFen: 10_000, orders: 3 }), none, T + 2000);
    const second = await apply(store, other.events, T + 2000);
    expect(second.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
    const after = (await store.getSessions([SID])).get(SID)!;
    expect(after).toMatchObject({ views: 300, gmvFen: 10_000, orders: 3, units: 3, online: 12, manual: true });

    const next = plan(entry({ key: 'tap-3xxxxx', online: 8, views: 420, gmvFen: 12_345, orders: 4 }), await baseOf(store), T + 60_000);
    await apply(store, next.events, T + 60_000);
    expect((await store.getSessions([SID])).get(SID)).toMatchObject({ online: 8, views: 420, gmvFen: 12_345, orders: 4, manual: true });
    expect(await store.stageTotals(1)).toMatchObject({ gmvFen: 12_345, orders: 4 });
  });
});

describe('what the quick-entry screen accepts as typed', () => {
  test('parseYuan() takes yuan with up to two decimals and gives fen; anything else is null', () => {
    expect(parseYuan('1234.5')).toBe(123_450);
    expect(parseYuan('1,234.56')).toBe(123_456);
    expect(parseYuan(' ¥0.07 ')).toBe(7);
    expect(parseYuan('12')).toBe(1200);
    expect(parseYuan('12.')).toBe(1200);
    for (const bad of ['', '1.234', '-5', 'abc', '1e3', '123456789.00']) expect(parseYuan(bad)).toBeNull();
  });

  test('parseCount() takes whole numbers only; fenToYuanText() gives back what parseYuan reads', () => {
    expect(parseCount('1 024')).toBe(1024);
    for (const bad of ['', '1.5', '-1', '3000000000']) expect(parseCount(bad)).toBeNull();
    for (const fen of [0, 7, 1200, 123_456]) expect(parseYuan(fenToYuanText(fen))).toBe(fen);
  });

  test('newEntryKey() is a fresh key the contract accepts', () => {
    const a = newEntryKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{8,40}$/);
    expect(newEntryKey()).not.toBe(a);
  });
});

describe('a typed room is judged on the cadence of typing, not of a collector', () => {
  const last = T;
  const session = { id: 7, teamId: 3, cityCode: '360100', status: 'live' as const, teamStatus: 'active' as const, plannedStart: T - 3600_000, plannedEnd: T + 3600_000, actualStart: T - 3600_000 };
  const t = AlertThresholds.parse({});
  const facts = (manual: boolean) => ({ lastEventAt: last, online: 10, orders: 1, manual });

  test('断流 fires for a collector’s room after 120 s, for a typed one only after 10 min', () => {
    expect(streamSilent(session, facts(false), last + 120_000, t)).not.toBeNull();
    expect(streamSilent(session, facts(true), last + 6 * 60_000, t)).toBeNull();
    expect(streamSilent(session, facts(true), last + 10 * 60_000 - 1, t)).toBeNull();
    expect(streamSilent(session, facts(true), last + 10 * 60_000, t)).toMatchObject({ rule: 'stream_silent' });
  });

  test('the hub keeps a typed room on air (its viewers in the online total) between entries; the wall uses the same rule', () => {
    expect(quietAfterMs(false, 120_000)).toBe(120_000);
    expect(quietAfterMs(true, 120_000)).toBe(MANUAL_ON_AIR_MS);
    // A province that allows collectors a longer silence than typing needs keeps its own setting.
    expect(quietAfterMs(true, 30 * 60_000)).toBe(30 * 60_000);
    expect(isOnAir({ lastEventAt: last, manual: true }, last + 11 * 60_000)).toBe(false);
    expect(isOnAir({ lastEventAt: last, manual: false }, last + 3 * 60_000)).toBe(false);
    expect(isOnAir({ lastEventAt: last, manual: true }, last + 3 * 60_000)).toBe(true);
  });
});
