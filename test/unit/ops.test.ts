import { describe, expect, test } from 'vitest';
import { checkRegistration, checkShops, parseRegistration, parseShops, teamEligibility, type EligibilityMember } from '../../server/domain/registration.ts';
import { canDecide, canLift, liftRefusal, teamStatusAfter } from '../../server/domain/violations.ts';
import { DEFAULT_FINAL_TOP_N, incentivesDue, type PlacementFact, type UniversityFact } from '../../server/domain/incentives.ts';
import { computeDeadlines, CONTEST_DATES, endOfShanghaiDay, trainingCoverage, type DeadlineInput } from '../../server/domain/deadlines.ts';
import { cellText, decodeText, parseCsv } from '../../server/services/spreadsheet.ts';
import { shanghaiInstant } from '../../server/domain/time.ts';
import type { Actor } from '../../server/domain/permissions.ts';

const member = (id: number, over: Partial<EligibilityMember> = {}): EligibilityMember => ({
  id, name: `m${id}`, onCamera: false, identityStatus: 'verified', anchorFiling: 'not_required', ...over,
});

describe('teamEligibility()', () => {
  test('a team whose members are all verified and whose anchor is filed may go live', () => {
    expect(teamEligibility([member(1, { onCamera: true, anchorFiling: 'filed' }), member(2)])).toEqual({ ok: true, reasons: [] });
  });

  test('an unverified member and an unfiled anchor each give a reason naming the member', () => {
    const e = teamEligibility([member(1, { onCamera: true, anchorFiling: 'pending' }), member(2, { identityStatus: 'pending' }), member(3, { identityStatus: 'rejected' })]);
    expect(e.ok).toBe(false);
    expect(e.reasons.map((r) => [r.code, r.memberId])).toEqual([
      ['filing_missing', 1],
      ['identity_pending', 2],
      ['identity_rejected', 3],
    ]);
  });

  test('a team without members, or with nobody on camera, cannot go live', () => {
    expect(teamEligibility([]).reasons.map((r) => r.code)).toEqual(['no_members']);
    expect(teamEligibility([member(1)]).reasons.map((r) => r.code)).toEqual(['no_anchor']);
    expect(teamEligibility([member(1, { onCamera: true, anchorFiling: 'rejected' })]).reasons.map((r) => r.code)).toEqual(['filing_rejected']);
  });
});

describe('violations', () => {
  const province: Actor = { id: 1, username: 'p', role: 'province' };
  const cityA: Actor = { id: 2, username: 'a', role: 'city', cityCode: '360100' };
  const teamActor: Actor = { id: 3, username: 't', role: 'team', cityCode: '360100', teamId: 10 };
  const teamA = { id: 10, cityCode: '360100' };
  const teamB = { id: 20, cityCode: '360200' };

  test('city staff warn and suspend their own teams; only the province disqualifies', () => {
    expect(canDecide(cityA, teamA, 'warning')).toBe(true);
    expect(canDecide(cityA, teamA, 'suspension')).toBe(true);
    expect(canDecide(cityA, teamA, 'disqualification')).toBe(false);
    expect(canDecide(cityA, teamB, 'warning')).toBe(false);
    expect(canDecide(province, teamB, 'disqualification')).toBe(true);
    expect(canDecide(teamActor, teamA, 'warning')).toBe(false);
    expect(canLift(cityA, teamA)).toBe(true);
    expect(canLift(cityA, teamB)).toBe(false);
  });

  test('a suspension in force suspends; lifting it restores unless another one remains', () => {
    const s1 = { decision: 'suspension' as const, liftedAt: null };
    const s2 = { decision: 'suspension' as const, liftedAt: null };
    expect(teamStatusAfter([{ decision: 'warning', liftedAt: null }])).toBe('active');
    expect(teamStatusAfter([s1])).toBe('suspended');
    expect(teamStatusAfter([{ ...s1, liftedAt: 1 }, s2], 'suspended')).toBe('suspended');
    expect(teamStatusAfter([{ ...s1, liftedAt: 1 }, { ...s2, liftedAt: 2 }], 'suspended')).toBe('active');
  });

  test('a disqualification is final and a withdrawn team stays withdrawn', () => {
    expect(teamStatusAfter([{ decision: 'disqualification', liftedAt: null }, { decision: 'suspension', liftedAt: 5 }])).toBe('disqualified');
    expect(teamStatusAfter([], 'disqualified')).toBe('disqualified');
    expect(teamStatusAfter([{ decision: 'suspension', liftedAt: null }], 'withdrawn')).toBe('withdrawn');
  });

  test('only a suspension still in force can be lifted', () => {
    expect(liftRefusal({ decision: 'suspension', liftedAt: null })).toBeNull();
    expect(liftRefusal({ decision: 'suspension', liftedAt: 1 })).toMatch(/already/);
    expect(liftRefusal({ decision: 'warning', liftedAt: null })).toMatch(/nothing/);
    expect(liftRefusal({ decision: 'disqualification', liftedAt: null })).toMatch(/final/);
  });
});

