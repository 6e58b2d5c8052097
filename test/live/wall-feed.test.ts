// The wall's big-order feed and yesterday's curve, end to end: orders ingested over HTTP reach the province wall
// as big orders (with the in-process store on one hub, and with Redis across two hubs), nothing of the buyer
// travels, the province's threshold applies, and the snapshot carries yesterday's GMV from PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { ack, connect, record, waitFor, type Client } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { DAY, MINUTE, shanghaiDayStart } from '../../server/domain/time.ts';
import { openLiveStore } from '../../server/live/open-store.ts';
import type { LiveStore } from '../../server/live/store.ts';
import type { BigOrder, WallSnapshot } from '../../contracts/live.ts';

let n = 0;
const order = (sessionId: number, amountFen: number, extra: Record<string, unknown> = {}) => ({
  type: 'order', id: `wf-${++n}-${Date.now()}`, sessionId, at: new Date().toISOString(), orderId: `wf-o-${n}`, quantity: 2, amountFen, ...extra,
});

async function wall(hub: TestHub, clients: Client[]): Promise<{ c: Client; snapshot: WallSnapshot }> {
  const c = await connect(hub.url, await hub.login(hub.fx.users.province));
  clients.push(c);
  const snap = waitFor(c, 'wall:snapshot');
  expect(await ack(c, 'wall:subscribe', {})).toEqual({ ok: true, data: null });
  return { c, snapshot: await snap };
}

describe('the wall feed with the in-process store', () => {
  let h: TestHub;
  let key: string;
  const clients: Client[] = [];
  const yesterday = shanghaiDayStart(Date.now()) - DAY;

  beforeAll(async () => {
    h = await startTestHub('pglite');
    key = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    // Yesterday's minutes as the persister leaves them: per session and minute, gross GMV in that minute.
    await h.db.prisma.minuteAggregate.createMany({
      data: [
        { sessionId: h.fx.sessionA1, minute: new Date(yesterday + 19 * 60 * MINUTE), orders: 1, gmvFen: 10_000 },
        { sessionId: h.fx.sessionA2, minute: new Date(yesterday + 19 * 60 * MINUTE), orders: 1, gmvFen: 5_000 },
        { sessionId: h.fx.sessionA1, minute: new Date(yesterday + 20 * 60 * MINUTE), orders: 2, gmvFen: 7_000 },
        // Two days ago: not yesterday.
        { sessionId: h.fx.sessionB1, minute: new Date(yesterday - 60 * MINUTE), orders: 9, gmvFen: 99_999 },
      ],
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(() => h?.close());

  test('the snapshot carries yesterday’s province GMV from PostgreSQL, cumulative and moved onto today', async () => {
    const { snapshot } = await wall(h, clients);
    expect(snapshot.gmvYesterday).toEqual([
      { t: yesterday + DAY + 19 * 60 * MINUTE, gmvFen: 15_000 },
      { t: yesterday + DAY + 20 * 60 * MINUTE, gmvFen: 22_000 },
    ]);
    expect(snapshot.bigOrderFen).toBe(20_000);
  });

  test('an order at or above ¥200 reaches the wall as a big order, with team, city, product and no buyer', async () => {
    const { c, snapshot } = await wall(h, clients);
    expect(snapshot.bigOrders).toEqual([]);
    const updates = record(c, 'wall:updated');
    const big = order(h.fx.sessionA1, 29_800, { productName: '军山湖大闸蟹', buyerRef: 'buyer-secret-7' });
    const small = order(h.fx.sessionA1, 19_999, { productName: '南昌米粉' });
    const seen = waitFor(c, 'wall:updated', (u) => (u.bigOrders ?? []).length > 0);
    const r = await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [small, big] } });
    expect(r.body).toMatchObject({ accepted: 2, rejected: [] });
    const u = await seen;
    expect(u.bigOrders).toEqual([
      {
        id: `${h.fx.sessionA1}:${big.id}`, at: Date.parse(big.at), sessionId: h.fx.sessionA1, teamId: h.fx.teamA1,
        teamName: '赣鄱新农人', cityCode: CITY_A, productName: '军山湖大闸蟹', quantity: 2, amountFen: 29_800,
      },
    ]);
    expect(JSON.stringify(updates)).not.toContain('buyer-secret');
    expect(JSON.stringify(updates)).not.toContain(big.orderId);

    // A wall opened afterwards finds it in its snapshot.
    const later = await wall(h, clients);
    expect(later.snapshot.bigOrders.map((o) => o.id)).toEqual([`${h.fx.sessionA1}:${big.id}`]);
  });

  test('a retried order is announced once', async () => {
    const { c } = await wall(h, clients);
    const updates = record(c, 'wall:updated');
    const ev = order(h.fx.sessionA2, 50_000);
    await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [ev] } });
    await waitFor(c, 'wall:updated', (u) => (u.bigOrders ?? []).some((o) => o.id.endsWith(ev.id)));
    expect((await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [ev] } })).body).toMatchObject({ duplicates: 1 });
    // A later order proves the retry's flush has passed.
    const marker = order(h.fx.sessionA2, 60_000);
    await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [marker] } });
    await waitFor(c, 'wall:updated', (u) => (u.bigOrders ?? []).some((o) => o.id.endsWith(marker.id)));
    const announced = updates.flatMap((u) => u.bigOrders ?? []).filter((o) => o.id.endsWith(ev.id));
    expect(announced).toHaveLength(1);
  });

  test('the province’s threshold decides what counts as big', async () => {
    const tok = await h.login(h.fx.users.province);
    const put = await h.req('PUT', '/api/v1/settings/wall.bigOrderFen', { token: tok, body: { value: 100_000 } });
    expect(put.status).toBe(200);
    expect((await h.req('PUT', '/api/v1/settings/wall.bigOrderFen', { token: tok, body: { value: 5 } })).status).toBe(400);
    const cityTok = await h.login(h.fx.users.cityA);
    expect((await h.req('PUT', '/api/v1/settings/wall.bigOrderFen', { token: cityTok, body: { value: 100 } })).status).toBe(403);
    await h.hub.live.directory.refresh(); // hubs reread settings every few seconds; not waiting for the timer

    const { c, snapshot } = await wall(h, clients);
    expect(snapshot.bigOrderFen).toBe(100_000);
    const updates = record(c, 'wall:updated');
    const below = order(h.fx.sessionB1, 99_999);
    const above = order(h.fx.sessionA1, 100_000);
    const keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    expect((await h.req('POST', '/api/v1/ingest', { token: keyB, body: { events: [below] } })).body.accepted).toBe(1);
    expect((await h.req('POST', '/api/v1/ingest', { token: key, body: { events: [above] } })).body.accepted).toBe(1);
    await waitFor(c, 'wall:updated', (u) => (u.bigOrders ?? []).some((o) => o.id.endsWith(above.id)));
    expect(updates.flatMap((u) => u.bigOrders ?? []).map((o) => o.amountFen)).toEqual([100_000]);
    await h.req('PUT', '/api/v1/settings/wall.bigOrderFen', { token: tok, body: { value: 20_000 } });
    await h.hub.live.directory.refresh();
  });
});

