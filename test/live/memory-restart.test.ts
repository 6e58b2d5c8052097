// The embedded default (in-process live store) across a hub restart: the new process replays PostgreSQL's event
// log before it listens, so sessions, series, boards and totals are what they were, and the same events sent
// again are duplicates, not new sales.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { dbKinds, freshDatabase } from '../helpers/db.ts';
import { chunkByCount, rebuildFromDatabase } from '../../server/live/rebuild.ts';
import { MemoryLiveStore } from '../../server/live/memory-store.ts';
import type { StoreEvent } from '../../server/live/store.ts';
import { seedFixture } from '../helpers/fixture.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import type { IngestEvent } from '../../contracts/ingest.ts';
import type { Database } from '../../server/db/index.ts';
import type { Fixture } from '../helpers/fixture.ts';

describe.each(dbKinds)('a hub on the in-process store, restarted (%s)', (kind) => {
  let shared: { db: Database; fx: Fixture };
  let first: TestHub | undefined;
  let second: TestHub | undefined;
  let key: string;

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    shared = { db, fx: await seedFixture(db) };
    key = (await createCollectorKey(db, { cityCode: CITY_A, label: 'restart test' })).key;
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await shared?.db.close();
  });

  async function liveState(h: TestHub) {
    const { fx } = shared;
    const store = h.hub.live.store;
    const ids = [fx.sessionA1, fx.sessionA2];
    return {
      sessions: [...(await store.getSessions(ids)).entries()].sort((a, b) => a[0] - b[0]),
      series: await Promise.all(ids.map((id) => store.getSeries(id))),
      totals: await store.stageTotals(fx.stageId),
      boards: await Promise.all((['team', 'city', 'university'] as const).map((d) => store.leaderboard(fx.stageId, d, 100))),
      bigOrders: await store.bigOrders(fx.stageId),
    };
  }

  test('the new process shows the same numbers and counts a resent batch once', async () => {
    const { fx } = shared;
    first = await startTestHub(kind, { db: shared });
    expect(first.hub.live.store.kind).toBe('memory');
    // Odd milliseconds and a product name with quotes, a backslash and Chinese: the replay reads events back as
    // JSON text, and every field must come back exactly.
    const t0 = Date.now() - 3 * 60_000 - ((Date.now() % 1000) + 877);
    const iso = (ms: number) => new Date(ms).toISOString();
    const events: IngestEvent[] = [];
    for (const [n, sid] of [fx.sessionA1, fx.sessionA2].entries()) {
      for (let k = 0; k < 8; k++) {
        const at = t0 + k * 11_000 + n * 500;
        events.push({ type: 'stats', id: `s-${sid}-${k}`, sessionId: sid, at: iso(at), online: 40 + k * 3, views: 90 + k * 15, likes: k });
        events.push({ type: 'order', id: `o-${sid}-${k}`, sessionId: sid, at: iso(at + 200), orderId: `ORD-${sid}-${k}`, quantity: 1, amountFen: 2990 + k * 10, buyerRef: `b-${k % 3}`, productId: `P-${k}`, productName: `南丰蜜桔 "礼盒" \\ ${k}` });
      }
      events.push({ type: 'refund', id: `r-${sid}`, sessionId: sid, at: iso(t0 + 90_000), orderId: `ORD-${sid}-2`, amountFen: 1000 });
      // Over the wall's default big-order threshold (¥200): the feed must survive the restart too.
      // (After the refund, in time order as a collector sends: the replay knows no arrival order within a batch.)
      events.push({ type: 'order', id: `big-${sid}`, sessionId: sid, at: iso(t0 + 95_000 + n), orderId: `BIG-${sid}`, quantity: 2, amountFen: 52_000 + n, productName: '赣南脐橙礼盒' });
    }
    const sent = await first.req('POST', '/api/v1/ingest', { token: key, body: { events } });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ accepted: events.length, duplicates: 0, rejected: [] });
    await first.hub.live.persister!.drain(15_000);
    const before = await liveState(first);
    expect(before.totals.orders).toBe(18);
    expect(before.bigOrders.map((o) => o.amountFen)).toEqual([52_001, 52_000]);
    await first.close();
    first = undefined;

    // What the replay hands the store is every stored event as it was sent, field for field.
    const replayed: StoreEvent[] = [];
    const scratch = new MemoryLiveStore();
    await rebuildFromDatabase(shared.db, scratch, {
      apply: (batch) => {
        replayed.push(...batch);
        return scratch.applyBatch(batch, { durable: false });
      },
    });
    const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : 1);
    expect(replayed.map((r) => r.event).sort(byId)).toEqual([...events].sort(byId));
    expect(replayed.every((r) => r.atMs === Date.parse(r.event.at) && r.source === 'collector' && r.receivedAt >= r.atMs)).toBe(true);

    second = await startTestHub(kind, { db: shared });
    expect(await liveState(second)).toEqual(before);
    // The replayed events came from PostgreSQL: none of them goes back to the persister.
    expect(await second.hub.live.store.logInfo()).toMatchObject({ length: 0, pending: 0 });
    const again = await second.req('POST', '/api/v1/ingest', { token: key, body: { events } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: events.length, rejected: [] });
    expect(await liveState(second)).toEqual(before);
  });
});

test('the replay reads sessions in groups of about the target number of events', () => {
  expect(chunkByCount([], 10)).toEqual([]);
  expect(chunkByCount([{ s: 3, n: 4 }, { s: 1, n: 5 }, { s: 2, n: 5 }, { s: 9, n: 25 }, { s: 4, n: 1 }], 10)).toEqual([[1, 2], [3, 4], [9]]);
});