describe('incentivesDue()', () => {
  const unis: UniversityFact[] = [
    { id: 1, name: '南昌大学', cityCode: '360100', role: 'organiser' },
    { id: 2, name: '江西师大', cityCode: '360100', role: 'co_organiser' },
    { id: 3, name: '景德镇学院', cityCode: '360200', role: 'participant' },
  ];
  const placement = (over: Partial<PlacementFact>): PlacementFact => ({
    stageId: 9, stageKind: 'final', teamId: 100, teamName: 't', teamCityCode: '360200', rank: 1, teamDisqualified: false, ...over,
  });

  test('1,000 per organising or co-organising university to its city, nothing for a participant', () => {
    const due = incentivesDue(unis, [], new Set());
    expect(due.map((d) => [d.dedupeKey, d.cityCode, d.points, d.reason])).toEqual([
      ['uni:1', '360100', 1000, 'university_joined'],
      ['uni:2', '360100', 1000, 'university_joined'],
    ]);
  });

  test('800 to the team’s city for a final placement within the top N, not for other stages, lower ranks or a disqualified team', () => {
    const due = incentivesDue([], [
      placement({ teamId: 100, rank: 1 }),
      placement({ teamId: 101, rank: DEFAULT_FINAL_TOP_N }),
      placement({ teamId: 102, rank: DEFAULT_FINAL_TOP_N + 1 }),
      placement({ teamId: 103, stageKind: 'semifinal', stageId: 8 }),
      placement({ teamId: 104, teamDisqualified: true }),
    ], new Set());
    expect(due.map((d) => [d.dedupeKey, d.cityCode, d.points])).toEqual([
      ['final:9:100', '360200', 800],
      ['final:9:101', '360200', 800],
    ]);
    expect(incentivesDue([], [placement({ rank: 3 })], new Set(), 2)).toEqual([]);
  });

  test('recomputing with what is already recorded adds nothing (idempotent)', () => {
    const first = incentivesDue(unis, [placement({})], new Set());
    expect(first).toHaveLength(3);
    const again = incentivesDue(unis, [placement({})], new Set(first.map((d) => d.dedupeKey)));
    expect(again).toEqual([]);
    // A duplicated input row is still paid once.
    expect(incentivesDue([unis[0]!, unis[0]!], [], new Set())).toHaveLength(1);
  });
});

