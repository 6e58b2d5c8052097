// Rows of the response tables as the API and the sockets show them.
import type { AlertDto, AlertRule, AlertSeverity, TicketDto, TicketSla, TicketStepDto } from '../../contracts/response';
import type { Role } from '../../contracts/auth';
import { ticketDue, ticketLate } from '../domain/alerts';

export interface AlertRow {
  id: number; key: string; rule: string; severity: AlertSeverity; sessionId: number | null; teamId: number | null; cityCode: string;
  message: string; details: unknown; openedAt: Date; updatedAt: Date; clearedAt: Date | null; team?: { name: string } | null;
}

const isDetails = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function alertDto(a: AlertRow, teamName?: string): AlertDto {
  const name = teamName ?? a.team?.name;
  return {
    id: a.id,
    key: a.key,
    rule: a.rule as AlertRule,
    severity: a.severity,
    sessionId: a.sessionId,
    teamId: a.teamId,
    ...(name ? { teamName: name } : {}),
    cityCode: a.cityCode,
    message: a.message,
    details: isDetails(a.details) ? a.details : null,
    openedAt: a.openedAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    clearedAt: a.clearedAt?.toISOString() ?? null,
  };
}

export interface StepRow {
  id: number; kind: TicketStepDto['kind']; text: string | null; by: number; at: Date;
}

export interface TicketRow {
  id: number; teamId: number; cityCode: string; sessionId: number | null; kind: TicketDto['kind']; text: string; status: TicketDto['status'];
  openedBy: number; claimedBy: number | null; openedAt: Date; claimedAt: Date | null; acknowledgedAt: Date | null; resolvedAt: Date | null;
  team?: { name: string };
}

/** `byRole`: the role of the step's author when known (the actor at hand, or looked up for a history). */
export const stepDto = (s: StepRow, byRole?: Role | null): TicketStepDto => ({
  id: s.id, kind: s.kind, text: s.text, by: s.by, ...(byRole !== undefined ? { byRole } : {}), at: s.at.toISOString(),
});

/** `reopenedAt`: the last reopening, which restarts the SLA clocks. */
export function ticketDto(
  t: TicketRow, sla: TicketSla, now: number, reopenedAt: Date | null, steps?: StepRow[], roles?: ReadonlyMap<number, Role>,
): TicketDto {
  const slaTicket = { status: t.status, openedAt: t.openedAt.getTime(), reopenedAt: reopenedAt?.getTime() ?? null };
  const due = ticketDue(slaTicket, sla);
  return {
    id: t.id,
    teamId: t.teamId,
    ...(t.team ? { teamName: t.team.name } : {}),
    cityCode: t.cityCode,
    sessionId: t.sessionId,
    kind: t.kind,
    text: t.text,
    status: t.status,
    openedBy: t.openedBy,
    claimedBy: t.claimedBy,
    openedAt: t.openedAt.toISOString(),
    claimedAt: t.claimedAt?.toISOString() ?? null,
    acknowledgedAt: t.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: t.resolvedAt?.toISOString() ?? null,
    ackDueAt: new Date(due.ackDueAt).toISOString(),
    resolveDueAt: new Date(due.resolveDueAt).toISOString(),
    late: ticketLate(slaTicket, sla, now),
    ...(steps ? { steps: steps.map((s) => stepDto(s, roles ? (roles.get(s.by) ?? null) : undefined)) } : {}),
  };
}
