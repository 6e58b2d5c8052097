// One contract, two live stores: every test here runs against MemoryLiveStore and RedisLiveStore (the
// production path, never skipped: it fails when Redis is down), and random batches must give both the same state.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { IngestEvent, OrderEvent, StatsEvent } from '../../contracts/ingest';
import type { SessionLive } from '../../contracts/live';
import { logRow, logRows, type ApplyOutcome, type LiveStore, type SessionMeta, type StoreEvent } from '../../server/live/store';
import { MemoryLiveStore } from '../../server/live/memory-store';
import { openLiveStore } from '../../server/live/open-store';
import { keys, SESSION_KEY_TTL_SECONDS } from '../../server/live/keys';
import { freshRedisUrl } from '../helpers/redis';

// A minute (and so a 10-second bucket) starts exactly here.
const T0 = Date.parse('2025-10-20T02:00:00.000Z');
const DIMS = ['team', 'city', 'university'] as const;

const SESSIONS: Record<number, SessionMeta> = {
  1: { sessionId: 1, stageId: 1, teamId: 11, cityCode: '360100', universityId: 101 },
  2: { sessionId: 2, stageId: 1, teamId: 12, cityCode: '360100', universityId: 102 },
  3: { sessionId: 3, stageId: 1, teamId: 13, cityCode: '360700', universityId: 101 },
  4: { sessionId: 4, stageId: 2, teamId: 11, cityCode: '360100', universityId: 101 },
};

function wrap(event: IngestEvent, source: StoreEvent['source'] = 'collector'): StoreEvent {
  const meta = SESSIONS[event.sessionId];
  if (!meta) throw new Error(`no fixture session ${event.sessionId}`);
  const atMs = Date.parse(event.at);
  return { event, atMs, receivedAt: atMs + 40, source, meta };
}

const iso = (ms: number): string => new Date(ms).toISOString();

type OrderExtra = Partial<Pick<OrderEvent, 'quantity' | 'buyerRef' | 'productId' | 'productName'>>;
const order = (sid: number, id: string, orderId: string, amountFen: number, atMs = T0, extra: OrderExtra = {}) =>
  wrap({ type: 'order', id, sessionId: sid, at: iso(atMs), orderId, quantity: 1, amountFen, ...extra });

const refund = (sid: number, id: string, orderId: string, amountFen: number, atMs = T0 + 1000) =>
  wrap({ type: 'refund', id, sessionId: sid, at: iso(atMs), orderId, amountFen });

type Counters = Omit<StatsEvent, 'type' | 'id' | 'sessionId' | 'at'>;
const stats = (sid: number, id: string, atMs: number, c: Counters, source: StoreEvent['source'] = 'collector') =>
  wrap({ type: 'stats', id, sessionId: sid, at: iso(atMs), ...c }, source);

const statuses = (o: ApplyOutcome) => o.results.map((r) => (r.status === 'rejected' ? r.code : r.status));

async function sessionOf(store: LiveStore, sid: number): Promise<SessionLive> {
  const s = (await store.getSessions([sid])).get(sid);
  if (!s) throw new Error(`session ${sid} has no live state`);
  return s;
}

/** Everything a store can be asked, for comparing states. */
async function snapshot(store: LiveStore) {
  const sids = [1, 2, 3, 4];
  const stages = [1, 2];
  return {
    sessions: [...(await store.getSessions(sids))],
    series: await Promise.all(sids.map((s) => store.getSeries(s))),
    boards: await Promise.all(stages.flatMap((g) => DIMS.map((d) => store.leaderboard(g, d, 100)))),
    totals: await Promise.all(stages.map((g) => store.stageTotals(g))),
    minutes: await Promise.all(stages.map((g) => store.gmvByMinute(g, 0, Number.MAX_SAFE_INTEGER))),
    log: await store.logInfo(),
  };
}

/** Waits for a promise, failing after a deadline instead of hanging. */
function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    p.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

const nextChange = (store: LiveStore): Promise<SessionLive[]> =>
  within(
    new Promise<SessionLive[]>((resolve) => {
      const off = store.onChange((changed) => {
        off();
        resolve(changed);
      });
    }),
    'change',
  );

