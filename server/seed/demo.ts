// The demo contest: Jiangxi's 11 cities, their universities and products, ~100 teams with members and
// anchors, OMS accounts, three stages (the first running now) and sessions across today so some are live
// at any hour. Idempotent: every row is keyed by a natural key, so re-running it changes nothing.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import { hashPassword } from '../auth/passwords';
import { DAY, HOUR, MINUTE, shanghaiDayStart } from '../domain/time';
import { jiangxi, yuanToFen, type JiangxiCity } from './jiangxi';
import { int, pick, rng } from './random';
import { seedHistory } from './history';

export const DEMO_PASSWORD = 'ganyou2024';

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙胡朱高林何郭罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文';
const GIVEN = '子涵欣怡梓轩浩宇思远雨萱一诺宇航佳怡俊杰晨曦嘉怡文博婉清明轩若曦天佑可馨泽宇诗琪志远梦瑶晓峰雅琴';
const TEAM_ROOTS = ['赣鄱新农人', '红土地优品', '乡味直播间', '青春助农团', '家乡好物社', '橙心橙意', '山水优选', '田园青年', '赣味小分队', '振兴先锋', '邮乐青年', '初心助农', '老表好货', '云上家乡'];

export interface DemoSignIns {
  province: string;
  city: string;
  team: string;
  password: string;
}

export interface SeedResult {
  created: Record<string, number>;
  signIns: DemoSignIns;
}

const teamsFor = (c: JiangxiCity) => 5 + Math.round(c.universities.length * 1.2);
const uniShort = (name: string) => name.replace(/(大学|学院|高等专科学校|职业技术学院|职业学院)$/, '');

function personName(r: () => number): string {
  const g = GIVEN.length / 2;
  const i = int(r, 0, g - 1) * 2;
  return pick(r, [...SURNAMES]) + (r() < 0.3 ? GIVEN[i]! : GIVEN.slice(i, i + 2));
}

export interface SeedOptions {
  /** Days of simulated history before today (default 3); fewer make a quicker contest for tests, 0 none. */
  historyDays?: number;
}

export async function seedDemo(db: Database, clock: Clock, opts: SeedOptions = {}): Promise<SeedResult> {
  const { prisma } = db;
  const created: Record<string, number> = {};
  const count = (k: string, n: number) => (created[k] = (created[k] ?? 0) + n);
  const now = clock.now();
  const today = shanghaiDayStart(now);
  const data = jiangxi();

  // Cities, universities, products.
  for (const c of data.cities) {
    count('cities', (await prisma.city.createMany({
      data: [{ code: c.code, name: c.name, short: c.short, nameEn: c.en, lat: c.lat, lng: c.lng }],
      skipDuplicates: true,
    })).count);
    count('universities', (await prisma.university.createMany({
      // The first university of each city co-organises the contest with the city branch.
      data: c.universities.map((name, i) => ({
        name,
        cityCode: c.code,
        role: i === 0 ? ('co_organiser' as const) : ('participant' as const),
        joinedAt: i === 0 ? new Date(today - 40 * DAY) : null,
      })),
      skipDuplicates: true,
    })).count);
    count('products', (await prisma.product.createMany({
      data: c.products.map((p) => ({ cityCode: c.code, name: p.name, unit: p.unit, priceFen: yuanToFen(p.price) })),
      skipDuplicates: true,
    })).count);
    count('accounts', (await prisma.liveAccount.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({
        cityCode: c.code,
        accountNo: `OMS${c.code}${String(i + 1).padStart(2, '0')}`,
        label: `${c.short}邮政直播${i + 1}号`,
        status: 'ok' as const,
        checkedAt: new Date(today - 38 * DAY),
      })),
      skipDuplicates: true,
    })).count);
  }

  // Teams and members, deterministic per city.
  const universities = await prisma.university.findMany();
  const uniByName = new Map(universities.map((u) => [u.name, u]));
  for (const c of data.cities) {
    const r = rng(Number(c.code));
    const n = teamsFor(c);
    const teams = Array.from({ length: n }, (_, i) => {
      const uni = uniByName.get(c.universities[i % c.universities.length]!)!;
      return {
        name: `${uniShort(uni.name)}·${TEAM_ROOTS[i % TEAM_ROOTS.length]}${i >= TEAM_ROOTS.length ? i : ''}`,
        cityCode: c.code,
        universityId: uni.id,
        youleShopId: `YL${c.code.slice(2)}${String(i + 1).padStart(3, '0')}`,
        phone: `13${int(r, 0, 9)}${String(int(r, 0, 99999999)).padStart(8, '0')}`,
        contactName: personName(r),
        contactPhone: `15${int(r, 0, 9)}${String(int(r, 0, 99999999)).padStart(8, '0')}`,
      };
    });
    count('teams', (await prisma.team.createMany({ data: teams, skipDuplicates: true })).count);
  }

  const allTeams = await prisma.team.findMany({ orderBy: { id: 'asc' } });
  const memberRows = allTeams.flatMap((t) => {
    const r = rng(t.id * 7919);
    // Every 17th team still waits for its anchor's filing: it cannot be scheduled yet.
    const filingPending = t.id % 17 === 0;
    const roles = [
      { role: 'leader' as const, onCamera: false },
      { role: 'anchor' as const, onCamera: true },
      { role: 'anchor' as const, onCamera: true },
      { role: 'operator' as const, onCamera: false },
    ];
    return roles.map((x, i) => ({
      teamId: t.id,
      name: personName(r),
      studentNo: `${2021 + (i % 4)}${String(t.id).padStart(4, '0')}${i + 1}`,
      role: x.role,
      onCamera: x.onCamera,
      phone: `18${int(r, 0, 9)}${String(int(r, 0, 99999999)).padStart(8, '0')}`,
      identityStatus: 'verified' as const,
      identityCheckedAt: new Date(today - 30 * DAY),
      anchorFiling: x.onCamera ? (filingPending && i === 2 ? ('pending' as const) : ('filed' as const)) : ('not_required' as const),
      anchorFiledAt: x.onCamera && !(filingPending && i === 2) ? new Date(today - 25 * DAY) : null,
    }));
  });
  count('members', (await prisma.member.createMany({ data: memberRows, skipDuplicates: true })).count);

  // Stages: the preliminary runs now; the others follow.
  const stageDefs = [
    { name: '初赛', kind: 'preliminary' as const, startsAt: today - 6 * DAY, endsAt: today + 9 * DAY },
    { name: '复赛', kind: 'semifinal' as const, startsAt: today + 11 * DAY, endsAt: today + 21 * DAY },
    { name: '决赛', kind: 'final' as const, startsAt: today + 24 * DAY, endsAt: today + 27 * DAY },
  ];
  for (const s of stageDefs) {
    if (await prisma.stage.findFirst({ where: { name: s.name } })) continue;
    await prisma.stage.create({
      data: { ...s, startsAt: new Date(s.startsAt), endsAt: new Date(s.endsAt), lockAt: new Date(s.startsAt - DAY) },
    });
    count('stages', 1);
  }

  count('sessions', await seedTodaysSessions(db, today));

  // Users: one province account, one per city, one per team; all share the printed demo password.
  const hash = await hashPassword(DEMO_PASSWORD);
  const users = [
    { username: 'province', role: 'province' as const, displayName: '省分公司渠道平台部', cityCode: null, teamId: null },
    ...data.cities.map((c) => ({ username: `city${c.code}`, role: 'city' as const, displayName: `${c.short}市分公司`, cityCode: c.code, teamId: null })),
    ...allTeams.map((t) => ({ username: `team${t.id}`, role: 'team' as const, displayName: t.name, cityCode: t.cityCode, teamId: t.id })),
  ];
  count('users', (await prisma.user.createMany({ data: users.map((u) => ({ ...u, passwordHash: hash })), skipDuplicates: true })).count);

  for (const [k, n] of Object.entries(await seedHistory(db, clock, opts.historyDays))) count(k, n);

  const firstTeam = allTeams.find((t) => t.cityCode === '360100')!;
  return {
    created,
    signIns: { province: 'province', city: 'city360100', team: `team${firstTeam.id}`, password: DEMO_PASSWORD },
  };
}

