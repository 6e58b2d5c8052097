import { describe, expect, test } from 'vitest';
import { buildStandings, publicBoard, shownFen, withSharedRanks, type Registry } from '../../server/domain/scoreboard.ts';
import { PUBLIC_LIMITS } from '../../contracts/scoreboard.ts';

const registry: Registry = {
  teams: new Map([
    [1, { name: '甲队', cityCode: '360100', universityId: 10, status: 'active' }],
    [2, { name: '乙队', cityCode: '360100', universityId: 10, status: 'active' }],
    [3, { name: '丙队', cityCode: '360200', universityId: 20, status: 'suspended' }],
    [4, { name: '丁队', cityCode: '360200', universityId: 20, status: 'disqualified' }],
  ]),
  universities: new Map([[10, { name: '南昌大学' }], [20, { name: '景德镇陶瓷大学' }]]),
  cities: new Map([['360100', '南昌'], ['360200', '景德镇']]),
};

describe('public scoreboard rules', () => {
  test('equal totals share a rank and the next rank skips (1, 2, 2, 4)', () => {
    const r = withSharedRanks([{ name: 'a', gmvFen: 5 }, { name: 'b', gmvFen: 3 }, { name: 'c', gmvFen: 3 }, { name: 'd', gmvFen: 1 }]);
    expect(r.map((x) => x.rank)).toEqual([1, 2, 2, 4]);
  });

  test('a disqualified team is out of the team, university and city boards and listed apart; a suspended one still counts', () => {
    const s = buildStandings({
      stageName: '决赛', basis: 'provisional', asOf: 0, registry,
      teams: [{ teamId: 1, netFen: 100 }, { teamId: 2, netFen: 300 }, { teamId: 3, netFen: 50 }, { teamId: 4, netFen: 9_000 }, { teamId: 99, netFen: 7 }],
    });
    expect(s.team.map((t) => [t.rank, t.name, t.gmvFen])).toEqual([[1, '乙队', 300], [2, '甲队', 100], [3, '丙队', 50]]);
    expect(s.university).toEqual([{ rank: 1, name: '南昌大学', city: '南昌', gmvFen: 400 }, { rank: 2, name: '景德镇陶瓷大学', city: '景德镇', gmvFen: 50 }]);
    expect(s.city).toEqual([{ rank: 1, name: '南昌', gmvFen: 400 }, { rank: 2, name: '景德镇', gmvFen: 50 }]);
    expect(s.disqualified).toEqual([{ name: '丁队', university: '景德镇陶瓷大学', city: '景德镇' }]);
    expect(s.teamsRanked).toBe(3);
  });

  test('only the first PUBLIC_LIMITS.team teams are sent, with the count of all', () => {
    const teams = new Map(Array.from({ length: 150 }, (_, i) => [i + 1, { name: `队${i + 1}`, cityCode: '360100', universityId: 10, status: 'active' as const }]));
    const s = buildStandings({ stageName: 's', basis: 'provisional', asOf: 0, registry: { ...registry, teams }, teams: [...teams.keys()].map((teamId) => ({ teamId, netFen: teamId })) });
    expect(s.team).toHaveLength(PUBLIC_LIMITS.team);
    expect(s.teamsRanked).toBe(150);
    expect(s.university[0]!.gmvFen).toBe((150 * 151) / 2);
  });

  test('money as chosen: exact, rounded half up to ¥1,000 on the server, or absent', () => {
    expect(shownFen(123_456, 'exact')).toBe(123_456);
    expect(shownFen(149_999, 'wan')).toBe(100_000);
    expect(shownFen(150_000, 'wan')).toBe(200_000);
    expect(shownFen(49_999, 'wan')).toBe(0);
    expect(shownFen(123_456, 'hidden')).toBeUndefined();
    const s = buildStandings({ stageName: 's', basis: 'verified', asOf: Date.UTC(2026, 0, 1), registry, teams: [{ teamId: 1, netFen: 123_456 }] });
    const hidden = publicBoard(s, 'hidden', Date.UTC(2026, 0, 1, 8));
    expect(JSON.stringify(hidden)).not.toContain('gmvFen');
    expect(hidden.frozenAt).toBe('2026-01-01T08:00:00.000Z');
    expect(publicBoard(s, 'wan', null).team[0]!.gmvFen).toBe(100_000);
  });
});
