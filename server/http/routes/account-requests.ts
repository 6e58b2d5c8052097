// New OMS live accounts (六(四)2): a city submits the registration details (由市分公司统一上报); the province approves,
// creating the account for that city, or rejects with a note.
import { z } from 'zod';
import { IdParam } from '../../../contracts/common';
import {
  AccountRequestApprove,
  AccountRequestCreate,
  AccountRequestListQuery,
  AccountRequestReject,
  type AccountRequestDto,
} from '../../../contracts/ops';
import { canViewCity, isProvince, maskPhone, type Actor } from '../../domain/permissions';
import { accountDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { conflict, forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const Details = z.record(z.string(), z.string()).catch({});

type Row = {
  id: number; cityCode: string; applicant: string; phone: string | null; details: unknown; reason: string | null;
  status: AccountRequestDto['status']; requestedAt: Date; decidedAt: Date | null; decisionNote: string | null; accountId: number | null;
  account?: Parameters<typeof accountDto>[0] | null;
};

const dto = (a: Actor, x: Row): AccountRequestDto => ({
  id: x.id,
  cityCode: x.cityCode,
  applicant: x.applicant,
  // Masked below the province, as every phone is.
  phone: isProvince(a) ? x.phone : maskPhone(x.phone),
  details: Details.parse(x.details),
  reason: x.reason,
  status: x.status,
  requestedAt: x.requestedAt.toISOString(),
  decidedAt: x.decidedAt?.toISOString() ?? null,
  decisionNote: x.decisionNote,
  accountId: x.accountId,
  ...(x.account !== undefined ? { account: x.account ? accountDto(x.account) : null } : {}),
});

export function accountRequestRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/account-requests');
  const { prisma } = ctx.db;

  const provinceOnly = (a: Actor) => {
    if (!isProvince(a)) throw forbidden('Only the province decides OMS account requests');
  };

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (a.role === 'team') throw forbidden('Teams do not manage OMS accounts');
    const q = AccountRequestListQuery.parse(req.query);
    if (!isProvince(a) && q.cityCode && q.cityCode !== a.cityCode) throw forbidden();
    const cityCode = isProvince(a) ? q.cityCode : (a.cityCode ?? '__none__');
    const rows = await prisma.accountRequest.findMany({
      where: { ...(cityCode ? { cityCode } : {}), ...(q.status ? { status: q.status } : {}) },
      include: { account: true },
      orderBy: [{ requestedAt: 'desc' }, { id: 'desc' }],
      take: 1000,
    });
    return { items: rows.map((x) => dto(a, x)), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const x = await prisma.accountRequest.findUnique({ where: { id }, include: { account: true } });
    if (!x) throw notFound('Account request');
    if (!canViewCity(a, x.cityCode)) throw forbidden();
    return dto(a, x);
  });

  /** The city reports its need; the province is the one that decides, so it does not submit for itself. */
  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = AccountRequestCreate.parse(req.body);
    if (a.role !== 'city' || !a.cityCode) throw forbidden('City staff submit OMS account requests');
    if (body.cityCode && body.cityCode !== a.cityCode) throw forbidden();
    const cityCode = a.cityCode;
    const x = await prisma.$transaction(async (tx) => {
      const created = await tx.accountRequest.create({
        data: { cityCode, applicant: body.applicant, phone: body.phone ?? null, details: body.details, reason: body.reason ?? null, requestedBy: a.id },
      });
      await audit(tx, a, { action: 'account_request.create', entity: 'AccountRequest', entityId: created.id, cityCode, after: created });
      return created;
    });
    res.status(201);
    return dto(a, x);
  });

  r.post('/:id/approve', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = AccountRequestApprove.parse(req.body);
    provinceOnly(a);
    const before = await prisma.accountRequest.findUnique({ where: { id } });
    if (!before) throw notFound('Account request');
    if (before.status !== 'submitted') throw conflict(`The request was already ${before.status}`);
    const now = new Date(ctx.clock.now());
    const after = await prisma.$transaction(async (tx) => {
      // The platform registered it; the city still checks it like any other account before 10-20.
      const account = await tx.liveAccount.create({
        data: { cityCode: before.cityCode, accountNo: body.accountNo, label: body.label, note: `OMS account request #${id}` },
      });
      const n = await tx.accountRequest.updateMany({
        where: { id, status: 'submitted' },
        data: { status: 'approved', decidedBy: a.id, decidedAt: now, accountId: account.id },
      });
      if (n.count === 0) throw conflict(`The request was already ${before.status}`);
      const x = await tx.accountRequest.findUniqueOrThrow({ where: { id }, include: { account: true } });
      await audit(tx, a, { action: 'account.create', entity: 'LiveAccount', entityId: account.id, cityCode: account.cityCode, after: account });
      await audit(tx, a, { action: 'account_request.approve', entity: 'AccountRequest', entityId: id, cityCode: x.cityCode, before, after: x });
      return x;
    });
    return dto(a, after);
  });

  r.post('/:id/reject', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = AccountRequestReject.parse(req.body);
    provinceOnly(a);
    const before = await prisma.accountRequest.findUnique({ where: { id } });
    if (!before) throw notFound('Account request');
    if (before.status !== 'submitted') throw conflict(`The request was already ${before.status}`);
    const after = await prisma.$transaction(async (tx) => {
      const n = await tx.accountRequest.updateMany({
        where: { id, status: 'submitted' },
        data: { status: 'rejected', decidedBy: a.id, decidedAt: new Date(ctx.clock.now()), decisionNote: body.note },
      });
      if (n.count === 0) throw conflict(`The request was already ${before.status}`);
      const x = await tx.accountRequest.findUniqueOrThrow({ where: { id }, include: { account: true } });
      await audit(tx, a, { action: 'account_request.reject', entity: 'AccountRequest', entityId: id, cityCode: x.cityCode, before, after: x, reason: body.note });
      return x;
    });
    return dto(a, after);
  });

  return r;
}
