// Post-session analysis (issue #6): a session's record (JSON and xlsx), the team's reflection, the city's
// comment, completeness per city, and the stage rankings on the provisional or the verified basis.
import type { Response } from 'express';
import { IdParam } from '../../../contracts/common';
import {
  CommentBody,
  CompletenessQuery,
  HEADLINE_KEYS,
  METRIC_DEFINITIONS,
  RankingsQuery,
  ReflectionBody,
  type AnalysisDto,
  type CityCompleteness,
  type CompletenessAnswer,
  type IncompleteSession,
} from '../../../contracts/analysis';
import { XLSX_TYPE } from '../../../contracts/imports';
import type { AppContext } from '../context';
import { canManageCity, canViewTeam, teamScope, type Actor } from '../../domain/permissions';
import { completenessOf } from '../../domain/analysis';
import { analysisDto, recomputeSession, type SessionForAnalysis } from '../../analysis/records';
import { rankings } from '../../analysis/rankings';
import { audit } from '../../services/audit';
import { shanghaiText, writeWorkbook } from '../../services/spreadsheet';
import { ApiRouter, actorOf } from '../router';
import { conflict, forbidden, notFound } from '../errors';

const SESSION_SELECT = {
  id: true, stageId: true, teamId: true, cityCode: true, status: true, plannedStart: true, actualStart: true,
  actualEnd: true, verifiedGmvFen: true, team: { select: { name: true } },
} as const;

export function sendXlsx(res: Response, filename: string, body: Buffer): void {
  res.setHeader('Content-Type', XLSX_TYPE);
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}

