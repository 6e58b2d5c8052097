// The city's summary report (活动结束后…形成书面报告) and the province's view across cities, as JSON; the xlsx
// forms are in report-sheets.ts. Sales come from the LiveEvent log (provisional) beside the verified figures;
// viewers, conversion and completeness from the stored AnalysisRecord; tickets are judged against the SLA.
import type { Database } from '../db/index';
import type {
  BestSession, CityCompleteness, CityReport, ProvinceCityRow, ProvinceReport, ReportHead, SalesTotals, TeamReportRow,
  TicketSummary, ViolationRow, ViolationSummary,
} from '../../contracts/analysis';
import type { TicketSla } from '../../contracts/response';
import { completenessOf, percentile } from '../domain/analysis';
import { ticketSlaOutcome } from '../domain/alerts';
import { shanghaiDate } from '../domain/time';
import { readSla } from '../alerts/settings';
import { metricsOf } from './records';
import { salesBySession } from './rankings';

const BEST = 10;

const emptyTotals = (): SalesTotals => ({
  sessions: 0, gmvFen: 0, refundFen: 0, netGmvFen: 0, orders: 0, units: 0, verifiedGmvFen: 0, verifiedSessions: 0, views: 0, viewers: 0, peakOnline: 0,
});
const emptyCompleteness = (cityCode: string, cityName: string): CityCompleteness => ({ cityCode, cityName, ended: 0, computed: 0, reflected: 0, commented: 0, complete: 0 });

/** Everything both reports need, for one city or all. */
async function load(db: Database, cityCode: string | undefined, stageId: number | undefined) {
  const { prisma } = db;
  const stage = stageId ? await prisma.stage.findUnique({ where: { id: stageId }, select: { id: true, name: true, startsAt: true, endsAt: true } }) : null;
  const window = stage ? { gte: stage.startsAt, lte: stage.endsAt } : undefined;
  const city = cityCode ? { cityCode } : {};
  const [cities, teams, sessions, sales, tickets, violations, sla] = await Promise.all([
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
    prisma.ticket.findMany({
      where: { ...city, ...(window ? { openedAt: window } : {}) },
      select: { cityCode: true, kind: true, status: true, openedAt: true, resolvedAt: true, steps: { where: { kind: 'reopened' }, select: { at: true } } },
    }),
    prisma.violation.findMany({
      where: { ...city, ...(window ? { decidedAt: window } : {}) },
      select: { id: true, teamId: true, cityCode: true, kind: true, decision: true, reason: true, decidedAt: true, liftedAt: true, team: { select: { name: true } } },
      orderBy: { decidedAt: 'asc' },
    }),
    readSla(prisma),
  ]);
  return { stage, cities, teams, sessions, sales, tickets, violations, sla: sla.value };
}
type Loaded = Awaited<ReturnType<typeof load>>;
type SessionRow = Loaded['sessions'][number];

function head(d: Loaded, stageId: number | undefined, now: number): ReportHead {
  return { stageId: stageId ?? null, stage: d.stage ? { id: d.stage.id, name: d.stage.name } : null, generatedAt: new Date(now).toISOString() };
}

function addSession(t: SalesTotals, s: SessionRow, sales: Loaded['sales']): void {
  const x = sales.get(s.id);
  const m = s.analysis ? metricsOf(s.analysis.metrics) : null;
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
  if (m) {
    t.views += m.views;
    t.viewers += m.viewers ?? 0;
    t.peakOnline = Math.max(t.peakOnline, m.peakOnline);
  }
}

function addCompleteness(c: CityCompleteness, s: SessionRow): boolean {
  if (s.status !== 'ended') return false;
  const k = completenessOf(s.analysis ? { ...s.analysis, computed: true } : null);
  c.ended++;
  c.computed += +k.computed;
  c.reflected += +k.reflected;
  c.commented += +k.commented;
  c.complete += +k.complete;
  return k.complete;
}

function ticketSummary(rows: Loaded['tickets'], sla: TicketSla, now: number): TicketSummary {
  const byKind: Record<string, number> = {};
  const outcome = { met: 0, late: 0, pending: 0 };
  for (const t of rows) {
    byKind[t.kind] = (byKind[t.kind] ?? 0) + 1;
    const reopenedAt = t.steps.reduce<number | null>((m, s) => Math.max(m ?? 0, s.at.getTime()), null);
    outcome[ticketSlaOutcome({ status: t.status, openedAt: t.openedAt.getTime(), reopenedAt }, t.resolvedAt?.getTime() ?? null, sla, now)]++;
  }
  const minutes = rows.flatMap((t) => (t.status === 'resolved' && t.resolvedAt ? [(t.resolvedAt.getTime() - t.openedAt.getTime()) / 60_000] : [])).sort((a, b) => a - b);
  const median = percentile(minutes, 50);
  return {
    total: rows.length,
    open: rows.filter((t) => t.status !== 'resolved').length,
    resolved: rows.filter((t) => t.status === 'resolved').length,
    byKind,
    medianResolveMinutes: median === null ? null : Math.round(median),
    sla: { resolveMinutes: sla.resolveMinutes, ...outcome },
  };
}

