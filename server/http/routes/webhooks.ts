// Webhook endpoints per city (WeCom / DingTalk group robots or JSON receivers): city staff for their city, the
// province for any city or all; their delivery log. Robot keys sit in the URL's query, so lists hide it.
import { IdParam } from '../../../contracts/common';
import { WebhookCreate, type WebhookDeliveryDto, type WebhookDto } from '../../../contracts/response';
import { canManageCity, isProvince, type Actor } from '../../domain/permissions';
import { audit } from '../../services/audit';
import { forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type Row = { id: number; cityCode: string | null; kind: WebhookDto['kind']; url: string; events: string[]; label: string | null; createdAt: Date };

function redact(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
}

const dto = (w: Row): WebhookDto => ({
  id: w.id,
  cityCode: w.cityCode,
  kind: w.kind,
  url: redact(w.url),
  events: w.events.filter((e): e is WebhookDto['events'][number] => e === 'alerts' || e === 'tickets'),
  label: w.label,
  createdAt: w.createdAt.toISOString(),
});

/** A province-wide endpoint (no city) is the province's alone. */
const canManage = (a: Actor, w: Pick<Row, 'cityCode'>) => (w.cityCode === null ? isProvince(a) : canManageCity(a, w.cityCode));

export function webhookRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/webhooks');
  const { prisma } = ctx.db;

  const own = async (a: Actor, params: unknown) => {
    const { id } = IdParam.parse(params);
    const w = await prisma.webhookEndpoint.findUnique({ where: { id } });
    if (!w || w.deletedAt) throw notFound('Webhook');
    if (!canManage(a, w)) throw forbidden();
    return w;
  };

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = WebhookCreate.parse(req.body);
    if (a.role === 'team') throw forbidden('Webhooks are set up by staff');
    const cityCode = a.role === 'city' ? (body.cityCode ?? a.cityCode ?? null) : (body.cityCode ?? null);
    if (!canManage(a, { cityCode })) throw forbidden('That city is outside your scope');
    const w = await prisma.$transaction(async (tx) => {
      const w = await tx.webhookEndpoint.create({
        data: { cityCode, kind: body.kind, url: body.url, events: [...new Set(body.events)], label: body.label ?? null, createdBy: a.id, createdAt: new Date(ctx.clock.now()) },
      });
      await audit(tx, a, { action: 'webhook.create', entity: 'WebhookEndpoint', entityId: w.id, cityCode, after: dto(w) });
      return w;
    });
    res.status(201);
    return dto(w);
  });

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (a.role === 'team') throw forbidden('Webhooks are set up by staff');
    const rows = await prisma.webhookEndpoint.findMany({
      where: { deletedAt: null, ...(a.role === 'city' ? { cityCode: a.cityCode ?? '__none__' } : {}) },
      orderBy: { id: 'asc' },
    });
    return { items: rows.map(dto), total: rows.length };
  });

  r.delete('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const w = await own(a, req.params);
    await prisma.$transaction(async (tx) => {
      await tx.webhookEndpoint.update({ where: { id: w.id }, data: { deletedAt: new Date(ctx.clock.now()) } });
      await audit(tx, a, { action: 'webhook.delete', entity: 'WebhookEndpoint', entityId: w.id, cityCode: w.cityCode, before: dto(w) });
    });
    return undefined;
  });

  r.get('/:id/deliveries', 'signed-in', async (req) => {
    const a = actorOf(req);
    const w = await own(a, req.params);
    const rows = await prisma.webhookDelivery.findMany({ where: { endpointId: w.id }, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 200 });
    const items: WebhookDeliveryDto[] = rows.map((d) => ({
      id: d.id, event: d.event, ok: d.ok, statusCode: d.statusCode, attempts: d.attempts, error: d.error, at: d.at.toISOString(),
    }));
    return { items, total: items.length };
  });

  return r;
}
