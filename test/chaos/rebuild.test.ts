// Redis losing its data (issue #8): a hub on a Redis live store notices (the `live:epoch` marker is gone), says so
// (503 on ingest and health while the `live:rebuilding` flag is up) and rebuilds live state from PostgreSQL's
// LiveEvent rows through the same Lua path, so sessions, series, dedupe sets, order books, buyers, leaderboards and
// stage totals come back exactly.
// Note: events acked but not yet persisted when Redis lost them cannot come back (the durable log was in Redis);
// this test drains the persister before the loss, as an AOF-always Redis makes that the restart-without-data case only.
// @vitest-environment node
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { REBUILDING_KEY, EPOCH_KEY, type LiveGuard } from '../../server/live/rebuild.ts';
import type { IngestEvent } from '../../contracts/ingest.ts';

async function until(what: string, probe: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('live state rebuilt from PostgreSQL after Redis loses its data', () => {
  let hub: TestHub;
  let redis: Redis;
  let guard: LiveGuard;
  let key: string;
  let url: string;

  beforeAll(async () => {
    url = await freshRedisUrl();
    hub = await startTestHub('postgres', { redisUrl: url, env: { REDIS_URL: url, PERSISTER_STALE_MS: '1000' } });
    redis = new Redis(url, { protocol: 2 });
    const g = hub.hub.live.guard;
    if (!g) throw new Error('a hub with REDIS_URL has a live guard');
    guard = g;
    key = (await createCollectorKey(hub.db, { cityCode: CITY_A, label: 'rebuild test' })).key;
    // First start on an empty Redis: the guard initialises it (nothing to replay) and writes the epoch.
    await until('first epoch', async () => guard.state === 'ok' && (await redis.get(EPOCH_KEY)) !== null);
  });

  afterAll(async () => {
    redis?.disconnect();
    await hub?.close();
  });

  const ingest = (events: IngestEvent[]) => hub.req('POST', '/api/v1/ingest', { token: key, body: { events } });

  /** Everything a dashboard reads from the live store. */
  async function liveState() {
    const { fx } = hub;
    const store = hub.hub.live.store;
    const ids = [fx.sessionA1, fx.sessionA2, fx.sessionB1];
    return {
      sessions: [...(await store.getSessions(ids)).entries()].sort((a, b) => a[0] - b[0]),
      series: await Promise.all(ids.map((id) => store.getSeries(id))),
      totals: await store.stageTotals(fx.stageId),
      boards: await Promise.all((['team', 'city', 'university'] as const).map((d) => store.leaderboard(fx.stageId, d, 100))),
      minutes: await store.gmvByMinute(fx.stageId, 0, Date.now() + 3_600_000),
    };
  }

  test('FLUSHDB is noticed, ingest waits (503), and the rebuild restores every number exactly', async () => {
    const { fx } = hub;
    const t0 = Date.now() - 5 * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const batches: IngestEvent[][] = [];
    for (let b = 0; b < 6; b++) {
      const events: IngestEvent[] = [];
      for (const [n, sid] of [fx.sessionA1, fx.sessionA2].entries()) {
        for (let i = 0; i < 5; i++) {
          const k = b * 5 + i;
          const at = t0 + k * 7_000 + n * 1000;
          events.push({ type: 'stats', id: `s-${sid}-${k}`, sessionId: sid, at: iso(at), online: 50 + ((k * 37) % 90), views: 100 + k * 20, likes: k * 3, comments: k });
          events.push({ type: 'order', id: `o-${sid}-${k}`, sessionId: sid, at: iso(at + 500), orderId: `ORD-${sid}-${k}`, quantity: 1 + (k % 3), amountFen: 1990 + k * 100, buyerRef: `buyer-${k % 7}` });
        }
        // A refund in the same batch as its order (same receivedAt and at), and one of an order from an earlier batch.
        const last = b * 5 + 4;
        events.push({ type: 'refund', id: `r-${sid}-${last}`, sessionId: sid, at: iso(t0 + last * 7_000 + n * 1000 + 500), orderId: `ORD-${sid}-${last}`, amountFen: 500 });
        if (b > 0) events.push({ type: 'refund', id: `r-${sid}-${b}-early`, sessionId: sid, at: iso(t0 + last * 7_000 + 900), orderId: `ORD-${sid}-${b - 1}`, amountFen: 300 });
      }
      batches.push(events);
    }
    let sent = 0;
    for (const events of batches) {
      const r = await ingest(events);
      expect(r.status).toBe(200);
      expect(r.body.rejected).toEqual([]);
      expect(r.body.accepted).toBe(events.length);
      sent += events.length;
    }
    await hub.hub.live.persister!.drain(15_000);
    const before = await liveState();
    expect(before.totals.orders).toBe(60);
    const persisted = (await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM "LiveEvent"'))[0]?.n;
    expect(persisted).toBe(sent);

    // Redis loses everything while another hub holds the rebuilding flag: this hub notices and refuses ingest.
    const rebuildsBefore = guard.rebuilds.length;
    await redis.multi().flushdb().set(REBUILDING_KEY, 'other-hub', 'PX', 30_000).exec();
    await until('guard notices', async () => {
      await guard.check();
      return guard.state === 'rebuilding';
    });
    // A clear status a load balancer acts on: 503 (drain this hub), saying why and when to look again.
    const health = await hub.req('GET', '/api/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'rebuilding', live: 'rebuilding', db: 'postgres', error: { code: 'UNAVAILABLE' } });
    expect(health.headers.get('retry-after')).toBe('2');
    expect(health.headers.get('cache-control')).toBe('no-store');
    const refused = await ingest(batches[0]!);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    expect(await hub.hub.live.store.getSessions([fx.sessionA1])).toEqual(new Map()); // the loss is real

    // The other hub "dies": its flag lapses; this hub takes over and rebuilds from PostgreSQL.
    await redis.del(REBUILDING_KEY);
    await until('rebuilt', () => guard.state === 'ok' && guard.rebuilds.length === rebuildsBefore + 1);
    const rebuilt = guard.rebuilds.at(-1)!;
    expect(rebuilt).toMatchObject({ events: sent, accepted: sent, duplicates: 0, rejected: 0 });
    expect(await liveState()).toEqual(before);
    const whole = await hub.req('GET', '/api/health');
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ status: 'ok', db: 'postgres', live: expect.stringMatching(/^redis /) });

    // Dedupe sets and order books are back: a resent batch is all duplicates, an over-refund is refused.
    const again = await ingest(batches[2]!);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: batches[2]!.length, rejected: [] });
    const over = await ingest([{ type: 'refund', id: 'r-over', sessionId: fx.sessionA1, at: new Date().toISOString(), orderId: `ORD-${fx.sessionA1}-0`, amountFen: 1990 }]);
    expect(over.body.rejected[0]?.code).toBe('REFUND_EXCEEDS_ORDER');
    expect(await liveState()).toEqual(before);

    // The replay's own log entries were written again harmlessly: PostgreSQL holds each event once.
    await hub.hub.live.persister!.drain(15_000);
    const after = (await hub.db.query<{ n: number }>('SELECT count(*)::int AS n FROM "LiveEvent"'))[0]?.n;
    expect(after).toBe(sent);
  });

  test('a plain FLUSHDB is noticed by the periodic check and rebuilt without help', async () => {
    const before = await liveState();
    const n = guard.rebuilds.length;
    await redis.flushdb();
    await until('rebuilt by the periodic check', () => guard.state === 'ok' && guard.rebuilds.length === n + 1);
    expect(await liveState()).toEqual(before);
    expect(await redis.get(EPOCH_KEY)).not.toBeNull();
  });
});
