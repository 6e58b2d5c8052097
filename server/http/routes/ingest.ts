import type { Request } from 'express';
import type { AppContext } from '../context';
import type { IngestService } from '../../live/ingest';
import type { CollectorScope } from '../../auth/service';
import { ApiRouter } from '../router';
import { AppError, unauthenticated } from '../errors';
import { DAY } from '../../domain/time';
import { inScope } from '../../domain/ingest-rules';

export async function collectorOf(ctx: AppContext, req: Request): Promise<CollectorScope> {
  if (!req.bearer?.startsWith('ck_')) throw unauthenticated('A collector key is required');
  const scope = await ctx.auth.collectorScope(req.bearer);
  if (!scope) throw unauthenticated('Unknown or revoked collector key');
  const wait = ctx.ingestLimiter.hit(`key:${scope.keyId}`);
  if (wait > 0) throw new AppError('RATE_LIMITED', 'Too many ingest requests for this key; batch events and retry', undefined, wait);
  return scope;
}

export function ingestRoutes(ctx: AppContext, ingest: IngestService): ApiRouter {
  const r = new ApiRouter('/api/v1/ingest');

  r.post('/', 'collector', async (req) => {
    const scope = await collectorOf(ctx, req);
    if (!req.is('application/json')) throw new AppError('VALIDATION_FAILED', 'Send JSON (Content-Type: application/json)');
    return ingest.ingest(req.body, scope);
  });

  /** The sessions this key may feed, from yesterday to tomorrow, with the city's products (for collectors and the simulator). */
  r.get('/sessions', 'collector', async (req) => {
    const scope = await collectorOf(ctx, req);
    const now = ctx.clock.now();
    const rows = await ctx.db.prisma.liveSession.findMany({
      where: {
        plannedEnd: { gte: new Date(now - DAY) },
        plannedStart: { lte: new Date(now + DAY) },
        status: { in: ['scheduled', 'live'] },
        ...(scope.teamId !== undefined ? { teamId: scope.teamId } : { cityCode: scope.cityCode ?? '__none__' }),
      },
      orderBy: { plannedStart: 'asc' },
    });
    const cities = [...new Set(rows.map((s) => s.cityCode))];
    const products = await ctx.db.prisma.product.findMany({ where: { cityCode: { in: cities }, active: true } });
    return {
      items: rows
        .filter((s) => inScope(scope, s))
        .map((s) => ({
          id: s.id,
          teamId: s.teamId,
          cityCode: s.cityCode,
          plannedStart: s.plannedStart.toISOString(),
          plannedEnd: s.plannedEnd.toISOString(),
          products: products
            .filter((p) => p.cityCode === s.cityCode)
            .map((p) => ({ id: `P${p.id}`, name: p.name, priceFen: p.priceFen })),
        })),
    };
  });

  return r;
}