describe('big orders across two hubs on Redis', () => {
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

  test('an order ingested through hub A reaches the big-order feed of a wall on hub B, and hub B’s snapshot', async () => {
    const onB = await wall(b, clients);
    const onA = await wall(a, clients);
    const big = order(a.fx.sessionA2, 88_800, { productName: '南丰蜜桔', buyerRef: 'buyer-secret-9' });
    const id = `${a.fx.sessionA2}:${big.id}`;
    const seenB = waitFor(onB.c, 'wall:updated', (u) => (u.bigOrders ?? []).some((o) => o.id === id));
    const seenA = waitFor(onA.c, 'wall:updated', (u) => (u.bigOrders ?? []).some((o) => o.id === id));
    expect((await a.req('POST', '/api/v1/ingest', { token: key, body: { events: [big] } })).body.accepted).toBe(1);
    const u = await seenB;
    await seenA;
    expect(u.bigOrders?.find((o) => o.id === id)).toMatchObject({ teamName: '红土地优品', cityCode: CITY_A, productName: '南丰蜜桔', amountFen: 88_800, quantity: 2 });
    expect(JSON.stringify(u)).not.toContain('buyer-secret');

    const fresh = await wall(b, clients);
    expect(fresh.snapshot.bigOrders.map((o) => o.id)).toContain(id);
  });
});

describe('the stores keep and announce big orders alike', () => {
  const stores: LiveStore[] = [];
  afterAll(async () => {
    for (const s of stores) await s.close();
  });
  const bo = (i: number, at: number): BigOrder => ({
    id: `1:e${i}`, at, sessionId: 1, teamId: 1, teamName: 'T', cityCode: CITY_A, productName: null, quantity: 1, amountFen: 20_000 + i,
  });

  test.each(['memory', 'redis'] as const)('%s: newest first, capped at 20, per stage, heard by every listener', async (kind) => {
    const store = await openLiveStore(kind === 'redis' ? await freshRedisUrl() : undefined);
    stores.push(store);
    const heard: Array<[number, string[]]> = [];
    store.onBigOrders((stageId, orders) => heard.push([stageId, orders.map((o) => o.id)]));
    const t0 = Date.parse('2024-10-21T11:00:00Z');
    for (let i = 0; i < 25; i += 5) await store.pushBigOrders(7, [0, 1, 2, 3, 4].map((k) => bo(i + k, t0 + (i + k) * 1000)));
    await store.pushBigOrders(8, [bo(100, t0)]);
    await store.pushBigOrders(7, []);
    const kept = await store.bigOrders(7);
    expect(kept.map((o) => o.id)).toEqual(Array.from({ length: 20 }, (_, k) => `1:e${24 - k}`));
    expect((await store.bigOrders(8)).map((o) => o.id)).toEqual(['1:e100']);
    expect(await store.bigOrders(9)).toEqual([]);
    const deadline = Date.now() + 5000;
    while (heard.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(heard.map(([s]) => s)).toEqual([7, 7, 7, 7, 7, 8]);
    expect(heard[0]![1]).toEqual(['1:e0', '1:e1', '1:e2', '1:e3', '1:e4']);
  });
});
