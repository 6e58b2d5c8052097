import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { ack, connect, record, waitFor, type Client } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';

let n = 0;
const order = (sessionId: number, amountFen: number) => ({
  type: 'order', id: `rt-${++n}`, sessionId, at: new Date().toISOString(), orderId: `rt-o-${n}`, quantity: 1, amountFen,
});

describe('live subscriptions over Socket.IO (in-process store)', () => {
  let h: TestHub;
  let tok: Record<string, string>;
  let keyA: string;
  const open: Client[] = [];
  const client = async (token: string) => {
    const c = await connect(h.url, token);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startTestHub('pglite');
    const u = h.fx.users;
    tok = {
      province: await h.login(u.province),
      cityA: await h.login(u.cityA),
      cityB: await h.login(u.cityB),
      teamA1: await h.login(u.teamA1),
    };
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  afterAll(() => h?.close());

  test('a socket without a valid token is refused at the handshake', async () => {
    await expect(connect(h.url, 'gy_not-a-token')).rejects.toMatchObject({ message: expect.stringMatching(/sign in/i) });
  });

  test('the province gets a wall snapshot, then an update carrying an ingested order', async () => {
    const c = await client(tok.province!);
    const snap = waitFor(c, 'wall:snapshot');
    expect(await ack(c, 'wall:subscribe', {})).toEqual({ ok: true, data: null });
    const s = await snap;
    expect(s.stage?.name).toBe('初赛');
    expect(s.sessions.map((r) => r.sessionId).sort()).toEqual([h.fx.sessionA1, h.fx.sessionA2, h.fx.sessionB1].sort());
    const before = s.totals.gmvFen;
    const updated = waitFor(c, 'wall:updated', (u) => u.totals.gmvFen === before + 12_345);
    const r = await h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [order(h.fx.sessionA1, 12_345)] } });
    expect(r.body.accepted).toBe(1);
    const u = await updated;
    expect(u.sessions.find((x) => x.sessionId === h.fx.sessionA1)?.gmvFen).toBeGreaterThanOrEqual(12_345);
    expect(u.leaderboards?.city[0]).toMatchObject({ id: CITY_A });
  });

  test('updates are coalesced: a burst of batches reaches the wall as a few updates, not one per batch', async () => {
    const c = await client(tok.province!);
    await ack(c, 'wall:subscribe', {});
    const got = record(c, 'wall:updated');
    const start = Date.now();
    const sends = Array.from({ length: 30 }, () => h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [order(h.fx.sessionA2, 100)] } }));
    await Promise.all(sends);
    const last = await waitFor(c, 'wall:updated', (u) => u.sessions.some((s) => s.sessionId === h.fx.sessionA2 && s.orders >= 30));
    const elapsed = Date.now() - start;
    // At most LIVE_MAX_HZ (10) a second, plus one for a flush already under way.
    expect(got.length).toBeLessThanOrEqual(Math.ceil((elapsed / 1000) * 10) + 2);
    expect(last.sessions.find((s) => s.sessionId === h.fx.sessionA2)!.orders).toBeGreaterThanOrEqual(30);
  });

  test('city staff may subscribe to their own city and are refused another city with nothing sent', async () => {
    const c = await client(tok.cityA!);
    const snaps = record(c, 'city:snapshot');
    const refused = await ack(c, 'city:subscribe', { cityCode: CITY_B });
    expect(refused).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    const wall = await ack(c, 'wall:subscribe', {});
    expect(wall).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const own = waitFor(c, 'city:snapshot');
    expect(await ack(c, 'city:subscribe', { cityCode: CITY_A })).toEqual({ ok: true, data: null });
    expect((await own).cityCode).toBe(CITY_A);
    expect(snaps.map((s) => s.cityCode)).toEqual([CITY_A]);
    // An order in city B never reaches city A's staff.
    const keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    const updates = record(c, 'city:updated');
    await h.req('POST', '/api/v1/ingest', { token: keyB, body: { events: [order(h.fx.sessionB1, 999)] } });
    await h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [order(h.fx.sessionA1, 1)] } });
    await waitFor(c, 'city:updated', (u) => u.sessions.some((s) => s.sessionId === h.fx.sessionA1));
    expect(updates.every((u) => u.cityCode === CITY_A)).toBe(true);
  });

  test('a team may watch its own session and is refused another team’s', async () => {
    const c = await client(tok.teamA1!);
    expect(await ack(c, 'session:subscribe', { sessionId: h.fx.sessionA2 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const snap = waitFor(c, 'session:snapshot');
    expect(await ack(c, 'session:subscribe', { sessionId: h.fx.sessionA1 })).toEqual({ ok: true, data: null });
    expect((await snap).session.sessionId).toBe(h.fx.sessionA1);
    const upd = waitFor(c, 'session:updated', (u) => u.session.sessionId === h.fx.sessionA1);
    await h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [order(h.fx.sessionA1, 500)] } });
    const u = await upd;
    expect(u.series.length).toBeGreaterThan(0);
    expect(u.rankInCity).toBe(1);
  });

  test('a malformed subscription is a VALIDATION_FAILED ack', async () => {
    const c = await client(tok.province!);
    expect(await ack(c, 'session:subscribe', { sessionId: 'x' })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ack(c, 'session:subscribe', { sessionId: 987654 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  test('collectors may ingest over the socket with the same answer as HTTP', async () => {
    const c = await client(keyA);
    const a = await ack(c, 'ingest:batch', { events: [order(h.fx.sessionA1, 10), order(h.fx.sessionB1, 10)] });
    expect(a).toEqual({ ok: true, data: { accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'FORBIDDEN', message: expect.any(String) }] } });
    expect(await ack(c, 'ingest:batch', { events: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await ack(c, 'wall:subscribe', {})).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });
});
