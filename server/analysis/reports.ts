// The city's summary report (活动结束后…形成书面报告) and the province's view across cities, as JSON and xlsx.
// Sales come from the LiveEvent log (provisional) beside the verified figures; records from AnalysisRecord.
import type { Database } from '../db/index';
import type {
  BestSession,
  CityCompleteness,
  CityReport,
  ProvinceReport,
  SalesTotals,
  TeamReportRow,
  TicketSummary,
  ViolationRow,
} from '../../contracts/analysis';
import { completenessOf, percentile } from '../domain/analysis';
import { shanghaiDate } from '../domain/time';
import { shanghaiText, writeWorkbook, type SheetSpec } from '../services/spreadsheet';
import { metricsOf } from './records';
import { salesBySession } from './rankings';

const BEST = 10;

const emptyTotals = (): SalesTotals => ({ sessions: 0, gmvFen: 0, refundFen: 0, netGmvFen: 0, orders: 0, units: 0, verifiedGmvFen: 0, verifiedSessions: 0 });
const emptyCompleteness = (cityCode: string, cityName: string): CityCompleteness => ({ cityCode, cityName, ended: 0, computed: 0, reflected: 0, commented: 0, complete: 0 });

/** Everything both reports need, for one city or all. */
async function load(db: Database, cityCode: string | undefined, stageId: number | undefined) {
  const { prisma } = db;
  const stage = stageId ? await prisma.stage.findUnique({ where: { id: stageId }, select: { startsAt: true, endsAt: true } }) : null;
  const window = stage ? { gte: stage.startsAt, lte: stage.endsAt } : undefined;
  const city = cityCode ? { cityCode } : {};
  const [cities, teams, sessions, sales, tickets, violations] = await Promise.all([
    prisma.city.findMany({ where: cityCode ? { code: cityCode } : {}, select: { code: true, name: true }, orderBy: { code: 'asc' } }),
    prisma.team.findMany({ where: city, select: { id: true, name: true, cityCode: true, status: true, university: { select: { name: true } } }, orderBy: { id: 'asc' } }),
    prisma.liveSession.findMany({
      where: { ...city, ...(stageId ? { stageId } : {}), status: { in: ['live', 'ended'] } },
      select: {
        id: true, teamId: true, cityCode: true, status: true, plannedStart: true, actualStart: true, verifiedGmvFen: true,
        analysis: { select: { metrics: true, wentWell: true, wentWrong: true, toChange: true, keepProducts: true, dropProducts: true, cityComment: true } },
      },
    }),
    salesBySession(db, { ...(stageId ? { stageId } : {}), ...(cityCode ? { cityCode } : {}) }),
    prisma.ticket.findMany({ where: { ...city, ...(window ? { openedAt: window } : {}) }, select: { cityCode: true, kind: true, status: true, openedAt: true, resolvedAt: true } }),
    prisma.violation.findMany({
      where: { ...city, ...(window ? { decidedAt: window } : {}) },
      select: { id: true, teamId: true, cityCode: true, kind: true, decision: true, reason: true, decidedAt: true, liftedAt: true, team: { select: { name: true } } },
      orderBy: { decidedAt: 'asc' },
    }),
  ]);
  return { cities, teams, sessions, sales, tickets, violations };
}
type Loaded = Awaited<ReturnType<typeof load>>;

function addSession(t: SalesTotals, s: Loaded['sessions'][number], sales: Loaded['sales']): void {
  const x = sales.get(s.id);
  t.sessions += 1;
  t.gmvFen += x?.gmvFen ?? 0;
  t.refundFen += x?.refundFen ?? 0;
  t.netGmvFen += (x?.gmvFen ?? 0) - (x?.refundFen ?? 0);
  t.orders += x?.orders ?? 0;
  t.units += x?.units ?? 0;
  if (s.verifiedGmvFen !== null) {
    t.verifiedGmvFen += s.verifiedGmvFen;
    t.verifiedSessions += 1;
  }
}

function addCompleteness(c: CityCompleteness, s: Loaded['sessions'][number]): boolean {
  if (s.status !== 'ended') return false;
  const k = completenessOf(s.analysis ? { ...s.analysis, computed: true } : null);
  c.ended++;
  c.computed += +k.computed;
  c.reflected += +k.reflected;
  c.commented += +k.commented;
  c.complete += +k.complete;
  return k.complete;
}