describe('deadlines with a fixed clock', () => {
  const due20 = endOfShanghaiDay('2024-10-20');
  const base = (): DeadlineInput => ({
    cities: [{ code: '360100', name: '南昌市', contactReportedAt: shanghaiInstant('2024-10-07', 10) }],
    teams: [
      {
        id: 1, name: '甲队', cityCode: '360100', status: 'active', youleShopId: 'YL1', phone: '13800000001',
        members: [
          { id: 11, name: '张三', onCamera: true, identityStatus: 'verified', identityCheckedAt: shanghaiInstant('2024-10-15'), anchorFiling: 'filed', anchorFiledAt: shanghaiInstant('2024-10-16') },
          { id: 12, name: '李四', onCamera: false, identityStatus: 'verified', identityCheckedAt: shanghaiInstant('2024-10-15'), anchorFiling: 'not_required', anchorFiledAt: null },
        ],
      },
      { id: 2, name: '退赛队', cityCode: '360100', status: 'withdrawn', youleShopId: null, phone: null, members: [] },
    ],
    attendance: [{ teamId: 1, trainingId: 5, heldAt: shanghaiInstant('2024-10-12', 14), topic: 'platform_basics' }],
    accounts: [
      { id: 1, cityCode: '360100', accountNo: 'A1', label: '一号', status: 'ok', checkedAt: shanghaiInstant('2024-10-18') },
      { id: 2, cityCode: '360100', accountNo: 'A2', label: '停用', status: 'disabled', checkedAt: null },
    ],
    accountRequests: [{ id: 1, cityCode: '360100', status: 'submitted' }],
    stages: [{ id: 7, name: '初赛', lockAt: shanghaiInstant('2024-10-20', 9) }],
    reports: [{ stageId: 7, cityCode: '360100', reportedAt: shanghaiInstant('2024-10-20', 8) }],
  });
  const byKey = (input: DeadlineInput, now: number) => new Map(computeDeadlines(input, now)[0]!.items.map((i) => [i.key, i]));

  test('the notice’s dates are the defaults, each due at the end of that Shanghai day', () => {
    expect(CONTEST_DATES).toMatchObject({ contactReport: '2024-10-08', registration: '2024-10-20' });
    expect(new Date(due20).toISOString()).toBe('2024-10-20T15:59:59.999Z');
  });

  test('a city that did everything in time is done on every item; withdrawn teams owe nothing', () => {
    const items = byKey(base(), shanghaiInstant('2024-10-21'));
    expect([...items.values()].map((i) => [i.key, i.state])).toEqual([
      ['contact', 'done'],
      ['registration', 'done'],
      ['training', 'done'],
      ['accounts', 'done'],
      ['schedule:7', 'done'],
    ]);
    expect(items.get('registration')!.detail).toMatchObject({ teams: 1, members: 2, verifiedPct: 100, filedPct: 100, shopsRegistered: 1 });
    expect(items.get('accounts')!.detail).toMatchObject({ accounts: 1, ok: 1, requestsPending: 1 });
    expect(items.get('training')!.doneAt).toBe(new Date(shanghaiInstant('2024-10-12', 14)).toISOString());
  });

  test('open before the due time, overdue after it, with what is missing named', () => {
    const input = base();
    input.cities[0]!.contactReportedAt = null;
    input.teams[0]!.members[0]!.anchorFiling = 'pending';
    input.attendance = [];
    input.accounts[0]!.status = 'unchecked';
    input.accounts[0]!.checkedAt = null;
    input.reports = [];
    const before = byKey(input, shanghaiInstant('2024-10-08', 12));
    expect(before.get('contact')!.state).toBe('open');
    expect(before.get('registration')!.state).toBe('open');
    const after = byKey(input, shanghaiInstant('2024-10-21'));
    expect([...after.values()].map((i) => i.state)).toEqual(['overdue', 'overdue', 'overdue', 'overdue', 'overdue']);
    expect(after.get('registration')!.missing).toEqual([{ entity: 'member', id: '11', label: '甲队 · 张三', reason: 'anchor not filed' }]);
    expect(after.get('registration')!.detail['filedPct']).toBe(0);
    expect(after.get('training')!.missing.map((m) => m.label)).toEqual(['甲队']);
    expect(after.get('accounts')!.missing.map((m) => m.id)).toEqual(['1']);
    expect(after.get('schedule:7')!.due).toBe(new Date(shanghaiInstant('2024-10-20', 9)).toISOString());
  });

  test('work finished after the due time is done late', () => {
    const input = base();
    input.cities[0]!.contactReportedAt = shanghaiInstant('2024-10-09', 9);
    input.reports = [{ stageId: 7, cityCode: '360100', reportedAt: shanghaiInstant('2024-10-20', 10) }];
    const items = byKey(input, shanghaiInstant('2024-10-25'));
    expect(items.get('contact')!.state).toBe('done_late');
    expect(items.get('schedule:7')!.state).toBe('done_late');
  });

  test('a later edition passes its own dates', () => {
    const input = base();
    input.cities[0]!.contactReportedAt = shanghaiInstant('2025-10-07');
    const later = computeDeadlines(input, shanghaiInstant('2025-10-01'), { ...CONTEST_DATES, contactReport: '2025-10-08' });
    expect(later[0]!.items[0]!.due).toBe('2025-10-08T15:59:59.999Z');
  });

  test('training coverage counts any recorded training held by the deadline and reports the core topics', () => {
    const cov = trainingCoverage([1, 2, 3], [
      { teamId: 1, trainingId: 1, heldAt: due20 - 1000, topic: 'platform_basics' },
      { teamId: 1, trainingId: 2, heldAt: due20 - 500, topic: 'live_rules' },
      { teamId: 2, trainingId: 3, heldAt: due20 + 1000, topic: 'skills' },
    ], due20);
    expect(cov.get(1)).toMatchObject({ trained: true, trainings: 2, coreTopicsMissing: [] });
    expect(cov.get(2)).toMatchObject({ trained: false, trainings: 1, lastTrainingAt: due20 + 1000 });
    expect(cov.get(3)).toMatchObject({ trained: false, trainings: 0, lastTrainingAt: null, coreTopicsMissing: ['platform_basics', 'live_rules'] });
  });
});

