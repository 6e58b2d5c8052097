// Tickets (工单): a team raises an issue, its city's staff claim, acknowledge and resolve it, the team may reopen.
// Every step is a TicketStep written with the change in one transaction, then pushed as `ticket:updated` to
// the province, the city's staff and the team, and to the city's webhooks. Shared by HTTP and the socket.
import type { z } from 'zod';
import {
  TicketComment, TicketCreate, TicketResolve, type TicketCityStats, type TicketDto, type TicketListQuery, type TicketSla,
  type TicketStatsQuery, type TicketStepDto,
} from '../../contracts/response';
import type { Prisma } from '../db/generated/client.ts';
import type { AppContext } from '../http/context';
import type { IoServer } from '../realtime/socket';
import { canManageCity, canViewTeam, teamScope, type Actor } from '../domain/permissions';
import { median, ticketLate } from '../domain/alerts';
import { conflict, forbidden, invalid, notFound } from '../http/errors';
import { readSla } from './settings';
import { stepDto, ticketDto, type StepRow, type TicketRow } from './dto';
import { responseRooms } from './routing';
import type { WebhookNotifier } from './webhooks';

export type TicketAction = 'claim' | 'ack' | 'comment' | 'resolve' | 'reopen';
type Status = TicketDto['status'];

const listInclude = {
  team: { select: { name: true } },
  steps: { where: { kind: 'reopened' as const }, orderBy: { at: 'desc' as const }, take: 1, select: { at: true } },
} as const;

/** Which statuses each action starts from, and who may take it. */
const FROM: Record<TicketAction, readonly Status[]> = {
  claim: ['open'],
  ack: ['open', 'claimed'],
  comment: ['open', 'claimed', 'acknowledged', 'resolved'],
  resolve: ['open', 'claimed', 'acknowledged'],
  reopen: ['resolved'],
};

const STEP_KIND: Record<TicketAction, TicketStepDto['kind']> = {
  claim: 'claimed', ack: 'acknowledged', comment: 'comment', resolve: 'resolved', reopen: 'reopened',
};

export class TicketService {
  constructor(
    private readonly ctx: AppContext,
    private readonly io: IoServer,
    private readonly notifier: WebhookNotifier,
  ) {}

  private get prisma() {
    return this.ctx.db.prisma;
  }

  private async sla(): Promise<TicketSla> {
    return (await readSla(this.prisma)).value;
  }

  async open(a: Actor, raw: unknown): Promise<TicketDto> {
    const body = TicketCreate.parse(raw);
    if (a.role !== 'team' || a.teamId === undefined) throw forbidden('Tickets are opened by a team');
    const team = await this.prisma.team.findUnique({ where: { id: a.teamId }, select: { id: true, cityCode: true } });
    if (!team) throw forbidden('Your team no longer exists');
    if (body.sessionId !== undefined) {
      const s = await this.prisma.liveSession.findUnique({ where: { id: body.sessionId }, select: { teamId: true } });
      if (!s || s.teamId !== team.id) throw invalid('The session is not one of your team’s', [{ path: 'sessionId', message: 'not your team’s session' }]);
    }
    const at = new Date(this.ctx.clock.now());
    const { ticket, step } = await this.prisma.$transaction(async (tx) => {
      const ticket = await tx.ticket.create({
        data: { teamId: team.id, cityCode: team.cityCode, sessionId: body.sessionId ?? null, kind: body.kind, text: body.text, openedBy: a.id, openedAt: at },
        include: { team: { select: { name: true } } },
      });
      const step = await tx.ticketStep.create({ data: { ticketId: ticket.id, kind: 'opened', text: body.text, by: a.id, at } });
      return { ticket, step };
    });
    const dto = ticketDto(ticket, await this.sla(), this.ctx.clock.now(), null);
    this.io.to(responseRooms(dto.cityCode, dto.teamId)).emit('ticket:opened', dto);
    this.notifier.notify({ event: 'ticket:opened', ticket: dto, step: stepDto(step, a.role) });
    return dto;
  }

  async act(a: Actor, id: number, action: TicketAction, raw: unknown): Promise<TicketDto> {
    const text = action === 'comment' ? TicketComment.parse(raw).text : action === 'resolve' ? (TicketResolve.parse(raw ?? {}).text ?? null) : null;
    const t = await this.prisma.ticket.findUnique({ where: { id } });
    if (!t) throw notFound('Ticket');
    const team = { id: t.teamId, cityCode: t.cityCode };
    if (!canViewTeam(a, team)) throw forbidden();
    const isOwnTeam = a.role === 'team' && a.teamId === t.teamId;
    if (action === 'reopen' ? !isOwnTeam : action !== 'comment' && !canManageCity(a, t.cityCode))
      throw forbidden(action === 'reopen' ? 'Only the team reopens its ticket' : 'Only staff of the ticket’s city handle it');
    if (!FROM[action].includes(t.status)) throw conflict(`A ${t.status} ticket cannot be ${STEP_KIND[action]}`);

    const now = new Date(this.ctx.clock.now());
    const data: Prisma.TicketUpdateManyMutationInput = {};
    if (action === 'claim') Object.assign(data, { status: 'claimed', claimedBy: a.id, claimedAt: now });
    if (action === 'ack')
      // Acknowledging an unclaimed ticket claims it too; the first acknowledgement time is kept for the stats.
      Object.assign(data, { status: 'acknowledged', acknowledgedAt: t.acknowledgedAt ?? now, claimedBy: t.claimedBy ?? a.id, claimedAt: t.claimedAt ?? now });
    if (action === 'resolve') Object.assign(data, { status: 'resolved', resolvedAt: now });
    if (action === 'reopen') Object.assign(data, { status: 'open', resolvedAt: null, claimedBy: null, claimedAt: null });

    const step = await this.prisma.$transaction(async (tx) => {
      if (action !== 'comment') {
        // Only from the status just checked: a concurrent step makes this one a conflict, not a double step.
        const n = await tx.ticket.updateMany({ where: { id, status: t.status }, data });
        if (n.count === 0) throw conflict('The ticket changed meanwhile; reload it');
      }
      return tx.ticketStep.create({ data: { ticketId: id, kind: STEP_KIND[action], text, by: a.id, at: now } });
    });
    const dto = await this.dtoOf(id, false);
    const s = stepDto(step, a.role);
    this.io.to(responseRooms(dto.cityCode, dto.teamId)).emit('ticket:updated', { ticket: dto, step: s });
    this.notifier.notify({ event: 'ticket:updated', ticket: dto, step: s });
    return dto;
  }

