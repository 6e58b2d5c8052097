import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { startAnalysisJob } from '../../server/analysis/job.ts';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/logger.ts';

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();
let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;

describe.each(dbKinds)('post-session analysis over HTTP (%s)', (kind) => {
  let h: TestHub;
  let keyA: string;
  let keyB: string;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;

  const ingest = (key: string, events: unknown[]) => h.req('POST', '/api/v1/ingest', { token: key, body: { events } });
  const analysis = (sid: number, token: string) => h.req('GET', `/api/v1/sessions/${sid}/analysis`, { token });
  const reflection = { wentWell: '开场福利留住了人', wentWrong: '中段冷场', toChange: '每十分钟一次互动', keepProducts: '南丰蜜桔', dropProducts: '无' };

  beforeAll(async () => {
    h = await startTestHub(kind);
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    const u = h.fx.users;
    tok = {
      province: await h.login(u.province), cityA: await h.login(u.cityA), cityB: await h.login(u.cityB),
      teamA1: await h.login(u.teamA1), teamB1: await h.login(u.teamB1),
    };
  });
  afterAll(() => h?.close());

  test('a session without events that has not ended has no analysis yet', async () => {
    const r = await analysis(h.fx.sessionA2, tok.province);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  test('a live session’s analysis is computed on demand and marked provisional', async () => {
    const sid = h.fx.sessionB1;
    const r1 = await ingest(keyB, [
      { type: 'stats', id: uid('s'), sessionId: sid, at: iso(60_000), online: 40, views: 100 },
      { type: 'order', id: uid('o'), sessionId: sid, at: iso(30_000), orderId: uid('B'), quantity: 1, amountFen: 1200 },
    ]);
    expect(r1.body.accepted).toBe(2);
    await h.hub.live.persister!.drain();
    const r = await analysis(sid, tok.teamB1);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ provisional: true, status: 'live', metrics: { gmvFen: 1200, orders: 1, views: 100 } });
    expect(await h.db.prisma.analysisRecord.count({ where: { sessionId: sid } })).toBe(0);
  });

  test('at session end the record comes from the stored events and matches the live numbers', async () => {
    const sid = h.fx.sessionA1;
    const o1 = uid('A');
    const r1 = await ingest(keyA, [
      { type: 'stats', id: uid('s'), sessionId: sid, at: iso(240_000), online: 50, views: 100, viewers: 60, likes: 10 },
      { type: 'stats', id: uid('s'), sessionId: sid, at: iso(180_000), online: 120, views: 300, viewers: 200, likes: 40 },
      { type: 'stats', id: uid('s'), sessionId: sid, at: iso(120_000), online: 90, views: 20, viewers: 10, likes: 5 }, // a platform reset
      { type: 'order', id: uid('o'), sessionId: sid, at: iso(200_000), orderId: o1, quantity: 2, amountFen: 5000, productId: 'p1', productName: '南丰蜜桔', buyerRef: 'b1' },
      { type: 'order', id: uid('o'), sessionId: sid, at: iso(150_000), orderId: uid('A'), quantity: 1, amountFen: 3000, productId: 'p2', productName: '赣南脐橙', buyerRef: 'b2' },
      { type: 'refund', id: uid('r'), sessionId: sid, at: iso(100_000), orderId: o1, amountFen: 1000 },
    ]);
    expect(r1.body.accepted).toBe(6);
    await h.hub.live.persister!.drain();
    const live = (await h.req('GET', `/api/v1/sessions/${sid}/live`, { token: tok.province })).body.session;
    expect((await h.req('POST', `/api/v1/sessions/${sid}/end`, { token: tok.cityA, body: {} })).status).toBe(200);

    const r = await analysis(sid, tok.teamA1);
    expect(r.status).toBe(200);
    expect(r.body.provisional).toBe(false);
    const m = r.body.metrics;
    expect(m).toMatchObject({ views: live.views, viewers: live.viewers, likes: live.likes, peakOnline: live.peakOnline, gmvFen: live.gmvFen, orders: live.orders, buyers: live.buyers, refundFen: live.refundFen });
    expect(m).toMatchObject({ views: 320, viewers: 210, gmvFen: 8000, netGmvFen: 7000, units: 3, aovFen: 4000, conversionBasis: 'buyers/viewers', eventCount: 6 });
    expect(r.body.products.map((p: { productId: string }) => p.productId)).toEqual(['p1', 'p2']);
    expect(r.body.definitions.gpmFen.zh.label).toContain('GPM');
    expect(r.body.completeness).toEqual({ computed: true, reflected: false, commented: false, complete: false });
    expect(await h.db.prisma.analysisRecord.count({ where: { sessionId: sid } })).toBe(1);
  });

  test('a team sees only its own records, a city only its teams’, the province all', async () => {
    const a1 = h.fx.sessionA1;
    expect((await analysis(a1, tok.teamA1)).status).toBe(200);
    expect((await analysis(a1, tok.cityA)).status).toBe(200);
    expect((await analysis(a1, tok.province)).status).toBe(200);
    expect((await analysis(a1, tok.teamB1)).status).toBe(403);
    expect((await analysis(a1, tok.cityB)).status).toBe(403);
    expect((await analysis(h.fx.sessionB1, tok.teamA1)).status).toBe(403);
    expect((await analysis(h.fx.sessionB1, tok.cityA)).status).toBe(403);
    expect((await h.req('GET', `/api/v1/sessions/${a1}/analysis.xlsx`, { token: tok.cityB })).status).toBe(403);
    expect((await analysis(999_999, tok.province)).status).toBe(404);
  });

  test('the curves carry the session’s alerts, tickets with their steps, and violations as marks', async () => {
    const sid = h.fx.sessionA1;
    const { prisma } = h.db;
    const user = await prisma.user.findUniqueOrThrow({ where: { username: h.fx.users.teamA1 } });
    const t = await prisma.ticket.create({ data: { teamId: h.fx.teamA1, cityCode: CITY_A, sessionId: sid, kind: 'network', text: '直播卡顿', openedBy: user.id, openedAt: new Date(Date.now() - 170_000) } });
    await prisma.ticketStep.create({ data: { ticketId: t.id, kind: 'resolved', text: '已换网络', by: user.id, at: new Date(Date.now() - 160_000) } });
    const al = await prisma.alert.create({ data: { key: `viewer_drop:${sid}`, rule: 'viewer_drop', severity: 'warning', sessionId: sid, teamId: h.fx.teamA1, cityCode: CITY_A, message: '在线骤降', openedAt: new Date(Date.now() - 150_000), clearedAt: new Date(Date.now() - 140_000) } });
    const v = await prisma.violation.create({ data: { teamId: h.fx.teamA1, cityCode: CITY_A, sessionId: sid, kind: 'script', evidence: '截图', decision: 'warning', reason: '夸大宣传', decidedBy: user.id, atInSession: new Date(Date.now() - 130_000) } });
    const r = await analysis(sid, tok.cityA);
    // The hub's own alert rules may have raised others meanwhile; these are ours, in time order.
    const ours = (m: { kind: string; refId: number }) => (m.kind.startsWith('ticket') ? m.refId === t.id : m.kind.startsWith('alert') ? m.refId === al.id : m.refId === v.id);
    expect(r.body.curves.marks.filter(ours).map((m: { kind: string }) => m.kind)).toEqual(['ticket', 'ticket_step', 'alert', 'alert_cleared', 'violation']);
    expect(r.body.curves.points.length).toBeGreaterThan(0);
  });

  test('the team writes its reflection; others may not; every field is required; a live session waits', async () => {
    const url = `/api/v1/sessions/${h.fx.sessionA1}/analysis/reflection`;
    expect((await h.req('PUT', url, { token: tok.cityA, body: reflection })).status).toBe(403);
    expect((await h.req('PUT', url, { token: tok.teamB1, body: reflection })).status).toBe(403);
    const bad = await h.req('PUT', url, { token: tok.teamA1, body: { ...reflection, toChange: ' ' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('toChange');
    const live = await h.req('PUT', `/api/v1/sessions/${h.fx.sessionB1}/analysis/reflection`, { token: tok.teamB1, body: reflection });
    expect(live.status).toBe(409);
    const ok = await h.req('PUT', url, { token: tok.teamA1, body: reflection });
    expect(ok.status).toBe(200);
    expect(ok.body.reflection).toMatchObject(reflection);
    expect(ok.body.completeness).toMatchObject({ reflected: true, complete: false });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'analysis.reflection', entityId: String(h.fx.sessionA1) } })).toBe(1);
  });

  test('completeness: the city sees its sessions lacking a complete record; the province sees each city', async () => {
    const city = await h.req('GET', '/api/v1/analysis/completeness', { token: tok.cityA });
    expect(city.status).toBe(200);
    expect(city.body.cities).toEqual([{ cityCode: CITY_A, cityName: '南昌市', ended: 1, computed: 1, reflected: 1, commented: 0, complete: 0 }]);
    expect(city.body.items.map((i: { sessionId: number }) => i.sessionId)).toEqual([h.fx.sessionA1]);
    expect((await h.req('GET', `/api/v1/analysis/completeness?cityCode=${CITY_A}`, { token: tok.cityB })).status).toBe(403);
    const prov = await h.req('GET', '/api/v1/analysis/completeness', { token: tok.province });
    expect(prov.body.cities).toHaveLength(11);
    expect(prov.body.cities.find((c: { cityCode: string }) => c.cityCode === CITY_A)).toMatchObject({ ended: 1, complete: 0 });
    expect(prov.body.items).toEqual([]);
  });

  test('city staff of that city (or the province) comment, which completes the record', async () => {
    const url = `/api/v1/sessions/${h.fx.sessionA1}/analysis/comment`;
    expect((await h.req('PUT', url, { token: tok.teamA1, body: { text: '好' } })).status).toBe(403);
    expect((await h.req('PUT', url, { token: tok.cityB, body: { text: '好' } })).status).toBe(403);
    const ok = await h.req('PUT', url, { token: tok.cityA, body: { text: '复盘到位，注意开场节奏' } });
    expect(ok.status).toBe(200);
    expect(ok.body.comment.text).toBe('复盘到位，注意开场节奏');
    expect(ok.body.completeness.complete).toBe(true);
    const city = await h.req('GET', '/api/v1/analysis/completeness', { token: tok.cityA });
    expect(city.body.items).toEqual([]);
    expect(city.body.cities[0].complete).toBe(1);
  });

  test('late events for an ended session are picked up by the job, keeping the reflection', async () => {
    const sid = h.fx.sessionA1;
    // As the persister would write an event that arrived in the overrun tolerance after the end.
    await h.db.prisma.liveEvent.create({ data: { sessionId: sid, eventId: uid('late'), type: 'order', at: new Date(Date.now() - 90_000), receivedAt: new Date(), orderId: uid('A'), quantity: 1, amountFen: 700 } });
    const job = startAnalysisJob({ db: h.db, clock: systemClock, log: createLogger({ LOG_LEVEL: 'silent', HUB_ID: 'test' }), intervalMs: 3_600_000 });
    try {
      expect(await job.runOnce()).toEqual([sid]);
      expect(await job.runOnce()).toEqual([]);
    } finally {
      job.stop();
    }
    const r = await analysis(sid, tok.teamA1);
    expect(r.body.metrics).toMatchObject({ gmvFen: 8700, orders: 3, eventCount: 7 });
    expect(r.body.completeness.complete).toBe(true);
  });

  test('the record as xlsx', async () => {
    const res = await fetch(`${h.url}/api/v1/sessions/${h.fx.sessionA1}/analysis.xlsx`, { headers: { authorization: `Bearer ${tok.teamA1}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual(['概览', '分钟曲线', '商品排行', '高光时刻', '时间线', '复盘']);
    expect(wb.getWorksheet('复盘')!.getRow(2).getCell(2).value).toBe(reflection.wentWell);
  });

  test('city and province reports: JSON and xlsx, each to those allowed', async () => {
    const city = await h.req('GET', `/api/v1/reports/city/${CITY_A}`, { token: tok.cityA });
    expect(city.status).toBe(200);
    expect(city.body).toMatchObject({ city: { code: CITY_A }, totals: { teams: 2, sessions: 1, gmvFen: 8700, refundFen: 1000, netGmvFen: 7700 }, completeness: { ended: 1, complete: 1 } });
    expect(city.body.tickets).toMatchObject({ total: 1, byKind: { network: 1 } });
    expect(city.body.violations).toHaveLength(1);
    expect(city.body.bestSessions[0]).toMatchObject({ sessionId: h.fx.sessionA1, netGmvFen: 7700 });
    expect((await h.req('GET', `/api/v1/reports/city/${CITY_A}`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/reports/city/${CITY_A}`, { token: tok.teamA1 })).status).toBe(403);
    const xlsx = await fetch(`${h.url}/api/v1/reports/city/${CITY_A}.xlsx`, { headers: { authorization: `Bearer ${tok.cityA}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect((await h.req('GET', '/api/v1/reports/province', { token: tok.cityA })).status).toBe(403);
    const prov = await h.req('GET', `/api/v1/reports/province?stageId=${h.fx.stageId}`, { token: tok.province });
    expect(prov.status).toBe(200);
    expect(prov.body.cities).toHaveLength(11);
    expect(prov.body.cities.find((c: { cityCode: string }) => c.cityCode === CITY_A)).toMatchObject({ sessions: 1, netGmvFen: 7700, tickets: { total: 1 }, violations: { total: 1 } });
    expect((await fetch(`${h.url}/api/v1/reports/province.xlsx`, { headers: { authorization: `Bearer ${tok.province}` } })).status).toBe(200);
  });

  test('provisional rankings come from the event log net of refunds; disqualified teams are out and listed', async () => {
    const url = `/api/v1/rankings?stageId=${h.fx.stageId}&basis=provisional&dim=team`;
    const r = await h.req('GET', url, { token: tok.teamA1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ basis: 'provisional', dim: 'team' });
    expect(r.body.items.map((i: { id: string; gmvFen: number; rank: number }) => [i.id, i.gmvFen, i.rank])).toEqual([
      [String(h.fx.teamA1), 7700, 1],
      [String(h.fx.teamB1), 1200, 2],
    ]);
    await h.db.prisma.team.update({ where: { id: h.fx.teamB1 }, data: { status: 'disqualified' } });
    const after = await h.req('GET', `/api/v1/rankings?stageId=${h.fx.stageId}&dim=city`, { token: tok.province });
    expect(after.body.items).toEqual([{ rank: 1, id: CITY_A, name: '南昌市', gmvFen: 7700, sessions: 1 }]);
    expect(after.body.excluded).toEqual([{ teamId: h.fx.teamB1, name: '瓷都青年', cityCode: CITY_B, gmvFen: 1200 }]);
  });
});
