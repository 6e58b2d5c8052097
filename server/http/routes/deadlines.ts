// The preparation deadlines dashboard: per city, each duty the notice sets with its due time, whether it is
// done and what is still missing. The computation is pure (domain/deadlines.ts); this loads its inputs.
import { DeadlinesQuery, type CityDeadlines } from '../../../contracts/ops';
import { computeDeadlines, CONTEST_DATES } from '../../domain/deadlines';
import { isProvince } from '../../domain/permissions';
import { forbidden } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

const ms = (d: Date | null) => (d ? d.getTime() : null);

export function deadlineRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/deadlines');
  const { prisma } = ctx.db;

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    if (a.role === 'team') throw forbidden('Deadlines are the city branches’ duties');
    const q = DeadlinesQuery.parse(req.query);
    if (!isProvince(a) && q.cityCode && q.cityCode !== a.cityCode) throw forbidden();
    const city = isProvince(a) ? q.cityCode : (a.cityCode ?? '__none__');
    const byCity = city ? { cityCode: city } : {};
    const [cities, teams, attendance, accounts, requests, stages, reports] = await Promise.all([
      prisma.city.findMany({ where: city ? { code: city } : {}, select: { code: true, name: true, contactReportedAt: true }, orderBy: { code: 'asc' } }),
      prisma.team.findMany({
        where: byCity,
        select: {
          id: true, name: true, cityCode: true, status: true, youleShopId: true, phone: true,
          members: { select: { id: true, name: true, onCamera: true, identityStatus: true, identityCheckedAt: true, anchorFiling: true, anchorFiledAt: true } },
        },
        orderBy: { id: 'asc' },
      }),
      prisma.trainingAttendance.findMany({ where: { team: byCity }, select: { teamId: true, trainingId: true, training: { select: { heldAt: true, topic: true } } } }),
      prisma.liveAccount.findMany({ where: byCity, select: { id: true, cityCode: true, accountNo: true, label: true, status: true, checkedAt: true } }),
      prisma.accountRequest.findMany({ where: byCity, select: { id: true, cityCode: true, status: true } }),
      prisma.stage.findMany({ select: { id: true, name: true, lockAt: true } }),
      prisma.scheduleReport.findMany({ where: byCity, select: { stageId: true, cityCode: true, reportedAt: true } }),
    ]);
    const items: CityDeadlines[] = computeDeadlines(
      {
        cities: cities.map((c) => ({ code: c.code, name: c.name, contactReportedAt: ms(c.contactReportedAt) })),
        teams: teams.map((t) => ({
          ...t,
          members: t.members.map((m) => ({ ...m, identityCheckedAt: ms(m.identityCheckedAt), anchorFiledAt: ms(m.anchorFiledAt) })),
        })),
        attendance: attendance.map((x) => ({ teamId: x.teamId, trainingId: x.trainingId, heldAt: x.training.heldAt.getTime(), topic: x.training.topic })),
        accounts: accounts.map((x) => ({ ...x, checkedAt: ms(x.checkedAt) })),
        accountRequests: requests,
        stages: stages.map((s) => ({ id: s.id, name: s.name, lockAt: s.lockAt.getTime() })),
        reports: reports.map((x) => ({ ...x, reportedAt: x.reportedAt.getTime() })),
      },
      ctx.clock.now(),
    );
    return { items, total: items.length, dates: CONTEST_DATES, now: new Date(ctx.clock.now()).toISOString() };
  });

  return r;
}
