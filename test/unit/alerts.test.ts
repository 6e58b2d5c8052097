// The alert rules as plain functions with fixed clocks, each at the edge of its threshold; how a round's changes are
// split by room and applied to an open list.
import { describe, expect, test } from 'vitest';
import {
  buyerRepeat, isWatched, lateStart, memberBuyer, median, orderBurst, overrun, phoneBuyerRef, planAlerts, streamSilent,
  suspendedLive, ticketDue, ticketLate, viewerDrop, fastFindings, type Finding, type LiveFacts, type OpenAlert, type OrderFacts, type RuleSession,
} from '../../server/domain/alerts.ts';
import { AlertThresholds, TicketSla, type AlertDto } from '../../contracts/response.ts';
import { MINUTE, shanghaiInstant } from '../../server/domain/time.ts';
import { applyAlertChanges, type SeriesPoint } from '../../contracts/live.ts';
import { changesByRoom } from '../../server/alerts/routing.ts';
import { rooms } from '../../server/realtime/rooms.ts';

const T0 = shanghaiInstant('2024-10-21', 19, 0);
const t = AlertThresholds.parse({});
const SEC = 1000;

const session = (over: Partial<RuleSession> = {}): RuleSession => ({
  id: 7, teamId: 3, cityCode: '360100', status: 'scheduled', teamStatus: 'active',
  plannedStart: T0, plannedEnd: T0 + 120 * MINUTE, actualStart: null, ...over,
});
const live = (lastEventAt: number | null, over: Partial<LiveFacts> = {}): LiveFacts => ({ lastEventAt, online: 0, orders: 0, ...over });
const orders = (over: Partial<OrderFacts> = {}): OrderFacts => ({ orders: 0, lastMinute: 0, firstOrderAt: null, buyers: new Map(), ...over });

describe('thresholds', () => {
  test('an empty setting parses to the documented defaults', () => {
    expect(t).toEqual({
      lateStartMinutes: 5, silentSeconds: 120, viewerDropRatio: 0.5, viewerDropWindowSeconds: 60, viewerDropMinPeak: 20,
      burstMinOrders: 10, burstFactor: 5, repeatBuyerOrders: 5, memberBuyerOrders: 1, overrunMinutes: 0,
    });
  });
  test('unknown fields and out-of-range values are refused', () => {
    expect(AlertThresholds.safeParse({ lateStartMinutes: 0 }).success).toBe(false);
    expect(AlertThresholds.safeParse({ nope: 1 }).success).toBe(false);
    expect(AlertThresholds.parse({ silentSeconds: 60 }).silentSeconds).toBe(60);
  });
});

describe('lateStart() — 未按时开播', () => {
  test('fires at exactly plannedStart + 5 min, not a millisecond before', () => {
    expect(lateStart(session(), undefined, T0 + 5 * MINUTE - 1, t)).toBeNull();
    expect(lateStart(session(), undefined, T0 + 5 * MINUTE, t)).toMatchObject({ key: 'late_start:7', rule: 'late_start', severity: 'warning', cityCode: '360100', teamId: 3 });
  });
  test('is silent once any event arrived, once the slot is over, and for a team that may not go live', () => {
    const at = T0 + 10 * MINUTE;
    expect(lateStart(session(), live(T0 + MINUTE), at, t)).toBeNull();
    expect(lateStart(session({ status: 'live' }), live(null), at, t)).toBeNull();
    expect(lateStart(session(), undefined, T0 + 120 * MINUTE, t)).toBeNull();
    expect(lateStart(session({ teamStatus: 'suspended' }), undefined, at, t)).toBeNull();
    expect(lateStart(session({ status: 'cancelled' }), undefined, at, t)).toBeNull();
  });
  test('follows the configured minutes', () => {
    const t10 = AlertThresholds.parse({ lateStartMinutes: 10 });
    expect(lateStart(session(), undefined, T0 + 9 * MINUTE, t10)).toBeNull();
    expect(lateStart(session(), undefined, T0 + 10 * MINUTE, t10)).not.toBeNull();
  });
});

