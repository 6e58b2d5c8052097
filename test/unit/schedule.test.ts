import { describe, expect, test } from 'vitest';
import {
  busyInterval,
  checkSchedule,
  defaultLockAt,
  isLocked,
  lockVerdict,
  MAX_SLOT_MS,
  overlaps,
  redactForTeam,
  reportOnTime,
  shanghaiMinute,
  type BookedSession,
  type ScheduleCandidate,
  type ScheduleContext,
  type StageRef,
  type TeamInfo,
} from '../../server/domain/schedule.ts';
import { blocksIngest, readiness, transition } from '../../server/domain/checklist.ts';
import { HOUR, MINUTE, shanghaiInstant } from '../../server/domain/time.ts';
import type { ChecklistItems } from '../../contracts/schedule.ts';

// A fixed clock: 2024-10-25 09:00 Shanghai, inside a stage running 10-28 .. 11-10.
const NOW = shanghaiInstant('2024-10-25', 9);
const at = (date: string, hh: number, mm = 0) => shanghaiInstant(date, hh, mm);

const stage: StageRef = { id: 1, name: '复赛', startsAt: at('2024-10-28', 0), endsAt: at('2024-11-10', 0), lockAt: defaultLockAt(at('2024-10-28', 0)) };
const team = (over: Partial<TeamInfo> = {}): TeamInfo => ({
  id: 10,
  name: '赣鄱新农人',
  cityCode: '360100',
  status: 'active',
  members: [{ id: 100, name: '张三', onCamera: true, identityStatus: 'verified', anchorFiling: 'filed' }],
  ...over,
});
const account = { id: 7, label: '南昌1号', cityCode: '360100', status: 'ok' as const };
const slot = (from: number, to: number, over: Partial<ScheduleCandidate> = {}): ScheduleCandidate => ({
  teamId: 10, accountId: 7, stageId: 1, plannedStart: from, plannedEnd: to, ...over,
});
const booked = (over: Partial<BookedSession>): BookedSession => ({
  id: 50, teamId: 11, teamName: '红土地优品', cityCode: '360100', accountId: 7, status: 'scheduled',
  plannedStart: at('2024-10-29', 10), plannedEnd: at('2024-10-29', 12), actualEnd: null, ...over,
});
const ctx = (over: Partial<ScheduleContext> = {}): ScheduleContext => ({ stage, team: team(), account, others: [], ...over });
const codes = (c: ScheduleCandidate, x: ScheduleContext, now = NOW) => checkSchedule(c, x, now).map((p) => p.code);

