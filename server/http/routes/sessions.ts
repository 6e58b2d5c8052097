// Live sessions: the scoped list (with each slot's readiness and schedule problems), the live view, and the
// schedule writes (create, change, cancel, end), their dry run and the xlsx export. Error mapping: contracts/schedule.ts.
import type { Response } from 'express';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import { CityCode, Id, IdParam } from '../../../contracts/common';
import {
  SessionCancel,
  SessionCheck,
  SessionCreate,
  SessionEnd,
  SessionStatus,
  SessionUpdate,
  type CheckResult,
  type ChecklistStatus,
  type Problem,
  type ScheduleIssue,
  type SessionDto,
} from '../../../contracts/schedule';
import type { AppContext } from '../context';
import type { Live } from '../../live/index';
import type { Prisma } from '../../db/generated/client.ts';
import { canManageCity, canViewTeam, isProvince, teamScope, type Actor } from '../../domain/permissions';
import {
  checkSchedule,
  isLocked,
  lockVerdict,
  redactForTeam,
  shanghaiMinute,
  type BookedSession,
  type ScheduleCandidate,
  type StageRef,
  type TeamInfo,
  type AccountRef,
} from '../../domain/schedule';
import { readiness } from '../../domain/checklist';
import { checklistGate } from '../../services/settings';
import { audit } from '../../services/audit';
import { toRow } from '../../live/views';
import { ApiRouter, actorOf } from '../router';
import { AppError, conflict, forbidden, invalid, notFound } from '../errors';

