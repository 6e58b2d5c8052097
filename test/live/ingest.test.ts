import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { logEntry } from '../../server/live/store.ts';

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();
let seq = 0;
const uid = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(dbKinds)('ingest over HTTP (%s, in-process live store)', (kind) => {
  let h: TestHub;
  let keyA: string;
  let keyB: string;
  let keyTeamA1: string;
  let province: string;

  const ingest = (key: string, events: unknown[] | unknown) =>
    h.req('POST', '/api/v1/ingest', { token: key, body: Array.isArray(events) ? { events } : events });
  const liveOf = async (sid: number) => (await h.req('GET', `/api/v1/sessions/${sid}/live`, { token: province })).body.session;
  const order = (sid: number, amountFen: number, extra: Record<string, unknown> = {}) => ({
    type: 'order', id: uid('o'), sessionId: sid, at: iso(), orderId: uid('ord'), quantity: 1, amountFen, ...extra,
  });

  beforeAll(async () => {
    h = await startTestHub(kind);
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    keyTeamA1 = (await createCollectorKey(h.db, { teamId: h.fx.teamA1 })).key;
    province = await h.login(h.fx.users.province);
  });
  afterAll(() => h?.close());

  test('the same batch sent twice is counted once', async () => {
    const sid = h.fx.sessionA2;
    const batch = [order(sid, 2990, { buyerRef: 'b1' }), order(sid, 1000, { buyerRef: 'b2' })];
    const first = await ingest(keyA, batch);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const before = await liveOf(sid);
    const again = await ingest(keyA, batch);
    expect(again.body).toEqual({ accepted: 0, duplicates: 2, rejected: [] });
    const after = await liveOf(sid);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ gmvFen: 3990, orders: 2, buyers: 2 });
  });

  test('cumulative stats become deltas and a platform reset does not go negative', async () => {
    const sid = h.fx.sessionB1;
    const s = (msAgo: number, views: number, likes: number, online: number) => ({
      type: 'stats', id: uid('s'), sessionId: sid, at: iso(msAgo), online, views, likes,
    });
    const r = await ingest(keyB, [s(30_000, 100, 10, 50), s(20_000, 180, 25, 80), s(10_000, 30, 5, 40)]);
    expect(r.body.accepted).toBe(3);
    const n = await liveOf(sid);
    // 180 counted before the reset, then 30 more after it.
    expect(n).toMatchObject({ views: 210, likes: 30, online: 40, peakOnline: 80 });
  });

  test('a refund applies once, only to an order that exists, never beyond its amount', async () => {
    const sid = h.fx.sessionA1;
    const o = order(sid, 5000);
    await ingest(keyA, [o]);
    const refund = { type: 'refund', id: uid('r'), sessionId: sid, at: iso(), orderId: o.orderId, amountFen: 3000 };
    const r1 = await ingest(keyA, [refund, { ...refund, id: uid('r'), orderId: 'no-such-order' }, { ...refund, id: uid('r'), amountFen: 2500 }]);
    expect(r1.body.accepted).toBe(1);
    expect(r1.body.rejected.map((x: { index: number; code: string }) => [x.index, x.code])).toEqual([
      [1, 'UNKNOWN_ORDER'],
      [2, 'REFUND_EXCEEDS_ORDER'],
    ]);
    const r2 = await ingest(keyA, [refund]);
    expect(r2.body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await liveOf(sid)).toMatchObject({ refunds: 1, refundFen: 3000 });
  });

  test('bad events are rejected by index with a reason while the rest are accepted', async () => {
    const sid = h.fx.sessionA1;
    const r = await ingest(keyA, [
      order(sid, 100),
      { ...order(sid, 100), amountFen: -5 },
      order(h.fx.sessionB1, 100),
      order(999_999, 100),
      { ...order(sid, 100), at: new Date(Date.now() + 3_600_000).toISOString() },
      { ...order(sid, 100), amountFen: 12.5 },
      { type: 'mystery', id: 'x', sessionId: sid, at: iso() },
    ]);
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x: { index: number; code: string }) => [x.index, x.code])).toEqual([
      [1, 'VALIDATION_FAILED'],
      [2, 'FORBIDDEN'],
      [3, 'NOT_FOUND'],
      [4, 'VALIDATION_FAILED'],
      [5, 'VALIDATION_FAILED'],
      [6, 'VALIDATION_FAILED'],
    ]);
    expect(r.body.rejected[0].message).toMatch(/amountFen/);
  });

  test('a team key feeds only its own team’s sessions', async () => {
    const r = await ingest(keyTeamA1, [order(h.fx.sessionA1, 100), order(h.fx.sessionA2, 100)]);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([{ index: 1, code: 'FORBIDDEN', message: expect.any(String) }]);
  });

  test('a malformed envelope is 400 and nothing of it is stored', async () => {
    const before = await liveOf(h.fx.sessionA1);
    for (const body of [{ events: [] }, { events: 'x' }, { events: [order(h.fx.sessionA1, 100)], extra: 1 }, { nope: [] }]) {
      const r = await ingest(keyA, body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
    const bare = await h.req('POST', '/api/v1/ingest', { token: keyA, raw: JSON.stringify([order(h.fx.sessionA1, 100)]) });
    expect(bare.status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => order(h.fx.sessionA1, 1));
    expect((await ingest(keyA, tooMany)).status).toBe(400);
    expect(await liveOf(h.fx.sessionA1)).toEqual(before);
  });

  test('ingest without a valid collector key is 401; a user token is not a collector key', async () => {
    expect((await ingest('ck_nope', [order(h.fx.sessionA1, 1)])).status).toBe(401);
    expect((await h.req('POST', '/api/v1/ingest', { body: { events: [order(h.fx.sessionA1, 1)] } })).status).toBe(401);
    expect((await ingest(province, [order(h.fx.sessionA1, 1)])).status).toBe(401);
  });

  test('sessions of suspended or disqualified teams, cancelled sessions and events outside the window are refused', async () => {
    await h.db.prisma.team.update({ where: { id: h.fx.teamA2 }, data: { status: 'suspended' } });
    await h.db.prisma.team.update({ where: { id: h.fx.teamB1 }, data: { status: 'disqualified' } });
    await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA1 }, data: { status: 'cancelled' } });
    await h.hub.live.directory.refresh();
    try {
      const a = await ingest(keyA, [order(h.fx.sessionA2, 1), order(h.fx.sessionA1, 1)]);
      expect(a.body.rejected.map((x: { code: string }) => x.code)).toEqual(['SUSPENDED', 'NOT_LIVE']);
      const b = await ingest(keyB, [order(h.fx.sessionB1, 1)]);
      expect(b.body.rejected[0].code).toBe('DISQUALIFIED');
    } finally {
      await h.db.prisma.team.updateMany({ where: { id: { in: [h.fx.teamA2, h.fx.teamB1] } }, data: { status: 'active' } });
      await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA1 }, data: { status: 'live' } });
      await h.hub.live.directory.refresh();
    }
    const early = await ingest(keyA, [{ ...order(h.fx.sessionA1, 1), at: iso(3 * 3_600_000) }]);
    expect(early.body.rejected[0]).toMatchObject({ code: 'NOT_LIVE' });
  });

  test('the first accepted event marks the session live', async () => {
    const row = await h.db.prisma.liveSession.findUniqueOrThrow({ where: { id: h.fx.sessionA2 } });
    expect(row.status).toBe('live');
    expect(row.actualStart).not.toBeNull();
  });

  test('the persister writes every accepted event to PostgreSQL once, with minute aggregates', async () => {
    const sid = h.fx.sessionA2;
    await ingest(keyA, [order(sid, 700), order(sid, 300)]);
    await h.hub.live.persister!.drain();
    const events = await h.db.prisma.liveEvent.findMany({ where: { sessionId: sid } });
    const live = await liveOf(sid);
    expect(events.filter((e) => e.type === 'order')).toHaveLength(live.orders);
    const agg = await h.db.prisma.minuteAggregate.aggregate({ where: { sessionId: sid }, _sum: { gmvFen: true, orders: true } });
    expect(agg._sum).toEqual({ gmvFen: live.gmvFen, orders: live.orders });
  });

  test('writing the same log entries again changes nothing in PostgreSQL', async () => {
    const sid = h.fx.sessionA2;
    const rows = await h.db.prisma.liveEvent.findMany({ where: { sessionId: sid } });
    const entry = logEntry('replay-1', rows.map((r) => ({
        event: r.type === 'order'
          ? { type: 'order' as const, id: r.eventId, sessionId: sid, at: r.at.toISOString(), orderId: r.orderId!, quantity: r.quantity!, amountFen: r.amountFen! }
          : { type: 'stats' as const, id: r.eventId, sessionId: sid, at: r.at.toISOString(), online: r.online ?? 0, views: r.views ?? 0 },
        atMs: r.at.getTime(),
        receivedAt: r.receivedAt.getTime(),
        source: 'collector' as const,
        meta: { sessionId: sid, stageId: h.fx.stageId, teamId: h.fx.teamA2, cityCode: CITY_A, universityId: h.fx.uniA },
      })),
    );
    const before = await h.db.prisma.minuteAggregate.findMany({ where: { sessionId: sid }, orderBy: { minute: 'asc' } });
    await h.hub.live.persister!.write([entry]);
    await h.hub.live.persister!.write([entry]);
    expect(await h.db.prisma.liveEvent.count({ where: { sessionId: sid } })).toBe(rows.length);
    expect(await h.db.prisma.minuteAggregate.findMany({ where: { sessionId: sid }, orderBy: { minute: 'asc' } })).toEqual(before);
  });
});