describe('checkSchedule()', () => {
  test('accepts a clean two-hour slot inside the stage', () => {
    expect(checkSchedule(slot(at('2024-10-29', 14), at('2024-10-29', 16)), ctx(), NOW)).toEqual([]);
  });

  test('rejects an OMS account booked twice in overlapping slots and names the other session and team', () => {
    const [p] = checkSchedule(slot(at('2024-10-29', 11), at('2024-10-29', 13)), ctx({ others: [booked({})] }), NOW);
    expect(p).toMatchObject({ code: 'account.double_booked', field: 'accountId', params: { sessionId: 50, teamName: '红土地优品' } });
    expect(p?.message).toContain('session 50 of team “红土地优品”');
    expect(p?.message).toContain('2024-10-29 10:00–12:00');
  });

  test('touching slots [10:00–12:00] and [12:00–14:00] do not overlap, on the account or the team', () => {
    const others = [booked({}), booked({ id: 51, teamId: 10, teamName: '赣鄱新农人', accountId: 8 })];
    expect(codes(slot(at('2024-10-29', 12), at('2024-10-29', 14)), ctx({ others }))).toEqual([]);
    expect(codes(slot(at('2024-10-29', 8), at('2024-10-29', 10)), ctx({ others }))).toEqual([]);
    expect(overlaps({ start: 0, end: 10 }, { start: 10, end: 20 })).toBe(false);
    expect(overlaps({ start: 0, end: 11 }, { start: 10, end: 20 })).toBe(true);
  });

  test('rejects a team double-booked in overlapping sessions, whatever the account', () => {
    const others = [booked({ id: 60, teamId: 10, teamName: '赣鄱新农人', accountId: 8 })];
    const ps = checkSchedule(slot(at('2024-10-29', 11), at('2024-10-29', 12)), ctx({ others }), NOW);
    expect(ps.map((p) => [p.code, p.field])).toEqual([['team.double_booked', 'teamId']]);
    expect(ps[0]?.message).toContain('session 60');
  });

  test('a cancelled session holds nothing, an ended one frees its slot at its actual end, and the session itself is ignored', () => {
    const c = slot(at('2024-10-29', 11), at('2024-10-29', 12));
    expect(codes(c, ctx({ others: [booked({ status: 'cancelled' })] }))).toEqual([]);
    expect(codes(c, ctx({ others: [booked({ status: 'ended', actualEnd: at('2024-10-29', 11) })] }))).toEqual([]);
    expect(codes(c, ctx({ others: [booked({ status: 'ended', actualEnd: at('2024-10-29', 11, 1) })] }))).toEqual(['account.double_booked']);
    expect(codes({ ...c, id: 50 }, ctx({ others: [booked({})] }))).toEqual([]);
    expect(busyInterval(booked({ status: 'cancelled' }))).toBeNull();
  });

  test('another city’s booking is reported without naming its team', () => {
    const [p] = checkSchedule(slot(at('2024-10-29', 11), at('2024-10-29', 13)), ctx({ others: [booked({ cityCode: '360200', teamName: '瓷都青年' })] }), NOW);
    expect(p?.message).not.toContain('瓷都青年');
    expect(p?.params).not.toHaveProperty('teamName');
  });

  test('rejects a team with a member whose identity is not verified, naming them', () => {
    const t = team({ members: [...team().members, { id: 101, name: '李四', onCamera: false, identityStatus: 'pending', anchorFiling: 'not_required' }] });
    const ps = checkSchedule(slot(at('2024-10-29', 14), at('2024-10-29', 16)), ctx({ team: t }), NOW);
    expect(ps).toEqual([expect.objectContaining({ code: 'team.unverified', field: 'teamId', params: expect.objectContaining({ memberName: '李四' }) })]);
  });

  test('rejects an on-camera member whose 主播备案 is pending or rejected, naming each', () => {
    const t = team({
      members: [
        { id: 100, name: '张三', onCamera: true, identityStatus: 'verified', anchorFiling: 'pending' },
        { id: 101, name: '王五', onCamera: true, identityStatus: 'verified', anchorFiling: 'rejected' },
        { id: 102, name: '赵六', onCamera: false, identityStatus: 'verified', anchorFiling: 'not_required' },
      ],
    });
    const ps = checkSchedule(slot(at('2024-10-29', 14), at('2024-10-29', 16)), ctx({ team: t }), NOW);
    expect(ps.map((p) => p.message)).toEqual(['Anchor 张三: 主播备案 pending', 'Anchor 王五: 主播备案 rejected']);
    expect(ps.every((p) => p.code === 'anchor.not_filed')).toBe(true);
  });

  test('rejects a team with nobody on camera', () => {
    const t = team({ members: [{ id: 1, name: '钱七', onCamera: false, identityStatus: 'verified', anchorFiling: 'not_required' }] });
    expect(codes(slot(at('2024-10-29', 14), at('2024-10-29', 16)), ctx({ team: t }))).toEqual(['team.no_anchor']);
  });

  test.each(['suspended', 'disqualified', 'withdrawn'] as const)('rejects a %s team', (status) => {
    const ps = checkSchedule(slot(at('2024-10-29', 14), at('2024-10-29', 16)), ctx({ team: team({ status }) }), NOW);
    expect(ps).toEqual([expect.objectContaining({ code: 'team.not_active', field: 'teamId', params: { status } })]);
  });

  test('rejects an account of another city, one not checked ok, and no account at all', () => {
    const c = slot(at('2024-10-29', 14), at('2024-10-29', 16));
    expect(codes(c, ctx({ account: { ...account, cityCode: '360200' } }))).toEqual(['account.other_city']);
    for (const status of ['unchecked', 'problem', 'disabled'] as const) expect(codes(c, ctx({ account: { ...account, status } }))).toEqual(['account.not_ok']);
    expect(codes({ ...c, accountId: null }, ctx({ account: null }))).toEqual(['account.missing']);
  });

  test('rejects a slot outside the stage, at either end, and accepts one exactly on its bounds', () => {
    expect(checkSchedule(slot(stage.startsAt - MINUTE, stage.startsAt + HOUR), ctx(), NOW).map((p) => [p.code, p.field])).toEqual([['slot.outside_stage', 'plannedStart']]);
    expect(checkSchedule(slot(stage.endsAt - HOUR, stage.endsAt + MINUTE), ctx(), NOW).map((p) => [p.code, p.field])).toEqual([['slot.outside_stage', 'plannedEnd']]);
    expect(codes(slot(stage.startsAt, stage.startsAt + HOUR), ctx())).toEqual([]);
    expect(codes(slot(stage.endsAt - HOUR, stage.endsAt), ctx())).toEqual([]);
  });

  test('rejects an end at or before the start, and skips the overlap checks for it', () => {
    const t = at('2024-10-29', 11);
    expect(codes(slot(t, t), ctx({ others: [booked({})] }))).toEqual(['slot.end_not_after_start']);
    expect(codes(slot(t, t - MINUTE), ctx())).toEqual(['slot.end_not_after_start']);
  });

  test('rejects a slot longer than 6 h; exactly 6 h is fine', () => {
    const t = at('2024-10-29', 8);
    expect(codes(slot(t, t + MAX_SLOT_MS), ctx())).toEqual([]);
    expect(codes(slot(t, t + MAX_SLOT_MS + 1), ctx())).toEqual(['slot.too_long']);
  });

  test('on a write a slot may not start in the past; a re-check on read does not mind', () => {
    const c = slot(at('2024-10-28', 8), at('2024-10-28', 9));
    const later = at('2024-10-28', 8, 30);
    expect(codes(c, ctx({ requireFuture: true }), later)).toEqual(['slot.in_past']);
    expect(codes(c, ctx(), later)).toEqual([]);
  });

  test('lists every problem at once', () => {
    const t = team({ status: 'suspended', members: [{ id: 1, name: '张三', onCamera: true, identityStatus: 'pending', anchorFiling: 'pending' }] });
    expect(codes(slot(at('2024-10-29', 11), at('2024-10-29', 13)), ctx({ team: t, others: [booked({})] }))).toEqual([
      'team.not_active', 'team.unverified', 'anchor.not_filed', 'account.double_booked',
    ]);
  });

  test('a team reading the problems does not learn another team’s name', () => {
    const [p] = checkSchedule(slot(at('2024-10-29', 11), at('2024-10-29', 13)), ctx({ others: [booked({})] }), NOW);
    const seen = redactForTeam(p!, 10);
    expect(seen.message).not.toContain('红土地优品');
    expect(seen.params).toEqual(expect.not.objectContaining({ teamName: expect.anything() }));
    expect(redactForTeam(p!, 11)).toBe(p);
  });
});

