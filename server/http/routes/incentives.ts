// Incentives (七): the province sets final placements, recomputes what cities have earned (idempotent by
// dedupe key) and adds adjustments; cities read their own ledger. Points are Youle reward points (奖励金).
import { z } from 'zod';
import { IdParam } from '../../../contracts/common';
import {
  IncentiveAdjustment,
  IncentiveListQuery,
  IncentiveSettings,
  PlacementsSet,
  type IncentiveDto,
  type IncentiveListDto,
  type PlacementDto,
} from '../../../contracts/ops';
import { XLSX_TYPE } from '../../../contracts/imports';
import type { Database } from '../../db/index';
import { isProvince, type Actor } from '../../domain/permissions';
import { DEFAULT_FINAL_TOP_N, FINAL_TOP_N_SETTING, incentivesDue } from '../../domain/incentives';
import { audit } from '../../services/audit';
import { shanghaiText, writeWorkbook } from '../../services/spreadsheet';
import { forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type EntryRow = Omit<IncentiveDto, 'createdAt'> & { createdAt: Date };
const entryDto = (e: EntryRow): IncentiveDto => ({
  id: e.id, cityCode: e.cityCode, points: e.points, reason: e.reason, universityId: e.universityId, teamId: e.teamId,
  dedupeKey: e.dedupeKey, note: e.note, createdAt: e.createdAt.toISOString(),
});
const placementDto = (p: { stageId: number; teamId: number; rank: number; decidedAt: Date }): PlacementDto => ({
  stageId: p.stageId, teamId: p.teamId, rank: p.rank, decidedAt: p.decidedAt.toISOString(),
});

const TopN = z.number().int().min(1).max(1000);

export async function finalTopN(db: Database): Promise<number> {
  const s = await db.prisma.setting.findUnique({ where: { key: FINAL_TOP_N_SETTING } });
  const n = TopN.safeParse(s?.value);
  return n.success ? n.data : DEFAULT_FINAL_TOP_N;
}

function provinceOnly(a: Actor): void {
  if (!isProvince(a)) throw forbidden('Only the province manages incentives');
}

/** The ledger a caller may read: the province any city or all, city staff their own, teams none. */
function ledgerCity(a: Actor, asked: string | undefined): string | undefined {
  if (a.role === 'team') throw forbidden('Incentives are paid to cities');
  if (isProvince(a)) return asked;
  if (asked && asked !== a.cityCode) throw forbidden();
  return a.cityCode ?? '__none__';
}

export function incentiveRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;

  // Placements are contest results, public to everyone signed in.
  r.get('/stages/:id/placements', 'signed-in', async (req) => {
    const { id } = IdParam.parse(req.params);
    const rows = await prisma.placement.findMany({ where: { stageId: id }, orderBy: [{ rank: 'asc' }, { teamId: 'asc' }] });
    return { items: rows.map(placementDto), total: rows.length };
  });

  /** Sets (or changes) the rank of each listed team in the stage; teams not listed are left as they are. */
  r.post('/stages/:id/placements', 'signed-in', async (req) => {
    const a = actorOf(req);
    provinceOnly(a);
    const { id } = IdParam.parse(req.params);
    const body = PlacementsSet.parse(req.body);
    const stage = await prisma.stage.findUnique({ where: { id } });
    if (!stage) throw notFound('Stage');
    const teams = await prisma.team.findMany({ where: { id: { in: body.map((p) => p.teamId) } }, select: { id: true, cityCode: true, status: true } });
    const teamOf = new Map(teams.map((t) => [t.id, t]));
    const issues = body.flatMap((p, i) => {
      const t = teamOf.get(p.teamId);
      if (!t) return [{ path: `${i}.teamId`, message: 'no such team' }];
      if (t.status === 'disqualified') return [{ path: `${i}.teamId`, message: 'the team is disqualified' }];
      return [];
    });
    if (issues.length) throw invalid('Some placements cannot be set', issues);
    const now = new Date(ctx.clock.now());
    await prisma.$transaction(async (tx) => {
      for (const p of body) {
        const before = await tx.placement.findUnique({ where: { stageId_teamId: { stageId: id, teamId: p.teamId } } });
        if (before?.rank === p.rank) continue;
        const after = await tx.placement.upsert({
          where: { stageId_teamId: { stageId: id, teamId: p.teamId } },
          create: { stageId: id, teamId: p.teamId, rank: p.rank, decidedBy: a.id, decidedAt: now },
          update: { rank: p.rank, decidedBy: a.id, decidedAt: now },
        });
        await audit(tx, a, { action: 'placement.set', entity: 'Placement', entityId: after.id, cityCode: teamOf.get(p.teamId)?.cityCode ?? null, before, after });
      }
    });
    const rows = await prisma.placement.findMany({ where: { stageId: id }, orderBy: [{ rank: 'asc' }, { teamId: 'asc' }] });
    return { items: rows.map(placementDto), total: rows.length };
  });

  const ledger = async (city: string | undefined) => {
    const where = city ? { cityCode: city } : {};
    const [rows, sums] = await Promise.all([
      prisma.incentiveEntry.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: 5000 }),
      prisma.incentiveEntry.groupBy({ by: ['cityCode'], where, _sum: { points: true }, orderBy: { cityCode: 'asc' } }),
    ]);
    return { rows, totals: sums.map((s) => ({ cityCode: s.cityCode, points: s._sum.points ?? 0 })) };
  };

  r.get('/incentives', 'signed-in', async (req) => {
    const a = actorOf(req);
    const city = ledgerCity(a, IncentiveListQuery.parse(req.query).cityCode);
    const { rows, totals } = await ledger(city);
    const out: IncentiveListDto = { items: rows.map(entryDto), total: rows.length, totals };
    return out;
  });

  /** Adds every entry now due and not yet in the ledger; running it again adds nothing. */
  r.post('/incentives/recompute', 'signed-in', async (req) => {
    const a = actorOf(req);
    provinceOnly(a);
    const topN = await finalTopN(ctx.db);
    const [universities, placements, existing] = await Promise.all([
      prisma.university.findMany({ where: { role: { in: ['organiser', 'co_organiser'] } }, select: { id: true, name: true, cityCode: true, role: true } }),
      prisma.placement.findMany({ where: { stage: { kind: 'final' }, rank: { lte: topN } }, include: { stage: { select: { kind: true } } } }),
      prisma.incentiveEntry.findMany({ where: { dedupeKey: { not: null } }, select: { dedupeKey: true } }),
    ]);
    const teams = await prisma.team.findMany({ where: { id: { in: placements.map((p) => p.teamId) } }, select: { id: true, name: true, cityCode: true, status: true } });
    const teamOf = new Map(teams.map((t) => [t.id, t]));
    const due = incentivesDue(
      universities,
      placements.flatMap((p) => {
        const t = teamOf.get(p.teamId);
        return t ? [{ stageId: p.stageId, stageKind: p.stage.kind, teamId: p.teamId, teamName: t.name, teamCityCode: t.cityCode, rank: p.rank, teamDisqualified: t.status === 'disqualified' }] : [];
      }),
      new Set(existing.flatMap((e) => (e.dedupeKey ? [e.dedupeKey] : []))),
      topN,
    );
    const added = await prisma.$transaction(async (tx) => {
      // skipDuplicates: a concurrent recompute that got there first is not an error, and pays nothing twice.
      const rows = await tx.incentiveEntry.createManyAndReturn({ data: due.map((d) => ({ ...d, createdBy: a.id })), skipDuplicates: true });
      for (const e of rows) await audit(tx, a, { action: 'incentive.earned', entity: 'IncentiveEntry', entityId: e.id, cityCode: e.cityCode, after: e });
      return rows;
    });
    return { items: added.map(entryDto), total: added.length, finalTopN: topN };
  });

  r.post('/incentives/adjustments', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    provinceOnly(a);
    const body = IncentiveAdjustment.parse(req.body);
    const city = await prisma.city.findUnique({ where: { code: body.cityCode }, select: { code: true } });
    if (!city) throw invalid('City does not exist', [{ path: 'cityCode', message: 'not found' }]);
    const e = await prisma.$transaction(async (tx) => {
      const created = await tx.incentiveEntry.create({ data: { cityCode: body.cityCode, points: body.points, reason: 'adjustment', note: body.note, createdBy: a.id } });
      await audit(tx, a, { action: 'incentive.adjustment', entity: 'IncentiveEntry', entityId: created.id, cityCode: body.cityCode, after: created, reason: body.note });
      return created;
    });
    res.status(201);
    return entryDto(e);
  });

  r.get('/incentives/settings', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (a.role === 'team') throw forbidden();
    return { finalTopN: await finalTopN(ctx.db) };
  });

  r.put('/incentives/settings', 'signed-in', async (req) => {
    const a = actorOf(req);
    provinceOnly(a);
    const body = IncentiveSettings.parse(req.body);
    await prisma.$transaction(async (tx) => {
      const before = await tx.setting.findUnique({ where: { key: FINAL_TOP_N_SETTING } });
      const after = await tx.setting.upsert({
        where: { key: FINAL_TOP_N_SETTING },
        create: { key: FINAL_TOP_N_SETTING, value: body.finalTopN, updatedBy: a.id },
        update: { value: body.finalTopN, updatedBy: a.id },
      });
      await audit(tx, a, { action: 'setting.update', entity: 'Setting', entityId: FINAL_TOP_N_SETTING, before, after });
    });
    return { finalTopN: body.finalTopN };
  });

  r.get('/incentives/export.xlsx', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const city = ledgerCity(a, IncentiveListQuery.parse(req.query).cityCode);
    const { rows, totals } = await ledger(city);
    const cities = new Map((await prisma.city.findMany({ select: { code: true, name: true } })).map((c) => [c.code, c.name]));
    const REASON_ZH = { university_joined: '邀请高校参与（主办/协办）', final_placement: '团队获得决赛名次', adjustment: '省分公司调整' } as const;
    const buf = await writeWorkbook([
      {
        name: '汇总',
        columns: [{ header: '赛区代码' }, { header: '赛区' }, { header: '奖励金合计' }],
        rows: totals.map((t) => [t.cityCode, cities.get(t.cityCode) ?? '', t.points]),
      },
      {
        name: '明细',
        columns: [{ header: '编号' }, { header: '赛区' }, { header: '奖励金' }, { header: '事由', width: 28 }, { header: '高校ID' }, { header: '团队ID' }, { header: '说明', width: 40 }, { header: '记入时间（北京时间）', width: 22 }],
        rows: rows.map((e) => [e.id, cities.get(e.cityCode) ?? e.cityCode, e.points, REASON_ZH[e.reason], e.universityId, e.teamId, e.note, shanghaiText(e.createdAt)]),
      },
    ]);
    res.setHeader('Content-Type', XLSX_TYPE);
    res.setHeader('Content-Disposition', `attachment; filename="incentives-${city ?? 'all'}.xlsx"`);
    res.setHeader('Cache-Control', 'no-store');
    res.send(buf);
  });

  return r;
}
