// Tickets over HTTP: thin routes over TicketService (server/alerts/tickets.ts), plus the SLA setting.
import { IdParam } from '../../../contracts/common';
import { TicketListQuery, TicketStatsQuery } from '../../../contracts/response';
import { isProvince } from '../../domain/permissions';
import type { TicketAction, TicketService } from '../../alerts/tickets';
import { readSla, writeSla } from '../../alerts/settings';
import { forbidden } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

export function ticketRoutes(ctx: AppContext, tickets: TicketService): ApiRouter {
  const r = new ApiRouter('/api/v1/tickets');
  const { prisma } = ctx.db;

  r.get('/', 'signed-in', async (req) => tickets.list(actorOf(req), TicketListQuery.parse(req.query)));

  r.post('/', 'signed-in', async (req, res) => {
    const dto = await tickets.open(actorOf(req), req.body);
    res.status(201);
    return dto;
  });

  r.get('/stats', 'signed-in', async (req) => tickets.stats(actorOf(req), TicketStatsQuery.parse(req.query)));

  /** Everyone may read the SLA (it is shown with each ticket); only the province changes it. */
  r.get('/sla', 'signed-in', async () => readSla(prisma));
  r.put('/sla', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('The ticket SLA is the province’s');
    return prisma.$transaction((tx) => writeSla(tx, a, req.body));
  });

  r.get('/:id', 'signed-in', async (req) => tickets.get(actorOf(req), IdParam.parse(req.params).id));

  const step = (path: string, action: TicketAction) =>
    r.post(`/:id/${path}`, 'signed-in', async (req) => tickets.act(actorOf(req), IdParam.parse(req.params).id, action, req.body));
  step('claim', 'claim');
  step('ack', 'ack');
  step('comments', 'comment');
  step('resolve', 'resolve');
  step('reopen', 'reopen');

  return r;
}