describe('the schedule lock', () => {
  test('lockAt defaults to 24 h before the stage starts', () => {
    expect(defaultLockAt(at('2024-10-28', 0))).toBe(at('2024-10-27', 0));
  });

  test('is locked exactly at lockAt and not one millisecond before', () => {
    expect(isLocked(stage, stage.lockAt - 1)).toBe(false);
    expect(isLocked(stage, stage.lockAt)).toBe(true);
    expect(isLocked(stage, stage.lockAt + 1)).toBe(true);
  });

  test('before the lock anyone allowed on the city may change the schedule, without a reason', () => {
    expect(lockVerdict(stage, stage.lockAt - 1, { province: false })).toEqual({ ok: true, afterLock: false });
  });

  test('after the lock city staff are refused with the lock time in Shanghai', () => {
    const v = lockVerdict(stage, stage.lockAt, { province: false }, 'a good reason');
    expect(v).toMatchObject({ ok: false, code: 'stage.locked' });
    expect(!v.ok && v.message).toContain('locked at 2024-10-27 00:00');
  });

  test('after the lock the province needs a reason of at least 5 characters', () => {
    expect(lockVerdict(stage, stage.lockAt, { province: true })).toMatchObject({ ok: false, code: 'reason.required' });
    expect(lockVerdict(stage, stage.lockAt, { province: true }, '  abcd  ')).toMatchObject({ ok: false, code: 'reason.required' });
    expect(lockVerdict(stage, stage.lockAt, { province: true }, '主播临时生病')).toEqual({ ok: true, afterLock: true });
  });

  test('a schedule report is on time at the lock and late one millisecond after', () => {
    expect(reportOnTime(stage, stage.lockAt)).toBe(true);
    expect(reportOnTime(stage, stage.lockAt + 1)).toBe(false);
  });

  test('times in messages are Asia/Shanghai', () => {
    expect(shanghaiMinute(Date.parse('2024-10-20T16:30:00Z'))).toBe('2024-10-21 00:30');
  });
});