function ticketSummary(rows: Loaded['tickets']): TicketSummary {
  const byKind: Record<string, number> = {};
  for (const t of rows) byKind[t.kind] = (byKind[t.kind] ?? 0) + 1;
  const minutes = rows.flatMap((t) => (t.resolvedAt ? [(t.resolvedAt.getTime() - t.openedAt.getTime()) / 60_000] : [])).sort((a, b) => a - b);
  const median = percentile(minutes, 50);
  return {
    total: rows.length,
    open: rows.filter((t) => t.status !== 'resolved').length,
    resolved: rows.filter((t) => t.status === 'resolved').length,
    byKind,
    medianResolveMinutes: median === null ? null : Math.round(median),
  };
}

function bestSessions(d: Loaded): BestSession[] {
  const names = new Map(d.teams.map((t) => [t.id, t.name]));
  return d.sessions
    .map((s) => {
      const x = d.sales.get(s.id);
      const m = s.analysis ? metricsOf(s.analysis.metrics) : null;
      return {
        sessionId: s.id, teamId: s.teamId, teamName: names.get(s.teamId) ?? String(s.teamId), cityCode: s.cityCode,
        date: shanghaiDate((s.actualStart ?? s.plannedStart).getTime()),
        netGmvFen: (x?.gmvFen ?? 0) - (x?.refundFen ?? 0), peakOnline: m?.peakOnline ?? null, conversion: m?.conversion ?? null,
      };
    })
    .filter((b) => b.netGmvFen > 0)
    .sort((a, b) => b.netGmvFen - a.netGmvFen || a.sessionId - b.sessionId)
    .slice(0, BEST);
}

const violationRows = (d: Loaded): ViolationRow[] =>
  d.violations.map((v) => ({
    id: v.id, teamId: v.teamId, teamName: v.team.name, kind: v.kind, decision: v.decision, reason: v.reason,
    decidedAt: v.decidedAt.toISOString(), liftedAt: v.liftedAt?.toISOString() ?? null,
  }));

export async function cityReport(db: Database, cityCode: string, stageId: number | undefined, now: number): Promise<CityReport | null> {
  const d = await load(db, cityCode, stageId);
  const city = d.cities[0];
  if (!city) return null;
  const totals = { ...emptyTotals(), teams: d.teams.length };
  const completeness = emptyCompleteness(city.code, city.name);
  const teams = new Map<number, TeamReportRow>(
    d.teams.map((t) => [t.id, { ...emptyTotals(), teamId: t.id, name: t.name, university: t.university.name, status: t.status, completeRecords: 0 }]),
  );
  for (const s of d.sessions) {
    addSession(totals, s, d.sales);
    const row = teams.get(s.teamId);
    if (row) addSession(row, s, d.sales);
    if (addCompleteness(completeness, s) && row) row.completeRecords++;
  }
  return {
    city: { code: city.code, name: city.name },
    stageId: stageId ?? null,
    generatedAt: new Date(now).toISOString(),
    totals,
    completeness,
    teams: [...teams.values()].sort((a, b) => b.netGmvFen - a.netGmvFen || a.teamId - b.teamId),
    tickets: ticketSummary(d.tickets),
    violations: violationRows(d),
    bestSessions: bestSessions(d),
  };
}

export async function provinceReport(db: Database, stageId: number | undefined, now: number): Promise<ProvinceReport> {
  const d = await load(db, undefined, stageId);
  const totals = { ...emptyTotals(), teams: d.teams.length };
  const rows = new Map(
    d.cities.map((c) => [c.code, { ...emptyTotals(), cityCode: c.code, cityName: c.name, teams: 0, completeness: emptyCompleteness(c.code, c.name), tickets: 0, openTickets: 0, violations: 0 }]),
  );
  for (const t of d.teams) {
    const r = rows.get(t.cityCode);
    if (r) r.teams++;
  }
  for (const s of d.sessions) {
    addSession(totals, s, d.sales);
    const r = rows.get(s.cityCode);
    if (!r) continue;
    addSession(r, s, d.sales);
    addCompleteness(r.completeness, s);
  }
  for (const t of d.tickets) {
    const r = rows.get(t.cityCode);
    if (!r) continue;
    r.tickets++;
    if (t.status !== 'resolved') r.openTickets++;
  }
  for (const v of d.violations) {
    const r = rows.get(v.cityCode);
    if (r) r.violations++;
  }
  return { stageId: stageId ?? null, generatedAt: new Date(now).toISOString(), totals, cities: [...rows.values()], bestSessions: bestSessions(d) };
}

