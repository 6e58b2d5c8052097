import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { shanghaiDate } from '../../server/domain/time.ts';

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();
let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const mapping = { orderId: '订单编号', amount: '实付金额', status: '订单状态', paidAt: '支付时间', refundAmount: '退款金额' };

describe.each(dbKinds)('order-export reconciliation over HTTP (%s)', (kind) => {
  let h: TestHub;
  let keyA: string;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1', string>;

  const upload = (query: string, token: string, body: string | Buffer, type = CSV) =>
    fetch(`${h.url}/api/v1/reconciliation?${query}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });

  beforeAll(async () => {
    h = await startTestHub(kind);
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    const u = h.fx.users;
    tok = { province: await h.login(u.province), cityA: await h.login(u.cityA), cityB: await h.login(u.cityB), teamA1: await h.login(u.teamA1) };
    const sid = h.fx.sessionA1;
    const order = (orderId: string, amountFen: number) => ({ type: 'order', id: uid('o'), sessionId: sid, at: iso(60_000), orderId, quantity: 1, amountFen });
    const r = await h.req('POST', '/api/v1/ingest', {
      token: keyA,
      body: { events: [order('YL-1', 10000), order('YL-2', 5000), order('YL-3', 8000), order('YL-4', 6000), order('YL-7', 7000), { type: 'refund', id: uid('r'), sessionId: sid, at: iso(30_000), orderId: 'YL-2', amountFen: 5000 }] },
    });
    expect(r.body.accepted).toBe(6);
    await h.hub.live.persister!.drain();
    expect((await h.req('POST', `/api/v1/sessions/${sid}/end`, { token: tok.cityA, body: {} })).status).toBe(200);
  });
  afterAll(() => h?.close());

  test('a column mapping is given once per format by staff of the city, and remembered', async () => {
    expect((await h.req('PUT', '/api/v1/reconciliation/formats/youle', { token: tok.teamA1, body: { mapping } })).status).toBe(403);
    expect((await h.req('PUT', '/api/v1/reconciliation/formats/youle', { token: tok.province, body: { mapping } })).status).toBe(400);
    expect((await h.req('PUT', '/api/v1/reconciliation/formats/youle', { token: tok.cityA, body: { cityCode: CITY_B, mapping } })).status).toBe(403);
    const ok = await h.req('PUT', '/api/v1/reconciliation/formats/youle', { token: tok.cityA, body: { mapping } });
    expect(ok.status).toBe(200);
    const list = await h.req('GET', '/api/v1/reconciliation/formats', { token: tok.cityA });
    expect(list.body.items).toEqual([expect.objectContaining({ cityCode: CITY_A, name: 'youle', mapping })]);
    expect((await h.req('GET', '/api/v1/reconciliation/formats', { token: tok.cityB })).body.items).toEqual([]);
  });

  test('only staff of the session’s city upload; an unknown format or a file missing a column is refused', async () => {
    const csv = '订单编号,实付金额\nYL-1,100\n';
    expect((await upload(`format=youle&sessionId=${h.fx.sessionA1}`, tok.cityB, csv)).status).toBe(403);
    expect((await upload(`format=youle&sessionId=${h.fx.sessionA1}`, tok.teamA1, csv)).status).toBe(403);
    expect((await upload(`format=other&sessionId=${h.fx.sessionA1}`, tok.cityA, csv)).status).toBe(404);
    const missing = await upload(`format=youle&sessionId=${h.fx.sessionA1}`, tok.cityA, csv);
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('订单状态');
    expect((await upload('format=youle', tok.cityA, csv)).status).toBe(400);
  });

  test('a session’s export: matched, missing and extra orders, refunds and cancellations; the session gets verifiedGmvFen', async () => {
    const csv = [
      '订单编号,实付金额,订单状态,支付时间,退款金额',
      'YL-1,100.00,已完成,2024-10-21 20:01:02,', // matched
      'YL-2,50.00,已退款,2024-10-21 20:02:00,', // matched, refunded
      'YL-3,80.00,已取消,2024-10-21 20:03:00,', // matched, cancelled
      'YL-4,60.00,已完成,2024-10-21 20:04:00,20.00', // matched, partly refunded
      'YL-9,"1,030.50",已完成,2024-10-21 20:05:00,', // not in the live log
    ].join('\n');
    const res = await upload(`format=youle&sessionId=${h.fx.sessionA1}`, tok.cityA, csv);
    expect(res.status).toBe(201);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      rows: 5,
      sessions: [{ sessionId: h.fx.sessionA1, provisionalNetFen: 31000, verifiedGmvFen: 10000 + 4000 + 103050, matched: 4, exportOnly: 1, liveOnly: 1, cancelled: 1, refunded: 1 }],
      exportOnly: [{ orderId: 'YL-9', amountFen: 103050, reason: 'not_in_live_log', sessionId: h.fx.sessionA1 }],
      liveOnly: [{ orderId: 'YL-7', amountFen: 7000, sessionId: h.fx.sessionA1 }],
      mismatches: [],
      errors: [],
    });
    const s = await h.req('GET', `/api/v1/sessions/${h.fx.sessionA1}`, { token: tok.cityA });
    expect(s.body.verifiedGmvFen).toBe(117050);
    const rec = await h.req('GET', `/api/v1/reconciliation/${body['id']}`, { token: tok.cityA });
    expect(rec.status).toBe(200);
    expect((await h.req('GET', `/api/v1/reconciliation/${body['id']}`, { token: tok.cityB })).status).toBe(403);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'reconciliation.upload' } })).toBe(1);
  });

  test('rankings say their basis: verified from verifiedGmvFen, provisional from the log net of refunds', async () => {
    const v = await h.req('GET', `/api/v1/rankings?stageId=${h.fx.stageId}&basis=verified`, { token: tok.cityA });
    expect(v.body).toMatchObject({ basis: 'verified', items: [{ id: String(h.fx.teamA1), gmvFen: 117050, sessions: 1, verifiedSessions: 1 }] });
    expect(v.body.note).toContain('Verified');
    const p = await h.req('GET', `/api/v1/rankings?stageId=${h.fx.stageId}&basis=provisional`, { token: tok.cityA });
    expect(p.body.items[0]).toMatchObject({ id: String(h.fx.teamA1), gmvFen: 31000 });
  });

  test('a day’s xlsx export covers the city’s sessions of that day and lists orders it cannot place', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('订单');
    ws.addRow(['订单编号', '实付金额', '订单状态', '支付时间', '退款金额']);
    ws.addRow(['YL-1', 100, '已完成', '2024-10-21 20:01:02', null]);
    ws.addRow(['ZZ-1', 12.5, '已完成', '2024-10-21 21:00:00', null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const day = shanghaiDate(Date.now() - 10 * 60_000);
    expect((await upload(`format=youle&day=${day}`, tok.province, buf, XLSX)).status).toBe(400); // the province names the city
    const res = await upload(`format=youle&day=${day}&cityCode=${CITY_A}`, tok.province, buf, XLSX);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { sessions: Array<{ sessionId: number; verifiedGmvFen: number }>; exportOnly: Array<{ orderId: string; reason: string }>; liveOnly: unknown[] };
    // Only the session that went live that day; the never-started one is not covered.
    expect(body.sessions).toEqual([expect.objectContaining({ sessionId: h.fx.sessionA1, verifiedGmvFen: 10000, matched: 1 })]);
    expect(body.exportOnly).toEqual([expect.objectContaining({ orderId: 'ZZ-1', reason: 'no_session' })]);
    expect(body.liveOnly).toHaveLength(4);
    const list = await h.req('GET', `/api/v1/reconciliation?sessionId=${h.fx.sessionA1}`, { token: tok.cityA });
    expect(list.body.items).toHaveLength(1);
    expect((await h.req('GET', '/api/v1/reconciliation', { token: tok.cityA })).body.items).toHaveLength(2);
    expect((await h.req('GET', '/api/v1/reconciliation', { token: tok.teamA1 })).status).toBe(403);
  });
});