describe('parseCsv()', () => {
  test('quoted fields keep commas, doubled quotes and line breaks', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\n')).toEqual([['a', 'b,c', 'say "hi"', 'two\nlines']]);
  });

  test('a byte-order mark is dropped and CRLF, LF and CR all end a row', () => {
    expect(parseCsv('\uFEFF团队名称,学号\r\n甲,1\n乙,2\r丙,3')).toEqual([['团队名称', '学号'], ['甲', '1'], ['乙', '2'], ['丙', '3']]);
  });

  test('empty fields and an empty quoted field are empty strings; a trailing line break adds no row', () => {
    expect(parseCsv(',"",x\r\n\r\n')).toEqual([['', '', 'x'], ['']]);
    expect(parseCsv('')).toEqual([]);
  });

  test('an unterminated quote is an error rather than a silently merged file', () => {
    expect(() => parseCsv('a,"b\nc,d')).toThrow(/unterminated/);
  });

  test('GB18030 bytes (Excel’s CSV on Chinese Windows) decode as well as UTF-8', () => {
    const gbk = Uint8Array.from([0xc4, 0xcf, 0xb2, 0xfd]); // 南昌
    expect(decodeText(gbk)).toBe('南昌');
    expect(decodeText(new TextEncoder().encode('南昌'))).toBe('南昌');
  });

  test('xlsx cells become text: integers without decimals, rich text joined, formulas by result', () => {
    expect(cellText(13800001111)).toBe('13800001111');
    expect(cellText({ richText: [{ text: '南昌' }, { text: '大学' }] })).toBe('南昌大学');
    expect(cellText({ formula: 'A1', result: 42 })).toBe('42');
    expect(cellText(null)).toBe('');
  });
});

