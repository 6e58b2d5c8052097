// The ticket life cycle over HTTP, with every step pushed to the right sockets, on both databases.
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { dbKinds } from '../helpers/db.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { ack, connect, record, waitFor, type Client } from '../helpers/socket.ts';
import { manualClock } from '../../server/clock.ts';
import { MINUTE } from '../../server/domain/time.ts';

describe.each(dbKinds)('tickets (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;
  const clock = manualClock(Date.now());
  const open: Client[] = [];
  const client = async (token: string) => {
    const c = await connect(h.url, token);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    h = await startTestHub(kind, { clock });
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

  test('a team opens a ticket: 201, and its city, the province and the team see it at once; another city never does', async () => {
    const [cityA, cityB, prov, teamA1, teamB1] = await Promise.all([tok.cityA, tok.cityB, tok.province, tok.teamA1, tok.teamB1].map(client));
    const gotB = record(cityB!, 'ticket:opened');
    const gotTeamB = record(teamB1!, 'ticket:opened');
    const seen = [cityA!, prov!, teamA1!].map((c) => waitFor(c, 'ticket:opened', (t) => t.text === '声卡没有声音'));
    const r = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'equipment', text: '声卡没有声音', sessionId: h.fx.sessionA1 } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ teamId: h.fx.teamA1, cityCode: CITY_A, sessionId: h.fx.sessionA1, status: 'open', late: null });
    const opened = Date.parse(r.body.openedAt);
    expect(Date.parse(r.body.ackDueAt)).toBe(opened + 5 * MINUTE);
    expect(Date.parse(r.body.resolveDueAt)).toBe(opened + 30 * MINUTE);
    for (const p of await Promise.all(seen)) expect(p.id).toBe(r.body.id);
    // A later ticket of city B is the probe that city A's event had time to reach city B, had it been sent.
    const probe = waitFor(cityB!, 'ticket:opened', (t) => t.cityCode === CITY_B);
    expect((await h.req('POST', '/api/v1/tickets', { token: tok.teamB1, body: { kind: 'network', text: '网络卡顿' } })).status).toBe(201);
    await probe;
    expect(gotB.map((t) => t.cityCode)).toEqual([CITY_B]);
    expect(gotTeamB.map((t) => t.cityCode)).toEqual([CITY_B]);
  });

  test('opening is refused with another team’s session, a bad body, or by staff', async () => {
    const other = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'other', text: 'x', sessionId: h.fx.sessionB1 } });
    expect(other.status).toBe(400);
    expect(other.body.error.issues).toEqual([{ path: 'sessionId', message: expect.any(String) }]);
    const bad = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'weather', text: '' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['kind', 'text']);
    expect((await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'other', text: 'x'.repeat(501) } })).status).toBe(400);
    expect((await h.req('POST', '/api/v1/tickets', { token: tok.cityA, body: { kind: 'other', text: 'x' } })).status).toBe(403);
    expect((await h.req('POST', '/api/v1/tickets', { body: { kind: 'other', text: 'x' } })).status).toBe(401);
  });

  test('claim, acknowledge, comment, resolve and reopen: each a step and a ticket:updated to the same rooms', async () => {
    const created = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'account', text: 'OMS 账号登录失败', sessionId: h.fx.sessionA1 } });
    const id: number = created.body.id;
    const [team, cityB] = await Promise.all([client(tok.teamA1), client(tok.cityB)]);
    const leaked = record(cityB, 'ticket:updated');
    const steps = record(team, 'ticket:updated');

    expect((await h.req('POST', `/api/v1/tickets/${id}/claim`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('POST', `/api/v1/tickets/${id}/claim`, { token: tok.teamA1 })).status).toBe(403);
    const claimed = waitFor(team, 'ticket:updated', (u) => u.ticket.id === id && u.step.kind === 'claimed');
    const c = await h.req('POST', `/api/v1/tickets/${id}/claim`, { token: tok.cityA });
    expect(c.body).toMatchObject({ status: 'claimed', claimedBy: expect.any(Number) });
    expect((await claimed).ticket.status).toBe('claimed');
    const again = await h.req('POST', `/api/v1/tickets/${id}/claim`, { token: tok.province });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');

    expect((await h.req('POST', `/api/v1/tickets/${id}/ack`, { token: tok.cityA })).body).toMatchObject({ status: 'acknowledged', acknowledgedAt: expect.any(String) });
    expect((await h.req('POST', `/api/v1/tickets/${id}/comments`, { token: tok.teamA1, body: { text: '已重启，仍然失败' } })).status).toBe(200);
    expect((await h.req('POST', `/api/v1/tickets/${id}/comments`, { token: tok.cityA, body: { text: '' } })).status).toBe(400);
    expect((await h.req('POST', `/api/v1/tickets/${id}/reopen`, { token: tok.teamA1 })).status).toBe(409);
    expect((await h.req('POST', `/api/v1/tickets/${id}/resolve`, { token: tok.teamA1, body: {} })).status).toBe(403);
    expect((await h.req('POST', `/api/v1/tickets/${id}/resolve`, { token: tok.cityA, body: { text: '已重置密码' } })).body).toMatchObject({ status: 'resolved', late: null });
    expect((await h.req('POST', `/api/v1/tickets/${id}/reopen`, { token: tok.cityA })).status).toBe(403);
    const reopened = waitFor(team, 'ticket:updated', (u) => u.ticket.id === id && u.step.kind === 'reopened');
    expect((await h.req('POST', `/api/v1/tickets/${id}/reopen`, { token: tok.teamA1 })).body).toMatchObject({ status: 'open', resolvedAt: null, claimedBy: null });
    await reopened;

    expect(steps.filter((u) => u.ticket.id === id).map((u) => u.step.kind)).toEqual(['claimed', 'acknowledged', 'comment', 'resolved', 'reopened']);
    const one = await h.req('GET', `/api/v1/tickets/${id}`, { token: tok.teamA1 });
    expect(one.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['opened', 'claimed', 'acknowledged', 'comment', 'resolved', 'reopened']);
    expect(one.body.steps[3]).toMatchObject({ kind: 'comment', text: '已重启，仍然失败' });
    // Each step says whose it was, so a comment reads as the team's or the staff's, live and in the history.
    expect(one.body.steps.map((s: { byRole: string }) => s.byRole)).toEqual(['team', 'city', 'city', 'team', 'city', 'team']);
    expect(steps.filter((u) => u.ticket.id === id).map((u) => u.step.byRole)).toEqual(['city', 'city', 'team', 'city', 'team']);
    expect((await h.req('GET', `/api/v1/tickets/${id}`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/tickets/${id}`, { token: tok.teamB1 })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/tickets/999999', { token: tok.province })).status).toBe(404);
    expect(leaked).toEqual([]);
  });

  test('lists are scoped (team own, city its city, province all) and filter by status and city', async () => {
    const all = await h.req('GET', '/api/v1/tickets', { token: tok.province });
    const cities = new Set(all.body.items.map((t: { cityCode: string }) => t.cityCode));
    expect(cities).toEqual(new Set([CITY_A, CITY_B]));
    const a = await h.req('GET', '/api/v1/tickets', { token: tok.cityA });
    expect(a.body.items.length).toBeGreaterThan(0);
    expect(a.body.items.every((t: { cityCode: string }) => t.cityCode === CITY_A)).toBe(true);
    expect((await h.req('GET', `/api/v1/tickets?cityCode=${CITY_B}`, { token: tok.cityA })).status).toBe(403);
    const teamB = await h.req('GET', '/api/v1/tickets', { token: tok.teamB1 });
    expect(teamB.body.items.every((t: { teamId: number }) => t.teamId === h.fx.teamB1)).toBe(true);
    const onlyB = await h.req('GET', `/api/v1/tickets?cityCode=${CITY_B}&status=open`, { token: tok.province });
    expect(onlyB.body.items.length).toBeGreaterThan(0);
    expect(onlyB.body.items.every((t: { cityCode: string; status: string }) => t.cityCode === CITY_B && t.status === 'open')).toBe(true);
  });

  test('SLA: past 5 minutes an unacknowledged ticket is late to acknowledge; stats per city show it with the medians', async () => {
    const r = await h.req('POST', '/api/v1/tickets', { token: tok.teamB1, body: { kind: 'product', text: '样品未到' } });
    const id: number = r.body.id;
    clock.advance(5 * MINUTE + 1000);
    const list = await h.req('GET', `/api/v1/tickets?cityCode=${CITY_B}`, { token: tok.province });
    expect(list.body.items.find((t: { id: number }) => t.id === id)).toMatchObject({ late: 'ack' });
    clock.advance(2 * MINUTE);
    await h.req('POST', `/api/v1/tickets/${id}/ack`, { token: tok.cityB });
    clock.advance(3 * MINUTE);
    await h.req('POST', `/api/v1/tickets/${id}/resolve`, { token: tok.cityB });

    const mine = await h.req('GET', '/api/v1/tickets/stats', { token: tok.cityB });
    expect(mine.body.items).toHaveLength(1);
    expect(mine.body.items[0]).toMatchObject({ cityCode: CITY_B, medianAckMs: expect.any(Number), medianResolveMs: 10 * MINUTE + 1000 });
    expect((await h.req('GET', `/api/v1/tickets/stats?cityCode=${CITY_A}`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/tickets/stats', { token: tok.teamA1 })).status).toBe(403);
    const prov = await h.req('GET', '/api/v1/tickets/stats', { token: tok.province });
    expect(prov.body.items).toHaveLength(11);
    const a = prov.body.items.find((c: { cityCode: string }) => c.cityCode === CITY_A);
    // City A's tickets are all open or reopened and now well past 5 minutes.
    expect(a.open).toBeGreaterThan(0);
    expect(a.late).toBe(a.open);
  });

  test('the SLA is the province’s to change; lists follow it', async () => {
    expect((await h.req('PUT', '/api/v1/tickets/sla', { token: tok.cityA, body: { ackMinutes: 10 } })).status).toBe(403);
    expect((await h.req('PUT', '/api/v1/tickets/sla', { token: tok.province, body: { ackMinutes: 0 } })).status).toBe(400);
    const put = await h.req('PUT', '/api/v1/tickets/sla', { token: tok.province, body: { ackMinutes: 60, resolveMinutes: 600 } });
    expect(put.body).toMatchObject({ key: 'tickets.sla', value: { ackMinutes: 60, resolveMinutes: 600 }, isDefault: false });
    const r = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'other', text: '新的 SLA' } });
    expect(Date.parse(r.body.ackDueAt) - Date.parse(r.body.openedAt)).toBe(60 * MINUTE);
    expect((await h.req('GET', '/api/v1/tickets/sla', { token: tok.teamA1 })).body.value).toEqual({ ackMinutes: 60, resolveMinutes: 600 });
  });

  test('a team may open a ticket over the socket with the same answer', async () => {
    const team = await client(tok.teamA1);
    const city = await client(tok.cityA);
    const seen = waitFor(city, 'ticket:opened', (t) => t.text === '通过 socket');
    const a = await ack<{ id: number }>(team, 'ticket:open', { kind: 'network', text: '通过 socket', sessionId: h.fx.sessionA1 });
    expect(a).toMatchObject({ ok: true, data: { status: 'open', cityCode: CITY_A } });
    expect((await seen).id).toBe(a.ok ? a.data.id : -1);
    expect(await ack(city, 'ticket:open', { kind: 'network', text: 'x' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  test('the session timeline lists the ticket steps and a violation in time order, scoped like the session', async () => {
    const v = await h.req('POST', '/api/v1/violations', {
      token: tok.cityA,
      body: { teamId: h.fx.teamA1, sessionId: h.fx.sessionA1, kind: 'script', evidence: '夸大宣传', links: [], decision: 'warning', reason: '话术违规' },
    });
    expect(v.status).toBe(201);
    const tl = await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/timeline`, { token: tok.teamA1 });
    expect(tl.status).toBe(200);
    const items: Array<{ at: string; kind: string; event: string }> = tl.body.items;
    expect(items.map((i) => i.at)).toEqual([...items.map((i) => i.at)].sort());
    expect(items.filter((i) => i.kind === 'ticket').map((i) => i.event)).toContain('reopened');
    expect(items.find((i) => i.kind === 'violation')).toMatchObject({ event: 'decided', decision: 'warning' });
    expect((await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/timeline`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}/timeline`, { token: tok.teamB1 })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/sessions/999999/timeline', { token: tok.province })).status).toBe(404);
  });
});
