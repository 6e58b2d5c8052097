// The city and province summary reports on crafted data: three ended sessions with known sales, viewers and
// conversion; tickets that were resolved in time, late, reopened, still open past or within the SLA; violations
// of each decision. Checked as JSON and in the xlsx sheets, and only for those allowed.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { startAnalysisJob } from '../../server/analysis/job.ts';
import { systemClock } from '../../server/clock.ts';
import { createLogger } from '../../server/logger.ts';

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms);
let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;
type Cell = ExcelJS.CellValue;

/** The sheet's rows as arrays of cell values (column 1 first). */
function rowsOf(wb: ExcelJS.Workbook, name: string): Cell[][] {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}; sheets: ${wb.worksheets.map((w) => w.name).join(', ')}`);
  const out: Cell[][] = [];
  ws.eachRow((row) => out.push((row.values as Cell[]).slice(1)));
  return out;
}
const valueOf = (rows: Cell[][], label: string) => rows.find((r) => r[0] === label)?.[1];

describe.each(dbKinds)('summary reports (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1', string>;

  const xlsx = async (path: string, token: string) => {
    const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    return wb;
  };

  beforeAll(async () => {
    h = await startTestHub(kind);
    const u = h.fx.users;
    tok = { province: await h.login(u.province), cityA: await h.login(u.cityA), cityB: await h.login(u.cityB), teamA1: await h.login(u.teamA1) };
    const keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    const keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
    const at = (ms: number) => ago(ms).toISOString();
    const stats = (sessionId: number, online: number, views: number, viewers?: number) => ({ type: 'stats', id: uid('s'), sessionId, at: at(3 * MIN), online, views, ...(viewers !== undefined ? { viewers } : {}) });
    const order = (sessionId: number, orderId: string, amountFen: number) => ({ type: 'order', id: uid('o'), sessionId, at: at(2 * MIN), orderId, quantity: 1, amountFen });
    const { sessionA1: a1, sessionA2: a2, sessionB1: b1 } = h.fx;
    // A1: 80.00 from 2 orders, 80 viewers → conversion 0.025. A2: 10.00, 1 order, 10 viewers → 0.1.
    // B1: 200.00 − 50.00 refunded, 1 order, 50 views and no viewer count → 0.02.
    const a = await h.req('POST', '/api/v1/ingest', {
      token: keyA,
      body: { events: [stats(a1, 30, 100, 80), order(a1, 'A1-1', 5000), order(a1, 'A1-2', 3000), stats(a2, 5, 10, 10), order(a2, 'A2-1', 1000)] },
    });
    expect(a.body.accepted).toBe(5);
    const b = await h.req('POST', '/api/v1/ingest', {
      token: keyB,
      body: { events: [stats(b1, 12, 50), order(b1, 'B1-1', 20000), { type: 'refund', id: uid('r'), sessionId: b1, at: at(MIN), orderId: 'B1-1', amountFen: 5000 }] },
    });
    expect(b.body.accepted).toBe(3);
    await h.hub.live.persister!.drain();
    for (const [sid, token] of [[a1, tok.cityA], [a2, tok.cityA], [b1, tok.cityB]] as const) {
      expect((await h.req('POST', `/api/v1/sessions/${sid}/end`, { token, body: {} })).status).toBe(200);
    }
    // The analysis job stores each ended session's record (viewers, conversion), as it does every minute.
    const job = startAnalysisJob({ db: h.db, clock: systemClock, log: createLogger({ LOG_LEVEL: 'silent', HUB_ID: 'test' }), intervalMs: 3_600_000 });
    try {
      expect((await job.runOnce()).sort((x, y) => x - y)).toEqual([a1, a2, b1].sort((x, y) => x - y));
    } finally {
      job.stop();
    }
    // A1's record is complete; the platform export verified 79.00.
    const reflection = { wentWell: '开场福利', wentWrong: '中段冷场', toChange: '增加互动', keepProducts: '南丰蜜桔', dropProducts: '无' };
    expect((await h.req('PUT', `/api/v1/sessions/${a1}/analysis/reflection`, { token: tok.teamA1, body: reflection })).status).toBe(200);
    expect((await h.req('PUT', `/api/v1/sessions/${a1}/analysis/comment`, { token: tok.cityA, body: { text: '节奏好' } })).status).toBe(200);
    await h.db.prisma.liveSession.update({ where: { id: a1 }, data: { verifiedGmvFen: 7900 } });

    // Tickets against the default SLA (resolve within 30 min).
    const { prisma } = h.db;
    const by = (await prisma.user.findUniqueOrThrow({ where: { username: u.teamA1 } })).id;
    const ticket = async (cityCode: string, teamId: number, k: 'equipment' | 'network' | 'account' | 'product' | 'compliance' | 'other', openedMsAgo: number, status: 'open' | 'claimed' | 'resolved', resolvedAfter?: number, reopenedAfter?: number) => {
      const openedAt = ago(openedMsAgo);
      const t = await prisma.ticket.create({
        data: { teamId, cityCode, kind: k, text: '求助', status, openedBy: by, openedAt, ...(resolvedAfter !== undefined ? { resolvedAt: new Date(openedAt.getTime() + resolvedAfter) } : {}) },
      });
      if (reopenedAfter !== undefined) await prisma.ticketStep.create({ data: { ticketId: t.id, kind: 'reopened', by, at: new Date(openedAt.getTime() + reopenedAfter) } });
    };
    const { teamA1, teamA2, teamB1 } = h.fx;
    await ticket(CITY_A, teamA1, 'network', 120 * MIN, 'resolved', 10 * MIN); // met
    await ticket(CITY_A, teamA1, 'equipment', 180 * MIN, 'resolved', 45 * MIN); // late
    await ticket(CITY_A, teamA2, 'network', 120 * MIN, 'open'); // open past due: late
    await ticket(CITY_A, teamA2, 'account', 5 * MIN, 'open'); // pending
    await ticket(CITY_A, teamA1, 'product', 180 * MIN, 'claimed', undefined, 170 * MIN); // reopened 10 min ago: pending
    await ticket(CITY_A, teamA1, 'compliance', 240 * MIN, 'resolved', 50 * MIN, 30 * MIN); // due 60 min after opening once reopened: met
    await ticket(CITY_B, teamB1, 'other', 60 * MIN, 'resolved', 40 * MIN); // late
    await ticket(CITY_A, teamA1, 'network', 3 * 24 * 60 * MIN, 'resolved', 5 * MIN); // before the stage: met, outside it

    const violation = (cityCode: string, teamId: number, k: 'product' | 'script' | 'room_setup', decision: 'warning' | 'suspension' | 'disqualification', lifted = false) =>
      prisma.violation.create({ data: { teamId, cityCode, kind: k, evidence: '截图', decision, reason: '违规', decidedBy: by, decidedAt: ago(30 * MIN), ...(lifted ? { liftedAt: ago(10 * MIN), liftedBy: by } : {}) } });
    await violation(CITY_A, teamA1, 'script', 'warning');
    await violation(CITY_A, teamA2, 'product', 'suspension', true);
    await violation(CITY_B, teamB1, 'room_setup', 'disqualification');
  }, 60_000);
  afterAll(() => h?.close());

  test('the city report: totals with viewers, completeness, best sessions by GMV and by conversion, tickets by SLA, violations', async () => {
    const r = await h.req('GET', `/api/v1/reports/city/${CITY_A}?stageId=${h.fx.stageId}`, { token: tok.cityA });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ city: { code: CITY_A }, stageId: h.fx.stageId, stage: { id: h.fx.stageId, name: '初赛' } });
    expect(r.body.totals).toMatchObject({ teams: 2, sessions: 2, gmvFen: 9000, refundFen: 0, netGmvFen: 9000, orders: 3, verifiedGmvFen: 7900, verifiedSessions: 1, views: 110, viewers: 90, peakOnline: 30 });
    expect(r.body.completeness).toMatchObject({ ended: 2, reflected: 1, commented: 1, complete: 1 });
    expect(r.body.teams.map((t: { teamId: number; netGmvFen: number; completeRecords: number }) => [t.teamId, t.netGmvFen, t.completeRecords])).toEqual([
      [h.fx.teamA1, 8000, 1],
      [h.fx.teamA2, 1000, 0],
    ]);
    const best = (xs: Array<{ sessionId: number; conversion: number | null; verifiedGmvFen: number | null }>) => xs.map((b) => [b.sessionId, b.conversion, b.verifiedGmvFen]);
    expect(best(r.body.bestSessions)).toEqual([[h.fx.sessionA1, 0.025, 7900], [h.fx.sessionA2, 0.1, null]]);
    expect(best(r.body.bestByConversion)).toEqual([[h.fx.sessionA2, 0.1, null], [h.fx.sessionA1, 0.025, 7900]]);
    expect(r.body.tickets).toEqual({
      total: 6, open: 3, resolved: 3, byKind: { network: 2, equipment: 1, account: 1, product: 1, compliance: 1 }, medianResolveMinutes: 45,
      sla: { resolveMinutes: 30, met: 2, late: 2, pending: 2 },
    });
    expect(r.body.violationSummary).toEqual({ total: 2, byKind: { script: 1, product: 1 }, byDecision: { warning: 1, suspension: 1 }, lifted: 1 });
    expect(r.body.violations.map((v: { teamId: number; decision: string }) => [v.teamId, v.decision])).toEqual([[h.fx.teamA1, 'warning'], [h.fx.teamA2, 'suspension']]);

    // Without a stage the ticket from before the stage counts too.
    const all = await h.req('GET', `/api/v1/reports/city/${CITY_A}`, { token: tok.cityA });
    expect(all.body).toMatchObject({ stageId: null, stage: null, tickets: { total: 7, sla: { met: 3, late: 2, pending: 2 } } });
  });

  test('the province report: a row per city, the province totals, best sessions province-wide, tickets and violations per city', async () => {
    const r = await h.req('GET', `/api/v1/reports/province?stageId=${h.fx.stageId}`, { token: tok.province });
    expect(r.status).toBe(200);
    expect(r.body.totals).toMatchObject({ teams: 3, sessions: 3, gmvFen: 29000, refundFen: 5000, netGmvFen: 24000, orders: 4, verifiedGmvFen: 7900, views: 160, viewers: 90, peakOnline: 30 });
    expect(r.body.completeness).toMatchObject({ ended: 3, complete: 1 });
    expect(r.body.tickets).toMatchObject({ total: 7, sla: { met: 2, late: 3, pending: 2 } });
    expect(r.body.violations).toMatchObject({ total: 3, byDecision: { warning: 1, suspension: 1, disqualification: 1 }, lifted: 1 });
    expect(r.body.cities).toHaveLength(11);
    const row = (code: string) => r.body.cities.find((c: { cityCode: string }) => c.cityCode === code);
    expect(row(CITY_A)).toMatchObject({ sessions: 2, netGmvFen: 9000, tickets: { total: 6, sla: { met: 2, late: 2, pending: 2 } }, violations: { total: 2 } });
    expect(row(CITY_B)).toMatchObject({
      sessions: 1, netGmvFen: 15000, viewers: 0, views: 50, completeness: { ended: 1, complete: 0 },
      tickets: { total: 1, byKind: { other: 1 }, sla: { met: 0, late: 1, pending: 0 } }, violations: { total: 1, byDecision: { disqualification: 1 }, byKind: { room_setup: 1 } },
    });
    expect(row('360300')).toMatchObject({ sessions: 0, tickets: { total: 0 }, violations: { total: 0 } });
    expect(r.body.bestSessions.map((b: { sessionId: number; cityName: string }) => [b.sessionId, b.cityName])).toEqual([
      [h.fx.sessionB1, '景德镇市'], [h.fx.sessionA1, '南昌市'], [h.fx.sessionA2, '南昌市'],
    ]);
    expect(r.body.bestByConversion.map((b: { sessionId: number }) => b.sessionId)).toEqual([h.fx.sessionA2, h.fx.sessionA1, h.fx.sessionB1]);
  });

  test('the city report as xlsx has the page’s sections as sheets with the same numbers', async () => {
    const wb = await xlsx(`/api/v1/reports/city/${CITY_A}.xlsx?stageId=${h.fx.stageId}`, tok.cityA);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '团队', '工单', '违规', '最佳场次（成交额）', '最佳场次（转化率）']);
    const summary = rowsOf(wb, '汇总');
    expect(valueOf(summary, '赛事')).toContain('赣邮杯');
    expect(valueOf(summary, '赛程阶段')).toBe('初赛');
    expect(valueOf(summary, '净成交额（元，暂定）')).toBe(90);
    expect(valueOf(summary, '核实成交额（元）')).toBe(79);
    expect(valueOf(summary, '观看人数（平台提供的场次）')).toBe(90);
    expect(valueOf(summary, '分析记录完整')).toBe(1);
    const tickets = rowsOf(wb, '工单');
    expect(valueOf(tickets, '按时解决（30 分钟内）')).toBe(2);
    expect(valueOf(tickets, '超时')).toBe(2);
    expect(valueOf(tickets, '类型：网络')).toBe(2);
    expect(valueOf(rowsOf(wb, '违规'), '处理：停播整改')).toBe(1);
    const byConversion = rowsOf(wb, '最佳场次（转化率）');
    expect(byConversion[1]!.slice(0, 2)).toEqual([1, h.fx.sessionA2]);
    expect(byConversion[1]![9]).toBe('10.00%');
  });

  test('the province report as xlsx: cities with a total row, tickets and violations per city, best sessions', async () => {
    const wb = await xlsx(`/api/v1/reports/province.xlsx?stageId=${h.fx.stageId}`, tok.province);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['汇总', '各市', '工单', '违规', '最佳场次（成交额）', '最佳场次（转化率）']);
    const cities = rowsOf(wb, '各市');
    expect(cities).toHaveLength(1 + 11 + 1);
    expect(cities.find((r) => r[0] === '南昌市')?.slice(0, 4)).toEqual(['南昌市', 2, 2, 90]);
    expect(cities.at(-1)?.slice(0, 4)).toEqual(['全省合计', 3, 3, 240]);
    const tickets = rowsOf(wb, '工单');
    expect(tickets.find((r) => r[0] === '景德镇市')?.slice(1, 6)).toEqual([1, 0, 0, 1, 0]);
    expect(tickets.at(-1)?.slice(1, 6)).toEqual([7, 3, 2, 3, 2]);
    expect(rowsOf(wb, '违规').find((r) => r[0] === '景德镇市')?.slice(1, 5)).toEqual([1, 0, 0, 1]);
    expect(rowsOf(wb, '最佳场次（成交额）')[1]!.slice(1, 6)).toEqual([h.fx.sessionB1, expect.any(String), '瓷都青年', '景德镇市', 150]);
  });

  test('city staff get only their city’s report; the province any; teams none', async () => {
    expect((await h.req('GET', `/api/v1/reports/city/${CITY_A}`, { token: tok.cityB })).status).toBe(403);
    expect((await fetch(`${h.url}/api/v1/reports/city/${CITY_A}.xlsx`, { headers: { authorization: `Bearer ${tok.cityB}` } })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/reports/city/${CITY_B}`, { token: tok.teamA1 })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/reports/city/${CITY_B}`, { token: tok.province })).body.totals).toMatchObject({ sessions: 1, netGmvFen: 15000 });
    expect((await fetch(`${h.url}/api/v1/reports/province.xlsx`, { headers: { authorization: `Bearer ${tok.cityA}` } })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/reports/province', { token: tok.teamA1 })).status).toBe(403);
  });
});
