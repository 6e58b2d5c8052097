// Violations (八(二)): record a breach with its evidence and decision; a suspension or disqualification changes
// the team's status in the same transaction, and the live directory is refreshed at once so ingest refuses
// the team's events from the next batch on.
import { IdParam } from '../../../contracts/common';
import { ViolationCreate, ViolationLift, ViolationListQuery, type ViolationDto } from '../../../contracts/ops';
import type { Prisma } from '../../db/generated/client.ts';
import { canViewTeam, teamScope, type Actor } from '../../domain/permissions';
import { canDecide, canLift, liftRefusal, teamStatusAfter } from '../../domain/violations';
import type { Live } from '../../live/index';
import { audit } from '../../services/audit';
import { conflict, forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type Row = {
  id: number; teamId: number; cityCode: string; sessionId: number | null; kind: ViolationDto['kind']; evidence: string; links: string[];
  atInSession: Date | null; decision: ViolationDto['decision']; reason: string; decidedAt: Date; liftedAt: Date | null; liftReason: string | null;
  team?: { name: string };
};

const dto = (v: Row, teamStatus?: string): ViolationDto => ({
  id: v.id,
  teamId: v.teamId,
  ...(v.team ? { teamName: v.team.name } : {}),
  cityCode: v.cityCode,
  sessionId: v.sessionId,
  kind: v.kind,
  evidence: v.evidence,
  links: v.links,
  atInSession: v.atInSession?.toISOString() ?? null,
  decision: v.decision,
  reason: v.reason,
  decidedAt: v.decidedAt.toISOString(),
  liftedAt: v.liftedAt?.toISOString() ?? null,
  liftReason: v.liftReason,
  ...(teamStatus ? { teamStatus } : {}),
});

/** Locks the team row, recomputes its status from all its violations and writes it when it changed. */
async function settleTeamStatus(tx: Prisma.TransactionClient, a: Actor, teamId: number, reason: string): Promise<string> {
  await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${teamId} FOR UPDATE`;
  const team = await tx.team.findUniqueOrThrow({ where: { id: teamId }, select: { id: true, cityCode: true, status: true } });
  const all = await tx.violation.findMany({ where: { teamId }, select: { decision: true, liftedAt: true } });
  const next = teamStatusAfter(all, team.status);
  if (next !== team.status) {
    await tx.team.update({ where: { id: teamId }, data: { status: next } });
    await audit(tx, a, { action: 'team.status', entity: 'Team', entityId: teamId, cityCode: team.cityCode, before: { status: team.status }, after: { status: next }, reason });
  }
  return next;
}

export function violationRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/violations');
  const { prisma } = ctx.db;

  // The write is committed; a failed refresh only delays the effect until the directory's next periodic one.
  const refresh = () => live.directory.refresh().catch((err: unknown) => ctx.log.warn({ err }, 'directory refresh after a violation failed'));

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ViolationListQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
    if (q.teamId !== undefined && s.teamId !== undefined && q.teamId !== s.teamId) throw forbidden();
    const cityCode = s.cityCode ?? q.cityCode;
    const teamId = s.teamId ?? q.teamId;
    const rows = await prisma.violation.findMany({
      where: {
        ...(cityCode ? { cityCode } : {}),
        ...(teamId !== undefined ? { teamId } : {}),
        ...(q.active === 'true' ? { decision: 'suspension' as const, liftedAt: null } : {}),
      },
      include: { team: { select: { name: true } } },
      orderBy: [{ decidedAt: 'desc' }, { id: 'desc' }],
      take: 2000,
    });
    return { items: rows.map((v) => dto(v)), total: rows.length };
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const v = await prisma.violation.findUnique({ where: { id }, include: { team: { select: { name: true } } } });
    if (!v) throw notFound('Violation');
    if (!canViewTeam(a, { id: v.teamId, cityCode: v.cityCode })) throw forbidden();
    return dto(v);
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = ViolationCreate.parse(req.body);
    const team = await prisma.team.findUnique({ where: { id: body.teamId }, select: { id: true, cityCode: true } });
    if (!team) throw invalid('Team does not exist', [{ path: 'teamId', message: 'not found' }]);
    if (!canDecide(a, team, body.decision))
      throw forbidden(body.decision === 'disqualification' && a.role === 'city' ? 'Only the province disqualifies a team' : undefined);
    if (body.sessionId) {
      const s = await prisma.liveSession.findUnique({ where: { id: body.sessionId }, select: { teamId: true } });
      if (!s || s.teamId !== team.id) throw invalid('The session is not one of this team’s', [{ path: 'sessionId', message: 'not this team’s session' }]);
    }
    const out = await prisma.$transaction(async (tx) => {
      const v = await tx.violation.create({
        data: {
          teamId: team.id, cityCode: team.cityCode, sessionId: body.sessionId ?? null, kind: body.kind, evidence: body.evidence, links: body.links,
          atInSession: body.atInSession ? new Date(body.atInSession) : null, decision: body.decision, reason: body.reason, decidedBy: a.id,
          decidedAt: new Date(ctx.clock.now()),
        },
        include: { team: { select: { name: true } } },
      });
      await audit(tx, a, { action: `violation.${body.decision}`, entity: 'Violation', entityId: v.id, cityCode: team.cityCode, after: v, reason: body.reason });
      const status = await settleTeamStatus(tx, a, team.id, `violation #${v.id}: ${body.reason}`);
      return dto(v, status);
    });
    await refresh();
    res.status(201);
    return out;
  });

  /** Lifts a suspension once the team has rectified; the team is active again unless another one remains. */
  r.post('/:id/lift', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = ViolationLift.parse(req.body);
    const v = await prisma.violation.findUnique({ where: { id } });
    if (!v) throw notFound('Violation');
    const team = { id: v.teamId, cityCode: v.cityCode };
    if (!canLift(a, team)) throw forbidden();
    const refusal = liftRefusal(v);
    if (refusal) throw conflict(refusal);
    const out = await prisma.$transaction(async (tx) => {
      const n = await tx.violation.updateMany({
        where: { id, liftedAt: null },
        data: { liftedAt: new Date(ctx.clock.now()), liftedBy: a.id, liftReason: body.reason },
      });
      if (n.count === 0) throw conflict('The suspension was already lifted');
      const after = await tx.violation.findUniqueOrThrow({ where: { id }, include: { team: { select: { name: true } } } });
      await audit(tx, a, { action: 'violation.lift', entity: 'Violation', entityId: id, cityCode: v.cityCode, before: v, after, reason: body.reason });
      const status = await settleTeamStatus(tx, a, v.teamId, `suspension #${id} lifted: ${body.reason}`);
      return dto(after, status);
    });
    await refresh();
    return out;
  });

  return r;
}