describe('streamSilent() — 断流', () => {
  const s = session({ status: 'live', actualStart: T0 });
  const last = T0 + 30 * MINUTE;
  test('fires after exactly 120 s without events, not at 119.999 s', () => {
    expect(streamSilent(s, live(last), last + 120 * SEC - 1, t)).toBeNull();
    expect(streamSilent(s, live(last), last + 120 * SEC, t)).toMatchObject({ rule: 'stream_silent', severity: 'critical', details: { lastEventAt: new Date(last).toISOString() } });
  });
  test('needs a first event, and stops at the planned end (silence then is the end of the show)', () => {
    expect(streamSilent(s, live(null), last + 10 * MINUTE, t)).toBeNull();
    expect(streamSilent(s, live(T0 + 117 * MINUTE), T0 + 120 * MINUTE, t)).toBeNull();
    expect(streamSilent(session({ status: 'ended' }), live(last), last + 10 * MINUTE, t)).toBeNull();
  });
});

describe('viewerDrop()', () => {
  const s = session({ status: 'live' });
  const base = T0 + 30 * MINUTE;
  const series = (...online: number[]): SeriesPoint[] => online.map((o, i) => ({ t: base + i * 10 * SEC, online: o, gmvFen: 0, orders: 0 }));
  const now = base + 55 * SEC;
  test('fires when the newest point is exactly half the peak of the last minute, not at half plus one', () => {
    expect(viewerDrop(s, series(100, 90, 80, 70, 60, 51), now, t)).toBeNull();
    expect(viewerDrop(s, series(100, 90, 80, 70, 60, 50), now, t)).toMatchObject({ rule: 'viewer_drop', details: { peak: 100, online: 50 } });
  });
  test('ignores a peak older than the window', () => {
    const old: SeriesPoint[] = [{ t: base - 20 * SEC, online: 200, gmvFen: 0, orders: 0 }, ...series(100, 100, 100, 100, 100, 90)];
    expect(viewerDrop(s, old, now, t)).toBeNull();
  });
  test('ignores small rooms below the minimum peak, and a stale series', () => {
    expect(viewerDrop(s, series(19, 1), base + 15 * SEC, t)).toBeNull();
    expect(viewerDrop(s, series(20, 10), base + 15 * SEC, t)).not.toBeNull();
    expect(viewerDrop(s, series(100, 10), base + 10 * SEC + 71 * SEC, t)).toBeNull();
  });
});

describe('suspendedLive() and overrun()', () => {
  test('a live session of a suspended or disqualified team is critical; an active team’s is not', () => {
    const now = T0 + 10 * MINUTE;
    expect(suspendedLive(session({ status: 'live', teamStatus: 'suspended' }), now)).toMatchObject({ rule: 'suspended_live', severity: 'critical' });
    expect(suspendedLive(session({ status: 'live', teamStatus: 'disqualified' }), now)).not.toBeNull();
    expect(suspendedLive(session({ status: 'live' }), now)).toBeNull();
    expect(suspendedLive(session({ status: 'ended', teamStatus: 'suspended' }), now)).toBeNull();
  });
  test('overrun fires a millisecond past the planned end while events still come, not at the end itself', () => {
    const s = session({ status: 'live' });
    const end = T0 + 120 * MINUTE;
    expect(overrun(s, live(end), end, t)).toBeNull();
    expect(overrun(s, live(end), end + 1, t)).toMatchObject({ rule: 'overrun' });
    // Off air: the last event is as old as the silence threshold.
    expect(overrun(s, live(end - 120 * SEC + 1), end + 1, t)).toBeNull();
    expect(overrun(s, live(end + 1), end + 1, AlertThresholds.parse({ overrunMinutes: 10 }))).toBeNull();
  });
});

describe('orderBurst() — 刷单 signal', () => {
  const s = session({ status: 'live', actualStart: T0 });
  test('early in a session only the floor applies: 10 orders in a minute is fine, 11 is not', () => {
    const now = T0 + 90 * SEC;
    expect(orderBurst(s, orders({ orders: 10, lastMinute: 10 }), now, t)).toBeNull();
    expect(orderBurst(s, orders({ orders: 11, lastMinute: 11 }), now, t)).toMatchObject({ rule: 'order_burst', details: { lastMinute: 11, limit: 10 } });
  });
  test('later it is 5× the session’s own average per minute before the last minute', () => {
    const now = T0 + 61 * MINUTE; // 60 minutes before the last one
    // 600 orders in 60 min = 10/min → limit 50.
    expect(orderBurst(s, orders({ orders: 650, lastMinute: 50 }), now, t)).toBeNull();
    expect(orderBurst(s, orders({ orders: 651, lastMinute: 51 }), now, t)).toMatchObject({ details: { averagePerMinute: 10, limit: 50 } });
  });
  test('without a start time the first order starts the clock', () => {
    const now = T0 + 11 * MINUTE;
    const f = orders({ orders: 120, lastMinute: 20, firstOrderAt: T0 + MINUTE }); // 100 in 9 min ≈ 11.1/min → 55.6
    expect(orderBurst(session({ status: 'live' }), f, now, t)).toBeNull();
  });
});

