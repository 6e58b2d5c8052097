import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { connect } from '../helpers/socket.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/live.ts';
import type { PublicScoreboard, ScoreboardConfig, ScoreboardMessage } from '../../contracts/scoreboard.ts';

const PUBLIC = '/api/v1/public/scoreboard';
const SETTING = '/api/v1/settings/scoreboard.public';
let seq = 0;
const uid = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

/** Polls `read` until `pred` holds, failing with the last value after `ms`. */
async function until<T>(read: () => Promise<T>, pred: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T = await read();
  while (!pred(last)) {
    if (Date.now() > end) throw new Error(`condition not met in ${ms} ms; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

/** Every object key in a JSON value, however deep. */
function keysOf(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) v.forEach((x) => keysOf(x, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out.add(k), keysOf(x, out));
  return out;
}

describe.each(dbKinds)('public scoreboard over HTTP (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'teamA1', string>;
  let keys: Record<string, string>;
  const buyer = 'BUYER-REF-8841';

  const sell = async (sessionId: number, cityCode: string, ...amounts: number[]) => {
    const at = new Date().toISOString();
    const events = amounts.map((amountFen) => ({ type: 'order', id: uid('o'), sessionId, at, orderId: uid('ord'), quantity: 1, amountFen, buyerRef: buyer }));
    const r = await h.req('POST', '/api/v1/ingest', { token: keys[cityCode], body: { events } });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(amounts.length);
  };
  const board = () => h.req('GET', PUBLIC);
  const openBoard = async (pred: (b: PublicScoreboard) => boolean = () => true) =>
    (await until(board, (r) => r.status === 200 && pred(r.body as PublicScoreboard))).body as PublicScoreboard;
  const configure = async (value: ScoreboardConfig, token = tok.province) => h.req('PUT', SETTING, { token, body: { value } });
  const on = (over: Partial<ScoreboardConfig> = {}): ScoreboardConfig => ({ enabled: true, stageId: null, gmv: 'exact', basis: 'provisional', ...over });

  beforeAll(async () => {
    h = await startTestHub(kind);
    tok = { province: await h.login(h.fx.users.province), cityA: await h.login(h.fx.users.cityA), teamA1: await h.login(h.fx.users.teamA1) };
    keys = { [CITY_A]: (await createCollectorKey(h.db, { cityCode: CITY_A })).key, [CITY_B]: (await createCollectorKey(h.db, { cityCode: CITY_B })).key };
    // A1 ¥1,234.56 in two orders, A2 ¥5,000 then disqualified, B1 ¥860.
    await sell(h.fx.sessionA1, CITY_A, 100_000, 23_456);
    await sell(h.fx.sessionA2, CITY_A, 500_000);
    await sell(h.fx.sessionB1, CITY_B, 86_000);
    await h.db.prisma.team.update({ where: { id: h.fx.teamA2 }, data: { status: 'disqualified' } });
  });
  afterAll(() => h?.close());

  test('closed until the province turns it on: 404 未开放 to anyone, signed in or not', async () => {
    const r = await board();
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringContaining('未开放') } });
    expect((await h.req('GET', PUBLIC, { token: tok.province })).status).toBe(404);
  });

  test('only the province changes or reads the settings, and every change is audited', async () => {
    expect((await configure(on(), tok.cityA)).status).toBe(403);
    expect((await configure(on(), tok.teamA1)).status).toBe(403);
    expect((await h.req('GET', '/api/v1/scoreboard', { token: tok.cityA })).status).toBe(403);
    expect((await h.req('POST', '/api/v1/scoreboard/freeze', { token: tok.cityA })).status).toBe(403);
    expect((await h.req('POST', '/api/v1/scoreboard/freeze')).status).toBe(401);
    const bad = await h.req('PUT', SETTING, { token: tok.province, body: { value: { ...on(), gmv: 'approximate' } } });
    expect(bad.status).toBe(400);
    const ok = await configure(on());
    expect(ok.status).toBe(200);
    const admin = await h.req('GET', '/api/v1/scoreboard', { token: tok.province });
    expect(admin.body).toEqual({ config: on(), stage: { id: h.fx.stageId, name: '初赛' }, freeze: null });
    const rows = await h.db.prisma.auditLog.findMany({ where: { action: 'setting.update', entityId: 'scoreboard.public' } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actorRole: 'province', after: { value: on() } });
  });

  test('open: rankings by team, university and city; the disqualified team is out of every total and listed apart', async () => {
    await configure(on());
    const b = await openBoard();
    expect(b).toMatchObject({ stageName: '初赛', basis: 'provisional', gmv: 'exact', frozenAt: null, teamsRanked: 2 });
    expect(b.team).toEqual([
      { rank: 1, name: '赣鄱新农人', university: '南昌大学', city: '南昌', gmvFen: 123_456 },
      { rank: 2, name: '瓷都青年', university: '景德镇陶瓷大学', city: '景德镇', gmvFen: 86_000 },
    ]);
    expect(b.university).toEqual([
      { rank: 1, name: '南昌大学', city: '南昌', gmvFen: 123_456 },
      { rank: 2, name: '景德镇陶瓷大学', city: '景德镇', gmvFen: 86_000 },
    ]);
    expect(b.city).toEqual([
      { rank: 1, name: '南昌', gmvFen: 123_456 },
      { rank: 2, name: '景德镇', gmvFen: 86_000 },
    ]);
    expect(b.disqualified).toEqual([{ name: '红土地优品', university: '南昌大学', city: '南昌' }]);
  });

  test('no personal data: no phone, member, buyer reference, username or id in the payload', async () => {
    await configure(on());
    const r = await until(board, (x) => x.status === 200);
    const text = JSON.stringify(r.body);
    for (const secret of ['13812341234', '15900001111', '13800000002', '13900000003', '18800001234', '张三', '20210001', buyer, 'OMS-A-1', `"${h.fx.users.teamA1}"`, `"${h.fx.users.province}"`])
      expect(text).not.toContain(secret);
    expect([...keysOf(r.body)].filter((k) => /id$|phone|buyer|member|order|session|user/i.test(k))).toEqual([]);
  });

  test('cached for everyone alike: Cache-Control and an ETag that answers 304 until the board changes', async () => {
    await configure(on());
    const r = await until(board, (x) => x.status === 200);
    expect(r.headers.get('cache-control')).toMatch(/public, max-age=1/);
    const etag = r.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(h.url + PUBLIC, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    await sell(h.fx.sessionB1, CITY_B, 100);
    const changed = await until(board, (x) => x.status === 200 && x.headers.get('etag') !== etag);
    expect(changed.body.team.find((t: { name: string }) => t.name === '瓷都青年').gmvFen).toBe(86_100);
  });

  test('display modes: rounded to 0.1 万元 on the server, or no money at all with the ranks kept', async () => {
    await configure(on({ gmv: 'wan' }));
    const wan = await openBoard((b) => b.gmv === 'wan');
    // ¥1,234.56 → 0.1 万; ¥861 → 0.1 万; nothing finer than ¥1,000 leaves the hub.
    expect(wan.team.map((t) => t.gmvFen)).toEqual([100_000, 100_000]);
    expect(wan.city.map((c) => c.gmvFen)).toEqual([100_000, 100_000]);
    expect(wan.team.map((t) => t.rank)).toEqual([1, 2]);
    await configure(on({ gmv: 'hidden' }));
    const hidden = await openBoard((b) => b.gmv === 'hidden');
    expect(keysOf(hidden).has('gmvFen')).toBe(false);
    expect(hidden.team.map((t) => [t.rank, t.name])).toEqual([[1, '赣鄱新农人'], [2, '瓷都青年']]);
    await configure(on());
  });

  test('verified basis: reconciled GMV per session, unreconciled sessions count 0, and the page says so', async () => {
    await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA1 }, data: { status: 'live', verifiedGmvFen: 120_000 } });
    await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionB1 }, data: { status: 'live', verifiedGmvFen: null } });
    await configure(on({ basis: 'verified' }));
    const b = await openBoard((x) => x.basis === 'verified');
    expect(b.team).toEqual([
      { rank: 1, name: '赣鄱新农人', university: '南昌大学', city: '南昌', gmvFen: 120_000 },
      { rank: 2, name: '瓷都青年', university: '景德镇陶瓷大学', city: '景德镇', gmvFen: 0 },
    ]);
    await configure(on());
  });

  test('封榜 keeps the standings of the freeze while orders arrive (staff screens move on), survives a restart, and 解封 shows the current', async () => {
    await configure(on());
    const before = await openBoard((b) => b.basis === 'provisional' && b.gmv === 'exact');
    const a1 = before.team.find((t) => t.name === '赣鄱新农人')!.gmvFen!;
    const frozen = await h.req('POST', '/api/v1/scoreboard/freeze', { token: tok.province });
    expect(frozen.status).toBe(200);
    expect(frozen.body.freeze).toMatchObject({ stageId: h.fx.stageId, frozenAt: expect.any(String) });
    expect((await h.req('POST', '/api/v1/scoreboard/freeze', { token: tok.province })).status).toBe(409);
    const shown = await openBoard((b) => b.frozenAt !== null);
    expect(shown.frozenAt).toBe(frozen.body.freeze.frozenAt);

    await sell(h.fx.sessionA1, CITY_A, 777_700);
    // The staff's leaderboards see the order at once…
    const staff = await h.hub.live.views.leaderboards(h.fx.stageId);
    expect(staff.team.find((t) => t.name === '赣鄱新农人')?.gmvFen).toBe(a1 + 777_700);
    // …the public board, two ticks later, still shows the freeze.
    const ticks = h.hub.scoreboard.stats.ticks;
    await until(async () => h.hub.scoreboard.stats.ticks, (n) => n >= ticks + 2);
    const still = (await board()).body as PublicScoreboard;
    expect(still.frozenAt).toBe(frozen.body.freeze.frozenAt);
    expect(still.team.find((t) => t.name === '赣鄱新农人')!.gmvFen).toBe(a1);

    // A second hub on the same database (a restart) shows the frozen standings from PostgreSQL.
    const other = await startTestHub(kind, { db: { db: h.db, fx: h.fx } });
    try {
      const r = await until(() => other.req('GET', PUBLIC), (x) => x.status === 200);
      expect(r.body.frozenAt).toBe(frozen.body.freeze.frozenAt);
      expect(r.body.team.find((t: { name: string }) => t.name === '赣鄱新农人').gmvFen).toBe(a1);
    } finally {
      await other.close();
    }

    expect((await h.req('POST', '/api/v1/scoreboard/unfreeze', { token: tok.cityA })).status).toBe(403);
    const unfrozen = await h.req('POST', '/api/v1/scoreboard/unfreeze', { token: tok.province });
    expect(unfrozen.status).toBe(200);
    expect(unfrozen.body.freeze).toBeNull();
    expect((await h.req('POST', '/api/v1/scoreboard/unfreeze', { token: tok.province })).status).toBe(409);
    const now = await openBoard((b) => b.frozenAt === null);
    expect(now.team.find((t) => t.name === '赣鄱新农人')!.gmvFen).toBe(a1 + 777_700);

    const audit = await h.db.prisma.auditLog.findMany({ where: { action: { startsWith: 'scoreboard.' } }, orderBy: { id: 'asc' } });
    expect(audit.map((x) => [x.action, x.actorRole, x.entity, x.entityId])).toEqual([
      ['scoreboard.freeze', 'province', 'Stage', String(h.fx.stageId)],
      ['scoreboard.unfreeze', 'province', 'Stage', String(h.fx.stageId)],
    ]);
  });

  test('one broadcast for every viewer: anonymous sockets on /public get the board, and the main namespace still needs a sign-in', async () => {
    await configure(on());
    const viewers: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
    try {
      const got: ScoreboardMessage[][] = [];
      for (let i = 0; i < 3; i++) {
        const s: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${h.url}/public`, { transports: ['websocket'], reconnection: false, forceNew: true });
        const mine: ScoreboardMessage[] = [];
        s.on('scoreboard:updated', (m) => mine.push(m));
        viewers.push(s);
        got.push(mine);
      }
      await until(async () => got.every((g) => g.length > 0), Boolean);
      await sell(h.fx.sessionB1, CITY_B, 4_200);
      const want = (m: ScoreboardMessage) => m.open && m.board.team.some((t) => t.name === '瓷都青年' && t.gmvFen === 90_300);
      await until(async () => got.every((g) => g.some(want)), Boolean);
      const last = got.map((g) => JSON.stringify(g.find(want)));
      expect(new Set(last).size).toBe(1);
      // The HTTP route serves the same board.
      const http = (await board()).body as PublicScoreboard;
      expect(http.team).toEqual((got[0]!.find(want) as { board: PublicScoreboard }).board.team);
      await expect(connect(h.url, '')).rejects.toThrow(/sign in/i);

      await configure(on({ enabled: false }));
      await until(async () => got.every((g) => g.at(-1)?.open === false), Boolean);
      expect((await board()).status).toBe(404);
    } finally {
      for (const s of viewers) s.close();
      await configure(on());
    }
  });
});
