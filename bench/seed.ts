// The bench's contest, written straight through Prisma: Jiangxi's 11 cities and universities, ~500 teams
// spread over the cities like the demo spreads them, one stage running now, one session per team whose window
// contains now (and the whole bench), a province user and one collector key per city.
import type { Database } from '../server/db/index';
import { createCollectorKey, createUser } from '../server/auth/service';
import { jiangxi, yuanToFen } from '../server/seed/jiangxi';

export const PROVINCE_USER = 'bench-province';
export const PROVINCE_PASSWORD = 'bench-password-123';

export interface BenchProduct {
  id: string;
  name: string;
  priceFen: number;
}

export interface BenchCity {
  code: string;
  key: string;
  sessionIds: number[];
  products: BenchProduct[];
}

export interface BenchContest {
  cities: BenchCity[];
  sessionIds: number[];
  /** sessionId → city code. */
  cityOf: Map<number, string>;
}

export async function seedContest(db: Database, opts: { teams: number; now: number }): Promise<BenchContest> {
  const { prisma } = db;
  const data = jiangxi().cities;
  await prisma.city.createMany({
    data: data.map((c) => ({ code: c.code, name: c.name, short: c.short, nameEn: c.en, lat: c.lat, lng: c.lng })),
  });
  await prisma.university.createMany({ data: data.flatMap((c) => c.universities.map((name) => ({ name, cityCode: c.code }))) });
  await prisma.product.createMany({
    data: data.flatMap((c) => c.products.map((p) => ({ cityCode: c.code, name: p.name, unit: p.unit, priceFen: yuanToFen(p.price) }))),
  });
  const unis = await prisma.university.findMany({ orderBy: { id: 'asc' } });
  const products = await prisma.product.findMany({ orderBy: { id: 'asc' } });

  // Teams per city in proportion to its universities (the demo's 5 + 1.2 per university), summing to `teams`.
  const weights = data.map((c) => 5 + 1.2 * c.universities.length);
  const total = weights.reduce((a, b) => a + b, 0);
  const perCity = weights.map((w) => Math.floor((opts.teams * w) / total));
  for (let i = 0; perCity.reduce((a, b) => a + b, 0) < opts.teams; i++) perCity[i % perCity.length]!++;

  const stage = await prisma.stage.create({
    data: {
      name: '初赛（基准测试）',
      kind: 'preliminary',
      startsAt: new Date(opts.now - 86_400_000),
      endsAt: new Date(opts.now + 5 * 86_400_000),
      lockAt: new Date(opts.now - 2 * 86_400_000),
    },
  });
  // Opened ten minutes ago, two hours long: every event the bench stamps "now" is inside the window.
  const window = { plannedStart: new Date(opts.now - 10 * 60_000), plannedEnd: new Date(opts.now + 110 * 60_000) };

  const cities: BenchCity[] = [];
  for (const [ci, c] of data.entries()) {
    const cityUnis = unis.filter((u) => u.cityCode === c.code);
    const n = perCity[ci] ?? 0;
    await prisma.team.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        name: `${c.short}直播队${String(i + 1).padStart(3, '0')}`,
        cityCode: c.code,
        universityId: cityUnis[i % cityUnis.length]!.id,
      })),
    });
    const teams = await prisma.team.findMany({ where: { cityCode: c.code }, orderBy: { id: 'asc' } });
    await prisma.liveSession.createMany({
      data: teams.map((t) => ({ ...window, stageId: stage.id, teamId: t.id, cityCode: c.code })),
    });
    const sessions = await prisma.liveSession.findMany({ where: { cityCode: c.code }, orderBy: { id: 'asc' }, select: { id: true } });
    const { key } = await createCollectorKey(db, { cityCode: c.code, label: 'bench' });
    cities.push({
      code: c.code,
      key,
      sessionIds: sessions.map((s) => s.id),
      products: products.filter((p) => p.cityCode === c.code).map((p) => ({ id: `P${p.id}`, name: p.name, priceFen: p.priceFen })),
    });
  }
  await createUser(db, { username: PROVINCE_USER, password: PROVINCE_PASSWORD, role: 'province', displayName: '基准测试' });

  const cityOf = new Map<number, string>();
  for (const c of cities) for (const s of c.sessionIds) cityOf.set(s, c.code);
  return { cities, sessionIds: cities.flatMap((c) => c.sessionIds), cityOf };
}
