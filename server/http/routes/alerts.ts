// Alerts (scoped lists), the province's alert thresholds, and a session's timeline of alerts, tickets and
// violations. Mounted at /api/v1 because the timeline lives under /sessions/:id.
import { IdParam } from '../../../contracts/common';
import { AlertListQuery, type TimelineItem } from '../../../contracts/response';
import { canViewCity, canViewTeam, isProvince, teamScope } from '../../domain/permissions';
import { alertDto } from '../../alerts/dto';
import { readThresholds, writeThresholds } from '../../alerts/settings';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

export function alertRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;

  r.get('/alerts', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = AlertListQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden('That city is outside your scope');
    const cityCode = s.cityCode ?? q.cityCode;
    const rows = await prisma.alert.findMany({
      where: {
        ...(cityCode ? { cityCode } : {}),
        ...(s.teamId !== undefined ? { teamId: s.teamId } : {}),
        ...(q.sessionId !== undefined ? { sessionId: q.sessionId } : {}),
        ...(q.open === 'true' ? { clearedAt: null } : q.open === 'false' ? { clearedAt: { not: null } } : {}),
      },
      include: { team: { select: { name: true } } },
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    return { items: rows.map((x) => alertDto(x)), total: rows.length };
  });

  r.get('/alerts/thresholds', 'signed-in', async (req) => {
    if (!isProvince(actorOf(req))) throw forbidden('Alert thresholds are the province’s');
    return readThresholds(prisma);
  });

  /** Takes effect on the leader's next fraud tick (within about 10 s). */
  r.put('/alerts/thresholds', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('Alert thresholds are the province’s');
    return prisma.$transaction((tx) => writeThresholds(tx, a, req.body));
  });

  r.get('/alerts/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const row = await prisma.alert.findUnique({ where: { id }, include: { team: { select: { name: true } } } });
    if (!row) throw notFound('Alert');
    const visible = row.teamId !== null ? canViewTeam(a, { id: row.teamId, cityCode: row.cityCode }) : canViewCity(a, row.cityCode);
    if (!visible) throw forbidden();
    return alertDto(row);
  });

  r.get('/sessions/:id/timeline', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await prisma.liveSession.findUnique({ where: { id }, select: { teamId: true, cityCode: true } });
    if (!s) throw notFound('Session');
    if (!canViewTeam(a, { id: s.teamId, cityCode: s.cityCode })) throw forbidden('That session is outside your scope');
    const [alerts, tickets, violations] = await Promise.all([
      prisma.alert.findMany({ where: { sessionId: id } }),
      prisma.ticket.findMany({ where: { sessionId: id }, include: { steps: true } }),
      prisma.violation.findMany({ where: { sessionId: id } }),
    ]);
    const items: TimelineItem[] = [];
    for (const x of alerts) {
      const d = alertDto(x);
      const base = { kind: 'alert' as const, alertId: d.id, rule: d.rule, severity: d.severity, message: d.message };
      items.push({ at: x.openedAt.toISOString(), event: 'opened', ...base });
      if (x.clearedAt) items.push({ at: x.clearedAt.toISOString(), event: 'cleared', ...base });
    }
    for (const t of tickets)
      for (const st of t.steps)
        items.push({ at: st.at.toISOString(), kind: 'ticket', event: st.kind, ticketId: t.id, ticketKind: t.kind, text: st.text, by: st.by });
    for (const v of violations) {
      const base = { kind: 'violation' as const, violationId: v.id, decision: v.decision, violationKind: v.kind, reason: v.reason };
      items.push({ at: v.decidedAt.toISOString(), event: 'decided', ...base });
      if (v.liftedAt) items.push({ at: v.liftedAt.toISOString(), event: 'lifted', ...base });
    }
    // ISO instants of one format sort as strings; ties keep a stable kind order.
    items.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
    return { items };
  });

  return r;
}
