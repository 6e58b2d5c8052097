import { z } from 'zod';
import { CityCode } from '../../../contracts/common';
import { CityContactUpdate } from '../../../contracts/registry';
import { canManageCity } from '../../domain/permissions';
import { cityDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const CodeParam = z.object({ code: CityCode });

export function cityRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/cities');
  const { prisma } = ctx.db;

  // City names are public to every signed-in user; contacts only to their staff and the province.
  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const [cities, counts] = await Promise.all([
      prisma.city.findMany({ orderBy: { code: 'asc' } }),
      prisma.team.groupBy({ by: ['cityCode'], _count: { _all: true } }),
    ]);
    const n = new Map(counts.map((c) => [c.cityCode, c._count._all]));
    return { items: cities.map((c) => cityDto(a, c, n.get(c.code) ?? 0)), total: cities.length };
  });

  r.get('/:code', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { code } = CodeParam.parse(req.params);
    const city = await prisma.city.findUnique({ where: { code } });
    if (!city) throw notFound('City');
    return cityDto(a, city, await prisma.team.count({ where: { cityCode: code } }));
  });

  /** The city reports its contest contact (due 10-08). */
  r.put('/:code/contact', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { code } = CodeParam.parse(req.params);
    const body = CityContactUpdate.parse(req.body);
    if (!canManageCity(a, code)) throw forbidden();
    const before = await prisma.city.findUnique({ where: { code } });
    if (!before) throw notFound('City');
    const after = await prisma.$transaction(async (tx) => {
      const c = await tx.city.update({
        where: { code },
        data: { ...body, contactReportedAt: before.contactReportedAt ?? new Date(ctx.clock.now()) },
      });
      await audit(tx, a, { action: 'city.contact', entity: 'City', entityId: code, cityCode: code, before, after: c });
      return c;
    });
    return cityDto(a, after);
  });

  return r;
}
