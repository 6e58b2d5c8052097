// Two real hubs on one Redis and one PostgreSQL: any hub takes any ingest, every dashboard sees it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { ack, connect, waitFor, type Client } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';

let n = 0;
const order = (sessionId: number, amountFen: number) => ({
  type: 'order', id: `2h-${++n}`, sessionId, at: new Date().toISOString(), orderId: `2h-o-${n}`, quantity: 1, amountFen,
});

describe('two hubs on Redis and PostgreSQL', () => {
  let a: TestHub;
  let b: TestHub;
  let key: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const redisUrl = await freshRedisUrl();
    a = await startTestHub('postgres', { redisUrl, env: { HUB_ID: 'hub-a' } });
    b = await startTestHub('postgres', { redisUrl, env: { HUB_ID: 'hub-b' }, db: { db: a.db, fx: a.fx } });
    key = (await createCollectorKey(a.db, { cityCode: CITY_A })).key;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await b?.close();
    await a?.close();
  });

  test('health names the Redis live store', async () => {
    const r = await a.req('GET', '/api/health');
    expect(r.body).toMatchObject({ status: 'ok', db: 'postgres', live: expect.stringMatching(/^redis/) });
  });

  test('an order ingested through hub A reaches a wall connected to hub B', async () => {
    const token = await b.login(b.fx.users.province);
    const c = await connect(b.url, token);
    clients.push(c);
    const snap = waitFor(c, 'wall:snapshot');
    expect(await ack(c, 'wall:subscribe', {})).toMatchObject({ ok: true });
    const before = (await snap).totals.gmvFen;
    const seen = waitFor(c, 'wall:updated', (u) => u.totals.gmvFen === before + 4321);
    const r = await a.req('POST', '/api/v1/ingest', { token: key, body: { events: [order(a.fx.sessionA1, 4321)] } });
    expect(r.body.accepted).toBe(1);
    await seen;
  });

  test('a retry through the other hub is a duplicate, and both hubs agree on the numbers', async () => {
    const ev = order(a.fx.sessionA2, 777);
    expect((await a.req('POST', '/api/v1/ingest', { token: key, body: { events: [ev] } })).body.accepted).toBe(1);
    expect((await b.req('POST', '/api/v1/ingest', { token: key, body: { events: [ev] } })).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    const token = await a.login(a.fx.users.province);
    const onA = await a.req('GET', `/api/v1/sessions/${a.fx.sessionA2}/live`, { token });
    const onB = await b.req('GET', `/api/v1/sessions/${a.fx.sessionA2}/live`, { token });
    // The numbers come from Redis and agree at once; the schedule status each hub caches converges within
    // its directory refresh (5 s), so it is left out here.
    const numbers = (x: Record<string, unknown>) => ({ ...x, status: undefined });
    expect(numbers(onA.body.session)).toEqual(numbers(onB.body.session));
    expect(onA.body.session).toMatchObject({ gmvFen: 777, orders: 1 });
  });

  test('the two persisters write each event to PostgreSQL exactly once', async () => {
    for (let i = 0; i < 5; i++) {
      const hub = i % 2 ? a : b;
      await hub.req('POST', '/api/v1/ingest', { token: key, body: { events: [order(a.fx.sessionA1, 100), order(a.fx.sessionA2, 100)] } });
    }
    await a.hub.live.persister!.drain();
    await b.hub.live.persister!.drain();
    const rows = await a.db.query<{ n: string; distinct_ids: string }>(
      `select count(*) as n, count(distinct ("sessionId", "eventId")) as distinct_ids from "LiveEvent"`,
    );
    expect(rows[0]!.n).toBe(rows[0]!.distinct_ids);
    const token = await a.login(a.fx.users.province);
    let liveOrders = 0;
    for (const sid of [a.fx.sessionA1, a.fx.sessionA2])
      liveOrders += (await a.req('GET', `/api/v1/sessions/${sid}/live`, { token })).body.session.orders;
    expect(await a.db.prisma.liveEvent.count({ where: { type: 'order' } })).toBe(liveOrders);
  });
});