describe('registration sheets', () => {
  const header = ['团队名称', '所属高校', '团队联系人', '联系人手机', '成员姓名', '学号', '角色（队长/主播/运营/其他）', '是否出镜', '成员手机'];
  const unis = [
    { id: 1, name: '南昌大学', cityCode: '360100' },
    { id: 2, name: '景德镇陶瓷大学', cityCode: '360200' },
  ];
  const ctx = { scopeCity: '360100', universities: unis, existingTeams: [], existingStudents: [] };

  test('rows become teams with members; blank team cells continue the team above; a title row is skipped', () => {
    const p = parseRegistration([
      ['赣邮杯报名表'],
      header,
      ['甲队', '南昌大学', '王老师', '138 0000 1111', '张三', '2021001', '队长', '否', '+8613900001111'],
      ['', '', '', '', '李四', '2021002', '主播', '', ''],
      [],
    ]);
    expect(p.errors).toEqual([]);
    expect(p.rows).toBe(2);
    const c = checkRegistration(p.items, ctx);
    expect(c.errors).toEqual([]);
    expect(c.teams).toEqual([
      expect.objectContaining({
        name: '甲队', cityCode: '360100', universityId: 1, contactPhone: '13800001111',
        members: [
          expect.objectContaining({ row: 3, role: 'leader', onCamera: false, phone: '13900001111' }),
          expect.objectContaining({ row: 4, role: 'anchor', onCamera: true, phone: null }),
        ],
      }),
    ]);
    expect(c.summary).toMatchObject({ teams: 1, members: 2, onCamera: 1 });
  });

  test('bad cells are reported by row and column header', () => {
    const p = parseRegistration([header, ['甲队', '南昌大学', '', '123', '张三', '1', '组长', '也许', '']]);
    expect(p.errors.map((e) => [e.row, e.column])).toEqual([
      [2, '联系人手机'],
      [2, '学号'],
      [2, '角色'],
      [2, '是否出镜'],
    ]);
  });

  test('a missing required column is reported once per column', () => {
    const p = parseRegistration([['团队名称', '成员姓名'], ['甲', '张三']]);
    expect(p.errors.map((e) => e.column)).toEqual(['所属高校', '学号', '角色']);
  });

  test('cross-row checks: duplicate student numbers, unknown or out-of-city universities, existing teams and students', () => {
    const row = (team: string, uni: string, no: string, role = '运营') => [team, uni, '', '', '某人', no, role, '', ''];
    const p = parseRegistration([
      header,
      row('甲队', '南昌大学', '2021001', '队长'),
      row('甲队', '南昌大学', '2021001'),
      row('乙队', '不存在大学', '2021003'),
      row('丙队', '景德镇陶瓷大学', '2021004'),
      row('丁队', '南昌大学', '2021005'),
      row('戊队', '南昌大学', '2021006'),
      row('甲队', '南昌大学', '2021007', '队长'),
    ]);
    const c = checkRegistration(p.items, {
      ...ctx,
      existingTeams: [{ cityCode: '360100', name: '丁队' }],
      existingStudents: [{ universityId: 1, studentNo: '2021006', teamName: '老队' }],
    });
    expect(c.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [3, '学号', 'student number also on row 2'],
      [4, '所属高校', expect.stringContaining('unknown university')],
      [5, '所属高校', expect.stringContaining('not in your city')],
      [6, '团队名称', expect.stringContaining('already registered')],
      [7, '学号', expect.stringContaining('老队')],
      [8, '角色', 'a team has one 队长'],
    ]);
  });

  test('the same student number at two universities is two students', () => {
    const p = parseRegistration([header, ['甲队', '南昌大学', '', '', 'a', '2021001', '队长', '', ''], ['乙队', '景德镇陶瓷大学', '', '', 'b', '2021001', '队长', '', '']]);
    expect(checkRegistration(p.items, { ...ctx, scopeCity: undefined }).errors).toEqual([]);
  });

  test('shop rows: unknown team, duplicate shop id and an id another team holds are refused', () => {
    const p = parseShops([
      ['团队名称', '邮乐小店ID', '注册手机号'],
      ['甲队', 'YL1', '13800000001'],
      ['乙队', 'YL1', '13800000002'],
      ['无此队', 'YL3', '13800000003'],
      ['丙队', 'YL9', '13800000004'],
    ]);
    expect(p.errors).toEqual([]);
    const teams = ['甲队', '乙队', '丙队'].map((name, i) => ({ id: i + 1, name, cityCode: '360100', universityName: '南昌大学', youleShopId: null, phone: null }));
    const c = checkShops(p.items, { scopeCity: '360100', teams, shopHolders: [{ teamId: 99, teamName: '别队', youleShopId: 'YL9' }] });
    expect(c.errors.map((e) => [e.row, e.column])).toEqual([
      [3, '邮乐小店ID'],
      [4, '团队名称'],
      [5, '邮乐小店ID'],
    ]);
  });
});
