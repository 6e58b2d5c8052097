// Training (三): sessions held by a city (or by the province for all), attendance kept per team and member,
// and coverage: which teams were trained by the deadline (10-20 unless asked otherwise).
import { IdParam } from '../../../contracts/common';
import {
  AttendanceCreate,
  CoverageQuery,
  TrainingCreate,
  TrainingListQuery,
  type AttendanceDto,
  type CoverageDto,
  type CoverageRow,
  type TrainingDto,
} from '../../../contracts/ops';
import { canManageCity, canViewCity, isProvince, teamScope, type Actor } from '../../domain/permissions';
import { CONTEST_DATES, COVERAGE_RULE, endOfShanghaiDay, trainingCoverage } from '../../domain/deadlines';
import { audit } from '../../services/audit';
import { conflict, forbidden, invalid, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type TrainingRow = { id: number; cityCode: string | null; title: string; topic: TrainingDto['topic']; mode: TrainingDto['mode']; heldAt: Date; location: string | null };
const trainingDto = (t: TrainingRow, counts?: { teams: number; attendees: number }): TrainingDto => ({
  id: t.id,
  cityCode: t.cityCode,
  title: t.title,
  topic: t.topic,
  mode: t.mode,
  heldAt: t.heldAt.toISOString(),
  location: t.location,
  ...(counts ?? {}),
});
const attendanceDto = (x: { id: number; trainingId: number; teamId: number; memberId: number | null; recordedAt: Date }): AttendanceDto => ({
  id: x.id,
  trainingId: x.trainingId,
  teamId: x.teamId,
  memberId: x.memberId,
  recordedAt: x.recordedAt.toISOString(),
});

/** A province-wide training (no city) is open to everyone; a city's to that city and the province. */
const canViewTraining = (a: Actor, t: { cityCode: string | null }) => t.cityCode === null || canViewCity(a, t.cityCode) || a.cityCode === t.cityCode;

/** The city whose rows a staff list covers: city staff their own, the province the asked one or all. */
function staffCity(a: Actor, asked: string | undefined): string | undefined {
  if (a.role === 'team') throw forbidden('Teams do not see other teams’ training records');
  if (isProvince(a)) return asked;
  if (asked && asked !== a.cityCode) throw forbidden();
  return a.cityCode;
}

export function trainingRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1/trainings');
  const { prisma } = ctx.db;

  // Before '/:id', which would otherwise take "coverage" for an id.
  r.get('/coverage', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = CoverageQuery.parse(req.query);
    const city = staffCity(a, q.cityCode);
    const deadlineDate = q.deadline ?? CONTEST_DATES.training;
    const deadline = endOfShanghaiDay(deadlineDate);
    const teams = await prisma.team.findMany({
      where: { ...(city ? { cityCode: city } : {}), status: { in: ['active', 'suspended'] } },
      select: { id: true, name: true, cityCode: true },
      orderBy: [{ cityCode: 'asc' }, { id: 'asc' }],
    });
    const rows = await prisma.trainingAttendance.findMany({
      where: { teamId: { in: teams.map((t) => t.id) } },
      select: { teamId: true, trainingId: true, training: { select: { heldAt: true, topic: true } } },
    });
    const cov = trainingCoverage(
      teams.map((t) => t.id),
      rows.map((x) => ({ teamId: x.teamId, trainingId: x.trainingId, heldAt: x.training.heldAt.getTime(), topic: x.training.topic })),
      deadline,
    );
    const items: CoverageRow[] = teams.map((t) => {
      const c = cov.get(t.id);
      return {
        teamId: t.id,
        teamName: t.name,
        cityCode: t.cityCode,
        trained: c?.trained ?? false,
        lastTrainingAt: c?.lastTrainingAt ? new Date(c.lastTrainingAt).toISOString() : null,
        trainings: c?.trainings ?? 0,
        topics: c?.topics ?? [],
        coreTopicsMissing: c?.coreTopicsMissing ?? [],
      };
    });
    const byCity = new Map<string, { cityCode: string; teams: number; trained: number }>();
    for (const i of items) {
      const b = byCity.get(i.cityCode) ?? { cityCode: i.cityCode, teams: 0, trained: 0 };
      b.teams++;
      if (i.trained) b.trained++;
      byCity.set(i.cityCode, b);
    }
    const out: CoverageDto = {
      deadline: new Date(deadline).toISOString(),
      rule: COVERAGE_RULE,
      items,
      untrained: items.filter((i) => !i.trained),
      byCity: [...byCity.values()],
    };
    return out;
  });

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = TrainingListQuery.parse(req.query);
    // Everyone sees province-wide trainings; below the province, only their own city's as well.
    const own = isProvince(a) ? q.cityCode : (a.cityCode ?? '__none__');
    if (!isProvince(a) && q.cityCode && q.cityCode !== a.cityCode) throw forbidden();
    const where = own ? { OR: [{ cityCode: own }, { cityCode: null }] } : {};
    const rows = await prisma.training.findMany({ where, orderBy: [{ heldAt: 'desc' }, { id: 'desc' }], take: 1000 });
    const s = teamScope(a);
    const att = await prisma.trainingAttendance.findMany({
      where: { trainingId: { in: rows.map((t) => t.id) }, team: { ...(s.cityCode ? { cityCode: s.cityCode } : {}), ...(s.teamId !== undefined ? { id: s.teamId } : {}) } },
      select: { trainingId: true, teamId: true, memberId: true },
    });
    const counts = new Map<number, { teams: Set<number>; attendees: number }>();
    for (const x of att) {
      const c = counts.get(x.trainingId) ?? { teams: new Set<number>(), attendees: 0 };
      c.teams.add(x.teamId);
      if (x.memberId !== null) c.attendees++;
      counts.set(x.trainingId, c);
    }
    return {
      items: rows.map((t) => {
        const c = counts.get(t.id);
        return trainingDto(t, { teams: c?.teams.size ?? 0, attendees: c?.attendees ?? 0 });
      }),
      total: rows.length,
    };
  });

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = TrainingCreate.parse(req.body);
    // City staff hold trainings for their city; only the province holds one for every city (cityCode null).
    const cityCode = body.cityCode === undefined ? (isProvince(a) ? null : (a.cityCode ?? null)) : body.cityCode;
    if (cityCode === null ? !isProvince(a) : !canManageCity(a, cityCode)) throw forbidden();
    const t = await prisma.$transaction(async (tx) => {
      const created = await tx.training.create({
        data: { cityCode, title: body.title, topic: body.topic, mode: body.mode, heldAt: new Date(body.heldAt), location: body.location ?? null, createdBy: a.id },
      });
      await audit(tx, a, { action: 'training.create', entity: 'Training', entityId: created.id, cityCode, after: created });
      return created;
    });
    res.status(201);
    return trainingDto(t);
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const t = await prisma.training.findUnique({ where: { id } });
    if (!t) throw notFound('Training');
    if (!canViewTraining(a, t)) throw forbidden();
    const s = teamScope(a);
    // A province-wide training has attendees from every city: each caller sees only those in their scope.
    const att = await prisma.trainingAttendance.findMany({
      where: { trainingId: id, team: { ...(s.cityCode ? { cityCode: s.cityCode } : {}), ...(s.teamId !== undefined ? { id: s.teamId } : {}) } },
      orderBy: { id: 'asc' },
    });
    return { ...trainingDto(t, { teams: new Set(att.map((x) => x.teamId)).size, attendees: att.filter((x) => x.memberId !== null).length }), attendance: att.map(attendanceDto) };
  });

  /** Records that a team (and, when named, which of its members) attended: the notice's kept record. */
  r.post('/:id/attendance', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = AttendanceCreate.parse(req.body);
    const t = await prisma.training.findUnique({ where: { id } });
    if (!t) throw notFound('Training');
    const team = await prisma.team.findUnique({ where: { id: body.teamId }, select: { id: true, cityCode: true, members: { select: { id: true } } } });
    if (!team) throw invalid('Team does not exist', [{ path: 'teamId', message: 'not found' }]);
    if (!canManageCity(a, team.cityCode)) throw forbidden();
    if (t.cityCode !== null && t.cityCode !== team.cityCode) throw invalid('The training belongs to another city', [{ path: 'teamId', message: 'another city' }]);
    if (t.heldAt.getTime() > ctx.clock.now()) throw conflict('The training has not taken place yet');
    const memberIds = [...new Set(body.memberIds ?? [])];
    const own = new Set(team.members.map((m) => m.id));
    const strangers = memberIds.filter((m) => !own.has(m));
    if (strangers.length) throw invalid('Members must belong to the team', [{ path: 'memberIds', message: `not in the team: ${strangers.join(', ')}` }]);
    const rows = await prisma.$transaction(async (tx) => {
      // memberId null (the team as a whole) is not caught by the unique index (NULLs differ), so check first.
      const data = memberIds.length
        ? memberIds.map((memberId) => ({ trainingId: id, teamId: team.id, memberId, recordedBy: a.id }))
        : (await tx.trainingAttendance.findFirst({ where: { trainingId: id, teamId: team.id, memberId: null } }))
          ? []
          : [{ trainingId: id, teamId: team.id, memberId: null, recordedBy: a.id }];
      const created = await tx.trainingAttendance.createManyAndReturn({ data, skipDuplicates: true });
      if (created.length)
        await audit(tx, a, { action: 'training.attendance', entity: 'Training', entityId: id, cityCode: team.cityCode, after: { teamId: team.id, memberIds: created.map((c) => c.memberId) } });
      return created;
    });
    res.status(201);
    return { items: rows.map(attendanceDto), total: rows.length };
  });

  return r;
}
