// Fair rankings: every leaderboard re-derived from the recorded events, through the hub (GET /api/v1/verify)
// and through the operator's CLI against PostgreSQL and Redis.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B, seedFixture } from '../helpers/fixture.ts';
import { freshRedisUrl } from '../helpers/redis.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { openDatabase, type Database } from '../../server/db/index.ts';
import { migrate } from '../../server/db/migrate.ts';
import { computeRankings, compareBoards, netBoards, type LedgerLine, type Names } from '../../server/domain/rankings.ts';
import type { VerifyResult } from '../../contracts/verify.ts';

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();
const order = (sid: number, id: string, amountFen: number) => ({
  type: 'order', id, sessionId: sid, at: iso(60_000), orderId: `ord-${id}`, quantity: 1, amountFen,
});
const refund = (sid: number, id: string, orderOf: string, amountFen: number) => ({
  type: 'refund', id, sessionId: sid, at: iso(30_000), orderId: `ord-${orderOf}`, amountFen,
});

/** Orders, a partial refund and a duplicate: A1 nets 3000 + 2000 − 500, A2 5000, B1 1500. */
async function ingestContest(h: TestHub): Promise<void> {
  const keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
  const keyB = (await createCollectorKey(h.db, { cityCode: CITY_B })).key;
  const a = [order(h.fx.sessionA1, 'a1-1', 3000), order(h.fx.sessionA1, 'a1-2', 2000), order(h.fx.sessionA2, 'a2-1', 5000)];
  const first = await h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: a } });
  expect(first.body).toEqual({ accepted: 3, duplicates: 0, rejected: [] });
  const again = await h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [a[0], refund(h.fx.sessionA1, 'a1-r', 'a1-1', 500)] } });
  expect(again.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
  const b = await h.req('POST', '/api/v1/ingest', { token: keyB, body: { events: [order(h.fx.sessionB1, 'b1-1', 1500)] } });
  expect(b.body.accepted).toBe(1);
  await h.hub.live.persister!.drain();
}

describe('rankings() from ledger lines', () => {
  const names: Names = {
    teams: new Map([
      [1, { name: 'T1', cityCode: CITY_A, status: 'active' }],
      [2, { name: 'T2', cityCode: CITY_A, status: 'disqualified' }],
    ]),
    universities: new Map([[9, { name: 'U9', cityCode: CITY_A }]]),
    cities: new Map([[CITY_A, { short: '南昌' }]]),
  };
  const line = (teamId: number, grossFen: number, refundFen = 0): LedgerLine => ({ stageId: 1, teamId, cityCode: CITY_A, universityId: 9, grossFen, refundFen });

  test('computeRankings() nets refunds and leaves a disqualified team out of every board, listing it', () => {
    const { rankings, exclusions } = computeRankings([line(1, 1000, 300), line(2, 5000), line(1, 200)], names);
    expect(rankings).toEqual([
      {
        stageId: 1, basis: 'provisional',
        team: [{ id: '1', name: 'T1', cityCode: CITY_A, netFen: 900, rank: 1 }],
        city: [{ id: CITY_A, name: '南昌', cityCode: CITY_A, netFen: 900, rank: 1 }],
        university: [{ id: '9', name: 'U9', cityCode: CITY_A, netFen: 900, rank: 1 }],
      },
    ]);
    expect(exclusions).toEqual([{ stageId: 1, teamId: 2, name: 'T2', cityCode: CITY_A, status: 'disqualified', netFen: 5000 }]);
  });

  test('compareBoards() counts a missing entry as zero and reports only what differs', () => {
    const live = netBoards([line(1, 1000)]);
    expect(compareBoards(live, netBoards([line(1, 1000)]), names)).toEqual([]);
    const diff = compareBoards(live, netBoards([line(1, 1000), line(2, 10)]), names);
    expect(diff).toEqual([
      { stageId: 1, dimension: 'team', id: '2', name: 'T2', live: 0, recomputed: 10 },
      { stageId: 1, dimension: 'city', id: CITY_A, name: '南昌', live: 1000, recomputed: 1010 },
      { stageId: 1, dimension: 'university', id: '9', name: 'U9', live: 1000, recomputed: 1010 },
    ]);
  });
});

