// Contest stages and each city's schedule report for a stage (due 24 h before it starts).
import { IdParam } from '../../../contracts/common';
import { StageCreate, StageUpdate, type ScheduleReportDto, type StageDto } from '../../../contracts/schedule';
import { defaultLockAt, isLocked, reportOnTime } from '../../domain/schedule';
import { isProvince } from '../../domain/permissions';
import { audit } from '../../services/audit';
import type { Live } from '../../live/index';
import { forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type StageRow = { id: number; name: string; kind: StageDto['kind']; startsAt: Date; endsAt: Date; lockAt: Date };

export const stageDto = (s: StageRow, now: number): StageDto => ({
  id: s.id,
  name: s.name,
  kind: s.kind,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  lockAt: s.lockAt.toISOString(),
  locked: isLocked({ lockAt: s.lockAt.getTime() }, now),
});

export function stageRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/stages');
  const { prisma } = ctx.db;
  const now = () => ctx.clock.now();

  // The directory caches the current stage; a change must reach ingest and the wall at once.
  const refreshLive = () => live.directory.refresh().catch((err: unknown) => ctx.log.warn({ err }, 'directory refresh failed'));

  const loadStage = async (id: number) => {
    const s = await prisma.stage.findUnique({ where: { id } });
    if (!s) throw notFound('Stage');
    return s;
  };

  r.get('/', 'signed-in', async (req) => {
    actorOf(req);
    const rows = await prisma.stage.findMany({ orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] });
    const t = now();
    return { items: rows.map((s) => stageDto(s, t)), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    actorOf(req);
    const { id } = IdParam.parse(req.params);
    return stageDto(await loadStage(id), now());
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('Stages are set by the province');
    const body = StageCreate.parse(req.body);
    const startsAt = Date.parse(body.startsAt);
    const data = {
      name: body.name,
      kind: body.kind,
      startsAt: new Date(startsAt),
      endsAt: new Date(body.endsAt),
      lockAt: new Date(body.lockAt ? Date.parse(body.lockAt) : defaultLockAt(startsAt)),
    };
    const s = await prisma.$transaction(async (tx) => {
      const created = await tx.stage.create({ data });
      await audit(tx, a, { action: 'stage.create', entity: 'Stage', entityId: created.id, after: created });
      return created;
    });
    await refreshLive();
    res.status(201);
    return stageDto(s, now());
  });

  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('Stages are set by the province');
    const { id } = IdParam.parse(req.params);
    const body = StageUpdate.parse(req.body);
    const before = await loadStage(id);
    const startsAt = body.startsAt ? Date.parse(body.startsAt) : before.startsAt.getTime();
    const endsAt = body.endsAt ? Date.parse(body.endsAt) : before.endsAt.getTime();
    // Without a new lockAt the lock keeps its lead time before the start.
    const lockAt = body.lockAt ? Date.parse(body.lockAt) : startsAt - (before.startsAt.getTime() - before.lockAt.getTime());
    if (endsAt <= startsAt) throw invalid('Request validation failed', [{ path: 'endsAt', message: 'must be after startsAt' }]);
    if (lockAt > startsAt) throw invalid('Request validation failed', [{ path: 'lockAt', message: 'must not be after startsAt' }]);
    const s = await prisma.$transaction(async (tx) => {
      const after = await tx.stage.update({
        where: { id },
        data: { ...(body.name ? { name: body.name } : {}), ...(body.kind ? { kind: body.kind } : {}), startsAt: new Date(startsAt), endsAt: new Date(endsAt), lockAt: new Date(lockAt) },
      });
      await audit(tx, a, { action: 'stage.update', entity: 'Stage', entityId: id, before, after });
      return after;
    });
    await refreshLive();
    return stageDto(s, now());
  });

  /**
   * A city reports its finished schedule for the stage. Idempotent: the first report is kept (201); a repeat
   * is a no-op answered 200 with that first report, so a retry never moves reportedAt past the lock.
   */
  r.post('/:id/reports', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    if (a.role !== 'city' || !a.cityCode) throw forbidden('City staff report their city’s schedule');
    const cityCode = a.cityCode;
    const { id } = IdParam.parse(req.params);
    const stage = await loadStage(id);
    const existing = await prisma.scheduleReport.findUnique({ where: { stageId_cityCode: { stageId: id, cityCode } } });
    if (existing) return oneReport(id, stage, cityCode);
    const reportedAt = new Date(now());
    try {
      await prisma.$transaction(async (tx) => {
        const sessions = await tx.liveSession.findMany({
          where: { stageId: id, cityCode, status: { not: 'cancelled' } },
          select: { id: true, teamId: true, accountId: true, plannedStart: true, plannedEnd: true, status: true },
          orderBy: { plannedStart: 'asc' },
        });
        const created = await tx.scheduleReport.create({ data: { stageId: id, cityCode, reportedAt, reportedBy: a.id } });
        // The audit entry keeps the schedule as reported: the report row itself has no room for it.
        await audit(tx, a, {
          action: 'schedule.report',
          entity: 'ScheduleReport',
          entityId: created.id,
          cityCode,
          after: { ...created, onTime: reportOnTime({ lockAt: stage.lockAt.getTime() }, reportedAt.getTime()), sessions },
        });
      });
      res.status(201);
    } catch (err) {
      // A concurrent first report won the unique (stageId, cityCode): this one is the no-op repeat.
      if (!(typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002')) throw err;
    }
    return oneReport(id, stage, cityCode);
  });

  r.get('/:id/reports', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    let cities: string[] | undefined;
    if (a.role === 'city' && a.cityCode) cities = [a.cityCode];
    else if (!isProvince(a)) throw forbidden('Schedule reports are for the province and city staff');
    const stage = await loadStage(id);
    const items = await reportItems(id, stage, cities);
    return { items, total: items.length };
  });

  async function oneReport(stageId: number, stage: { lockAt: Date }, cityCode: string): Promise<ScheduleReportDto> {
    const [item] = await reportItems(stageId, stage, [cityCode]);
    if (!item) throw notFound('City');
    return item;
  }

  /** Per city (all 11 unless `only`): reported?, when, on time?, sessions and the latest change. */
  async function reportItems(stageId: number, stage: { lockAt: Date }, only?: string[]): Promise<ScheduleReportDto[]> {
    const cityWhere = only ? { code: { in: only } } : {};
    const [cities, reports, counts] = await Promise.all([
      prisma.city.findMany({ where: cityWhere, select: { code: true, name: true }, orderBy: { code: 'asc' } }),
      prisma.scheduleReport.findMany({ where: { stageId, ...(only ? { cityCode: { in: only } } : {}) } }),
      prisma.liveSession.groupBy({
        by: ['cityCode'],
        where: { stageId, status: { not: 'cancelled' }, ...(only ? { cityCode: { in: only } } : {}) },
        _count: { _all: true },
        _max: { updatedAt: true },
      }),
    ]);
    const byCity = new Map(reports.map((x) => [x.cityCode, x]));
    const countBy = new Map(counts.map((c) => [c.cityCode, c]));
    const t = now();
    const lockAt = stage.lockAt.getTime();
    return cities.map((c) => {
      const rep = byCity.get(c.code);
      const cnt = countBy.get(c.code);
      return {
        stageId,
        cityCode: c.code,
        cityName: c.name,
        reported: !!rep,
        reportedAt: rep ? rep.reportedAt.toISOString() : null,
        reportedBy: rep?.reportedBy ?? null,
        onTime: rep ? reportOnTime({ lockAt }, rep.reportedAt.getTime()) : null,
        overdue: !rep && t >= lockAt,
        sessions: cnt?._count._all ?? 0,
        lastChangeAt: cnt?._max.updatedAt ? cnt._max.updatedAt.toISOString() : null,
      };
    });
  }

  return r;
}