describe('buyerRepeat() and memberBuyer() — 刷单 signals', () => {
  const s = session({ status: 'live' });
  test('one buyerRef with 5 orders fires, 4 does not; refs are shortened in the details', () => {
    const ref = 'a'.repeat(64);
    expect(buyerRepeat(s, orders({ buyers: new Map([[ref, 4], ['b', 1]]) }), t)).toBeNull();
    const f = buyerRepeat(s, orders({ buyers: new Map([[ref, 5]]) }), t);
    expect(f).toMatchObject({ rule: 'buyer_repeat', details: { buyers: ['aaaaaaaaaaaa'], orders: [5] } });
  });
  test('a member’s buyerRef is the sha256 of their phone, and one such order fires', () => {
    const phone = '18800001234';
    const ref = phoneBuyerRef(phone);
    expect(ref).toBe('41a147c180a5b53746e1746853bd8cb8c3f73e5fb52df57ba32905e4411d64d1');
    expect(phoneBuyerRef('188 0000 1234')).toBe(ref);
    const members = new Set([ref]);
    expect(memberBuyer(s, orders({ buyers: new Map([['stranger', 3]]) }), members, t)).toBeNull();
    expect(memberBuyer(s, orders({ buyers: new Map([[ref, 1]]) }), members, t)).toMatchObject({ rule: 'member_buyer', severity: 'critical', details: { orders: 1, buyers: 1 } });
    expect(memberBuyer(s, orders({ buyers: new Map([[ref, 1]]) }), members, AlertThresholds.parse({ memberBuyerOrders: 2 }))).toBeNull();
  });
});

describe('which sessions are watched, and all fast rules together', () => {
  test('in the window or still live; never cancelled or ended', () => {
    expect(isWatched(session(), T0 - 31 * MINUTE)).toBe(false);
    expect(isWatched(session(), T0 - 30 * MINUTE)).toBe(true);
    expect(isWatched(session({ status: 'live' }), T0 + 500 * MINUTE)).toBe(true);
    expect(isWatched(session({ status: 'cancelled' }), T0)).toBe(false);
    expect(isWatched(session({ status: 'ended' }), T0)).toBe(false);
  });
  test('a late session yields late_start only', () => {
    expect(fastFindings(session(), undefined, [], T0 + 6 * MINUTE, t).map((f) => f.rule)).toEqual(['late_start']);
  });
});

describe('planAlerts()', () => {
  const f = (key: string, details = {}, severity: Finding['severity'] = 'warning'): Finding =>
    ({ key, rule: 'late_start', severity, sessionId: 1, teamId: 1, cityCode: '360100', message: 'm', details });
  const open = (key: string, details = {}, writtenAt = T0, severity: Finding['severity'] = 'warning'): [string, OpenAlert] =>
    [key, { key, severity, detailsJson: JSON.stringify(details), writtenAt }];

  test('opens new keys once, leaves unchanged ones, clears those that stopped', () => {
    const plan = planAlerts(new Map([open('a'), open('b')]), [f('a'), f('c'), f('c')], T0);
    expect(plan).toEqual({ raise: [f('c')], update: [], clear: ['b'] });
  });
  test('a changed detail updates at most every 5 s; a changed severity at once', () => {
    const o = new Map([open('a', { n: 1 }, T0)]);
    expect(planAlerts(o, [f('a', { n: 2 })], T0 + 4999).update).toEqual([]);
    expect(planAlerts(o, [f('a', { n: 2 })], T0 + 5000).update).toEqual([f('a', { n: 2 })]);
    expect(planAlerts(o, [f('a', { n: 1 }, 'critical')], T0 + 1).update).toHaveLength(1);
  });
});

