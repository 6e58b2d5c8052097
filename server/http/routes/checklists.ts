// The pre-live checklist of a session (强化管控): the team submits it, city staff approve or return it.
import { IdParam } from '../../../contracts/common';
import { ChecklistItems, ChecklistReturn, ChecklistSubmit, type ChecklistDto, type ChecklistStatus } from '../../../contracts/schedule';
import { canManageCity, canViewTeam, type Actor } from '../../domain/permissions';
import { checklistOpen, readiness, transition, type ChecklistAction } from '../../domain/checklist';
import { checklistGate } from '../../services/settings';
import { audit } from '../../services/audit';
import type { Live } from '../../live/index';
import { conflict, forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type ChecklistRow = {
  sessionId: number; items: unknown; status: ChecklistStatus; submittedBy: number; submittedAt: Date;
  reviewedBy: number | null; reviewedAt: Date | null; returnReason: string | null;
};

type Step = { kind: 'submit'; items: ChecklistItems } | { kind: 'approve' } | { kind: 'return'; reason: string };

/** Stored items are read back through the schema; anything unreadable shows as absent rather than failing. */
const itemsOf = (raw: unknown) => {
  const p = ChecklistItems.safeParse(raw);
  return p.success ? p.data : null;
};

export function checklistRoutes(ctx: AppContext, live: Live): ApiRouter {
  // Same prefix as the sessions router: these are sub-resources of a session.
  const r = new ApiRouter('/api/v1/sessions');
  const { prisma } = ctx.db;
  const now = () => ctx.clock.now();

  const loadSession = async (id: number) => {
    const s = await prisma.liveSession.findUnique({ where: { id }, select: { id: true, teamId: true, cityCode: true, status: true, checklist: true } });
    if (!s) throw notFound('Session');
    return s;
  };

  const dto = async (sessionId: number, sessionChecklist: ChecklistStatus, rec: ChecklistRow | null): Promise<ChecklistDto> => ({
    sessionId,
    status: rec?.status ?? sessionChecklist,
    items: rec ? itemsOf(rec.items) : null,
    submittedBy: rec?.submittedBy ?? null,
    submittedAt: rec ? rec.submittedAt.toISOString() : null,
    reviewedBy: rec?.reviewedBy ?? null,
    reviewedAt: rec?.reviewedAt ? rec.reviewedAt.toISOString() : null,
    returnReason: rec?.returnReason ?? null,
    readiness: readiness({ checklist: sessionChecklist }, rec, await checklistGate(prisma)),
  });

  r.get('/:id/checklist', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await loadSession(id);
    if (!canViewTeam(a, { id: s.teamId, cityCode: s.cityCode })) throw forbidden();
    const rec = await prisma.preliveChecklist.findUnique({ where: { sessionId: id } });
    return dto(id, s.checklist, rec);
  });

  /** Applies one step of the state machine atomically: the row moves only from the status it was read in. */
  async function step(a: Actor, id: number, action: Step, auditAction: string, reason?: string) {
    const out = await prisma.$transaction(async (tx) => {
      const s = await tx.liveSession.findUniqueOrThrow({ where: { id }, select: { id: true, cityCode: true, status: true, checklist: true } });
      if (!checklistOpen(s.status)) throw conflict(`The session is ${s.status}; its checklist can no longer change`);
      const before = await tx.preliveChecklist.findUnique({ where: { sessionId: id } });
      const from = before?.status ?? 'none';
      const asAction: ChecklistAction =
        action.kind === 'approve' ? { kind: 'approve', items: before ? itemsOf(before.items) : null } : action.kind === 'return' ? action : { kind: 'submit' };
      const verdict = transition(from, asAction);
      if (!verdict.ok) throw conflict(verdict.message);
      const at = new Date(now());
      let after: ChecklistRow;
      if (action.kind === 'submit') {
        const data = { items: action.items, status: verdict.to, submittedBy: a.id, submittedAt: at, reviewedBy: null, reviewedAt: null, returnReason: null };
        if (!before) after = await tx.preliveChecklist.create({ data: { sessionId: id, ...data } });
        else {
          const moved = await tx.preliveChecklist.updateMany({ where: { sessionId: id, status: from }, data });
          if (moved.count !== 1) throw conflict('The checklist changed meanwhile; reload and try again');
          after = await tx.preliveChecklist.findUniqueOrThrow({ where: { sessionId: id } });
        }
      } else {
        const data = { status: verdict.to, reviewedBy: a.id, reviewedAt: at, returnReason: action.kind === 'return' ? action.reason : null };
        const moved = await tx.preliveChecklist.updateMany({ where: { sessionId: id, status: from }, data });
        if (moved.count !== 1) throw conflict('The checklist changed meanwhile; reload and try again');
        after = await tx.preliveChecklist.findUniqueOrThrow({ where: { sessionId: id } });
      }
      // The session row mirrors the status, so lists and the live directory need no join.
      await tx.liveSession.update({ where: { id }, data: { checklist: verdict.to } });
      await audit(tx, a, { action: auditAction, entity: 'PreliveChecklist', entityId: id, cityCode: s.cityCode, before, after, reason: reason ?? null });
      return after;
    });
    await live.directory.refresh().catch((err: unknown) => ctx.log.warn({ err }, 'directory refresh failed'));
    return dto(id, out.status, out);
  }

  /** Only the team itself submits its list; city staff review it. */
  r.put('/:id/checklist', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await loadSession(id);
    if (a.role !== 'team' || a.teamId !== s.teamId) throw forbidden('Only the team itself submits its pre-live checklist');
    const { items } = ChecklistSubmit.parse(req.body);
    return step(a, id, { kind: 'submit', items }, 'checklist.submit');
  });

  r.post('/:id/checklist/approve', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await loadSession(id);
    if (!canManageCity(a, s.cityCode)) throw forbidden('City staff of the session’s city or the province review checklists');
    return step(a, id, { kind: 'approve' }, 'checklist.approve');
  });

  r.post('/:id/checklist/return', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await loadSession(id);
    if (!canManageCity(a, s.cityCode)) throw forbidden('City staff of the session’s city or the province review checklists');
    const { reason } = ChecklistReturn.parse(req.body);
    return step(a, id, { kind: 'return', reason }, 'checklist.return', reason);
  });

  return r;
}
