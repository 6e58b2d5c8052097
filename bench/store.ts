// applyBatch throughput of the live stores: 100-event batches over 500 sessions (stats with every counter,
// orders with buyers, a few refunds), with each batch spread over 100 sessions (a city's collector) or
// from one session (a room's collector), one batch at a time and 8 in flight.
// Run: npx tsx bench/store.ts  (on a free test database of the local Redis).
import type { LiveStore, StoreEvent } from '../server/live/store';
import { MemoryLiveStore } from '../server/live/memory-store';
import { openLiveStore } from '../server/live/open-store';
import { freshRedisUrl } from '../test/helpers/redis';

const SESSIONS = 500;
const BATCH = 100;
const BATCHES = 1000;

type Layout = 'spread' | 'per-session';

function makeBatches(layout: Layout): StoreEvent[][] {
  const t0 = Date.now() - 3_600_000;
  const views = new Map<number, number>();
  let n = 0;
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (): StoreEvent => {
      const sid = 1 + ((layout === 'spread' ? n : b) % SESSIONS);
      // Event time moves as it would at ~20k events/s (5 ms per batch), so 10-second points come at a real rate.
      const atMs = t0 + b * 5;
      const meta = { sessionId: sid, stageId: 1, teamId: sid, cityCode: `3601${String(sid % 11).padStart(2, '0')}`, universityId: sid % 40 };
      const at = new Date(atMs).toISOString();
      const id = `e${n++}`;
      const kind = n % 20;
      const v = (views.get(sid) ?? 0) + 7;
      views.set(sid, v);
      const event =
        kind < 12
          ? { type: 'stats' as const, id, sessionId: sid, at, online: n % 900, views: v, viewers: v >> 1, likes: n, comments: n >> 4, shares: n >> 6, followers: n >> 8 }
          : kind < 19
            ? { type: 'order' as const, id, sessionId: sid, at, orderId: `o${n}`, quantity: 1, amountFen: 9900, buyerRef: `u${n % 5000}` }
            : { type: 'refund' as const, id, sessionId: sid, at, orderId: `o${n - 1}`, amountFen: 100 };
      return { event, atMs, receivedAt: atMs, source: 'collector', meta };
    }),
  );
}

async function run(store: LiveStore, batches: StoreEvent[][], inFlight: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) await store.applyBatch(batch);
    }),
  );
  return Math.round((batches.length * BATCH) / ((performance.now() - started) / 1000));
}

for (const layout of ['spread', 'per-session'] as const) {
  const batches = makeBatches(layout);
  for (const inFlight of [1, 8]) {
    const redis = await openLiveStore(await freshRedisUrl());
    console.log(`redis  ${layout.padEnd(11)} ${inFlight} in flight: ${await run(redis, batches, inFlight)} events/s`);
    await redis.close();
  }
  const memory = new MemoryLiveStore();
  console.log(`memory ${layout.padEnd(11)} 1 in flight: ${await run(memory, batches, 1)} events/s`);
  await memory.close();
}