export function analysisRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;
  const now = () => ctx.clock.now();

  const loadSession = async (a: Actor, id: number): Promise<SessionForAnalysis> => {
    const s = await prisma.liveSession.findUnique({ where: { id }, select: SESSION_SELECT });
    if (!s) throw notFound('Session');
    if (!canViewTeam(a, { id: s.teamId, cityCode: s.cityCode })) throw forbidden();
    return s;
  };
  const dtoOf = async (s: SessionForAnalysis): Promise<AnalysisDto> => {
    const dto = await analysisDto(ctx.db, s, now());
    if (!dto) throw notFound('Analysis (the session has no events yet)');
    return dto;
  };
  /** A record to write the team's or the city's part into: only once the session has ended. */
  const ensureRecord = async (s: SessionForAnalysis) => {
    if (s.status !== 'ended') throw conflict(`The analysis is written after the session ends (it is ${s.status})`);
    const rec = await prisma.analysisRecord.findUnique({ where: { sessionId: s.id } });
    if (!rec) await recomputeSession(ctx.db, s.id, now());
    return prisma.analysisRecord.findUniqueOrThrow({ where: { sessionId: s.id } });
  };

  r.get('/sessions/:id/analysis', 'signed-in', async (req) => {
    const { id } = IdParam.parse(req.params);
    return dtoOf(await loadSession(actorOf(req), id));
  });

  r.get('/sessions/:id/analysis.xlsx', 'signed-in', async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const dto = await dtoOf(await loadSession(actorOf(req), id));
    sendXlsx(res, `analysis-session${id}.xlsx`, await analysisWorkbook(dto));
  });

  r.put('/sessions/:id/analysis/reflection', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = ReflectionBody.parse(req.body);
    const s = await loadSession(a, id);
    if (a.role !== 'team' || a.teamId !== s.teamId) throw forbidden('The team itself writes its reflection');
    const before = await ensureRecord(s);
    await prisma.$transaction(async (tx) => {
      await tx.analysisRecord.update({ where: { sessionId: id }, data: { ...body, reflectedBy: a.id, reflectedAt: new Date(now()) } });
      const was = { wentWell: before.wentWell, wentWrong: before.wentWrong, toChange: before.toChange, keepProducts: before.keepProducts, dropProducts: before.dropProducts };
      await audit(tx, a, { action: 'analysis.reflection', entity: 'AnalysisRecord', entityId: id, cityCode: s.cityCode, before: was, after: body });
    });
    return dtoOf(s);
  });

  r.put('/sessions/:id/analysis/comment', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const { text } = CommentBody.parse(req.body);
    const s = await loadSession(a, id);
    if (!canManageCity(a, s.cityCode)) throw forbidden('City staff of the team’s city, or the province, comment');
    const before = await ensureRecord(s);
    await prisma.$transaction(async (tx) => {
      await tx.analysisRecord.update({ where: { sessionId: id }, data: { cityComment: text, commentedBy: a.id, commentedAt: new Date(now()) } });
      await audit(tx, a, { action: 'analysis.comment', entity: 'AnalysisRecord', entityId: id, cityCode: s.cityCode, before: { text: before.cityComment }, after: { text } });
    });
    return dtoOf(s);
  });

  /**
   * Ended sessions and how complete their records are. The province gets every city's counts (and, naming a
   * city, that city's incomplete sessions); city staff and teams their own counts and incomplete sessions.
   */
  r.get('/analysis/completeness', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = CompletenessQuery.parse(req.query);
    const scope = teamScope(a);
    // A team's view is its own city's row (its own sessions only), never the other cities'.
    const own = a.role === 'team' ? a.cityCode : scope.cityCode;
    if (q.cityCode && own && q.cityCode !== own) throw forbidden();
    const cityCode = own ?? q.cityCode;
    const sessions = await prisma.liveSession.findMany({
      where: { status: 'ended', ...(q.stageId ? { stageId: q.stageId } : {}), ...(cityCode ? { cityCode } : {}), ...(scope.teamId !== undefined ? { teamId: scope.teamId } : {}) },
      select: {
        id: true, teamId: true, cityCode: true, plannedStart: true, team: { select: { name: true } },
        analysis: { select: { wentWell: true, wentWrong: true, toChange: true, keepProducts: true, dropProducts: true, cityComment: true } },
      },
      orderBy: [{ plannedStart: 'asc' }, { id: 'asc' }],
    });
    const cities = await prisma.city.findMany({ where: cityCode ? { code: cityCode } : {}, select: { code: true, name: true }, orderBy: { code: 'asc' } });
    const per = new Map<string, CityCompleteness>(cities.map((c) => [c.code, { cityCode: c.code, cityName: c.name, ended: 0, computed: 0, reflected: 0, commented: 0, complete: 0 }]));
    const items: IncompleteSession[] = [];
    for (const s of sessions) {
      const c = completenessOf(s.analysis ? { ...s.analysis, computed: true } : null);
      const row = per.get(s.cityCode);
      if (row) {
        row.ended++;
        row.computed += +c.computed;
        row.reflected += +c.reflected;
        row.commented += +c.commented;
        row.complete += +c.complete;
      }
      if (!c.complete) items.push({ sessionId: s.id, teamId: s.teamId, teamName: s.team.name, cityCode: s.cityCode, plannedStart: s.plannedStart.toISOString(), ...c });
    }
    const out: CompletenessAnswer = { cities: [...per.values()], items: cityCode ? items : [] };
    return out;
  });

  /** Stage rankings; every signed-in role may read them (names and totals only: the contest is 公开). */
  r.get('/rankings', 'signed-in', async (req) => {
    const q = RankingsQuery.parse(req.query);
    return rankings(ctx.db, q.stageId, q.basis, q.dim);
  });

  return r;
}

const fenText = (v: number | null) => (v === null ? null : (v / 100).toFixed(2));

function metricCell(k: (typeof HEADLINE_KEYS)[number], v: number | null): string | number | null {
  if (v === null) return null;
  const unit = METRIC_DEFINITIONS[k].unit;
  if (unit === 'fen') return fenText(v);
  if (unit === 'ms') return Math.round(v / 60_000);
  if (unit === 'ratio') return `${(v * 100).toFixed(2)}%`;
  return v;
}

