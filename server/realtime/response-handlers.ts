// Socket side of the real-time response: a client (re)syncs the open alerts in its scope after connecting,
// and a team may open a ticket over the socket with the same answer as POST /api/v1/tickets.
import { AlertSync } from '../../contracts/response';
import type { AppContext } from '../http/context';
import type { ResponseHub } from '../alerts/index';
import { alertDto } from '../alerts/dto';
import { canViewCity, teamScope } from '../domain/permissions';
import { forbidden, unauthenticated } from '../http/errors';
import { handle, type IoSocket } from './socket';

export function registerResponseHandlers(ctx: AppContext, response: ResponseHub, socket: IoSocket): void {
  const actor = () => {
    if (!socket.data.actor) throw unauthenticated('Alerts and tickets need a user sign-in');
    return socket.data.actor;
  };

  socket.on('alert:sync', handle(ctx, async (payload) => {
    const a = actor();
    const q = AlertSync.parse(payload);
    if (q?.cityCode && !canViewCity(a, q.cityCode)) throw forbidden('That city is outside your scope');
    const s = teamScope(a);
    const rows = await ctx.db.prisma.alert.findMany({
      where: { clearedAt: null, ...(s.cityCode ? { cityCode: s.cityCode } : q?.cityCode ? { cityCode: q.cityCode } : {}), ...(s.teamId !== undefined ? { teamId: s.teamId } : {}) },
      include: { team: { select: { name: true } } },
      orderBy: [{ openedAt: 'desc' }, { id: 'desc' }],
      take: 1000,
    });
    return rows.map((r) => alertDto(r));
  }));

  socket.on('ticket:open', handle(ctx, async (payload) => response.tickets.open(actor(), payload)));
}
