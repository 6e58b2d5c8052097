// Alerts over sockets with a real hub, the in-process store and a hand-moved clock: who receives what.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { ack, connect, recordAlerts, waitFor, waitForAlert, type Client } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { manualClock } from '../../server/clock.ts';
import { MINUTE } from '../../server/domain/time.ts';
import { phoneBuyerRef } from '../../server/domain/alerts.ts';
import type { AlertDto } from '../../contracts/response.ts';
import type { AlertChanges } from '../../contracts/live.ts';

let n = 0;
describe('alerts reach the province, the team’s city and the team only', () => {
  // The fixture's sessions start 10 minutes before the real now: start the hub's clock there, so none is late yet.
  const clock = manualClock(Date.now() - 10 * MINUTE);
  let h: TestHub;
  let keyA: string;
  let keyB: string;
  const c: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', Client> = {} as never;
  const got: Record<string, { raised: AlertDto[]; cleared: AlertDto[] }> = {};
  const stats = (sessionId: number, online = 100) => ({
    type: 'stats', id: `al-${++n}`, sessionId, at: new Date(clock.now()).toISOString(), online, views: 1000 + n,
  });
  const ingest = async (key: string, events: unknown[]) => {
    const r = await h.req('POST', '/api/v1/ingest', { token: key, body: { events } });
    expect(r.body.accepted).toBe(events.length);
  };
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    h = await startTestHub('pglite', { clock });
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    for (const who of ['province', 'cityA', 'cityB', 'teamA1', 'teamB1'] as const) {
      tokens[who] = await h.login(h.fx.users[who]);
      c[who] = await connect(h.url, tokens[who]!);
      got[who] = { raised: recordAlerts(c[who], 'raised'), cleared: recordAlerts(c[who], 'cleared') };
    }
  });
  afterAll(async () => {
    for (const s of Object.values(c)) s.close();
    await h?.close();
  });

  const late = (sid: number) => (a: AlertDto) => a.rule === 'late_start' && a.sessionId === sid;

  test('a session not live 5 minutes after its start raises late_start within a second or two, routed by scope', async () => {
    const { sessionA1, sessionA2, sessionB1 } = h.fx;
    // All three are late from the same moment: one round raises them, and each room hears of its own in one message.
    const rounds = {
      province: waitFor(c.province, 'alert:changes', (x) => x.raised.some(late(sessionB1)), 3000),
      cityA: waitFor(c.cityA, 'alert:changes', (x) => x.raised.some(late(sessionA1)), 3000),
    };
    const waits = [
      waitForAlert(c.province, 'raised', late(sessionB1), 3000),
      waitForAlert(c.cityA, 'raised', late(sessionA2), 3000),
      waitForAlert(c.cityB, 'raised', late(sessionB1), 3000),
      waitForAlert(c.teamA1, 'raised', late(sessionA1), 3000),
      waitForAlert(c.teamB1, 'raised', late(sessionB1), 3000),
    ];
    clock.advance(6 * MINUTE);
    const [, , b] = await Promise.all(waits);
    expect(b).toMatchObject({ rule: 'late_start', severity: 'warning', cityCode: CITY_B, teamId: h.fx.teamB1, clearedAt: null, teamName: '瓷都青年' });
    const lateIn = (x: AlertChanges) => x.raised.filter((r) => r.rule === 'late_start').map((r) => r.sessionId).sort((p, q) => p! - q!);
    expect(lateIn(await rounds.province)).toEqual([sessionA1, sessionA2, sessionB1].sort((p, q) => p - q));
    expect(lateIn(await rounds.cityA)).toEqual([sessionA1, sessionA2].sort((p, q) => p - q));
  });

  test('data arriving clears it; each city and team hears of its own sessions only', async () => {
    const { sessionA1, sessionA2, sessionB1 } = h.fx;
    const clearedA1 = waitForAlert(c.teamA1, 'cleared', late(sessionA1), 3000);
    await ingest(keyA, [stats(sessionA1)]);
    expect((await clearedA1).clearedAt).not.toBeNull();
    // City B's own clearing comes after A1's on every socket, so by then an A1 event sent to city B would have arrived.
    const clearedB1 = Promise.all([c.cityB, c.teamB1].map((s) => waitForAlert(s, 'cleared', late(sessionB1), 3000)));
    await ingest(keyB, [stats(sessionB1)]);
    await clearedB1;
    const sessions = (who: string, k: 'raised' | 'cleared') => new Set(got[who]![k].map((a) => a.sessionId));
    expect(sessions('cityB', 'raised')).toEqual(new Set([sessionB1]));
    expect(sessions('cityB', 'cleared')).toEqual(new Set([sessionB1]));
    expect(got.teamB1!.raised.every((a) => a.teamId === h.fx.teamB1)).toBe(true);
    expect(got.teamB1!.cleared.every((a) => a.teamId === h.fx.teamB1)).toBe(true);
    expect(sessions('cityA', 'raised')).toEqual(new Set([sessionA1, sessionA2]));
    expect(got.cityA!.raised.every((a) => a.cityCode === CITY_A)).toBe(true);
    expect(sessions('teamA1', 'raised')).toEqual(new Set([sessionA1]));
    expect(sessions('province', 'raised')).toEqual(new Set([sessionA1, sessionA2, sessionB1]));
    // Opened once: one row per key, however many ticks saw it.
    expect(await h.db.prisma.alert.count({ where: { key: `late_start:${sessionA1}` } })).toBe(1);
  });

  test('the REST list and the socket sync are scoped the same way', async () => {
    const prov = await h.req('GET', '/api/v1/alerts', { token: tokens.province });
    expect(prov.body.items.length).toBeGreaterThanOrEqual(3);
    const a = await h.req('GET', '/api/v1/alerts', { token: tokens.cityA });
    expect(a.body.items.every((x: AlertDto) => x.cityCode === CITY_A)).toBe(true);
    expect((await h.req('GET', `/api/v1/alerts?cityCode=${CITY_B}`, { token: tokens.cityA })).status).toBe(403);
    const team = await h.req('GET', '/api/v1/alerts', { token: tokens.teamA1 });
    expect(team.body.items.map((x: AlertDto) => x.teamId)).toEqual(team.body.items.map(() => h.fx.teamA1));
    const b1 = prov.body.items.find((x: AlertDto) => x.sessionId === h.fx.sessionB1);
    expect((await h.req('GET', `/api/v1/alerts/${b1.id}`, { token: tokens.cityA })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/alerts/${b1.id}`, { token: tokens.teamB1 })).body).toMatchObject({ id: b1.id, clearedAt: expect.any(String) });
    const open = await ack<AlertDto[]>(c.cityA, 'alert:sync', {});
    expect(open.ok && open.data.every((x) => x.cityCode === CITY_A && x.clearedAt === null)).toBe(true);
    expect(await ack(c.cityA, 'alert:sync', { cityCode: CITY_B })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  test('thresholds are the province’s: defaults documented, partial values completed, bad ones refused', async () => {
    const g = await h.req('GET', '/api/v1/alerts/thresholds', { token: tokens.province });
    expect(g.body).toMatchObject({ key: 'alerts.thresholds', isDefault: true, value: { lateStartMinutes: 5, silentSeconds: 120 } });
    expect((await h.req('GET', '/api/v1/alerts/thresholds', { token: tokens.cityA })).status).toBe(403);
    expect((await h.req('PUT', '/api/v1/alerts/thresholds', { token: tokens.cityA, body: {} })).status).toBe(403);
    const bad = await h.req('PUT', '/api/v1/alerts/thresholds', { token: tokens.province, body: { silentSeconds: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('silentSeconds');
    const put = await h.req('PUT', '/api/v1/alerts/thresholds', { token: tokens.province, body: { repeatBuyerOrders: 3 } });
    expect(put.body).toMatchObject({ isDefault: false, value: { repeatBuyerOrders: 3, lateStartMinutes: 5 } });
  });

  test('an order from a team member’s phone raises member_buyer from the durable log within the fraud tick', async () => {
    const raised = waitForAlert(c.cityA, 'raised', (a) => a.rule === 'member_buyer' && a.sessionId === h.fx.sessionA1, 15_000);
    const leak = recordAlerts(c.cityB, 'raised');
    await ingest(keyA, [
      stats(h.fx.sessionA1),
      { type: 'order', id: `al-${++n}`, sessionId: h.fx.sessionA1, at: new Date(clock.now()).toISOString(), orderId: `al-o-${n}`, quantity: 1, amountFen: 990, buyerRef: phoneBuyerRef('18800001234') },
    ]);
    expect(await raised).toMatchObject({ severity: 'critical', details: { orders: 1, buyers: 1 } });
    expect(leak.filter((a) => a.cityCode !== CITY_B)).toEqual([]);
  });

  test('a suspended team’s live session raises suspended_live', async () => {
    const raised = waitForAlert(c.teamA1, 'raised', (a) => a.rule === 'suspended_live' && a.sessionId === h.fx.sessionA1, 10_000);
    const v = await h.req('POST', '/api/v1/violations', {
      token: tokens.cityA,
      body: { teamId: h.fx.teamA1, sessionId: h.fx.sessionA1, kind: 'product', evidence: '销售未备案商品', decision: 'suspension', reason: '停播整改' },
    });
    expect(v.status).toBe(201);
    expect(await raised).toMatchObject({ severity: 'critical', cityCode: CITY_A });
  });
});
