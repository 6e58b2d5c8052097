// Schedule rules as pure functions over plain data and a clock reading: what makes a slot refusable, and
// when a stage's schedule is locked (the notice: 各阶段赛事开始前24小时完成直播排期工作并上报).
import type { Problem, ProblemCode, SessionStatus } from '../../contracts/schedule';
import { DAY, HOUR, shanghaiDate } from './time';

/** A stage's schedule locks this long before it starts unless the province sets lockAt itself. */
export const DEFAULT_LOCK_LEAD_MS = DAY;
/** No single slot runs longer than this (a student room, not a marathon; catches a wrong date too). */
export const MAX_SLOT_MS = 6 * HOUR;

export interface StageRef {
  id: number;
  name: string;
  startsAt: number;
  endsAt: number;
  lockAt: number;
}

export interface MemberRef {
  id: number;
  name: string;
  onCamera: boolean;
  identityStatus: 'pending' | 'verified' | 'rejected';
  anchorFiling: 'not_required' | 'pending' | 'filed' | 'rejected';
}

export interface TeamInfo {
  id: number;
  name: string;
  cityCode: string;
  status: 'active' | 'suspended' | 'disqualified' | 'withdrawn';
  members: MemberRef[];
}

export interface AccountRef {
  id: number;
  label: string;
  cityCode: string;
  status: 'unchecked' | 'ok' | 'problem' | 'disabled';
}

/** Another session that may collide: booked on the same account or by the same team. */
export interface BookedSession {
  id: number;
  teamId: number;
  teamName: string;
  cityCode: string;
  accountId: number | null;
  status: SessionStatus;
  plannedStart: number;
  plannedEnd: number;
  actualEnd: number | null;
}

export interface ScheduleCandidate {
  /** The session being changed (left out of its own overlap checks); absent for a new one. */
  id?: number | undefined;
  teamId: number;
  accountId: number | null;
  stageId: number;
  plannedStart: number;
  plannedEnd: number;
}

export interface ScheduleContext {
  stage: StageRef;
  team: TeamInfo;
  account: AccountRef | null;
  others: readonly BookedSession[];
  /** On a write that sets the times, a slot may not start in the past; re-checks on read skip this. */
  requireFuture?: boolean;
  maxSlotMs?: number;
}

/** Shanghai wall-clock 'yyyy-mm-dd hh:mm' for messages. */
export function shanghaiMinute(ms: number): string {
  const t = new Date(ms + 8 * HOUR).toISOString();
  return `${shanghaiDate(ms)} ${t.slice(11, 16)}`;
}

/** '2024-10-21 10:00–12:00', with the end's date when it falls on another day. */
export function slotText(start: number, end: number): string {
  const a = shanghaiMinute(start);
  const b = shanghaiMinute(end);
  return `${a}–${a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b}`;
}

/** Half-open slots: [10:00, 12:00) and [12:00, 14:00) touch but do not overlap. */
export function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

/** The time a session holds its account and team: cancelled holds nothing; an ended one frees it at its end. */
export function busyInterval(s: BookedSession): { start: number; end: number } | null {
  if (s.status === 'cancelled') return null;
  const end = s.status === 'ended' && s.actualEnd !== null ? Math.min(s.actualEnd, s.plannedEnd) : s.plannedEnd;
  return { start: s.plannedStart, end };
}

const TEAM_STATUS_TEXT: Record<Exclude<TeamInfo['status'], 'active'>, string> = {
  suspended: 'suspended for rectification (停播整改)',
  disqualified: 'disqualified (取消资格)',
  withdrawn: 'withdrawn from the contest',
};

const problem = (code: ProblemCode, field: Problem['field'] | undefined, message: string, params?: Problem['params']): Problem => ({
  code,
  ...(field ? { field } : {}),
  message,
  ...(params ? { params } : {}),
});

