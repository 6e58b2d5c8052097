// Sample products (样品物料, 六(一)3 "合理管控好样品物料"): a city's products, every issue to and return from a team,
// and what each team still holds. A return beyond what is outstanding is refused.
import {
  ProductListQuery,
  SampleListQuery,
  SampleMoveCreate,
  type OutstandingRow,
  type ProductDto,
  type SampleMoveDto,
} from '../../../contracts/ops';
import { canManageCity, canViewTeam, isProvince, teamScope, type Actor } from '../../domain/permissions';
import { audit } from '../../services/audit';
import { conflict, forbidden, invalid } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const productDto = (p: ProductDto): ProductDto => ({ id: p.id, cityCode: p.cityCode, name: p.name, unit: p.unit, priceFen: p.priceFen, active: p.active });
const moveDto = (m: { id: number; teamId: number; productId: number; cityCode: string; kind: 'issue' | 'return'; quantity: number; at: Date; note: string | null }): SampleMoveDto => ({
  id: m.id,
  teamId: m.teamId,
  productId: m.productId,
  cityCode: m.cityCode,
  kind: m.kind,
  quantity: m.quantity,
  at: m.at.toISOString(),
  note: m.note,
});

/** The team-owned rows a caller may list, narrowed by the query; 403 on a filter outside the scope. */
function moveScope(a: Actor, q: { cityCode?: string | undefined; teamId?: number | undefined }): { cityCode?: string; teamId?: number } {
  const s = teamScope(a);
  if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
  if (q.teamId !== undefined && s.teamId !== undefined && q.teamId !== s.teamId) throw forbidden();
  const cityCode = s.cityCode ?? q.cityCode;
  const teamId = s.teamId ?? q.teamId;
  return { ...(cityCode ? { cityCode } : {}), ...(teamId !== undefined ? { teamId } : {}) };
}

export function sampleRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;

  // A team may see its own city's products (what it can ask to sell); staff their city's, the province all.
  r.get('/products', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ProductListQuery.parse(req.query);
    if (!isProvince(a) && q.cityCode && q.cityCode !== a.cityCode) throw forbidden();
    const cityCode = isProvince(a) ? q.cityCode : (a.cityCode ?? '__none__');
    const rows = await prisma.product.findMany({ where: cityCode ? { cityCode } : {}, orderBy: [{ cityCode: 'asc' }, { id: 'asc' }] });
    return { items: rows.map(productDto), total: rows.length };
  });

  r.post('/samples', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = SampleMoveCreate.parse(req.body);
    const team = await prisma.team.findUnique({ where: { id: body.teamId }, select: { id: true, cityCode: true, status: true } });
    if (!team) throw invalid('Team does not exist', [{ path: 'teamId', message: 'not found' }]);
    if (!canManageCity(a, team.cityCode)) throw forbidden();
    const product = await prisma.product.findUnique({ where: { id: body.productId } });
    if (!product) throw invalid('Product does not exist', [{ path: 'productId', message: 'not found' }]);
    if (product.cityCode !== team.cityCode) throw invalid('The product belongs to another city', [{ path: 'productId', message: 'another city' }]);
    if (body.kind === 'issue' && !product.active) throw conflict('The product is no longer active');
    if (body.kind === 'issue' && (team.status === 'disqualified' || team.status === 'withdrawn')) throw conflict(`The team is ${team.status}; nothing more is issued to it`);
    const move = await prisma.$transaction(async (tx) => {
      // One movement per team at a time, so two returns cannot both pass the outstanding check.
      await tx.$queryRaw`SELECT id FROM "Team" WHERE id = ${team.id} FOR UPDATE`;
      if (body.kind === 'return') {
        const sums = await tx.sampleMovement.groupBy({ by: ['kind'], where: { teamId: team.id, productId: product.id }, _sum: { quantity: true } });
        const sum = (k: 'issue' | 'return') => sums.find((s) => s.kind === k)?._sum.quantity ?? 0;
        const outstanding = sum('issue') - sum('return');
        if (body.quantity > outstanding) throw conflict(`Only ${outstanding} ${product.unit} outstanding; cannot return ${body.quantity}`);
      }
      const created = await tx.sampleMovement.create({
        data: { teamId: team.id, productId: product.id, cityCode: team.cityCode, kind: body.kind, quantity: body.quantity, at: new Date(ctx.clock.now()), by: a.id, note: body.note ?? null },
      });
      await audit(tx, a, { action: `sample.${body.kind}`, entity: 'SampleMovement', entityId: created.id, cityCode: team.cityCode, after: created });
      return created;
    });
    res.status(201);
    return moveDto(move);
  });

  r.get('/samples', 'signed-in', async (req) => {
    const a = actorOf(req);
    const where = moveScope(a, SampleListQuery.parse(req.query));
    const rows = await prisma.sampleMovement.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], take: 2000 });
    return { items: rows.map(moveDto), total: rows.length };
  });

  /** Per team and product: issued, returned, still out (and its value at the product's price). */
  r.get('/samples/outstanding', 'signed-in', async (req) => {
    const a = actorOf(req);
    const where = moveScope(a, SampleListQuery.parse(req.query));
    const sums = await prisma.sampleMovement.groupBy({ by: ['teamId', 'productId', 'kind'], where, _sum: { quantity: true } });
    const teamIds = [...new Set(sums.map((s) => s.teamId))];
    const productIds = [...new Set(sums.map((s) => s.productId))];
    const [teams, products] = await Promise.all([
      prisma.team.findMany({ where: { id: { in: teamIds } }, select: { id: true, name: true, cityCode: true } }),
      prisma.product.findMany({ where: { id: { in: productIds } } }),
    ]);
    const teamOf = new Map(teams.map((t) => [t.id, t]));
    const productOf = new Map(products.map((p) => [p.id, p]));
    const acc = new Map<string, OutstandingRow>();
    for (const s of sums) {
      const t = teamOf.get(s.teamId);
      const p = productOf.get(s.productId);
      if (!t || !p || !canViewTeam(a, t)) continue;
      const key = `${s.teamId}:${s.productId}`;
      const row = acc.get(key) ?? {
        teamId: t.id, teamName: t.name, cityCode: t.cityCode, productId: p.id, productName: p.name, unit: p.unit,
        issued: 0, returned: 0, outstanding: 0, outstandingValueFen: 0,
      };
      if (s.kind === 'issue') row.issued += s._sum.quantity ?? 0;
      else row.returned += s._sum.quantity ?? 0;
      row.outstanding = row.issued - row.returned;
      row.outstandingValueFen = row.outstanding * p.priceFen;
      acc.set(key, row);
    }
    const items = [...acc.values()].sort((x, y) => x.cityCode.localeCompare(y.cityCode) || x.teamId - y.teamId || x.productId - y.productId);
    return {
      items,
      total: items.length,
      outstanding: items.reduce((n, i) => n + i.outstanding, 0),
      outstandingValueFen: items.reduce((n, i) => n + i.outstandingValueFen, 0),
    };
  });

  return r;
}