interface Backend {
  kind: 'memory' | 'redis';
  /** Several stores (hubs) can share its state. */
  shared: boolean;
  /** Starts from empty state. */
  reset(): Promise<void>;
  open(): Promise<LiveStore>;
}

let redisUrl = '';
const backends: Backend[] = [
  { kind: 'memory', shared: false, reset: async () => {}, open: async () => new MemoryLiveStore() },
  {
    kind: 'redis',
    shared: true,
    reset: async () => {
      redisUrl = await freshRedisUrl();
    },
    open: () => openLiveStore(redisUrl),
  },
];

describe.each(backends)('$kind live store', (backend) => {
  let store: LiveStore;
  const opened: LiveStore[] = [];
  const open = async (): Promise<LiveStore> => {
    const s = await backend.open();
    opened.push(s);
    return s;
  };

  beforeEach(async () => {
    await backend.reset();
    store = await open();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  test('reports its kind and answers ping', async () => {
    expect(store.kind).toBe(backend.kind);
    expect(await store.ping()).toMatch(backend.kind === 'redis' ? /^redis \d+\.\d+/ : /^memory$/);
  });

  test('a batch sent twice is counted once: the second time every event is a duplicate', async () => {
    const batch = [
      stats(1, 's1', T0, { online: 5, views: 50 }),
      order(1, 'o1', 'A', 1000, T0, { buyerRef: 'u1' }),
      order(2, 'o2', 'B', 500),
      refund(1, 'r1', 'A', 100),
    ];
    expect(statuses(await store.applyBatch(batch))).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    const before = await snapshot(store);
    const again = await store.applyBatch(batch);
    expect(statuses(again)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(again.changed).toEqual([]);
    expect(await snapshot(store)).toEqual(before);
  });

  test('an id repeated within one batch is a duplicate even with other content; ids are per session', async () => {
    const out = await store.applyBatch([order(1, 'e1', 'A', 100), order(1, 'e1', 'B', 900), order(2, 'e1', 'C', 300)]);
    expect(statuses(out)).toEqual(['accepted', 'duplicate', 'accepted']);
    expect((await sessionOf(store, 1)).gmvFen).toBe(100);
    expect((await sessionOf(store, 2)).gmvFen).toBe(300);
  });

  test('a rejected event leaves its id unused, so a retry after its order arrived is accepted', async () => {
    expect(statuses(await store.applyBatch([refund(1, 'r1', 'A', 50)]))).toEqual(['UNKNOWN_ORDER']);
    expect(await store.getSessions([1])).toEqual(new Map());
    const out = await store.applyBatch([order(1, 'o1', 'A', 100), refund(1, 'r1', 'A', 50)]);
    expect(statuses(out)).toEqual(['accepted', 'accepted']);
    expect(await sessionOf(store, 1)).toMatchObject({ gmvFen: 100, refundFen: 50, refunds: 1 });
  });

  test('stats: cumulative counters become numbers, a reset keeps the count so far, a stale sample changes nothing', async () => {
    await store.applyBatch([
      stats(1, 's1', T0, { online: 50, views: 100, likes: 10 }),
      stats(1, 's2', T0 + 5000, { online: 80, views: 150, likes: 20, followers: 3 }),
      stats(1, 's3', T0 + 10_000, { online: 60, views: 30, likes: 25 }), // the platform reset `views`
    ]);
    const counted = { online: 60, peakOnline: 80, views: 180, likes: 25, followers: 3, manual: false, lastEventAt: T0 + 10_000 };
    expect(await sessionOf(store, 1)).toMatchObject(counted);

    // Older than the latest applied sample: accepted (and logged), but it would read as a reset.
    const stale = await store.applyBatch([stats(1, 's0', T0 + 7000, { online: 999, views: 1000, likes: 0 }, 'manual')]);
    expect(statuses(stale)).toEqual(['accepted']);
    expect(await sessionOf(store, 1)).toMatchObject(counted);

    await store.applyBatch([stats(1, 's4', T0 + 20_000, { online: 70, views: 45 }, 'manual')]);
    // A sample from the same instant as the latest is not stale: it is applied.
    await store.applyBatch([stats(1, 's5', T0 + 20_000, { online: 71, views: 45 }, 'manual')]);
    expect(await sessionOf(store, 1)).toMatchObject({
      online: 71,
      peakOnline: 80,
      views: 195, // 150 before the reset + 45
      likes: 25, // absent from the sample: unchanged
      followers: 3,
      manual: true,
      lastEventAt: T0 + 20_000,
    });
  });

  test('distinct buyers are exact across batches; an order without buyerRef counts no buyer', async () => {
    await store.applyBatch([
      order(1, 'o1', 'A', 100, T0, { buyerRef: 'u1' }),
      order(1, 'o2', 'B', 100, T0, { buyerRef: 'u2' }),
      order(1, 'o3', 'C', 100, T0, { buyerRef: 'u1' }),
      order(1, 'o4', 'D', 100, T0),
    ]);
    await store.applyBatch([
      order(1, 'o5', 'E', 100, T0, { buyerRef: 'u2' }),
      order(1, 'o6', 'F', 100, T0, { buyerRef: 'u3' }),
      order(2, 'o7', 'G', 100, T0, { buyerRef: 'u1' }),
    ]);
    expect((await sessionOf(store, 1)).buyers).toBe(3);
    expect((await sessionOf(store, 2)).buyers).toBe(1);
    expect((await store.stageTotals(1)).buyers).toBe(4);
  });

  test('refunds: partial refunds add up to the order amount; more, or to an unknown order, is rejected', async () => {
    await store.applyBatch([order(1, 'o1', 'A', 1000)]);
    const out = await store.applyBatch([
      refund(1, 'r1', 'A', 400),
      refund(1, 'r2', 'A', 600),
      refund(1, 'r3', 'A', 1),
      refund(1, 'r4', 'B', 10),
      refund(2, 'r5', 'A', 10), // order A belongs to session 1
    ]);
    expect(statuses(out)).toEqual(['accepted', 'accepted', 'REFUND_EXCEEDS_ORDER', 'UNKNOWN_ORDER', 'UNKNOWN_ORDER']);
    expect(out.results[2]).toMatchObject({ message: expect.stringContaining('A') });
    expect(statuses(await store.applyBatch([refund(1, 'r1', 'A', 400)]))).toEqual(['duplicate']);
    expect(await sessionOf(store, 1)).toMatchObject({ gmvFen: 1000, orders: 1, refunds: 2, refundFen: 1000 });
    expect(await store.stageTotals(1)).toEqual({ gmvFen: 1000, orders: 1, units: 1, buyers: 0, refundFen: 1000 });
    expect(await store.leaderboard(1, 'team', 10)).toEqual([{ id: '11', netFen: 0 }]);
  });

  test('an order id already recorded, under a new event id, is rejected as CONFLICT and changes nothing', async () => {
    await store.applyBatch([order(1, 'o1', 'A', 500)]);
    const out = await store.applyBatch([order(1, 'o2', 'A', 700), order(2, 'o3', 'A', 200)]);
    expect(out.results).toEqual([
      { status: 'rejected', code: 'CONFLICT', message: 'order A already recorded' },
      { status: 'accepted' },
    ]);
    expect(await sessionOf(store, 1)).toMatchObject({ gmvFen: 500, orders: 1 });
    expect(out.changed.map((s) => s.sessionId)).toEqual([2]);
  });

  test('leaderboards rank net GMV (refunds deducted) per team, city and university, highest first', async () => {
    await store.applyBatch([
      order(1, 'o1', 'A', 1000),
      refund(1, 'r1', 'A', 600),
      order(2, 'o2', 'B', 700),
      order(3, 'o3', 'C', 500),
      order(4, 'o4', 'D', 9999), // another stage
    ]);
    expect(await store.leaderboard(1, 'team', 10)).toEqual([
      { id: '12', netFen: 700 },
      { id: '13', netFen: 500 },
      { id: '11', netFen: 400 },
    ]);
    expect(await store.leaderboard(1, 'team', 2)).toEqual([
      { id: '12', netFen: 700 },
      { id: '13', netFen: 500 },
    ]);
    expect(await store.leaderboard(1, 'city', 10)).toEqual([
      { id: '360100', netFen: 1100 },
      { id: '360700', netFen: 500 },
    ]);
    expect(await store.leaderboard(1, 'university', 10)).toEqual([
      { id: '101', netFen: 900 },
      { id: '102', netFen: 700 },
    ]);
    expect(await store.leaderboard(2, 'team', 10)).toEqual([{ id: '11', netFen: 9999 }]);
    expect(await store.leaderboard(3, 'team', 10)).toEqual([]);
  });

  test('stage totals sum gross GMV, orders, units, refunds and new buyers of each stage', async () => {
    await store.applyBatch([
      order(1, 'o1', 'A', 1000, T0, { quantity: 3, buyerRef: 'u1' }),
      order(2, 'o2', 'B', 700, T0, { quantity: 2, buyerRef: 'u1' }),
      refund(2, 'r1', 'B', 200),
      order(4, 'o3', 'C', 50, T0, { quantity: 1, buyerRef: 'u9' }),
      stats(3, 's1', T0, { online: 10, views: 10 }),
    ]);
    expect(await store.stageTotals(1)).toEqual({ gmvFen: 1700, orders: 2, units: 5, buyers: 2, refundFen: 200 });
    expect(await store.stageTotals(2)).toEqual({ gmvFen: 50, orders: 1, units: 1, buyers: 1, refundFen: 0 });
    expect(await store.stageTotals(3)).toEqual({ gmvFen: 0, orders: 0, units: 0, buyers: 0, refundFen: 0 });
  });

  test('series: a point per 10-second bucket, written when a later bucket starts; the bucket in progress comes last', async () => {
    await store.applyBatch([stats(1, 's1', T0 + 1000, { online: 10, views: 1 }), order(1, 'o1', 'A', 100, T0 + 2000)]);
    expect(await store.getSeries(1)).toEqual([{ t: T0, online: 10, gmvFen: 100, orders: 1 }]);
    // Crossing buckets inside one batch; bucket T0+20s has no event, so no point.
    await store.applyBatch([
      stats(1, 's2', T0 + 12_000, { online: 20, views: 2 }),
      order(1, 'o2', 'B', 200, T0 + 15_000),
      stats(1, 's3', T0 + 31_000, { online: 30, views: 3 }),
    ]);
    // A late order updates the numbers, not the points already written.
    await store.applyBatch([order(1, 'o3', 'C', 50, T0 + 5000)]);
    const all = [
      { t: T0, online: 10, gmvFen: 100, orders: 1 },
      { t: T0 + 10_000, online: 20, gmvFen: 300, orders: 2 },
      { t: T0 + 30_000, online: 30, gmvFen: 350, orders: 3 },
    ];
    expect(await store.getSeries(1)).toEqual(all);
    expect(await store.getSeries(1, T0 + 10_000)).toEqual(all.slice(1));
    expect(await store.getSeries(1, T0 + 30_000)).toEqual(all.slice(2));
    expect(await store.getSeries(1, T0 + 40_000)).toEqual([]);
    expect(await store.getSeries(2)).toEqual([]);
  });

  test('gmvByMinute gives gross GMV per minute of event time in [from, to)', async () => {
    await store.applyBatch([
      order(1, 'o1', 'A', 100, T0 + 1000),
      order(2, 'o2', 'B', 200, T0 + 59_999),
      order(1, 'o3', 'C', 300, T0 + 60_000),
      refund(1, 'r1', 'C', 300, T0 + 61_000), // gross: refunds are not deducted
      order(3, 'o4', 'D', 400, T0 + 180_000),
      order(4, 'o5', 'E', 999, T0 + 1000), // another stage
    ]);
    expect(await store.gmvByMinute(1, T0, T0 + 180_000)).toEqual([
      { t: T0, gmvFen: 300 },
      { t: T0 + 60_000, gmvFen: 300 },
    ]);
    expect(await store.gmvByMinute(1, T0 + 60_000, T0 + 240_000)).toEqual([
      { t: T0 + 60_000, gmvFen: 300 },
      { t: T0 + 180_000, gmvFen: 400 },
    ]);
    expect(await store.gmvByMinute(2, 0, Number.MAX_SAFE_INTEGER)).toEqual([{ t: T0, gmvFen: 999 }]);
  });

  test('money stays exact far past 32 bits: 2,000 orders of ¥999,999.99 and refunds', async () => {
    const big = 99_999_999;
    for (const half of [0, 1]) {
      const batch = Array.from({ length: 1000 }, (_, i) => {
        const n = half * 1000 + i;
        return order(1, `o${n}`, `O${n}`, big, T0 + n * 100, { quantity: 10_000, buyerRef: `u${n}` });
      });
      expect(statuses(await store.applyBatch(batch)).every((s) => s === 'accepted')).toBe(true);
    }
    await store.applyBatch([refund(1, 'r1', 'O0', big, T0 + 300_000)]);
    const gross = 2000 * big; // 199,999,998,000
    expect(await sessionOf(store, 1)).toMatchObject({ gmvFen: gross, orders: 2000, units: 20_000_000, buyers: 2000, refundFen: big });
    expect(await store.stageTotals(1)).toEqual({ gmvFen: gross, orders: 2000, units: 20_000_000, buyers: 2000, refundFen: big });
    expect(await store.leaderboard(1, 'city', 1)).toEqual([{ id: '360100', netFen: gross - big }]);
    const minutes = await store.gmvByMinute(1, 0, Number.MAX_SAFE_INTEGER);
    expect(minutes.reduce((sum, m) => sum + m.gmvFen, 0)).toBe(gross);
    expect((await store.getSeries(1)).at(-1)).toMatchObject({ gmvFen: gross, orders: 2000 });
  });

  test('the durable log holds only accepted events, one entry per batch that accepted any', async () => {
    // Multi-byte text around rejected events: the log keeps exactly the accepted ones, intact.
    const named = (id: string, orderId: string, productName: string) => order(1, id, orderId, 100, T0, { productName });
    const first = [
      named('o1', 'A', '赣南脐橙 5斤装'),
      named('o1', 'A', '重复'),
      refund(1, 'r1', 'Z', 5),
      named('o2', 'B', '南丰蜜桔'),
      order(1, 'o3', 'A', 1),
      stats(1, 's1', T0, { online: 3, views: 9 }),
    ];
    await store.applyBatch(first);
    await store.applyBatch([order(1, 'o1', 'A', 100)]); // nothing accepted: no entry
    const third = [stats(2, 's1', T0, { online: 1, views: 1 }, 'manual')];
    await store.applyBatch(third);

    expect(await store.logInfo()).toEqual({ length: 2, pending: 0 });
    const entries = await store.readLog('p1', 10, 0);
    expect(entries.map(logRows)).toEqual([[first[0]!, first[3]!, first[5]!].map(logRow), third.map(logRow)]);
    expect(entries.map((e) => e.count)).toEqual([3, 1]);
    expect(await store.logInfo()).toEqual({ length: 2, pending: 2 });
    await store.ackLog(entries.map((e) => e.id));
    expect(await store.logInfo()).toEqual({ length: 0, pending: 0 });
    expect(await store.readLog('p1', 10, 0)).toEqual([]);
  });

  test('entries a dead consumer took stay pending until another consumer claims them as stale', async () => {
    for (const i of [1, 2, 3]) await store.applyBatch([order(1, `o${i}`, `O${i}`, i)]);
    const dead = await store.readLog('p1', 2, 0); // p1 takes two entries and never acks them
    expect(dead).toHaveLength(2);
    const live = await store.readLog('p2', 10, 0);
    expect(live.map((e) => logRows(e)[0]?.eventId)).toEqual(['o3']);
    await store.ackLog(live.map((e) => e.id));
    expect(await store.logInfo()).toEqual({ length: 2, pending: 2 });

    expect(await store.claimStale('p2', 60_000, 10)).toEqual([]); // not idle long enough yet
    const claimed = await store.claimStale('p2', 0, 10);
    expect(claimed).toEqual(dead);
    expect(await store.readLog('p2', 10, 0)).toEqual([]);
    await store.ackLog(claimed.map((e) => e.id));
    expect(await store.logInfo()).toEqual({ length: 0, pending: 0 });
    expect(await store.claimStale('p1', 0, 10)).toEqual([]);
  });

  test('readLog waits up to blockMs and returns as soon as a batch is stored', async () => {
    const reading = store.readLog('p1', 10, 20_000);
    await store.applyBatch([order(1, 'o1', 'A', 100)]);
    const got = await within(reading, 'log entry');
    expect(got.map((e) => logRows(e).map((row) => row.eventId))).toEqual([['o1']]);
    expect(await store.readLog('p1', 10, 20)).toEqual([]);
  });

  test('onChange gives listeners the changed sessions of each batch, in order of first appearance', async () => {
    const change = nextChange(store);
    const out = await store.applyBatch([order(2, 'o1', 'A', 100), order(1, 'o2', 'B', 200), order(2, 'o1', 'A', 100)]);
    expect(out.changed.map((s) => s.sessionId)).toEqual([2, 1]);
    expect(out.changed[0]).toEqual(await sessionOf(store, 2));
    expect(await change).toEqual(out.changed);

    // A batch that changed nothing tells nobody: the next change heard is the later batch's.
    await store.applyBatch([order(2, 'o1', 'A', 100)]);
    const later = nextChange(store);
    await store.applyBatch([stats(3, 's1', T0, { online: 7, views: 7 })]);
    expect((await later).map((s) => s.sessionId)).toEqual([3]);
  });

  test.runIf(backend.shared)('two hubs on one Redis share state and dedupe, and each hears every change', async () => {
    const peer = await open();
    const mine = nextChange(store);
    const theirs = nextChange(peer);
    const batch = [order(1, 'o1', 'A', 100, T0, { buyerRef: 'u1' }), stats(2, 's1', T0, { online: 3, views: 9 })];
    const out = await store.applyBatch(batch);
    expect(await mine).toEqual(out.changed);
    expect(await theirs).toEqual(out.changed);
    expect(await snapshot(peer)).toEqual(await snapshot(store));

    const back = nextChange(store);
    expect(statuses(await peer.applyBatch([...batch, order(1, 'o2', 'B', 50)]))).toEqual(['duplicate', 'duplicate', 'accepted']);
    expect((await back).map((s) => [s.sessionId, s.gmvFen])).toEqual([[1, 150]]);
  });
});

describe('Redis live store keys', () => {
  test('every per-session key it creates expires, including ones first written in a later batch', async () => {
    const url = await freshRedisUrl();
    const store = await openLiveStore(url);
    const redis = new Redis(url);
    try {
      const perSession = [keys.session(1), keys.seen(1), keys.orders(1), keys.buyers(1), keys.series(1)];
      await store.applyBatch([stats(1, 's1', T0, { online: 1, views: 1 })]);
      await store.applyBatch([order(1, 'o1', 'A', 100, T0 + 1000, { buyerRef: 'u1' })]); // orders, buyers
      await store.applyBatch([stats(1, 's2', T0 + 20_000, { online: 2, views: 2 })]); // first series point
      for (const key of perSession) {
        const ttl = await redis.ttl(key);
        expect(ttl, key).toBeGreaterThan(SESSION_KEY_TTL_SECONDS - 3600);
        expect(ttl, key).toBeLessThanOrEqual(SESSION_KEY_TTL_SECONDS);
      }
    } finally {
      redis.disconnect();
      await store.close();
    }
  });

  test('a log entry written before the log held rows (StoreEvents, no count) is read as rows', async () => {
    const url = await freshRedisUrl();
    const store = await openLiveStore(url);
    const redis = new Redis(url);
    try {
      const old = [order(1, 'o1', 'A', 100), stats(1, 's1', T0, { online: 3, views: 9 })];
      await redis.xadd(keys.log, '*', 'events', JSON.stringify(old));
      const [entry] = await store.readLog('p1', 10, 0);
      expect(entry?.count).toBe(2);
      expect(logRows(entry!)).toEqual(old.map(logRow));
    } finally {
      redis.disconnect();
      await store.close();
    }
  });

  test('the log keeps working when its stream is deleted under a running store', async () => {
    const url = await freshRedisUrl();
    const store = await openLiveStore(url);
    const redis = new Redis(url);
    try {
      await redis.del(keys.log);
      expect(await store.logInfo()).toEqual({ length: 0, pending: 0 });
      await redis.del(keys.log);
      await store.applyBatch([order(1, 'o1', 'A', 100)]);
      expect((await store.readLog('p1', 10, 0)).map((e) => logRows(e).length)).toEqual([1]);
    } finally {
      redis.disconnect();
      await store.close();
    }
  });
});

describe('memory and Redis live stores', () => {
  test('give identical outcomes and state for the same random batches', async () => {
    const memory = new MemoryLiveStore();
    const redis = await openLiveStore(await freshRedisUrl());
    try {
      const seen = new Map<string, number>();
      for (const batch of randomBatches(20251020, 600)) {
        const out = await memory.applyBatch(batch);
        expect(await redis.applyBatch(batch)).toEqual(out);
        for (const st of statuses(out)) seen.set(st, (seen.get(st) ?? 0) + 1);
      }
      // The sequence exercises every outcome.
      for (const st of ['accepted', 'duplicate', 'CONFLICT', 'UNKNOWN_ORDER', 'REFUND_EXCEEDS_ORDER']) {
        expect(seen.get(st), st).toBeGreaterThan(0);
      }
      const state = await snapshot(memory);
      expect(await snapshot(redis)).toEqual(state);
      expect(state.sessions.length).toBe(4);
      expect(state.totals[0]?.refundFen).toBeGreaterThan(0);
      const logged = async (s: LiveStore) => (await s.readLog('p', 10_000, 0)).map(logRows);
      expect(await logged(redis)).toEqual(await logged(memory));
    } finally {
      await Promise.all([memory.close(), redis.close()]);
    }
  });
});

/** Deterministic PRNG (mulberry32), so a failure replays the same way. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Events over four sessions in two stages, in batches of 1–40: repeats of earlier events, ids reused for new
 * content, late events, counter resets, stale samples, manual entries, refunds too large or to unknown orders,
 * order ids reused, buyers from a small pool.
 */
function randomBatches(seed: number, total: number): StoreEvent[][] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: T[]): T | undefined => xs[int(xs.length)];
  const sent: StoreEvent[] = [];
  const orderIds = new Map<number, string[]>();
  const views = new Map<number, number>();
  let clock = T0;
  let n = 0;
  const events: StoreEvent[] = [];
  while (events.length < total) {
    clock += rnd() < 0.1 ? 0 : int(4000); // some events share an instant
    const sid = 1 + int(4);
    const atMs = rnd() < 0.15 ? clock - int(40_000) : clock;
    const r = rnd();
    const earlier = pick(sent);
    const orders = orderIds.get(sid) ?? [];
    orderIds.set(sid, orders);
    const id = rnd() < 0.03 && earlier ? earlier.event.id : `e${n++}`;
    let e: StoreEvent;
    if (r < 0.1 && earlier) e = earlier;
    else if (r < 0.4) {
      const v = rnd() < 0.08 ? int(50) : (views.get(sid) ?? 0) + int(500);
      views.set(sid, v);
      const optional = rnd() < 0.5 ? { likes: int(1000) } : {};
      e = stats(sid, id, atMs, { online: int(500), views: v, ...optional }, rnd() < 0.1 ? 'manual' : 'collector');
    } else if (r < 0.75) {
      const orderId = rnd() < 0.05 ? (pick(orders) ?? 'X') : `O${n}`;
      orders.push(orderId);
      const buyer = rnd() < 0.8 ? { buyerRef: `u${int(8)}` } : {};
      const amount = rnd() < 0.05 ? 0 : 1 + int(99_999_999);
      e = order(sid, id, orderId, amount, atMs, { quantity: 1 + int(5), ...buyer });
    } else {
      const orderId = rnd() < 0.9 ? (pick(orders) ?? 'X') : 'nope';
      e = refund(sid, id, orderId, 1 + int(rnd() < 0.5 ? 1000 : 60_000_000), atMs);
    }
    events.push(e);
    sent.push(e);
  }
  const batches: StoreEvent[][] = [];
  for (let i = 0; i < events.length; ) {
    const size = 1 + int(40);
    batches.push(events.slice(i, i + size));
    i += size;
  }
  return batches;
}