describe('the pre-live checklist', () => {
  const allOk: ChecklistItems = { products: { ok: true }, roomSetup: { ok: true }, script: { ok: true }, anchorImage: { ok: true } };

  test('moves none → submitted → approved, and returned → submitted again', () => {
    expect(transition('none', { kind: 'submit' })).toEqual({ ok: true, to: 'submitted' });
    expect(transition('submitted', { kind: 'approve', items: allOk })).toEqual({ ok: true, to: 'approved' });
    expect(transition('submitted', { kind: 'return', reason: '话术含绝对化用语' })).toEqual({ ok: true, to: 'returned' });
    expect(transition('returned', { kind: 'submit' })).toEqual({ ok: true, to: 'submitted' });
    expect(transition('approved', { kind: 'submit' })).toEqual({ ok: true, to: 'submitted' });
  });

  test('refuses to approve what is not submitted, or a list with an item not ok', () => {
    expect(transition('none', { kind: 'approve', items: null }).ok).toBe(false);
    expect(transition('returned', { kind: 'approve', items: allOk }).ok).toBe(false);
    expect(transition('approved', { kind: 'approve', items: allOk }).ok).toBe(false);
    const v = transition('submitted', { kind: 'approve', items: { ...allOk, script: { ok: false } } });
    expect(v).toEqual({ ok: false, message: expect.stringContaining('script') });
  });

  test('a return needs a reason and a submitted or approved list', () => {
    expect(transition('none', { kind: 'return', reason: 'x' }).ok).toBe(false);
    expect(transition('submitted', { kind: 'return', reason: '  ' }).ok).toBe(false);
    expect(transition('approved', { kind: 'return', reason: '产品未报备' }).ok).toBe(true);
  });

  test('readiness is ready only when approved, with the reason otherwise, and blocking per the gate', () => {
    const off = { blocksLive: false };
    const on = { blocksLive: true };
    expect(readiness({ checklist: 'approved' }, { status: 'approved', returnReason: null }, on)).toEqual({ state: 'ready', checklist: 'approved', blocking: false });
    expect(readiness({ checklist: 'none' }, null, off)).toMatchObject({ state: 'not_ready', code: 'checklist.missing', blocking: false });
    expect(readiness({ checklist: 'submitted' }, { status: 'submitted', returnReason: null }, on)).toMatchObject({ code: 'checklist.pending_review', blocking: true });
    const r = readiness({ checklist: 'returned' }, { status: 'returned', returnReason: '主播形象不符' }, off);
    expect(r).toMatchObject({ state: 'not_ready', code: 'checklist.returned' });
    expect(r.reason).toContain('主播形象不符');
  });

  test('blocksIngest refuses to take a session live unapproved only while the gate is on, and never cuts a live one', () => {
    expect(blocksIngest({ status: 'scheduled', checklist: 'submitted' }, { blocksLive: false })).toEqual({ ok: true });
    expect(blocksIngest({ status: 'scheduled', checklist: 'submitted' }, { blocksLive: true })).toMatchObject({ ok: false, code: 'NOT_LIVE' });
    expect(blocksIngest({ status: 'scheduled', checklist: 'approved' }, { blocksLive: true })).toEqual({ ok: true });
    expect(blocksIngest({ status: 'live', checklist: 'returned' }, { blocksLive: true })).toEqual({ ok: true });
  });
});
