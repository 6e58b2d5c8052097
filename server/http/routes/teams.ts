import { z } from 'zod';
import { CityCode, Id, IdParam } from '../../../contracts/common';
import { TeamCreate, TeamStatus, TeamUpdate } from '../../../contracts/registry';
import { canEditTeam, canManageCity, canViewTeam, teamScope } from '../../domain/permissions';
import { teamDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const ListQuery = z.object({
  cityCode: CityCode.optional(),
  universityId: Id.optional(),
  status: TeamStatus.optional(),
  q: z.string().trim().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const include = { university: { select: { name: true } }, _count: { select: { members: true } } } as const;

export function teamRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/teams');
  const { prisma } = ctx.db;

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ListQuery.parse(req.query);
    const scope = teamScope(a);
    if (q.cityCode && scope.cityCode && q.cityCode !== scope.cityCode) throw forbidden();
    const where = {
      ...(scope.teamId !== undefined ? { id: scope.teamId } : {}),
      ...(scope.cityCode ? { cityCode: scope.cityCode } : q.cityCode ? { cityCode: q.cityCode } : {}),
      ...(q.universityId ? { universityId: q.universityId } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.q ? { name: { contains: q.q } } : {}),
    };
    const [rows, total] = await Promise.all([
      prisma.team.findMany({ where, include, orderBy: [{ cityCode: 'asc' }, { id: 'asc' }], take: q.limit, skip: q.offset }),
      prisma.team.count({ where }),
    ]);
    return { items: rows.map((t) => teamDto(a, t)), total };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const t = await prisma.team.findUnique({ where: { id }, include });
    if (!t) throw notFound('Team');
    if (!canViewTeam(a, t)) throw forbidden();
    return teamDto(a, t);
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = TeamCreate.parse(req.body);
    if (!canManageCity(a, body.cityCode)) throw forbidden();
    const uni = await prisma.university.findUnique({ where: { id: body.universityId } });
    if (!uni) throw invalid('University does not exist', [{ path: 'universityId', message: 'not found' }]);
    if (uni.cityCode !== body.cityCode)
      throw invalid('The university belongs to another city', [{ path: 'universityId', message: 'another city' }]);
    const t = await prisma.$transaction(async (tx) => {
      const created = await tx.team.create({ data: body, include });
      await audit(tx, a, { action: 'team.create', entity: 'Team', entityId: created.id, cityCode: created.cityCode, after: created });
      return created;
    });
    res.status(201);
    return teamDto(a, t);
  });

  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = TeamUpdate.parse(req.body);
    const before = await prisma.team.findUnique({ where: { id } });
    if (!before) throw notFound('Team');
    if (!canEditTeam(a, before)) throw forbidden();
    if (body.universityId) {
      const uni = await prisma.university.findUnique({ where: { id: body.universityId } });
      if (!uni || uni.cityCode !== before.cityCode)
        throw invalid('University must exist in the team’s city', [{ path: 'universityId', message: 'not in this city' }]);
    }
    const t = await prisma.$transaction(async (tx) => {
      const after = await tx.team.update({ where: { id }, data: body, include });
      await audit(tx, a, { action: 'team.update', entity: 'Team', entityId: id, cityCode: after.cityCode, before, after });
      return after;
    });
    return teamDto(a, t);
  });

  return r;
}