const ListQuery = z.object({
  status: SessionStatus.optional(),
  cityCode: CityCode.optional(),
  teamId: Id.optional(),
  stageId: Id.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
const ExportQuery = z.object({ stageId: Id.optional(), cityCode: CityCode.optional(), teamId: Id.optional() });

type Tx = Prisma.TransactionClient;

type SessionRowDb = {
  id: number; stageId: number; teamId: number; cityCode: string; accountId: number | null; title: string | null;
  plannedStart: Date; plannedEnd: Date; actualStart: Date | null; actualEnd: Date | null; status: SessionDto['status'];
  checklist: ChecklistStatus; verifiedGmvFen: number | null; team?: { name: string };
  checklistRecord?: { status: ChecklistStatus; returnReason: string | null } | null;
};

const include = {
  team: { select: { name: true } },
  checklistRecord: { select: { status: true, returnReason: true } },
} as const;

const baseDto = (s: SessionRowDb): SessionDto => ({
  id: s.id,
  stageId: s.stageId,
  teamId: s.teamId,
  teamName: s.team?.name,
  cityCode: s.cityCode,
  accountId: s.accountId,
  title: s.title,
  status: s.status,
  checklist: s.checklist,
  plannedStart: s.plannedStart.toISOString(),
  plannedEnd: s.plannedEnd.toISOString(),
  actualStart: s.actualStart?.toISOString() ?? null,
  actualEnd: s.actualEnd?.toISOString() ?? null,
  verifiedGmvFen: s.verifiedGmvFen,
});

const candidateOf = (s: { id?: number; teamId: number; accountId: number | null; stageId: number; plannedStart: Date; plannedEnd: Date }): ScheduleCandidate => ({
  ...(s.id !== undefined ? { id: s.id } : {}),
  teamId: s.teamId,
  accountId: s.accountId,
  stageId: s.stageId,
  plannedStart: s.plannedStart.getTime(),
  plannedEnd: s.plannedEnd.getTime(),
});

/** Everything checkSchedule needs for a set of candidates, in five queries whatever their number. */
async function loadScheduleData(db: Tx, cands: readonly ScheduleCandidate[]) {
  const teamIds = [...new Set(cands.map((c) => c.teamId))];
  const accountIds = [...new Set(cands.flatMap((c) => (c.accountId === null ? [] : [c.accountId])))];
  const stageIds = [...new Set(cands.map((c) => c.stageId))];
  const minStart = Math.min(...cands.map((c) => c.plannedStart));
  const maxEnd = Math.max(...cands.map((c) => c.plannedEnd));
  const [teams, accounts, stages, others] = await Promise.all([
    db.team.findMany({
      where: { id: { in: teamIds } },
      select: { id: true, name: true, cityCode: true, status: true, members: { select: { id: true, name: true, onCamera: true, identityStatus: true, anchorFiling: true }, orderBy: { id: 'asc' } } },
    }),
    db.liveAccount.findMany({ where: { id: { in: accountIds } }, select: { id: true, label: true, cityCode: true, status: true } }),
    db.stage.findMany({ where: { id: { in: stageIds } } }),
    db.liveSession.findMany({
      where: {
        OR: [{ teamId: { in: teamIds } }, ...(accountIds.length ? [{ accountId: { in: accountIds } }] : [])],
        status: { not: 'cancelled' },
        plannedStart: { lt: new Date(maxEnd) },
        plannedEnd: { gt: new Date(minStart) },
      },
      select: { id: true, teamId: true, cityCode: true, accountId: true, status: true, plannedStart: true, plannedEnd: true, actualEnd: true, team: { select: { name: true } } },
    }),
  ]);
  const booked: BookedSession[] = others.map((o) => ({
    id: o.id, teamId: o.teamId, teamName: o.team.name, cityCode: o.cityCode, accountId: o.accountId, status: o.status,
    plannedStart: o.plannedStart.getTime(), plannedEnd: o.plannedEnd.getTime(), actualEnd: o.actualEnd?.getTime() ?? null,
  }));
  return {
    teams: new Map<number, TeamInfo>(teams.map((t) => [t.id, t])),
    accounts: new Map<number, AccountRef>(accounts.map((x) => [x.id, x])),
    stages: new Map<number, StageRef>(stages.map((s) => [s.id, { id: s.id, name: s.name, startsAt: s.startsAt.getTime(), endsAt: s.endsAt.getTime(), lockAt: s.lockAt.getTime() }])),
    others: booked,
  };
}

type ScheduleData = Awaited<ReturnType<typeof loadScheduleData>>;

/** checkSchedule for one candidate against loaded data; referenced rows that do not exist are problems too. */
function problemsOf(c: ScheduleCandidate, data: ScheduleData, now: number, requireFuture: boolean): Problem[] {
  const stage = data.stages.get(c.stageId);
  const team = data.teams.get(c.teamId);
  if (!stage) return [{ code: 'stage.not_found', field: 'stageId', message: 'No such stage' }];
  if (!team) return [{ code: 'team.not_found', field: 'teamId', message: 'No such team' }];
  const account = c.accountId === null ? null : (data.accounts.get(c.accountId) ?? null);
  const others = data.others.filter((o) => o.teamId === c.teamId || (c.accountId !== null && o.accountId === c.accountId));
  const found = checkSchedule(c, { stage, team, account, others, requireFuture }, now);
  if (c.accountId !== null && !account)
    return [{ code: 'account.not_found', field: 'accountId', message: 'No such OMS account' }, ...found.filter((p) => p.code !== 'account.missing')];
  return found;
}

const toIssue = (p: Problem): ScheduleIssue => ({ path: p.field ?? '(root)', message: p.message, code: p.code });

/** 400 with every issue; each carries its ProblemCode besides API.md's path and message. */
const refused = (issues: ScheduleIssue[]) =>
  invalid(`The schedule change was refused: ${issues.map((i) => i.message).join('; ')}`.slice(0, 1000), issues);

/** Problems a change would bring that the session did not already have (same code, field and subject). */
function newProblems(before: Problem[], after: Problem[]): Problem[] {
  const key = (p: Problem) => `${p.code}|${p.field ?? ''}|${JSON.stringify(p.params ?? {})}`;
  const had = new Set(before.map(key));
  return after.filter((p) => !had.has(key(p)));
}

/**
 * What a change is refused for: only problems it brings. One the session already had (say, a filing
 * rejected since) stays visible on read but does not freeze the slot. Moving it must not start in the past.
 */
function changeProblems(was: ScheduleCandidate, next: ScheduleCandidate, data: ScheduleData, now: number): Problem[] {
  const timesChanged = next.plannedStart !== was.plannedStart || next.plannedEnd !== was.plannedEnd;
  return newProblems(problemsOf(was, data, now, false), problemsOf(next, data, now, timesChanged));
}

/** Serialises schedule writes of one city, so two overlapping bookings cannot both pass the check. */
async function lockCitySchedule(tx: Tx, cityCode: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(1701, hashtext(${`schedule:${cityCode}`}))`;
}

const STATUS_ZH: Record<SessionDto['status'], string> = { scheduled: '已排期', live: '直播中', ended: '已结束', cancelled: '已取消', suspended: '停播整改' };
const CHECKLIST_ZH: Record<ChecklistStatus, string> = { none: '未提交', submitted: '待审核', approved: '已通过', returned: '已退回' };

export function sessionRoutes(ctx: AppContext, live: Live): ApiRouter {
  const r = new ApiRouter('/api/v1/sessions');
  const { prisma } = ctx.db;
  const now = () => ctx.clock.now();
  // Ingest and the wall read the cached directory; a schedule change must reach them at once.
  const refreshLive = () => live.directory.refresh().catch((err: unknown) => ctx.log.warn({ err }, 'directory refresh failed'));

  /** DTOs with readiness and the problems a re-check finds today, redacted for a team's eyes. */
  async function fullDtos(a: Actor, rows: SessionRowDb[]): Promise<SessionDto[]> {
    if (!rows.length) return [];
    const [gate, data] = await Promise.all([checklistGate(prisma), loadScheduleData(prisma, rows.map(candidateOf))]);
    const t = now();
    return rows.map((s) => {
      let problems = problemsOf(candidateOf(s), data, t, false);
      if (a.role === 'team') problems = problems.map((p) => redactForTeam(p, a.teamId ?? -1));
      return { ...baseDto(s), readiness: readiness(s, s.checklistRecord ?? null, gate), problems };
    });
  }

  const one = async (a: Actor, id: number) => {
    const s = await prisma.liveSession.findUnique({ where: { id }, include });
    if (!s) throw notFound('Session');
    return (await fullDtos(a, [s]))[0] ?? baseDto(s);
  };

  const loadForWrite = async (a: Actor, id: number) => {
    const s = await prisma.liveSession.findUnique({ where: { id } });
    if (!s) throw notFound('Session');
    if (!canManageCity(a, s.cityCode)) throw forbidden(a.role === 'team' ? 'The city schedules sessions' : undefined);
    return s;
  };

  const loadStage = async (db: Tx, id: number): Promise<StageRef> => {
    const s = await db.stage.findUnique({ where: { id } });
    if (!s) throw refused([{ path: 'stageId', message: 'No such stage', code: 'stage.not_found' }]);
    return { id: s.id, name: s.name, startsAt: s.startsAt.getTime(), endsAt: s.endsAt.getTime(), lockAt: s.lockAt.getTime() };
  };

  /** 423 for city staff after the lock; for the province a missing reason joins the other issues. */
  const lockIssues = (a: Actor, stage: StageRef, reason: string | undefined): { issues: ScheduleIssue[]; afterLock: boolean } => {
    const v = lockVerdict(stage, now(), { province: isProvince(a) }, reason);
    if (v.ok) return { issues: [], afterLock: v.afterLock };
    if (v.code === 'stage.locked') throw new AppError('LOCKED', v.message);
    return { issues: [{ path: 'reason', message: v.message, code: v.code }], afterLock: true };
  };

  // ── reads

  r.get('/', 'signed-in', async (req) => {
    const a = actorOf(req);
    const q = ListQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
    if (q.teamId && s.teamId !== undefined && q.teamId !== s.teamId) throw forbidden();
    const where = {
      ...(q.status ? { status: q.status } : {}),
      ...(q.stageId ? { stageId: q.stageId } : {}),
      cityCode: s.cityCode ?? q.cityCode,
      teamId: s.teamId ?? q.teamId,
      ...(q.from || q.to
        ? { plannedStart: { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) } }
        : {}),
    };
    const rows = await prisma.liveSession.findMany({ where, include, orderBy: [{ plannedStart: 'asc' }, { id: 'asc' }], take: q.limit });
    return { items: await fullDtos(a, rows), total: rows.length };
  });

  /** Dry run of a create (or, with sessionId, of a change): the problems and the lock, nothing written. */
  const dryRun = async (a: Actor, raw: unknown): Promise<CheckResult> => {
    const body = SessionCheck.parse(raw);
    const team = await prisma.team.findUnique({ where: { id: body.teamId }, select: { id: true, cityCode: true } });
    if (!team) throw refused([{ path: 'teamId', message: 'No such team', code: 'team.not_found' }]);
    if (!canManageCity(a, team.cityCode)) throw forbidden();
    const existing = body.sessionId ? await prisma.liveSession.findUnique({ where: { id: body.sessionId } }) : null;
    if (body.sessionId && (!existing || !canManageCity(a, existing.cityCode))) throw notFound('Session');
    const t = now();
    const asked = { accountId: body.accountId, plannedStart: Date.parse(body.plannedStart), plannedEnd: Date.parse(body.plannedEnd) };
    let cand: ScheduleCandidate;
    let data: ScheduleData;
    let problems: Problem[];
    if (existing) {
      // A change: judged as PATCH judges it, so `ok` means PATCH would accept it.
      const was = candidateOf(existing);
      cand = { ...was, ...asked };
      data = await loadScheduleData(prisma, [was, cand]);
      problems = changeProblems(was, cand, data, t);
    } else {
      cand = { teamId: body.teamId, stageId: body.stageId, ...asked };
      data = await loadScheduleData(prisma, [cand]);
      problems = problemsOf(cand, data, t, true);
    }
    const stage = data.stages.get(cand.stageId);
    if (stage) {
      const v = lockVerdict(stage, t, { province: isProvince(a) }, body.reason);
      if (!v.ok) problems.unshift({ code: v.code, ...(v.code === 'reason.required' ? { field: 'reason' as const } : {}), message: v.message, params: { lockAt: new Date(stage.lockAt).toISOString() } });
    }
    return { ok: problems.length === 0, locked: stage ? isLocked(stage, t) : false, lockAt: stage ? new Date(stage.lockAt).toISOString() : null, problems };
  };
  r.get('/check', 'signed-in', (req) => dryRun(actorOf(req), req.query));
  r.post('/check', 'signed-in', (req) => dryRun(actorOf(req), req.body));

  /** The (scoped) schedule as a workbook with Chinese headers, times in Asia/Shanghai. */
  r.get('/export.xlsx', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const q = ExportQuery.parse(req.query);
    const s = teamScope(a);
    if (q.cityCode && s.cityCode && q.cityCode !== s.cityCode) throw forbidden();
    if (q.teamId && s.teamId !== undefined && q.teamId !== s.teamId) throw forbidden();
    const rows = await prisma.liveSession.findMany({
      where: { ...(q.stageId ? { stageId: q.stageId } : {}), cityCode: s.cityCode ?? q.cityCode, teamId: s.teamId ?? q.teamId },
      include: { team: { select: { name: true, university: { select: { name: true } } } }, city: { select: { name: true } }, account: { select: { label: true, accountNo: true } } },
      orderBy: [{ plannedStart: 'asc' }, { cityCode: 'asc' }, { id: 'asc' }],
      take: 20_000,
    });
    const wb = new ExcelJS.Workbook();
    wb.created = new Date(now());
    const ws = wb.addWorksheet('直播排期');
    ws.columns = [
      { header: '日期', key: 'date', width: 12 },
      { header: '开始', key: 'start', width: 8 },
      { header: '结束', key: 'end', width: 8 },
      { header: '市', key: 'city', width: 10 },
      { header: '团队', key: 'team', width: 20 },
      { header: '高校', key: 'university', width: 22 },
      { header: '直播帐号', key: 'account', width: 22 },
      { header: '状态', key: 'status', width: 10 },
      { header: '管控清单', key: 'checklist', width: 10 },
      { header: '场次编号', key: 'id', width: 10 },
    ];
    ws.getRow(1).font = { bold: true };
    ws.views = [{ state: 'frozen', ySplit: 1 }];
    for (const x of rows) {
      const start = shanghaiMinute(x.plannedStart.getTime());
      const end = shanghaiMinute(x.plannedEnd.getTime());
      ws.addRow({
        date: start.slice(0, 10),
        start: start.slice(11),
        // A slot past midnight shows its end date too.
        end: end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end,
        city: x.city.name,
        team: x.team.name,
        university: x.team.university.name,
        account: x.account ? `${x.account.label} (${x.account.accountNo})` : '',
        status: STATUS_ZH[x.status],
        checklist: CHECKLIST_ZH[x.checklist],
        id: x.id,
      });
    }
    const buf = await wb.xlsx.writeBuffer();
    sendXlsx(res, `schedule${q.stageId ? `-stage${q.stageId}` : ''}${s.cityCode ?? (q.cityCode ? `-${q.cityCode}` : '')}.xlsx`, Buffer.from(buf));
  });

  r.get('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const s = await prisma.liveSession.findUnique({ where: { id }, select: { teamId: true, cityCode: true } });
    if (!s) throw notFound('Session');
    if (!canViewTeam(a, { id: s.teamId, cityCode: s.cityCode })) throw forbidden();
    return one(a, id);
  });

  /** The session's live numbers and curve, as a dashboard's snapshot would show them. */
  r.get('/:id/live', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const info = (await live.directory.resolve([id])).get(id);
    if (!info) throw notFound('Session');
    if (!canViewTeam(a, { id: info.teamId, cityCode: info.cityCode })) throw forbidden();
    const snap = await live.views.session(info);
    return { ...snap, session: toRow(info, snap.session) };
  });

  // ── writes: city staff of the team's city, or the province; after the lock the province alone, with a reason

  r.post('/', 'signed-in', async (req, res) => {
    const a = actorOf(req);
    const body = SessionCreate.parse(req.body);
    const team = await prisma.team.findUnique({ where: { id: body.teamId }, select: { id: true, cityCode: true } });
    if (!team) throw refused([{ path: 'teamId', message: 'No such team', code: 'team.not_found' }]);
    if (!canManageCity(a, team.cityCode)) throw forbidden(a.role === 'team' ? 'The city schedules sessions' : undefined);
    const cand: ScheduleCandidate = {
      teamId: team.id,
      accountId: body.accountId,
      stageId: body.stageId,
      plannedStart: Date.parse(body.plannedStart),
      plannedEnd: Date.parse(body.plannedEnd),
    };
    const created = await prisma.$transaction(async (tx) => {
      const stage = await loadStage(tx, body.stageId);
      const lock = lockIssues(a, stage, body.reason);
      await lockCitySchedule(tx, team.cityCode);
      const problems = problemsOf(cand, await loadScheduleData(tx, [cand]), now(), true);
      const issues = [...lock.issues, ...problems.map(toIssue)];
      if (issues.length) throw refused(issues);
      const row = await tx.liveSession.create({
        data: {
          stageId: cand.stageId, teamId: team.id, cityCode: team.cityCode, accountId: body.accountId, title: body.title ?? null,
          plannedStart: new Date(cand.plannedStart), plannedEnd: new Date(cand.plannedEnd), createdBy: a.id,
        },
        include,
      });
      await audit(tx, a, {
        action: lock.afterLock ? 'schedule.change_after_lock' : 'session.create',
        entity: 'LiveSession', entityId: row.id, cityCode: row.cityCode, after: baseDto(row), reason: body.reason ?? null,
      });
      return row;
    });
    await refreshLive();
    res.status(201);
    return one(a, created.id);
  });

  r.patch('/:id', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = SessionUpdate.parse(req.body);
    const found = await loadForWrite(a, id);
    await prisma.$transaction(async (tx) => {
      const stage = await loadStage(tx, found.stageId);
      const lock = lockIssues(a, stage, body.reason);
      await lockCitySchedule(tx, found.cityCode);
      const before = await tx.liveSession.findUniqueOrThrow({ where: { id }, include });
      if (before.status !== 'scheduled') throw conflict(`Only a scheduled session can be changed (it is ${before.status})`);
      const was = candidateOf(before);
      const next: ScheduleCandidate = {
        ...was,
        accountId: body.accountId ?? was.accountId,
        plannedStart: body.plannedStart ? Date.parse(body.plannedStart) : was.plannedStart,
        plannedEnd: body.plannedEnd ? Date.parse(body.plannedEnd) : was.plannedEnd,
      };
      const problems = changeProblems(was, next, await loadScheduleData(tx, [was, next]), now());
      const issues = [...lock.issues, ...problems.map(toIssue)];
      if (issues.length) throw refused(issues);
      const after = await tx.liveSession.update({
        where: { id },
        data: {
          accountId: next.accountId, plannedStart: new Date(next.plannedStart), plannedEnd: new Date(next.plannedEnd),
          ...(body.title !== undefined ? { title: body.title } : {}),
        },
        include,
      });
      await audit(tx, a, {
        action: lock.afterLock ? 'schedule.change_after_lock' : 'session.update',
        entity: 'LiveSession', entityId: id, cityCode: after.cityCode, before: baseDto(before), after: baseDto(after), reason: body.reason ?? null,
      });
    });
    await refreshLive();
    return one(a, id);
  });

  r.post('/:id/cancel', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = SessionCancel.parse(req.body ?? {});
    const found = await loadForWrite(a, id);
    await prisma.$transaction(async (tx) => {
      const stage = await loadStage(tx, found.stageId);
      const lock = lockIssues(a, stage, body.reason);
      if (lock.issues.length) throw refused(lock.issues);
      const before = await tx.liveSession.findUniqueOrThrow({ where: { id }, include });
      if (before.status !== 'scheduled' && before.status !== 'suspended')
        throw conflict(`Only a scheduled session can be cancelled (it is ${before.status}${before.status === 'live' ? '; end it instead' : ''})`);
      const moved = await tx.liveSession.updateMany({ where: { id, status: before.status }, data: { status: 'cancelled' } });
      if (moved.count !== 1) throw conflict('The session changed meanwhile; reload and try again');
      const after = await tx.liveSession.findUniqueOrThrow({ where: { id }, include });
      await audit(tx, a, {
        action: lock.afterLock ? 'schedule.change_after_lock' : 'session.cancel',
        entity: 'LiveSession', entityId: id, cityCode: after.cityCode, before: baseDto(before), after: baseDto(after), reason: body.reason ?? null,
      });
    });
    await refreshLive();
    return one(a, id);
  });

  /** Staff end a live session by hand: it stops taking events past now (ingest's end tolerance aside). */
  r.post('/:id/end', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = SessionEnd.parse(req.body ?? {});
    await loadForWrite(a, id);
    await prisma.$transaction(async (tx) => {
      const before = await tx.liveSession.findUniqueOrThrow({ where: { id }, include });
      if (before.status !== 'live') throw conflict(`Only a live session can be ended (it is ${before.status})`);
      const moved = await tx.liveSession.updateMany({ where: { id, status: 'live' }, data: { status: 'ended', actualEnd: new Date(now()) } });
      if (moved.count !== 1) throw conflict('The session changed meanwhile; reload and try again');
      const after = await tx.liveSession.findUniqueOrThrow({ where: { id }, include });
      await audit(tx, a, {
        action: 'session.end', entity: 'LiveSession', entityId: id, cityCode: after.cityCode, before: baseDto(before), after: baseDto(after), reason: body.reason || null,
      });
    });
    await refreshLive();
    return one(a, id);
  });

  return r;
}

function sendXlsx(res: Response, filename: string, body: Buffer): void {
  res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`);
  res.setHeader('Cache-Control', 'no-store');
  res.send(body);
}
