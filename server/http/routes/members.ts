import { z } from 'zod';
import { Id, IdParam } from '../../../contracts/common';
import { MemberCreate, MemberUpdate } from '../../../contracts/registry';
import { canEditTeam, canViewTeam, teamScope } from '../../domain/permissions';
import { memberDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const ListQuery = z.object({ teamId: Id.optional() });

/** A member on camera needs 主播备案; one who is not does not. */
const filingFor = (onCamera: boolean) => (onCamera ? 'pending' : 'not_required') as 'pending' | 'not_required';

export function memberRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/members');
  const { prisma } = ctx.db;

  const loadTeam = async (teamId: number) => {
    const t = await prisma.team.findUnique({ where: { id: teamId }, select: { id: true, cityCode: true } });
    if (!t) throw notFound('Team');
    return t;
  };

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ListQuery.parse(req.query);
    if (q.teamId) {
      const team = await loadTeam(q.teamId);
      if (!canViewTeam(a, team)) throw forbidden();
      const rows = await prisma.member.findMany({ where: { teamId: q.teamId }, orderBy: { id: 'asc' } });
      return { items: rows.map((m) => memberDto(a, m, team)), total: rows.length };
    }
    const s = teamScope(a);
    const rows = await prisma.member.findMany({
      where: { team: { ...(s.cityCode ? { cityCode: s.cityCode } : {}), ...(s.teamId !== undefined ? { id: s.teamId } : {}) } },
      include: { team: { select: { id: true, cityCode: true } } },
      orderBy: { id: 'asc' },
      take: 5000,
    });
    return { items: rows.map((m) => memberDto(a, m, m.team)), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const m = await prisma.member.findUnique({ where: { id }, include: { team: { select: { id: true, cityCode: true } } } });
    if (!m) throw notFound('Member');
    if (!canViewTeam(a, m.team)) throw forbidden();
    return memberDto(a, m, m.team);
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = MemberCreate.parse(req.body);
    const team = await loadTeam(body.teamId).catch(() => {
      throw invalid('Team does not exist', [{ path: 'teamId', message: 'not found' }]);
    });
    if (!canEditTeam(a, team)) throw forbidden();
    const m = await prisma.$transaction(async (tx) => {
      const created = await tx.member.create({ data: { ...body, anchorFiling: filingFor(body.onCamera) } });
      await audit(tx, a, { action: 'member.create', entity: 'Member', entityId: created.id, cityCode: team.cityCode, after: created });
      return created;
    });
    res.status(201);
    return memberDto(a, m, team);
  });

  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = MemberUpdate.parse(req.body);
    const before = await prisma.member.findUnique({ where: { id }, include: { team: { select: { id: true, cityCode: true } } } });
    if (!before) throw notFound('Member');
    if (!canEditTeam(a, before.team)) throw forbidden();
    const { team, ...beforeRow } = before;
    // Going on camera needs a filing; leaving the camera drops the requirement.
    const filing =
      body.onCamera === undefined || body.onCamera === before.onCamera
        ? {}
        : { anchorFiling: filingFor(body.onCamera), anchorFiledAt: null, anchorFiledBy: null };
    const m = await prisma.$transaction(async (tx) => {
      const after = await tx.member.update({ where: { id }, data: { ...body, ...filing } });
      await audit(tx, a, { action: 'member.update', entity: 'Member', entityId: id, cityCode: team.cityCode, before: beforeRow, after });
      return after;
    });
    return memberDto(a, m, team);
  });

  r.delete('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const before = await prisma.member.findUnique({ where: { id }, include: { team: { select: { id: true, cityCode: true } } } });
    if (!before) throw notFound('Member');
    if (!canEditTeam(a, before.team)) throw forbidden();
    const { team, ...row } = before;
    await prisma.$transaction(async (tx) => {
      await tx.member.delete({ where: { id } });
      await audit(tx, a, { action: 'member.delete', entity: 'Member', entityId: id, cityCode: team.cityCode, before: row });
    });
    return undefined;
  });

  return r;
}
