import { z } from 'zod';
import { CityCode, IdParam } from '../../../contracts/common';
import { UniversityCreate, UniversityUpdate } from '../../../contracts/registry';
import { canManageCity, isProvince } from '../../domain/permissions';
import { universityDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const ListQuery = z.object({ cityCode: CityCode.optional() });

export function universityRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/universities');
  const { prisma } = ctx.db;

  // Universities are public contest facts (they appear on the scoreboard), so any signed-in user may list them.
  r.get('/', 'signed-in', async (req) => {
    const q = ListQuery.parse(req.query);
    const items = await prisma.university.findMany({ where: q.cityCode ? { cityCode: q.cityCode } : {}, orderBy: [{ cityCode: 'asc' }, { id: 'asc' }] });
    return { items: items.map(universityDto), total: items.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const { id } = IdParam.parse(req.params);
    const u = await prisma.university.findUnique({ where: { id } });
    if (!u) throw notFound('University');
    return universityDto(u);
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = UniversityCreate.parse(req.body);
    if (!canManageCity(a, body.cityCode)) throw forbidden();
    const now = new Date(ctx.clock.now());
    const u = await prisma.$transaction(async (tx) => {
      const created = await tx.university.create({
        data: { ...body, joinedAt: body.role === 'participant' ? null : now },
      });
      await audit(tx, a, { action: 'university.create', entity: 'University', entityId: created.id, cityCode: created.cityCode, after: created });
      return created;
    });
    res.status(201);
    return universityDto(u);
  });

  /** Changing the role (e.g. to co-organiser) is how a university "joins"; the province confirms incentives. */
  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = UniversityUpdate.parse(req.body);
    const before = await prisma.university.findUnique({ where: { id } });
    if (!before) throw notFound('University');
    if (!canManageCity(a, before.cityCode) && !isProvince(a)) throw forbidden();
    const joinedAt = body.role === 'participant' ? null : (before.joinedAt ?? new Date(ctx.clock.now()));
    const u = await prisma.$transaction(async (tx) => {
      const after = await tx.university.update({ where: { id }, data: { role: body.role, joinedAt } });
      await audit(tx, a, { action: 'university.update', entity: 'University', entityId: id, cityCode: after.cityCode, before, after });
      return after;
    });
    return universityDto(u);
  });

  return r;
}