function violationSummary(rows: Loaded['violations']): ViolationSummary {
  const byKind: Record<string, number> = {};
  const byDecision: Record<string, number> = {};
  for (const v of rows) {
    byKind[v.kind] = (byKind[v.kind] ?? 0) + 1;
    byDecision[v.decision] = (byDecision[v.decision] ?? 0) + 1;
  }
  return { total: rows.length, byKind, byDecision, lifted: rows.filter((v) => v.liftedAt).length };
}

function bestSessions(d: Loaded): { byGmv: BestSession[]; byConversion: BestSession[] } {
  const names = new Map(d.teams.map((t) => [t.id, t.name]));
  const cityNames = new Map(d.cities.map((c) => [c.code, c.name]));
  const all = d.sessions.map((s): BestSession => {
    const x = d.sales.get(s.id);
    const m = s.analysis ? metricsOf(s.analysis.metrics) : null;
    return {
      sessionId: s.id, teamId: s.teamId, teamName: names.get(s.teamId) ?? String(s.teamId), cityCode: s.cityCode, cityName: cityNames.get(s.cityCode) ?? s.cityCode,
      date: shanghaiDate((s.actualStart ?? s.plannedStart).getTime()),
      netGmvFen: (x?.gmvFen ?? 0) - (x?.refundFen ?? 0), verifiedGmvFen: s.verifiedGmvFen, orders: x?.orders ?? 0,
      peakOnline: m?.peakOnline ?? null, conversion: m?.conversion ?? null,
    };
  });
  return {
    byGmv: all.filter((b) => b.netGmvFen > 0).sort((a, b) => b.netGmvFen - a.netGmvFen || a.sessionId - b.sessionId).slice(0, BEST),
    byConversion: all
      .filter((b) => b.conversion !== null && b.orders > 0)
      .sort((a, b) => b.conversion! - a.conversion! || b.netGmvFen - a.netGmvFen || a.sessionId - b.sessionId)
      .slice(0, BEST),
  };
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
  const best = bestSessions(d);
  return {
    ...head(d, stageId, now),
    city: { code: city.code, name: city.name },
    totals,
    completeness,
    teams: [...teams.values()].sort((a, b) => b.netGmvFen - a.netGmvFen || a.teamId - b.teamId),
    tickets: ticketSummary(d.tickets, d.sla, now),
    violationSummary: violationSummary(d.violations),
    violations: violationRows(d),
    bestSessions: best.byGmv,
    bestByConversion: best.byConversion,
  };
}

export async function provinceReport(db: Database, stageId: number | undefined, now: number): Promise<ProvinceReport> {
  const d = await load(db, undefined, stageId);
  const totals = { ...emptyTotals(), teams: d.teams.length };
  const completeness = emptyCompleteness('', '');
  const inCity = <T extends { cityCode: string }>(rows: T[], code: string) => rows.filter((r) => r.cityCode === code);
  const rows = new Map<string, ProvinceCityRow>(
    d.cities.map((c) => [c.code, {
      ...emptyTotals(), cityCode: c.code, cityName: c.name, teams: inCity(d.teams, c.code).length, completeness: emptyCompleteness(c.code, c.name),
      tickets: ticketSummary(inCity(d.tickets, c.code), d.sla, now), violations: violationSummary(inCity(d.violations, c.code)),
    }]),
  );
  for (const s of d.sessions) {
    addSession(totals, s, d.sales);
    addCompleteness(completeness, s);
    const r = rows.get(s.cityCode);
    if (!r) continue;
    addSession(r, s, d.sales);
    addCompleteness(r.completeness, s);
  }
  const best = bestSessions(d);
  return {
    ...head(d, stageId, now),
    totals,
    completeness,
    tickets: ticketSummary(d.tickets, d.sla, now),
    violations: violationSummary(d.violations),
    cities: [...rows.values()],
    bestSessions: best.byGmv,
    bestByConversion: best.byConversion,
  };
}
