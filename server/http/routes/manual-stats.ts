// Quick entry (手动录入): a session's team, its city's staff or the province type the Youle console's figures; they
// go through ingest with source 'manual' (server/live/manual.ts) and each entry is audit-logged once.
import { z } from 'zod';
import { IdParam } from '../../../contracts/common';
import { ManualStatsInput, type ManualEntryDto, type ManualStatsResult, type ManualStatsView } from '../../../contracts/manual';
import type { AppContext } from '../context';
import type { Live } from '../../live/index';
import { ManualEntryService, type ManualOutcome } from '../../live/manual';
import { canViewTeam, type Actor } from '../../domain/permissions';
import { audit } from '../../services/audit';
import { ApiRouter, actorOf } from '../router';
import { AppError, forbidden, notFound } from '../errors';

const ACTION = 'live.manual_entry';

/** What an entry's audit row keeps in `after`: the figures as typed, the client's key, and the hub's time. */
const Recorded = z.object({
  key: z.string(),
  at: z.string(),
  online: z.number(),
  views: z.number(),
  gmvFen: z.number(),
  orders: z.number(),
});

const ROLES = ['province', 'city', 'team'] as const;
const roleOf = (r: string | null): ManualEntryDto['byRole'] => ROLES.find((x) => x === r) ?? 'province';

function refusal(out: ManualOutcome & { ok: false }): AppError {
  if (out.refusal) {
    const { code, message } = out.refusal;
    const issues = [{ path: '(root)', message, code }];
    return new AppError('NOT_LIVE', message, issues);
  }
  const issues = out.problems.map((p) => ({ path: p.field ?? '(root)', message: p.message, code: p.code }));
  const text = out.problems.map((p) => p.message).join('; ');
  // Figures that contradict the counted totals are the typist's to fix (400); a collector feeding the room is a
  // conflict with another source (409).
  return out.problems.some((p) => p.field) ? new AppError('VALIDATION_FAILED', text, issues) : new AppError('CONFLICT', text, issues);
}

export function manualStatsRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/sessions');
  const { prisma } = ctx.db;
  const service = new ManualEntryService(live.ingest, live.store, ctx.clock);

  /** The session, if the actor may enter for it: its team, its city's staff, the province. */
  const sessionFor = async (a: Actor, id: number) => {
    const info = (await live.directory.resolve([id])).get(id);
    if (!info) throw notFound('Session');
    if (!canViewTeam(a, { id: info.teamId, cityCode: info.cityCode })) throw forbidden();
    return info;
  };

  const entryRows = (sessionId: number, key?: string) =>
    prisma.auditLog.findMany({
      where: { action: ACTION, entity: 'LiveSession', entityId: String(sessionId), ...(key ? { after: { path: ['key'], equals: key } } : {}) },
      orderBy: { id: 'desc' },
      take: 1,
      select: { actorRole: true, after: true },
    });

  const lastEntry = async (sessionId: number): Promise<ManualEntryDto | null> => {
    const row = (await entryRows(sessionId))[0];
    const rec = Recorded.safeParse(row?.after);
    if (!row || !rec.success) return null;
    const { at, online, views, gmvFen, orders } = rec.data;
    return { at, online, views, gmvFen, orders, byRole: roleOf(row.actorRole) };
  };

  r.get('/:id/manual-stats', 'signed-in', async (req): Promise<ManualStatsView> => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    await sessionFor(a, id);
    const [last, numbers] = await Promise.all([lastEntry(id), service.numbers(id)]);
    return { sessionId: id, last, numbers };
  });

  r.post('/:id/manual-stats', 'signed-in', async (req): Promise<ManualStatsResult> => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const input = ManualStatsInput.parse(req.body);
    const info = await sessionFor(a, id);
    const out = await service.enter(info, input, async (done) => {
      // Once per submission: a retry whose first attempt was recorded writes nothing more.
      if ((await entryRows(id, input.key)).length) return;
      await audit(prisma, a, {
        action: ACTION,
        entity: 'LiveSession',
        entityId: id,
        cityCode: info.cityCode,
        before: done.before,
        after: { key: input.key, at: new Date(done.at).toISOString(), online: input.online, views: input.views, gmvFen: input.gmvFen, orders: input.orders },
      });
    });
    if (!out.ok) throw refusal(out);
    return { sessionId: id, last: await lastEntry(id), numbers: out.numbers, accepted: out.accepted, duplicates: out.duplicates };
  });

  return r;
}