describe('GET /api/v1/verify (pglite, in-process live store)', () => {
  let h: TestHub;
  let province: string;
  const verify = async (): Promise<VerifyResult> => {
    const r = await h.req('GET', '/api/v1/verify', { token: province });
    expect(r.status).toBe(200);
    return r.body as VerifyResult;
  };

  beforeAll(async () => {
    h = await startTestHub('pglite');
    province = await h.login(h.fx.users.province);
    await ingestContest(h);
  });
  afterAll(() => h?.close());

  test('after the persister drains, the live leaderboards match the recorded events exactly', async () => {
    const r = await verify();
    expect(r).toMatchObject({ ok: true, against: 'live-store', differences: [], exclusions: [], backlog: 0 });
    const stage = r.rankings.find((s) => s.stageId === h.fx.stageId)!;
    expect(stage.team.map((e) => [Number(e.id), e.netFen, e.rank])).toEqual([
      [h.fx.teamA2, 5000, 1],
      [h.fx.teamA1, 4500, 2],
      [h.fx.teamB1, 1500, 3],
    ]);
    expect(stage.city.map((e) => [e.id, e.netFen])).toEqual([[CITY_A, 9500], [CITY_B, 1500]]);
    expect(stage.university.map((e) => [Number(e.id), e.netFen])).toEqual([[h.fx.uniA, 9500], [h.fx.uniB, 1500]]);
  });

  test('only the province may run it', async () => {
    for (const u of [h.fx.users.cityA, h.fx.users.teamA1]) {
      const r = await h.req('GET', '/api/v1/verify', { token: await h.login(u) });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect((await h.req('GET', '/api/v1/verify')).status).toBe(401);
  });

  test('tampering with one recorded amount is reported as exactly that difference on each board', async () => {
    const where = `"sessionId" = ${h.fx.sessionA1} AND "eventId" = 'a1-2'`;
    await h.db.exec(`UPDATE "LiveEvent" SET "amountFen" = 2700 WHERE ${where}`);
    try {
      const r = await verify();
      expect(r.ok).toBe(false);
      expect(r.differences).toEqual([
        { stageId: h.fx.stageId, dimension: 'team', id: String(h.fx.teamA1), name: '赣鄱新农人', live: 4500, recomputed: 5200 },
        { stageId: h.fx.stageId, dimension: 'city', id: CITY_A, name: expect.any(String), live: 9500, recomputed: 10200 },
        { stageId: h.fx.stageId, dimension: 'university', id: String(h.fx.uniA), name: '南昌大学', live: 9500, recomputed: 10200 },
      ]);
    } finally {
      await h.db.exec(`UPDATE "LiveEvent" SET "amountFen" = 2000 WHERE ${where}`);
    }
    expect((await verify()).ok).toBe(true);
  });

  test('a disqualified team is left out of the rankings and listed, while its recorded sales are still checked', async () => {
    const v = await h.req('POST', '/api/v1/violations', {
      token: province,
      body: { teamId: h.fx.teamB1, kind: 'product', evidence: '录屏', decision: 'disqualification', reason: '售卖违规商品' },
    });
    expect(v.status).toBe(201);
    const r = await verify();
    expect(r.ok).toBe(true);
    expect(r.exclusions).toEqual([
      { stageId: h.fx.stageId, teamId: h.fx.teamB1, name: '瓷都青年', cityCode: CITY_B, status: 'disqualified', netFen: 1500 },
    ]);
    const stage = r.rankings.find((s) => s.stageId === h.fx.stageId)!;
    expect(stage.team.map((e) => Number(e.id))).toEqual([h.fx.teamA2, h.fx.teamA1]);
    expect(stage.city.map((e) => e.id)).toEqual([CITY_A]);
    expect(stage.university.map((e) => Number(e.id))).toEqual([h.fx.uniA]);
  });
});

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'server/cli/index.ts', ...args], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...env },
    });
    return { code: 0, out: r.stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout + x.stderr };
  }
}

describe('npm run cli -- verify against PostgreSQL and Redis', () => {
  let target: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let h: TestHub;
  let env: Record<string, string>;

  beforeAll(async () => {
    target = await createTestDatabase();
    db = await openDatabase({ url: target.url });
    await migrate(db);
    const fx = await seedFixture(db);
    const redisUrl = await freshRedisUrl();
    h = await startTestHub('postgres', { redisUrl, db: { db, fx } });
    env = { DATABASE_URL: target.url, REDIS_URL: redisUrl };
    await ingestContest(h);
  });
  afterAll(async () => {
    await h?.close();
    await db?.close();
    await target?.drop();
  });

  test('exits 0 when Redis and the event log agree, printing the rankings', async () => {
    const r = await cli(env, 'verify');
    expect(r.out).toMatch(/OK: every leaderboard matches/);
    expect(r.out).toContain('红土地优品');
    expect(r.code).toBe(0);
  });

  test('exits 1 after tampering, printing the difference', async () => {
    await db.exec(`UPDATE "LiveEvent" SET "amountFen" = 100 WHERE "sessionId" = ${h.fx.sessionA2} AND "eventId" = 'a2-1'`);
    const r = await cli(env, 'verify', '--stage', String(h.fx.stageId));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`DIFFERENCE stage ${h.fx.stageId} team ${h.fx.teamA2} 红土地优品: live 5000 fen, recomputed 100 fen`));
    expect(r.out).toMatch(/FAILED: 3 difference/);
    // Without REDIS_URL the durable minute aggregates are the other side, and they disagree as well.
    const embedded = await cli({ DATABASE_URL: target.url }, 'verify');
    expect(embedded.out).toMatch(/REDIS_URL is not set/);
    expect(embedded.code).toBe(1);
  });
});
