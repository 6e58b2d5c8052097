// What an operator's monitoring reads (issue #8): /metrics counts the Redis commands the live store sends and shows
// the event loop's delay; /api/health says plainly when a part is down (the rebuild case is in test/chaos/rebuild).
// @vitest-environment node
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { RedisLiveStore } from '../../server/live/redis-store.ts';
import type { StoreEvent } from '../../server/live/store.ts';

/** name{labels} → value, from Prometheus' text format. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function scrape(h: TestHub): Promise<{ text: string; m: Map<string, number> }> {
  const res = await fetch(`${h.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, m: parseMetrics(text) };
}

/** Keeps the event loop busy, as a long synchronous task in the hub would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* busy */
  }
}

describe('RedisLiveStore.commandsSent()', () => {
  let store: RedisLiveStore;
  beforeAll(async () => {
    store = new RedisLiveStore(await freshRedisUrl());
    await store.ready();
  });
  afterAll(() => store?.close());

  test('counts every command its connections send: plain, pipelined and MULTI alike', async () => {
    const delta = async (run: () => Promise<unknown>) => {
      const before = store.commandsSent();
      await run();
      return store.commandsSent() - before;
    };
    expect(store.commandsSent()).toBeGreaterThan(0); // subscribing and creating the log's group
    expect(await delta(() => store.stageTotals(1))).toBe(1); // HGETALL
    expect(await delta(() => store.getSessions([1, 2, 3]))).toBe(3); // a pipeline of three HMGETs
    expect(await delta(() => store.getSeries(1))).toBe(4); // MULTI, XRANGE, HMGET, EXEC
    expect(await delta(() => store.getSessions([]))).toBe(0);
    const meta = { sessionId: 7, stageId: 1, teamId: 3, cityCode: CITY_A, universityId: 2 };
    const ev = (id: string): StoreEvent => ({
      event: { type: 'order', id, sessionId: 7, at: new Date().toISOString(), orderId: `o-${id}`, quantity: 1, amountFen: 990 },
      atMs: Date.now(),
      receivedAt: Date.now(),
      source: 'collector',
      meta,
    });
    await store.applyBatch([ev('warm')]); // loads the script if this Redis has not seen it
    expect(await delta(() => store.applyBatch([ev('a'), ev('b'), ev('c')]))).toBe(1); // one EVALSHA for the batch
  });
});

describe('/metrics and /api/health on a Redis hub', () => {
  let h: TestHub;
  let key: string;
  beforeAll(async () => {
    const url = await freshRedisUrl();
    h = await startTestHub('postgres', { redisUrl: url, env: { REDIS_URL: url } });
    key = (await createCollectorKey(h.db, { cityCode: CITY_A, label: 'metrics test' })).key;
    // A fresh Redis is initialised by the live guard first (ingest answers 503 meanwhile).
    const deadline = Date.now() + 15_000;
    while (h.hub.live.guard?.state !== 'ok') {
      if (Date.now() > deadline) throw new Error('the live guard did not initialise the fresh Redis');
      await h.hub.live.guard?.check();
    }
  });
  afterAll(() => h?.close());

  test('gy_live_store_commands_total counts what the Redis store sends, and grows with ingest', async () => {
    const { m: m0 } = await scrape(h);
    const c0 = m0.get('gy_live_store_commands_total')!;
    expect(c0).toBeGreaterThan(0);
    const at = new Date().toISOString();
    const events = [1, 2, 3].map((i) => ({ type: 'order', id: `m-${i}`, sessionId: h.fx.sessionA1, at, orderId: `M-${i}`, quantity: 1, amountFen: 1000 }));
    const r = await h.req('POST', '/api/v1/ingest', { token: key, body: { events } });
    expect(r.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
    const { m: m1 } = await scrape(h);
    expect(m1.get('gy_live_store_commands_total')!).toBeGreaterThan(c0);
    expect(m1.get('gy_ingest_events_total{result="accepted"}')).toBe(3);
  });

  test('event-loop delay: p50, p99 and max gauges, in seconds, that see a blocked loop', async () => {
    const { text } = await scrape(h);
    for (const q of ['p50', 'p99', 'max']) expect(text).toContain(`# TYPE nodejs_eventloop_lag_${q}_seconds gauge`);
    // Each scrape reads and resets the histogram; block the loop (this test shares it with the hub) and look
    // again, until the block shows.
    const deadline = Date.now() + 10_000;
    let m = new Map<string, number>();
    while (Date.now() < deadline) {
      block(150);
      m = (await scrape(h)).m;
      if ((m.get('nodejs_eventloop_lag_max_seconds') ?? 0) >= 0.1) break;
    }
    const p50 = m.get('nodejs_eventloop_lag_p50_seconds')!;
    const p99 = m.get('nodejs_eventloop_lag_p99_seconds')!;
    const max = m.get('nodejs_eventloop_lag_max_seconds')!;
    expect(max).toBeGreaterThanOrEqual(0.1);
    expect(max).toBeLessThan(5); // seconds, not milliseconds or nanoseconds
    expect(p50).toBeGreaterThanOrEqual(0);
    expect(p50).toBeLessThanOrEqual(p99);
    expect(p99).toBeLessThanOrEqual(max);
  });

  test('health: 200 naming the parts, then 503 "unavailable" without a retry promise once Redis is gone', async () => {
    const ok = await h.req('GET', '/api/health');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'ok', db: 'postgres', live: expect.stringMatching(/^redis \d/) });
    await h.hub.live.store.close(); // the live store's connections end, as when Redis cannot be reached
    const down = await h.req('GET', '/api/health');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', db: 'postgres', live: 'down', error: { code: 'UNAVAILABLE', message: 'live is not reachable' } });
    expect(down.headers.get('retry-after')).toBeNull();
  });
});