/**
 * Two two-hour sessions per eligible team today, staggered over the whole day so that whenever the demo
 * runs, some are live. Accounts are allocated so that no account is booked twice in overlapping slots.
 * Skips teams that already have sessions today (re-running changes nothing).
 */
async function seedTodaysSessions(db: Database, today: number): Promise<number> {
  const { prisma } = db;
  const stage = await prisma.stage.findFirst({
    where: { startsAt: { lte: new Date(today + 12 * HOUR) }, endsAt: { gte: new Date(today + 12 * HOUR) } },
  });
  if (!stage) return 0;
  const existing = await prisma.liveSession.findMany({
    where: { plannedStart: { gte: new Date(today), lt: new Date(today + DAY) } },
    select: { teamId: true, accountId: true, plannedStart: true, plannedEnd: true },
  });
  const haveToday = new Set(existing.map((s) => s.teamId));
  const teams = await prisma.team.findMany({
    where: { status: 'active', members: { none: { onCamera: true, anchorFiling: { not: 'filed' } } } },
    orderBy: { id: 'asc' },
  });
  const accounts = await prisma.liveAccount.findMany({ where: { status: 'ok' }, orderBy: { id: 'asc' } });
  const booked = new Map<number, Array<[number, number]>>();
  for (const s of existing)
    if (s.accountId) (booked.get(s.accountId) ?? booked.set(s.accountId, []).get(s.accountId)!).push([s.plannedStart.getTime(), s.plannedEnd.getTime()]);

  const rows = [];
  for (const [i, t] of teams.entries()) {
    if (haveToday.has(t.id)) continue;
    const first = today + ((i * 7) % 24) * HOUR + ((i * 13) % 6) * 10 * MINUTE;
    for (const start of [first, first + 12 * HOUR]) {
      const s = start >= today + DAY ? start - DAY : start;
      const e = s + 2 * HOUR;
      const acc = accounts.find(
        (a) => a.cityCode === t.cityCode && !(booked.get(a.id) ?? []).some(([bs, be]) => bs < e && s < be),
      );
      if (!acc) continue;
      (booked.get(acc.id) ?? booked.set(acc.id, []).get(acc.id)!).push([s, e]);
      rows.push({
        stageId: stage.id,
        teamId: t.id,
        cityCode: t.cityCode,
        accountId: acc.id,
        plannedStart: new Date(s),
        plannedEnd: new Date(e),
        checklist: 'approved' as const,
      });
    }
  }
  if (rows.length) await prisma.liveSession.createMany({ data: rows });
  return rows.length;
}
