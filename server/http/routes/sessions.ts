import { z } from 'zod';
import { CityCode, Id, IdParam } from '../../../contracts/common';
import type { AppContext } from '../context';
import type { Live } from '../../live/index';
import { canViewTeam, teamScope } from '../../domain/permissions';
import { toRow } from '../../live/views';
import { ApiRouter, actorOf } from '../router';
import { forbidden, notFound } from '../errors';

const Status = z.enum(['scheduled', 'live', 'ended', 'cancelled', 'suspended']);
const ListQuery = z.object({
  status: Status.optional(),
  cityCode: CityCode.optional(),
  teamId: Id.optional(),
  stageId: Id.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

type SessionRowDb = {
  id: number; stageId: number; teamId: number; cityCode: string; accountId: number | null; title: string | null;
  plannedStart: Date; plannedEnd: Date; actualStart: Date | null; actualEnd: Date | null; status: string;
  checklist: string; verifiedGmvFen: number | null; team?: { name: string };
};

const dto = (s: SessionRowDb) => ({
  id: s.id,
  stageId: s.stageId,
  teamId: s.teamId,
  teamName: s.team?.name,
  cityCode: s.cityCode,
  accountId: s.accountId,
  title: s.title,
  status: s.status,
  checklist: s.checklist,
  plannedStart: s.plannedStart.toISOString(),
  plannedEnd: s.plannedEnd.toISOString(),
  actualStart: s.actualStart?.toISOString() ?? null,
  actualEnd: s.actualEnd?.toISOString() ?? null,
  verifiedGmvFen: s.verifiedGmvFen,
});

export function sessionRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/sessions');
  const { prisma } = ctx.db;

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ListQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
    if (q.teamId && s.teamId !== undefined && q.teamId !== s.teamId) throw forbidden();
    const where = {
      ...(q.status ? { status: q.status } : {}),
      ...(q.stageId ? { stageId: q.stageId } : {}),
      cityCode: s.cityCode ?? q.cityCode,
      teamId: s.teamId ?? q.teamId,
      ...(q.from || q.to
        ? { plannedStart: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
        : {}),
    };
    const rows = await prisma.liveSession.findMany({
      where,
      include: { team: { select: { name: true } } },
      orderBy: [{ plannedStart: 'asc' }, { id: 'asc' }],
      take: q.limit,
    });
    return { items: rows.map(dto), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await prisma.liveSession.findUnique({ where: { id }, include: { team: { select: { name: true } } } });
    if (!s) throw notFound('Session');
    if (!canViewTeam(a, { id: s.teamId, cityCode: s.cityCode })) throw forbidden();
    return dto(s);
  });

  /** The session's live numbers and curve, as a dashboard's snapshot would show them. */
  r.get('/:id/live', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const info = (await live.directory.resolve([id])).get(id);
    if (!info) throw notFound('Session');
    if (!canViewTeam(a, { id: info.teamId, cityCode: info.cityCode })) throw forbidden();
    const snap = await live.views.session(info);
    return { ...snap, session: toRow(info, snap.session) };
  });

  return r;
}