const yuan = (fen: number) => (fen / 100).toFixed(2);
const pct = (n: number, of: number) => (of ? `${((n * 100) / of).toFixed(1)}%` : '—');

const bestSheet = (best: BestSession[]): SheetSpec => ({
  name: '最佳场次',
  columns: [{ header: '场次', width: 8 }, { header: '日期', width: 12 }, { header: '团队', width: 24 }, { header: '市', width: 8 }, { header: '净成交额（元）', width: 14 }, { header: '最高在线', width: 10 }, { header: '转化率', width: 10 }],
  rows: best.map((b) => [b.sessionId, b.date, b.teamName, b.cityCode, yuan(b.netGmvFen), b.peakOnline, b.conversion === null ? null : `${(b.conversion * 100).toFixed(2)}%`]),
});

export function cityReportWorkbook(r: CityReport): Promise<Buffer> {
  const c = r.completeness;
  return writeWorkbook([
    {
      name: '汇总',
      columns: [{ header: '项目', width: 24 }, { header: '数值', width: 24 }],
      rows: [
        ['赛区', r.city.name],
        ['生成时间', shanghaiText(new Date(r.generatedAt))],
        ['参赛团队', r.totals.teams],
        ['直播场次', r.totals.sessions],
        ['成交额（元）', yuan(r.totals.gmvFen)],
        ['退款（元）', yuan(r.totals.refundFen)],
        ['净成交额（元，暂定）', yuan(r.totals.netGmvFen)],
        ['核验成交额（元）', `${yuan(r.totals.verifiedGmvFen)}（${r.totals.verifiedSessions} 场已核对）`],
        ['订单数', r.totals.orders],
        ['已结束场次', c.ended],
        ['分析记录完整', `${c.complete}（${pct(c.complete, c.ended)}）`],
        ['团队已复盘', c.reflected],
        ['市分公司已点评', c.commented],
        ['问题工单', `${r.tickets.total}（未解决 ${r.tickets.open}）`],
        ['工单解决中位时长（分钟）', r.tickets.medianResolveMinutes],
        ['违规处理', r.violations.length],
      ],
    },
    {
      name: '团队',
      columns: [{ header: '团队', width: 24 }, { header: '高校', width: 22 }, { header: '状态', width: 12 }, { header: '场次', width: 8 }, { header: '净成交额（元）', width: 14 }, { header: '核验成交额（元）', width: 14 }, { header: '订单', width: 8 }, { header: '完整分析记录', width: 12 }],
      rows: r.teams.map((t) => [t.name, t.university, t.status, t.sessions, yuan(t.netGmvFen), t.verifiedSessions ? yuan(t.verifiedGmvFen) : null, t.orders, t.completeRecords]),
    },
    {
      name: '违规',
      columns: [{ header: '团队', width: 24 }, { header: '类型', width: 12 }, { header: '处理', width: 14 }, { header: '原因', width: 40 }, { header: '时间', width: 18 }, { header: '解除', width: 18 }],
      rows: r.violations.map((v) => [v.teamName, v.kind, v.decision, v.reason, shanghaiText(new Date(v.decidedAt)), v.liftedAt ? shanghaiText(new Date(v.liftedAt)) : null]),
    },
    bestSheet(r.bestSessions),
  ]);
}

export function provinceReportWorkbook(r: ProvinceReport): Promise<Buffer> {
  return writeWorkbook([
    {
      name: '各市',
      columns: [{ header: '市', width: 10 }, { header: '团队', width: 8 }, { header: '场次', width: 8 }, { header: '净成交额（元）', width: 14 }, { header: '核验成交额（元）', width: 14 }, { header: '已结束', width: 8 }, { header: '分析完整', width: 10 }, { header: '完整率', width: 10 }, { header: '工单', width: 8 }, { header: '未解决', width: 8 }, { header: '违规', width: 8 }],
      rows: r.cities.map((c) => [c.cityName, c.teams, c.sessions, yuan(c.netGmvFen), yuan(c.verifiedGmvFen), c.completeness.ended, c.completeness.complete, pct(c.completeness.complete, c.completeness.ended), c.tickets, c.openTickets, c.violations]),
    },
    bestSheet(r.bestSessions),
  ]);
}