  private async dtoOf(id: number, withSteps: boolean): Promise<TicketDto> {
    const t = await this.prisma.ticket.findUniqueOrThrow({
      where: { id },
      include: { team: { select: { name: true } }, steps: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
    });
    if (!withSteps) return ticketDto(t, await this.sla(), this.ctx.clock.now(), lastReopen(t.steps));
    // Who wrote each step, so a comment reads as the team's or the staff's.
    const users = await this.prisma.user.findMany({ where: { id: { in: [...new Set(t.steps.map((s) => s.by))] } }, select: { id: true, role: true } });
    const roles = new Map(users.map((u) => [u.id, u.role]));
    return ticketDto(t, await this.sla(), this.ctx.clock.now(), lastReopen(t.steps), t.steps, roles);
  }

  async get(a: Actor, id: number): Promise<TicketDto> {
    const t = await this.prisma.ticket.findUnique({ where: { id }, select: { teamId: true, cityCode: true } });
    if (!t) throw notFound('Ticket');
    if (!canViewTeam(a, { id: t.teamId, cityCode: t.cityCode })) throw forbidden();
    return this.dtoOf(id, true);
  }

  async list(a: Actor, q: z.infer<typeof TicketListQuery>): Promise<{ items: TicketDto[]; total: number }> {
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden('That city is outside your scope');
    const cityCode = s.cityCode ?? q.cityCode;
    const rows = await this.prisma.ticket.findMany({
      where: {
        ...(cityCode ? { cityCode } : {}),
        ...(s.teamId !== undefined ? { teamId: s.teamId } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.sessionId !== undefined ? { sessionId: q.sessionId } : {}),
      },
      include: listInclude,
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    const sla = await this.sla();
    const now = this.ctx.clock.now();
    const items = rows.map((t) => ticketDto(t, sla, now, t.steps[0]?.at ?? null));
    return { items, total: items.length };
  }

  /** Per city: open, late, and median minutes to acknowledge and to resolve (first acknowledgement, final resolution). */
  async stats(a: Actor, q: z.infer<typeof TicketStatsQuery>): Promise<{ items: TicketCityStats[] }> {
    if (a.role === 'team') throw forbidden('Ticket statistics are for staff');
    if (q.cityCode && !canManageCity(a, q.cityCode)) throw forbidden('That city is outside your scope');
    const only = a.role === 'city' ? a.cityCode : q.cityCode;
    const cities = only ? [only] : (await this.prisma.city.findMany({ select: { code: true }, orderBy: { code: 'asc' } })).map((c) => c.code);
    const rows = await this.prisma.ticket.findMany({
      where: only ? { cityCode: only } : {},
      select: { cityCode: true, status: true, openedAt: true, acknowledgedAt: true, resolvedAt: true, steps: listInclude.steps },
    });
    const sla = await this.sla();
    const now = this.ctx.clock.now();
    const by = new Map(cities.map((c) => [c, { open: 0, late: 0, ack: [] as number[], resolve: [] as number[] }]));
    for (const t of rows) {
      const c = by.get(t.cityCode);
      if (!c) continue;
      const opened = t.openedAt.getTime();
      if (t.status !== 'resolved') c.open++;
      if (ticketLate({ status: t.status, openedAt: opened, reopenedAt: t.steps[0]?.at.getTime() ?? null }, sla, now)) c.late++;
      if (t.acknowledgedAt) c.ack.push(t.acknowledgedAt.getTime() - opened);
      if (t.resolvedAt && t.status === 'resolved') c.resolve.push(t.resolvedAt.getTime() - opened);
    }
    return {
      items: [...by].map(([cityCode, c]) => ({ cityCode, open: c.open, late: c.late, medianAckMs: median(c.ack), medianResolveMs: median(c.resolve) })),
    };
  }
}

function lastReopen(steps: StepRow[]): Date | null {
  let at: Date | null = null;
  for (const s of steps) if (s.kind === 'reopened' && (!at || s.at > at)) at = s.at;
  return at;
}

export type { TicketRow };