describe('ticket SLA', () => {
  const sla = TicketSla.parse({});
  const opened = T0;
  test('defaults are 5 minutes to acknowledge and 30 to resolve', () => {
    expect(sla).toEqual({ ackMinutes: 5, resolveMinutes: 30 });
    expect(ticketDue({ status: 'open', openedAt: opened, reopenedAt: null }, sla)).toEqual({ ackDueAt: T0 + 5 * MINUTE, resolveDueAt: T0 + 30 * MINUTE });
  });
  test('late to acknowledge a millisecond after the due time; acknowledged in time is not late until the resolve due', () => {
    const open = { status: 'open' as const, openedAt: opened, reopenedAt: null };
    expect(ticketLate(open, sla, T0 + 5 * MINUTE)).toBeNull();
    expect(ticketLate(open, sla, T0 + 5 * MINUTE + 1)).toBe('ack');
    expect(ticketLate({ ...open, status: 'acknowledged' }, sla, T0 + 10 * MINUTE)).toBeNull();
    expect(ticketLate({ ...open, status: 'acknowledged' }, sla, T0 + 30 * MINUTE + 1)).toBe('resolve');
    expect(ticketLate({ ...open, status: 'resolved' }, sla, T0 + 99 * MINUTE)).toBeNull();
  });
  test('reopening restarts the clocks', () => {
    const t2 = { status: 'open' as const, openedAt: opened, reopenedAt: T0 + 60 * MINUTE };
    expect(ticketLate(t2, sla, T0 + 64 * MINUTE)).toBeNull();
    expect(ticketLate(t2, sla, T0 + 66 * MINUTE)).toBe('ack');
  });
  test('median of an even count is the mean of the middle two; none is null', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(3);
  });
});

describe('one message per room and round', () => {
  const dto = (id: number, over: Partial<AlertDto> = {}): AlertDto => ({
    id, key: `k${id}`, rule: 'late_start', severity: 'warning', sessionId: id, teamId: id, cityCode: '360100', message: `m${id}`,
    details: null, openedAt: '2024-10-21T11:00:00.000Z', updatedAt: '2024-10-21T11:00:00.000Z', clearedAt: null, ...over,
  });

  test('changesByRoom(): the province gets every change, each city its own, each team its own; session-less alerts skip teams', () => {
    const got = changesByRoom([
      { kind: 'raised', alert: dto(1) },
      { kind: 'updated', alert: dto(2, { cityCode: '360200' }) },
      { kind: 'cleared', alert: dto(3, { teamId: null, sessionId: null }) },
      { kind: 'raised', alert: dto(4) },
    ]);
    const ids = (room: string) => {
      const c = got.get(room)!;
      return { raised: c.raised.map((a) => a.id), updated: c.updated.map((a) => a.id), cleared: c.cleared.map((a) => a.id) };
    };
    expect([...got.keys()].sort()).toEqual([rooms.province, rooms.cityStaff('360100'), rooms.cityStaff('360200'), rooms.team(1), rooms.team(2), rooms.team(4)].sort());
    expect(ids(rooms.province)).toEqual({ raised: [1, 4], updated: [2], cleared: [3] });
    expect(ids(rooms.cityStaff('360100'))).toEqual({ raised: [1, 4], updated: [], cleared: [3] });
    expect(ids(rooms.cityStaff('360200'))).toEqual({ raised: [], updated: [2], cleared: [] });
    expect(ids(rooms.team(4))).toEqual({ raised: [4], updated: [], cleared: [] });
    expect(changesByRoom([]).size).toBe(0);
  });

  test('applyAlertChanges(): new ones first, updates in place, cleared ones and updates carrying clearedAt taken out', () => {
    const open = [dto(1), dto(2), dto(3)];
    const next = applyAlertChanges(open, {
      raised: [dto(9), dto(2, { message: 'again' })],
      updated: [dto(1, { severity: 'critical' }), dto(3, { clearedAt: '2024-10-21T11:05:00.000Z' })],
      cleared: [dto(7)],
    });
    expect(next.map((a) => a.id)).toEqual([9, 1, 2]);
    expect(next.find((a) => a.id === 1)!.severity).toBe('critical');
    expect(next.find((a) => a.id === 2)!.message).toBe('again');
    expect(applyAlertChanges(next, { raised: [], updated: [], cleared: [dto(9), dto(2)] }).map((a) => a.id)).toEqual([1]);
    // The list given is not changed.
    expect(open.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(open[0]!.severity).toBe('warning');
  });
});
