import { describe, expect, test } from 'vitest';
import { canEditTeam, canSeePhones, canViewCity, canViewTeam, maskPhone, teamScope, type Actor } from '../../server/domain/permissions.ts';
import { acceptsEvent, inWindow, OPEN_EARLY_MS, OVERRUN_MS, type SessionInfo } from '../../server/domain/ingest-rules.ts';
import { emptyCursor, foldStats } from '../../server/domain/stats.ts';
import { shanghaiDate, shanghaiDayStart, shanghaiInstant } from '../../server/domain/time.ts';
import { emptyNumbers } from '../../contracts/live.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';

const province: Actor = { id: 1, username: 'p', role: 'province' };
const cityA: Actor = { id: 2, username: 'a', role: 'city', cityCode: '360100' };
const teamA: Actor = { id: 3, username: 't', role: 'team', cityCode: '360100', teamId: 10 };
const teamInA = { id: 10, cityCode: '360100' };
const teamInB = { id: 20, cityCode: '360200' };

describe('permissions', () => {
  test('the province sees every city and team; city staff only their own city', () => {
    expect(canViewCity(province, '360200')).toBe(true);
    expect(canViewCity(cityA, '360100')).toBe(true);
    expect(canViewCity(cityA, '360200')).toBe(false);
    expect(canViewTeam(cityA, teamInB)).toBe(false);
  });

  test('a team sees itself but not its city, and cannot edit even itself', () => {
    expect(canViewTeam(teamA, teamInA)).toBe(true);
    expect(canViewTeam(teamA, { id: 11, cityCode: '360100' })).toBe(false);
    expect(canViewCity(teamA, '360100')).toBe(false);
    expect(canEditTeam(teamA, teamInA)).toBe(false);
  });

  test('phones in full only for the province and the team itself', () => {
    expect(canSeePhones(province, teamInB)).toBe(true);
    expect(canSeePhones(teamA, teamInA)).toBe(true);
    expect(canSeePhones(cityA, teamInA)).toBe(false);
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone(null)).toBeNull();
    expect(maskPhone('12345')).toBe('*****');
  });

  test('list scopes follow the role', () => {
    expect(teamScope(province)).toEqual({});
    expect(teamScope(cityA)).toEqual({ cityCode: '360100' });
    expect(teamScope(teamA)).toEqual({ teamId: 10 });
    // A malformed city user without a city sees nothing rather than everything.
    expect(teamScope({ id: 9, username: 'x', role: 'city' })).toEqual({ cityCode: '__none__' });
  });
});

