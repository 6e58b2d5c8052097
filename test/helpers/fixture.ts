// A small contest for tests: two cities (A = 南昌 360100, B = 景德镇 360200), one university and two teams
// in A, one of each in B, and a user per role. Everything else comes from the real reference data.
import type { Database } from '../../server/db/index.ts';
import { hashPassword } from '../../server/auth/passwords.ts';
import { jiangxi } from '../../server/seed/jiangxi.ts';

export const PASSWORD = 'password123';
export const CITY_A = '360100';
export const CITY_B = '360200';

export interface Fixture {
  uniA: number;
  uniB: number;
  teamA1: number;
  teamA2: number;
  teamB1: number;
  memberA1: number;
  accountA: number;
  accountB: number;
  stageId: number;
  /** Sessions in their window now: two in city A, one in city B. */
  sessionA1: number;
  sessionA2: number;
  sessionB1: number;
  users: { province: string; cityA: string; cityB: string; teamA1: string; teamB1: string };
}

export async function seedFixture(db: Database, now = Date.now()): Promise<Fixture> {
  const { prisma } = db;
  await prisma.city.createMany({
    data: jiangxi().cities.map((c) => ({ code: c.code, name: c.name, short: c.short, nameEn: c.en, lat: c.lat, lng: c.lng })),
  });
  const uniA = await prisma.university.create({ data: { name: '南昌大学', cityCode: CITY_A } });
  const uniB = await prisma.university.create({ data: { name: '景德镇陶瓷大学', cityCode: CITY_B } });
  const teamA1 = await prisma.team.create({ data: { name: '赣鄱新农人', cityCode: CITY_A, universityId: uniA.id, phone: '13812341234', contactPhone: '15900001111' } });
  const teamA2 = await prisma.team.create({ data: { name: '红土地优品', cityCode: CITY_A, universityId: uniA.id, phone: '13800000002' } });
  const teamB1 = await prisma.team.create({ data: { name: '瓷都青年', cityCode: CITY_B, universityId: uniB.id, phone: '13900000003' } });
  const memberA1 = await prisma.member.create({ data: { teamId: teamA1.id, name: '张三', studentNo: '20210001', role: 'anchor', onCamera: true, anchorFiling: 'filed', identityStatus: 'verified', phone: '18800001234' } });
  const accountA = await prisma.liveAccount.create({ data: { cityCode: CITY_A, accountNo: 'OMS-A-1', label: '南昌1号', status: 'ok' } });
  const accountB = await prisma.liveAccount.create({ data: { cityCode: CITY_B, accountNo: 'OMS-B-1', label: '景德镇1号', status: 'ok' } });
  const stage = await prisma.stage.create({
    data: { name: '初赛', kind: 'preliminary', startsAt: new Date(now - 86_400_000), endsAt: new Date(now + 5 * 86_400_000), lockAt: new Date(now - 2 * 86_400_000) },
  });
  const slot = { stageId: stage.id, plannedStart: new Date(now - 10 * 60_000), plannedEnd: new Date(now + 110 * 60_000) };
  const sA1 = await prisma.liveSession.create({ data: { ...slot, teamId: teamA1.id, cityCode: CITY_A, accountId: accountA.id } });
  const sA2 = await prisma.liveSession.create({ data: { ...slot, teamId: teamA2.id, cityCode: CITY_A } });
  const sB1 = await prisma.liveSession.create({ data: { ...slot, teamId: teamB1.id, cityCode: CITY_B, accountId: accountB.id } });
  const hash = await hashPassword(PASSWORD);
  const users = {
    province: 'prov',
    cityA: 'cityA',
    cityB: 'cityB',
    teamA1: 'teamA1',
    teamB1: 'teamB1',
  };
  await prisma.user.createMany({
    data: [
      { username: users.province, role: 'province', passwordHash: hash },
      { username: users.cityA, role: 'city', cityCode: CITY_A, passwordHash: hash },
      { username: users.cityB, role: 'city', cityCode: CITY_B, passwordHash: hash },
      { username: users.teamA1, role: 'team', cityCode: CITY_A, teamId: teamA1.id, passwordHash: hash },
      { username: users.teamB1, role: 'team', cityCode: CITY_B, teamId: teamB1.id, passwordHash: hash },
    ],
  });
  return {
    uniA: uniA.id, uniB: uniB.id, teamA1: teamA1.id, teamA2: teamA2.id, teamB1: teamB1.id, memberA1: memberA1.id,
    accountA: accountA.id, accountB: accountB.id, stageId: stage.id,
    sessionA1: sA1.id, sessionA2: sA2.id, sessionB1: sB1.id, users,
  };
}
