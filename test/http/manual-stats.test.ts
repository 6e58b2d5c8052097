// Quick entry over HTTP on both databases (PGlite with the in-process store, PostgreSQL with Redis): who may enter
// for which session, the same ingest rules as a collector's, retries counted once, lower totals refused, the
// numbers on the wall and in the city room marked manual, the audit row, and `verify` finding no difference.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { dbKinds } from '../helpers/db.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { ack, connect, waitFor, type Client } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { verifyLeaderboards } from '../../server/cli/verify.ts';
import type { ManualStatsInput } from '../../contracts/manual.ts';

describe.each(dbKinds)('quick entry (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;
  const open: Client[] = [];
  let n = 0;
  const entry = (o: Partial<ManualStatsInput> = {}): ManualStatsInput => ({ key: `k${kind}${++n}xxxxxx`, online: 10, views: 100, gmvFen: 0, orders: 0, ...o });
  const enter = (token: string, sessionId: number, body: unknown) => h.req('POST', `/api/v1/sessions/${sessionId}/manual-stats`, { token, body });
  const liveOf = async (sessionId: number) => (await h.hub.live.store.getSessions([sessionId])).get(sessionId);
  const entries = (sessionId: number) =>
    h.db.prisma.auditLog.findMany({ where: { action: 'live.manual_entry', entityId: String(sessionId) }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    h = await startTestHub(kind, kind === 'postgres' ? { redisUrl: await freshRedisUrl() } : {});
    const u = h.fx.users;
    tok = {
      province: await h.login(u.province),
      cityA: await h.login(u.cityA),
      cityB: await h.login(u.cityB),
      teamA1: await h.login(u.teamA1),
      teamB1: await h.login(u.teamB1),
    };
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(() => h?.close());

  test('a team enters its console’s figures: the hub counts exactly them, marked manual, and records who entered them', async () => {
    const body = entry({ key: 'team-a1-first', online: 35, views: 420, gmvFen: 12_345, orders: 3 });
    const r = await enter(tok.teamA1, h.fx.sessionA1, body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      sessionId: h.fx.sessionA1,
      accepted: 4,
      duplicates: 0,
      numbers: { online: 35, views: 420, gmvFen: 12_345, orders: 3, manual: true },
      last: { online: 35, views: 420, gmvFen: 12_345, orders: 3, byRole: 'team' },
    });
    expect(await liveOf(h.fx.sessionA1)).toMatchObject({ online: 35, views: 420, gmvFen: 12_345, orders: 3, units: 3, manual: true });
    const audit = await entries(h.fx.sessionA1);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorRole: 'team', entity: 'LiveSession', cityCode: CITY_A, after: { key: 'team-a1-first', gmvFen: 12_345, orders: 3 } });
    const view = await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/manual-stats`, { token: tok.cityA });
    expect(view.status).toBe(200);
    expect(view.body).toEqual({ sessionId: h.fx.sessionA1, last: r.body.last, numbers: r.body.numbers });
  });

  test('a double tap or a retry of the same submission counts once and is audited once', async () => {
    const body = entry({ key: 'team-a1-second', online: 40, views: 500, gmvFen: 20_000, orders: 5 });
    const [a, b] = await Promise.all([enter(tok.teamA1, h.fx.sessionA1, body), enter(tok.teamA1, h.fx.sessionA1, body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.accepted, b.body.accepted].sort()).toEqual([0, 3]);
    const retry = await enter(tok.teamA1, h.fx.sessionA1, body);
    expect(retry.body).toMatchObject({ accepted: 0, duplicates: 1, numbers: { views: 500, gmvFen: 20_000, orders: 5 } });
    expect(await liveOf(h.fx.sessionA1)).toMatchObject({ views: 500, gmvFen: 20_000, orders: 5 });
    expect(await entries(h.fx.sessionA1)).toHaveLength(2);
  });

  test('totals below the counted ones, or GMV without orders, are refused with the field and a code, and change nothing', async () => {
    const lower = await enter(tok.cityA, h.fx.sessionA1, entry({ views: 499, gmvFen: 19_999, orders: 4 }));
    expect(lower.status).toBe(400);
    expect(lower.body.error.code).toBe('VALIDATION_FAILED');
    expect(lower.body.error.issues.map((i: { path: string; code: string }) => [i.path, i.code])).toEqual([
      ['views', 'views.lower'],
      ['orders', 'orders.lower'],
      ['gmvFen', 'gmv.lower'],
    ]);
    const noOrders = await enter(tok.cityA, h.fx.sessionA1, entry({ views: 500, gmvFen: 20_100, orders: 5 }));
    expect(noOrders.status).toBe(400);
    expect(noOrders.body.error.issues).toEqual([{ path: 'orders', code: 'gmv.withoutOrders', message: expect.any(String) }]);
    const bad = await enter(tok.cityA, h.fx.sessionA1, { ...entry(), gmvFen: 1.5 });
    expect(bad.status).toBe(400);
    expect(await liveOf(h.fx.sessionA1)).toMatchObject({ views: 500, gmvFen: 20_000, orders: 5 });
    expect(await entries(h.fx.sessionA1)).toHaveLength(2);
  });

  test('team B and city B cannot enter for (or read) city A’s session; the city and the province can', async () => {
    for (const token of [tok.teamB1, tok.cityB]) {
      const r = await enter(token, h.fx.sessionA1, entry({ views: 900, gmvFen: 90_000, orders: 9 }));
      expect(r.status).toBe(403);
      expect(r.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
      expect((await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/manual-stats`, { token })).status).toBe(403);
    }
    // Team A1 cannot enter for its city's other team either.
    expect((await enter(tok.teamA1, h.fx.sessionA2, entry())).status).toBe(403);
    expect(await liveOf(h.fx.sessionA1)).toMatchObject({ views: 500, gmvFen: 20_000, orders: 5 });
    expect((await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/manual-stats`, { body: entry() })).status).toBe(401);

    const city = await enter(tok.cityA, h.fx.sessionA1, entry({ online: 50, views: 600, gmvFen: 25_000, orders: 6 }));
    expect(city.status).toBe(200);
    expect(city.body.last).toMatchObject({ byRole: 'city', orders: 6 });
    const prov = await enter(tok.province, h.fx.sessionA2, entry({ online: 5, views: 50, gmvFen: 800, orders: 1 }));
    expect(prov.status).toBe(200);
    expect(prov.body.numbers).toMatchObject({ gmvFen: 800, orders: 1, manual: true });
  });

  test('the wall and the city room show the typed numbers marked manual; typed orders never reach the big-order feed', async () => {
    const wall = await connect(h.url, tok.province);
    const room = await connect(h.url, tok.cityA);
    open.push(wall, room);
    const snap = waitFor(wall, 'wall:snapshot');
    expect(await ack(wall, 'wall:subscribe', {})).toEqual({ ok: true, data: null });
    const citySnap = waitFor(room, 'city:snapshot');
    expect(await ack(room, 'city:subscribe', { cityCode: CITY_A })).toEqual({ ok: true, data: null });
    const s = await snap;
    const row = s.sessions.find((x) => x.sessionId === h.fx.sessionA1);
    expect(row).toMatchObject({ online: 50, views: 600, gmvFen: 25_000, orders: 6, manual: true });
    expect(s.sessions.find((x) => x.sessionId === h.fx.sessionB1)?.manual).toBe(false);
    expect(s.totals).toMatchObject({ gmvFen: 25_800, orders: 7 });
    expect((await citySnap).sessions.find((x) => x.sessionId === h.fx.sessionA1)).toMatchObject({ orders: 6, manual: true });
    // One typed order of ¥500 is above the big-order threshold (¥200), yet it is a share of a typed total, not an order.
    const updated = waitFor(wall, 'wall:updated', (u) => u.sessions.some((x) => x.sessionId === h.fx.sessionA1 && x.orders === 7));
    const big = await enter(tok.teamA1, h.fx.sessionA1, entry({ online: 50, views: 600, gmvFen: 75_000, orders: 7 }));
    expect(big.status).toBe(200);
    const u = await updated;
    expect(u.sessions.find((x) => x.sessionId === h.fx.sessionA1)).toMatchObject({ gmvFen: 75_000, manual: true });
    expect(u.bigOrders ?? []).toEqual([]);
    expect(await h.hub.live.store.bigOrders(h.fx.stageId)).toEqual([]);
  });

  test('the same rules as a collector’s: a suspended team and a session outside its window are refused with the reason', async () => {
    const v = await h.req('POST', '/api/v1/violations', {
      token: tok.cityA,
      body: { teamId: h.fx.teamA2, kind: 'script', evidence: '录屏', decision: 'suspension', reason: '话术违规' },
    });
    expect(v.status).toBe(201);
    await h.hub.live.directory.refresh();
    const suspended = await enter(tok.cityA, h.fx.sessionA2, entry({ views: 60, gmvFen: 900, orders: 2 }));
    expect(suspended.status).toBe(409);
    expect(suspended.body.error).toMatchObject({ code: 'NOT_LIVE', issues: [{ path: '(root)', code: 'SUSPENDED' }] });

    const later = await h.db.prisma.liveSession.create({
      data: { stageId: h.fx.stageId, teamId: h.fx.teamA1, cityCode: CITY_A, plannedStart: new Date(Date.now() + 5 * 3600_000), plannedEnd: new Date(Date.now() + 6 * 3600_000) },
    });
    await h.hub.live.directory.refresh();
    const early = await enter(tok.teamA1, later.id, entry());
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'NOT_LIVE', issues: [{ code: 'NOT_LIVE' }] });
    expect(await liveOf(later.id)).toBeUndefined();
  });

  test('a room a collector is feeding refuses quick entry, so nothing is counted twice', async () => {
    const keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    const sale = { type: 'order', id: 'b1-o1', sessionId: h.fx.sessionB1, at: new Date().toISOString(), orderId: 'b1-o1', quantity: 1, amountFen: 1500 };
    expect((await h.req('POST', '/api/v1/ingest', { token: keyB, body: { events: [sale] } })).body.accepted).toBe(1);
    const r = await enter(tok.cityB, h.fx.sessionB1, entry({ gmvFen: 3000, orders: 2 }));
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'CONFLICT', issues: [{ code: 'collector.active' }] });
    expect(await liveOf(h.fx.sessionB1)).toMatchObject({ gmvFen: 1500, orders: 1, manual: false });
  });

  test('the persister records the entries as manual events, and verify finds no difference in the live store or the aggregates', async () => {
    await h.hub.live.persister!.drain();
    const rows = await h.db.prisma.liveEvent.findMany({ where: { sessionId: h.fx.sessionA1 }, orderBy: { eventId: 'asc' } });
    expect(rows.every((e) => e.source === 'manual')).toBe(true);
    expect(rows.filter((e) => e.type === 'order').map((e) => e.eventId).sort()).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((k) => `manual:${h.fx.sessionA1}:o${k}`).sort(),
    );
    expect(rows.filter((e) => e.type === 'order').reduce((sum, e) => sum + (e.amountFen ?? 0), 0)).toBe(75_000);
    const r = await h.req('GET', '/api/v1/verify', { token: tok.province });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, differences: [], backlog: 0 });
    const stage = r.body.rankings.find((x: { stageId: number }) => x.stageId === h.fx.stageId);
    expect(stage.team.map((e: { id: string; netFen: number }) => [Number(e.id), e.netFen])).toEqual([
      [h.fx.teamA1, 75_000],
      [h.fx.teamB1, 1500],
      [h.fx.teamA2, 800],
    ]);
    const aggregates = await verifyLeaderboards(h.db, { kind: 'minute-aggregates' }, { now: Date.now() });
    expect(aggregates).toMatchObject({ ok: true, differences: [] });
  });
});
