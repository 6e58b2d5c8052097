import { z } from 'zod';
import { CityCode, IdParam } from '../../../contracts/common';
import { AccountCreate, AccountUpdate } from '../../../contracts/registry';
import { canManageCity, canViewCity, teamScope } from '../../domain/permissions';
import { accountDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const ListQuery = z.object({ cityCode: CityCode.optional() });

/** OMS live accounts: a city's own business; teams do not list them. */
export function accountRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/accounts');
  const { prisma } = ctx.db;

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (a.role === 'team') throw forbidden('Teams do not manage OMS accounts');
    const q = ListQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
    const cityCode = s.cityCode ?? q.cityCode;
    const rows = await prisma.liveAccount.findMany({ where: cityCode ? { cityCode } : {}, orderBy: [{ cityCode: 'asc' }, { id: 'asc' }] });
    return { items: rows.map(accountDto), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const x = await prisma.liveAccount.findUnique({ where: { id } });
    if (!x) throw notFound('Account');
    if (!canViewCity(a, x.cityCode)) throw forbidden();
    return accountDto(x);
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = AccountCreate.parse(req.body);
    if (!canManageCity(a, body.cityCode)) throw forbidden();
    const x = await prisma.$transaction(async (tx) => {
      const created = await tx.liveAccount.create({ data: body });
      await audit(tx, a, { action: 'account.create', entity: 'LiveAccount', entityId: created.id, cityCode: created.cityCode, after: created });
      return created;
    });
    res.status(201);
    return accountDto(x);
  });

  /** Checking an account (status ok/problem) stamps who and when: the 10-20 check. */
  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = AccountUpdate.parse(req.body);
    const before = await prisma.liveAccount.findUnique({ where: { id } });
    if (!before) throw notFound('Account');
    if (!canManageCity(a, before.cityCode)) throw forbidden();
    const checked = body.status && body.status !== 'unchecked' ? { checkedAt: new Date(ctx.clock.now()), checkedBy: a.id } : {};
    const x = await prisma.$transaction(async (tx) => {
      const after = await tx.liveAccount.update({ where: { id }, data: { ...body, ...checked } });
      await audit(tx, a, { action: 'account.update', entity: 'LiveAccount', entityId: id, cityCode: after.cityCode, before, after });
      return after;
    });
    return accountDto(x);
  });

  return r;
}
