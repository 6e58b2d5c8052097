// The audit log, read-only: every manual change with who, when, before, after and why. There is no write
// route, and the database refuses UPDATE and DELETE on it (migration audit_append_only).
import { AuditQuery, type AuditDto } from '../../../contracts/ops';
import { isProvince } from '../../domain/permissions';
import { forbidden } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type Row = {
  id: bigint; at: Date; actorId: number | null; actorRole: string | null; action: string; entity: string; entityId: string | null;
  cityCode: string | null; before: unknown; after: unknown; reason: string | null;
};

const dto = (r: Row): AuditDto => ({
  id: r.id.toString(),
  at: r.at.toISOString(),
  actorId: r.actorId,
  actorRole: r.actorRole,
  action: r.action,
  entity: r.entity,
  entityId: r.entityId,
  cityCode: r.cityCode,
  before: r.before,
  after: r.after,
  reason: r.reason,
});

export function auditRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/audit');
  const { prisma } = ctx.db;

  /**
   * Province only: snapshots hold full phone numbers and other cities' data as they were written, so opening
   * them to city staff would undo the masking everywhere else.
   */
  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (!isProvince(a)) throw forbidden('The audit log is open to the province only');
    const q = AuditQuery.parse(req.query);
    const rows = await prisma.auditLog.findMany({
      where: {
        ...(q.entity ? { entity: q.entity } : {}),
        ...(q.entityId ? { entityId: q.entityId } : {}),
        ...(q.cityCode ? { cityCode: q.cityCode } : {}),
        ...(q.actorId ? { actorId: q.actorId } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(q.from || q.to ? { at: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } } : {}),
        ...(q.before ? { id: { lt: BigInt(q.before) } } : {}),
      },
      orderBy: { id: 'desc' },
      take: q.limit,
    });
    const items = rows.map(dto);
    // The next page starts below the last id shown.
    return { items, total: items.length, next: items.length === q.limit ? (items[items.length - 1]?.id ?? null) : null };
  });

  return r;
}
