// How urgent each open alert and ticket is, and whether a scheduled session is late. Pure functions of
// the items and the hub's time, so the queue re-orders itself as SLA deadlines pass.
import type { SessionRow } from '@contracts/live';
import type { AlertDto, TicketDto } from '@contracts/response';

export type TicketLate = 'ack' | 'resolve' | null;

/** The server's rule (server/domain/alerts.ts ticketLate) on the client's clock: due exactly now is not late. */
export function ticketLateAt(t: Pick<TicketDto, 'status' | 'ackDueAt' | 'resolveDueAt'>, now: number): TicketLate {
  if (t.status === 'resolved') return null;
  if (now > Date.parse(t.resolveDueAt)) return 'resolve';
  if ((t.status === 'open' || t.status === 'claimed') && now > Date.parse(t.ackDueAt)) return 'ack';
  return null;
}

/** The next SLA deadline the ticket is measured against: acknowledgement first, then resolution. */
export function ticketNextDue(t: Pick<TicketDto, 'status' | 'ackDueAt' | 'resolveDueAt'>): { step: 'ack' | 'resolve'; at: number } | null {
  if (t.status === 'resolved') return null;
  if (t.status === 'open' || t.status === 'claimed') {
    const ack = Date.parse(t.ackDueAt);
    const resolve = Date.parse(t.resolveDueAt);
    // Past the acknowledgement deadline the resolution deadline still counts down.
    return { step: 'ack', at: Math.min(ack, resolve) };
  }
  return { step: 'resolve', at: Date.parse(t.resolveDueAt) };
}

export type QueueItem =
  | { kind: 'alert'; key: string; tier: 0 | 2; sortAt: number; alert: AlertDto }
  | { kind: 'ticket'; key: string; tier: 1 | 2; sortAt: number; ticket: TicketDto; late: TicketLate };

const SEVERITY_ORDER: Record<AlertDto['severity'], number> = { critical: 0, warning: 1, info: 2 };

/**
 * One queue, most urgent first: critical alerts (oldest first), late tickets (most overdue first), then
 * the rest: tickets by their next deadline, then warnings and notices by age.
 */
export function urgencyQueue(alerts: readonly AlertDto[], tickets: readonly TicketDto[], now: number): QueueItem[] {
  const items: QueueItem[] = [];
  for (const alert of alerts) {
    if (alert.clearedAt) continue;
    items.push({ kind: 'alert', key: `a${alert.id}`, tier: alert.severity === 'critical' ? 0 : 2, sortAt: Date.parse(alert.openedAt), alert });
  }
  for (const ticket of tickets) {
    if (ticket.status === 'resolved') continue;
    const late = ticketLateAt(ticket, now);
    const due = ticketNextDue(ticket);
    items.push({ kind: 'ticket', key: `t${ticket.id}`, tier: late ? 1 : 2, sortAt: due?.at ?? Date.parse(ticket.openedAt), ticket, late });
  }
  const rank = (x: QueueItem) => (x.kind === 'ticket' ? 0 : 1 + SEVERITY_ORDER[x.alert.severity]);
  return items.sort((a, b) => a.tier - b.tier || rank(a) - rank(b) || a.sortAt - b.sortAt || a.key.localeCompare(b.key));
}

/** Late to start: the planned start has passed and the session has neither been marked live nor reported anything. */
export function sessionLate(s: Pick<SessionRow, 'status' | 'plannedStart' | 'lastEventAt'>, now: number): boolean {
  return s.status === 'scheduled' && s.lastEventAt === null && Date.parse(s.plannedStart) < now;
}

/** `mm:ss` (or `h:mm:ss`) of a signed duration, for SLA countdowns: negative means overdue. */
export function formatCountdown(ms: number): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  const body = h > 0 ? `${h}:${mm}:${String(s).padStart(2, '0')}` : `${mm}:${String(s).padStart(2, '0')}`;
  return ms < 0 ? `-${body}` : body;
}

/** A median duration in whole minutes, or null. */
export function minutesOf(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms / 60_000);
}

/** Replaces the item with the same id, or adds it. */
export function upsertById<T extends { id: number }>(list: readonly T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i === -1) return [item, ...list];
  const next = list.slice();
  next[i] = item;
  return next;
}