/** The record as a workbook: overview with comparisons and definitions, curve, products, moments, marks, reflection. */
export async function analysisWorkbook(d: AnalysisDto): Promise<Buffer> {
  const label = (k: (typeof HEADLINE_KEYS)[number]) => `${METRIC_DEFINITIONS[k].zh.label}${METRIC_DEFINITIONS[k].unit === 'fen' ? '（元）' : METRIC_DEFINITIONS[k].unit === 'ms' ? '（分钟）' : ''}`;
  return writeWorkbook([
    {
      name: '概览',
      columns: [{ header: '指标', width: 22 }, { header: '本场', width: 14 }, { header: '上一场', width: 14 }, { header: '本队最佳', width: 14 }, { header: '赛段中位数', width: 14 }, { header: '赛段前25%', width: 14 }, { header: '本市中位数', width: 14 }, { header: '本市前25%', width: 14 }, { header: '口径', width: 60 }],
      rows: HEADLINE_KEYS.map((k) => {
        const c = d.comparisons[k];
        return [label(k), metricCell(k, d.metrics[k]), metricCell(k, c?.previous ?? null), metricCell(k, c?.teamBest ?? null), metricCell(k, c?.stage.median ?? null), metricCell(k, c?.stage.top25 ?? null), metricCell(k, c?.city.median ?? null), metricCell(k, c?.city.top25 ?? null), METRIC_DEFINITIONS[k].zh.text];
      }).concat([
        ['转化率口径', d.metrics.conversionBasis, null, null, null, null, null, null, null],
        ['最高在线时刻', shanghaiText(d.metrics.peakAt ? new Date(d.metrics.peakAt) : null), null, null, null, null, null, null, null],
        ['核验成交额（元）', fenText(d.verifiedGmvFen), null, null, null, null, null, null, '邮乐平台订单导出核对后的成交额'],
        ['计算时间', shanghaiText(new Date(d.computedAt)), null, null, null, null, null, null, d.provisional ? '直播中，暂定' : null],
      ]),
    },
    {
      name: '分钟曲线',
      columns: [{ header: '时间', width: 18 }, { header: '在线', width: 10 }, { header: '最高在线', width: 10 }, { header: '订单', width: 8 }, { header: '件数', width: 8 }, { header: '成交额（元）', width: 14 }, { header: '退款（元）', width: 12 }, { header: '累计成交额（元）', width: 16 }],
      rows: d.curves.points.map((p) => [shanghaiText(new Date(p.t)), p.online, p.onlineMax, p.orders, p.units, fenText(p.gmvFen), fenText(p.refundFen), fenText(p.cumGmvFen)]),
    },
    {
      name: '商品排行',
      columns: [{ header: '排名', width: 6 }, { header: '商品', width: 24 }, { header: '成交额（元）', width: 14 }, { header: '件数', width: 8 }, { header: '订单', width: 8 }, { header: '退款（元）', width: 12 }, { header: '净成交额（元）', width: 14 }],
      rows: d.products.map((p) => [p.rank, p.name, fenText(p.gmvFen), p.units, p.orders, fenText(p.refundFen), fenText(p.netGmvFen)]),
    },
    {
      name: '高光时刻',
      columns: [{ header: '类型', width: 12 }, { header: '时间', width: 18 }, { header: '成交额（元）/在线增长', width: 20 }, { header: '订单/在线', width: 12 }],
      rows: [
        ...d.moments.topSales.map((m) => ['成交高峰', shanghaiText(new Date(m.t)), fenText(m.gmvFen), m.orders]),
        ...d.moments.viewerGains.map((m) => ['在线增长', shanghaiText(new Date(m.t)), m.gain, m.online]),
      ],
    },
    {
      name: '时间线',
      columns: [{ header: '时间', width: 18 }, { header: '类型', width: 14 }, { header: '内容', width: 60 }],
      rows: d.curves.marks.map((m) => [shanghaiText(new Date(m.at)), m.kind, m.label]),
    },
    {
      name: '复盘',
      columns: [{ header: '项目', width: 16 }, { header: '内容', width: 80 }],
      rows: [
        ['做得好的', d.reflection?.wentWell ?? null],
        ['问题', d.reflection?.wentWrong ?? null],
        ['改进', d.reflection?.toChange ?? null],
        ['保留商品', d.reflection?.keepProducts ?? null],
        ['淘汰商品', d.reflection?.dropProducts ?? null],
        ['市分公司点评', d.comment?.text ?? null],
        ['分析记录完整', d.completeness.complete ? '是' : '否'],
      ],
    },
  ]);
}