describe('the pre-live checklist gate on ingest', () => {
  let h: TestHub;
  let key: string;
  beforeAll(async () => {
    h = await startTestHub('pglite');
    key = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
  });
  afterAll(() => h?.close());

  const send = (sid: number) =>
    h.req('POST', '/api/v1/ingest', {
      token: key,
      body: { events: [{ type: 'order', id: uid('g'), sessionId: sid, at: iso(), orderId: uid('go'), quantity: 1, amountFen: 100 }] },
    });

  test('when the province requires it, a scheduled session without an approved checklist cannot go live', async () => {
    expect((await send(h.fx.sessionA1)).body.accepted).toBe(1); // gate off: goes live
    await h.db.prisma.setting.create({ data: { key: 'checklist.blocksLive', value: true } });
    await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA2 }, data: { checklist: 'submitted' } });
    await h.hub.live.directory.refresh();
    const refused = await send(h.fx.sessionA2);
    expect(refused.body.rejected[0]).toMatchObject({ code: 'NOT_LIVE', message: expect.stringMatching(/checklist/) });
    // A session already live is never cut off mid-stream.
    expect((await send(h.fx.sessionA1)).body.accepted).toBe(1);
    await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA2 }, data: { checklist: 'approved' } });
    await h.hub.live.directory.refresh();
    expect((await send(h.fx.sessionA2)).body.accepted).toBe(1);
  });
});