describe('ingest eligibility', () => {
  const start = Date.parse('2024-11-01T02:00:00Z');
  const s: SessionInfo = {
    id: 5, stageId: 1, teamId: 10, teamName: 't', cityCode: '360100', universityId: 1, universityName: 'u',
    status: 'scheduled', checklist: 'none', teamStatus: 'active', plannedStart: start, plannedEnd: start + 2 * 3_600_000, actualStart: null, actualEnd: null,
  };
  const cityKey = { cityCode: '360100' };

  test('accepts an event in the window from a key of the session’s city or team', () => {
    expect(acceptsEvent(s, start + 60_000, cityKey)).toEqual({ ok: true });
    expect(acceptsEvent(s, start, { teamId: 10 })).toEqual({ ok: true });
  });

  test('refuses keys of another city or team, and a key with no scope', () => {
    expect(acceptsEvent(s, start, { cityCode: '360200' })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(acceptsEvent(s, start, { teamId: 11 })).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(acceptsEvent(s, start, {})).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  test('the window edges are inclusive: 30 minutes early, 60 minutes of overrun', () => {
    expect(acceptsEvent(s, start - OPEN_EARLY_MS, cityKey).ok).toBe(true);
    expect(acceptsEvent(s, start - OPEN_EARLY_MS - 1, cityKey)).toMatchObject({ code: 'NOT_LIVE' });
    expect(acceptsEvent(s, s.plannedEnd + OVERRUN_MS, cityKey).ok).toBe(true);
    expect(acceptsEvent(s, s.plannedEnd + OVERRUN_MS + 1, cityKey)).toMatchObject({ code: 'NOT_LIVE' });
    expect(inWindow(s, start - OPEN_EARLY_MS)).toBe(true);
    expect(inWindow(s, s.plannedEnd + OVERRUN_MS + 1)).toBe(false);
  });

  test('suspension, disqualification, cancellation and withdrawal refuse with their reason', () => {
    expect(acceptsEvent({ ...s, teamStatus: 'suspended' }, start, cityKey)).toMatchObject({ code: 'SUSPENDED' });
    expect(acceptsEvent({ ...s, status: 'suspended' }, start, cityKey)).toMatchObject({ code: 'SUSPENDED' });
    expect(acceptsEvent({ ...s, teamStatus: 'disqualified' }, start, cityKey)).toMatchObject({ code: 'DISQUALIFIED' });
    expect(acceptsEvent({ ...s, status: 'cancelled' }, start, cityKey)).toMatchObject({ code: 'NOT_LIVE' });
    expect(acceptsEvent({ ...s, teamStatus: 'withdrawn' }, start, cityKey)).toMatchObject({ code: 'NOT_LIVE' });
  });

  test('an ended session still takes late deliveries stamped before its end, not after', () => {
    const ended = { ...s, status: 'ended' as const, actualEnd: start + 3_600_000 };
    expect(acceptsEvent(ended, start + 3_000_000, cityKey).ok).toBe(true);
    expect(acceptsEvent(ended, start + 3_600_000 + 120_000, cityKey)).toMatchObject({ code: 'NOT_LIVE' });
  });
});

describe('foldStats', () => {
  const n0 = () => ({ ...emptyNumbers() });
  test('cumulative counters become the session’s totals and online is a gauge with a peak', () => {
    let c = emptyCursor();
    let n = n0();
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 1, online: 10, views: 100, likes: 5 }));
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 2, online: 30, views: 150, likes: 9 }));
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 3, online: 20, views: 160 }));
    expect(n).toMatchObject({ views: 160, likes: 9, online: 20, peakOnline: 30 });
  });

  test('a platform reset keeps what was counted and continues from the new raw value', () => {
    let c = emptyCursor();
    let n = n0();
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 1, online: 1, views: 500 }));
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 2, online: 1, views: 20 }));
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 3, online: 1, views: 50 }));
    expect(n.views).toBe(550);
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 4, online: 1, views: 0 }));
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 5, online: 1, views: 7 }));
    expect(n.views).toBe(557);
  });

  test('a sample older than the latest applied one changes nothing', () => {
    let c = emptyCursor();
    let n = n0();
    ({ cursor: c, numbers: n } = foldStats(c, n, { at: 10, online: 5, views: 100 }));
    const late = foldStats(c, n, { at: 9, online: 99, views: 50 });
    expect(late.numbers).toEqual(n);
    expect(late.cursor).toBe(c);
  });
});

describe('Shanghai time', () => {
  test('days start at 16:00 UTC the day before', () => {
    const t = Date.parse('2024-10-20T15:59:59Z'); // 23:59:59 in Shanghai
    expect(shanghaiDate(t)).toBe('2024-10-20');
    expect(new Date(shanghaiDayStart(t)).toISOString()).toBe('2024-10-19T16:00:00.000Z');
    expect(shanghaiDate(t + 1000)).toBe('2024-10-21');
    expect(new Date(shanghaiInstant('2024-10-21', 9, 30)).toISOString()).toBe('2024-10-21T01:30:00.000Z');
  });
});

describe('configuration', () => {
  test('defaults apply when the environment is empty', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, LOG_LEVEL: 'info', LIVE_MAX_HZ: 10, SERVE_CLIENT: true });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  test('a bad value stops start-up with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