/** Every reason the candidate slot cannot be scheduled (empty: it can). `now` only matters with requireFuture. */
export function checkSchedule(c: ScheduleCandidate, ctx: ScheduleContext, now: number): Problem[] {
  const out: Problem[] = [];
  const { stage, team, account } = ctx;
  const slotValid = c.plannedEnd > c.plannedStart;

  // ── the slot itself
  if (!slotValid) out.push(problem('slot.end_not_after_start', 'plannedEnd', 'The end must be after the start'));
  else {
    const max = ctx.maxSlotMs ?? MAX_SLOT_MS;
    if (c.plannedEnd - c.plannedStart > max)
      out.push(problem('slot.too_long', 'plannedEnd', `A slot may last at most ${max / HOUR} h`, { maxHours: max / HOUR }));
  }
  if (c.plannedStart < stage.startsAt)
    out.push(problem('slot.outside_stage', 'plannedStart', `Starts before stage “${stage.name}” begins (${shanghaiMinute(stage.startsAt)})`, { stageStartsAt: new Date(stage.startsAt).toISOString() }));
  if (c.plannedEnd > stage.endsAt)
    out.push(problem('slot.outside_stage', 'plannedEnd', `Ends after stage “${stage.name}” ends (${shanghaiMinute(stage.endsAt)})`, { stageEndsAt: new Date(stage.endsAt).toISOString() }));
  if (ctx.requireFuture && c.plannedStart < now)
    out.push(problem('slot.in_past', 'plannedStart', 'The slot starts in the past'));

  // ── the team and its people
  if (team.status !== 'active')
    out.push(problem('team.not_active', 'teamId', `Team “${team.name}” is ${TEAM_STATUS_TEXT[team.status]}`, { status: team.status }));
  for (const m of team.members) {
    if (m.identityStatus !== 'verified')
      out.push(problem('team.unverified', 'teamId', `Identity of ${m.name} is not verified (${m.identityStatus})`, { memberId: m.id, memberName: m.name, identityStatus: m.identityStatus }));
  }
  const onCamera = team.members.filter((m) => m.onCamera);
  if (onCamera.length === 0) out.push(problem('team.no_anchor', 'teamId', `Team “${team.name}” has no on-camera anchor (出镜主播)`));
  for (const m of onCamera) {
    if (m.anchorFiling !== 'filed')
      out.push(problem('anchor.not_filed', 'teamId', `Anchor ${m.name}: 主播备案 ${m.anchorFiling === 'rejected' ? 'rejected' : 'pending'}`, { memberId: m.id, memberName: m.name, anchorFiling: m.anchorFiling }));
  }

  // ── the OMS account
  if (c.accountId === null || !account) out.push(problem('account.missing', 'accountId', 'No OMS live account is allocated'));
  else {
    if (account.cityCode !== team.cityCode)
      out.push(problem('account.other_city', 'accountId', 'The OMS account belongs to another city'));
    if (account.status !== 'ok')
      out.push(problem('account.not_ok', 'accountId', `OMS account ${account.label} is not checked ok (${account.status})`, { status: account.status }));
  }

  // ── overlaps with other bookings
  if (slotValid) {
    const mine = { start: c.plannedStart, end: c.plannedEnd };
    for (const o of ctx.others) {
      if (o.id === c.id) continue;
      const busy = busyInterval(o);
      if (!busy || !overlaps(mine, busy)) continue;
      const when = slotText(busy.start, busy.end);
      // Only a session of the same city is named; another city's schedule is not ours to show.
      const who = o.cityCode === team.cityCode ? `session ${o.id} of team “${o.teamName}”` : `session ${o.id} of another city`;
      const params = { sessionId: o.id, ...(o.cityCode === team.cityCode ? { teamId: o.teamId, teamName: o.teamName } : {}), from: new Date(busy.start).toISOString(), to: new Date(busy.end).toISOString() };
      if (c.accountId !== null && o.accountId === c.accountId)
        out.push(problem('account.double_booked', 'accountId', `The OMS account is already booked by ${who} (${when})`, params));
      if (o.teamId === c.teamId)
        out.push(problem('team.double_booked', 'teamId', `The team already has session ${o.id} in an overlapping slot (${when})`, params));
    }
  }
  return out;
}

/** A problem as a team user may read it: another team's name is dropped. */
export function redactForTeam(p: Problem, viewerTeamId: number): Problem {
  if (p.code !== 'account.double_booked' || p.params?.['teamId'] === viewerTeamId) return p;
  const { teamId: _t, teamName: _n, ...rest } = p.params ?? {};
  return { ...p, message: 'The OMS account is already booked by another session in an overlapping slot', params: rest };
}

// ───────── the lock ─────────

export const defaultLockAt = (startsAt: number): number => startsAt - DEFAULT_LOCK_LEAD_MS;

/** Locked exactly at lockAt: one millisecond before, the city may still change its schedule. */
export function isLocked(stage: Pick<StageRef, 'lockAt'>, now: number): boolean {
  return now >= stage.lockAt;
}

export const MIN_REASON_LENGTH = 5;

export type LockVerdict =
  | { ok: true; afterLock: boolean }
  | { ok: false; code: 'stage.locked' | 'reason.required'; message: string };

/**
 * May this actor change the stage's schedule now? Before the lock anyone allowed on the city may; at and
 * after it only the province, with a reason of at least 5 characters that goes to the audit log.
 */
export function lockVerdict(stage: StageRef, now: number, actor: { province: boolean }, reason?: string | null): LockVerdict {
  if (!isLocked(stage, now)) return { ok: true, afterLock: false };
  if (!actor.province)
    return {
      ok: false,
      code: 'stage.locked',
      message: `The schedule of stage “${stage.name}” locked at ${shanghaiMinute(stage.lockAt)} (Asia/Shanghai); ask the province to change it`,
    };
  if (!reason || reason.trim().length < MIN_REASON_LENGTH)
    return { ok: false, code: 'reason.required', message: `The schedule locked at ${shanghaiMinute(stage.lockAt)}; give a reason of at least ${MIN_REASON_LENGTH} characters` };
  return { ok: true, afterLock: true };
}

/** A schedule report is on time when it reaches the province at or before the lock. */
export const reportOnTime = (stage: Pick<StageRef, 'lockAt'>, reportedAt: number): boolean => reportedAt <= stage.lockAt;
