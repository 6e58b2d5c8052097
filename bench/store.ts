// applyBatch throughput of the live stores: 100-event batches over 500 sessions, as collectors would send
// them (stats and orders with buyers, a few refunds), one batch at a time and several in flight.
// Run: npx tsx bench/store.ts  (uses a free test database of the local Redis).
import type { LiveStore, StoreEvent } from '../server/live/store';
import { MemoryLiveStore } from '../server/live/memory-store';
import { openLiveStore } from '../server/live/open-store';
import { freshRedisUrl } from '../test/helpers/redis';

const SESSIONS = 500;
const BATCH = 100;
const BATCHES = 2000;

function makeBatches(): StoreEvent[][] {
  const t0 = Date.now() - 3_600_000;
  const views = new Array<number>(SESSIONS + 1).fill(0);
  let n = 0;
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (): StoreEvent => {
      const sid = 1 + (n % SESSIONS);
      const atMs = t0 + b * 1000 + (n % BATCH);
      const meta = { sessionId: sid, stageId: 1, teamId: sid, cityCode: `3601${String(sid % 11).padStart(2, '0')}`, universityId: sid % 40 };
      const at = new Date(atMs).toISOString();
      const id = `e${n++}`;
      const kind = n % 20;
      const event =
        kind < 12
          ? { type: 'stats' as const, id, sessionId: sid, at, online: n % 900, views: (views[sid] = (views[sid] ?? 0) + 7), likes: n }
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
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) await store.applyBatch(batch);
      }
    }),
  );
  return Math.round((batches.length * BATCH) / ((performance.now() - started) / 1000));
}

const batches = makeBatches();
for (const inFlight of [1, 8]) {
  const redis = await openLiveStore(await freshRedisUrl());
  console.log(`redis,  ${inFlight} in flight: ${await run(redis, batches, inFlight)} events/s`);
  await redis.close();
}
const memory = new MemoryLiveStore();
console.log(`memory, 1 in flight: ${await run(memory, batches, 1)} events/s`);
await memory.close();
