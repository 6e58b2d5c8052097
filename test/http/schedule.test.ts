import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import ExcelJS from 'exceljs';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
type Issue = { path: string; message: string; code: string };

describe.each(dbKinds)('schedule over HTTP (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;
  /** A stage ten days ahead (open) and one starting in six hours (locked 18 h ago). */
  let open: { id: number; startsAt: number; lockAt: number };
  let locked: { id: number; startsAt: number };
  let accountA2: number;
  let teamUnfiled: number;
  let teamSuspended: number;
  /** Hour `hh` of day `d` of the open stage. */
  const t = (d: number, hh: number) => open.startsAt + d * DAY + hh * HOUR;
  const slot = (teamId: number, accountId: number, from: number, to: number, stageId = open.id) => ({
    teamId, accountId, stageId, plannedStart: iso(from), plannedEnd: iso(to),
  });
  const schedule = (token: string, body: unknown) => h.req('POST', '/api/v1/sessions', { token, body });
  const issuesOf = (r: { body: { error: { issues?: Issue[] } } }) => r.body.error.issues ?? [];

  beforeAll(async () => {
    h = await startTestHub(kind);
    const u = h.fx.users;
    tok = {
      province: await h.login(u.province),
      cityA: await h.login(u.cityA),
      cityB: await h.login(u.cityB),
      teamA1: await h.login(u.teamA1),
      teamB1: await h.login(u.teamB1),
    };
    const { prisma } = h.db;
    const startsAt = Math.ceil((Date.now() + 10 * DAY) / HOUR) * HOUR;
    const s1 = await prisma.stage.create({ data: { name: '复赛', kind: 'semifinal', startsAt: new Date(startsAt), endsAt: new Date(startsAt + 5 * DAY), lockAt: new Date(startsAt - DAY) } });
    open = { id: s1.id, startsAt, lockAt: startsAt - DAY };
    const soon = Math.ceil((Date.now() + 6 * HOUR) / HOUR) * HOUR;
    const s2 = await prisma.stage.create({ data: { name: '决赛', kind: 'final', startsAt: new Date(soon), endsAt: new Date(soon + 3 * DAY), lockAt: new Date(soon - DAY) } });
    locked = { id: s2.id, startsAt: soon };
    accountA2 = (await prisma.liveAccount.create({ data: { cityCode: CITY_A, accountNo: 'OMS-A-2', label: '南昌2号', status: 'ok' } })).id;
    const anchor = (teamId: number, name: string, studentNo: string, anchorFiling: 'filed' | 'pending' = 'filed') =>
      prisma.member.create({ data: { teamId, name, studentNo, role: 'anchor', onCamera: true, identityStatus: 'verified', anchorFiling } });
    await anchor(h.fx.teamA2, '周八', '20210002');
    await anchor(h.fx.teamB1, '吴九', '20220001');
    teamUnfiled = (await prisma.team.create({ data: { name: '未备案队', cityCode: CITY_A, universityId: h.fx.uniA } })).id;
    await anchor(teamUnfiled, '李四', '20210003', 'pending');
    teamSuspended = (await prisma.team.create({ data: { name: '整改队', cityCode: CITY_A, universityId: h.fx.uniA, status: 'suspended' } })).id;
    await anchor(teamSuspended, '郑十', '20210004');
  });
  afterAll(() => h?.close());

  describe('stages', () => {
    test('any signed-in user lists the stages with their lock state', async () => {
      const r = await h.req('GET', '/api/v1/stages', { token: tok.teamA1 });
      expect(r.status).toBe(200);
      const byId = new Map(r.body.items.map((s: { id: number }) => [s.id, s]));
      expect(byId.get(open.id)).toMatchObject({ name: '复赛', locked: false, lockAt: iso(open.lockAt) });
      expect(byId.get(locked.id)).toMatchObject({ locked: true });
      expect((await h.req('GET', `/api/v1/stages/${open.id}`, { token: tok.cityB })).body.id).toBe(open.id);
    });

    test('only the province creates a stage; lockAt defaults to 24 h before the start; the end must follow the start', async () => {
      const startsAt = open.startsAt + 20 * DAY;
      const body = { name: '加赛', startsAt: iso(startsAt), endsAt: iso(startsAt + DAY) };
      expect((await h.req('POST', '/api/v1/stages', { token: tok.cityA, body })).status).toBe(403);
      const created = await h.req('POST', '/api/v1/stages', { token: tok.province, body });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: '加赛', kind: 'other', lockAt: iso(startsAt - DAY), locked: false });
      const bad = await h.req('POST', '/api/v1/stages', { token: tok.province, body: { ...body, endsAt: body.startsAt } });
      expect(bad.status).toBe(400);
      expect(issuesOf(bad).map((i) => i.path)).toEqual(['endsAt']);
      const moved = await h.req('PATCH', `/api/v1/stages/${created.body.id}`, { token: tok.province, body: { startsAt: iso(startsAt + HOUR), endsAt: iso(startsAt + 2 * DAY) } });
      expect(moved.status).toBe(200);
      expect(moved.body.lockAt).toBe(iso(startsAt + HOUR - DAY));
      expect((await h.req('PATCH', `/api/v1/stages/${created.body.id}`, { token: tok.cityA, body: { name: 'x' } })).status).toBe(403);
    });
  });

  describe('scheduling', () => {
    let first: number;

    test('a city user schedules a session of its own team, and the change is audited', async () => {
      const r = await schedule(tok.cityA, { ...slot(h.fx.teamA1, h.fx.accountA, t(1, 10), t(1, 12)), title: '南丰蜜桔专场' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ teamId: h.fx.teamA1, cityCode: CITY_A, status: 'scheduled', title: '南丰蜜桔专场', problems: [] });
      expect(r.body.readiness).toMatchObject({ state: 'not_ready', code: 'checklist.missing', blocking: false });
      first = r.body.id;
      const log = await h.db.prisma.auditLog.findMany({ where: { entity: 'LiveSession', entityId: String(first) } });
      expect(log.map((x) => x.action)).toEqual(['session.create']);
    });

    test('an OMS account booked twice in overlapping slots is refused, naming the other team', async () => {
      const r = await schedule(tok.cityA, slot(h.fx.teamA2, h.fx.accountA, t(1, 11), t(1, 13)));
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(issuesOf(r)).toEqual([expect.objectContaining({ path: 'accountId', code: 'account.double_booked' })]);
      expect(issuesOf(r)[0]!.message).toContain('赣鄱新农人');
    });

    test('a team double-booked on another account is refused', async () => {
      const r = await schedule(tok.cityA, slot(h.fx.teamA1, accountA2, t(1, 11), t(1, 12)));
      expect(r.status).toBe(400);
      expect(issuesOf(r).map((i) => [i.path, i.code])).toEqual([['teamId', 'team.double_booked']]);
    });

    test('a slot touching another one on the same account is accepted', async () => {
      const r = await schedule(tok.cityA, slot(h.fx.teamA2, h.fx.accountA, t(1, 12), t(1, 14)));
      expect(r.status).toBe(201);
    });

    test('two concurrent bookings of one account in overlapping slots: exactly one wins', async () => {
      const [x, y] = await Promise.all([
        schedule(tok.cityA, slot(h.fx.teamA2, accountA2, t(2, 15), t(2, 17))),
        schedule(tok.province, slot(h.fx.teamA1, accountA2, t(2, 16), t(2, 18))),
      ]);
      expect([x.status, y.status].sort()).toEqual([201, 400]);
      const loser = x.status === 400 ? x : y;
      expect(issuesOf(loser).map((i) => i.code)).toEqual(['account.double_booked']);
    });

    test('an anchor without 主播备案 is refused, naming them', async () => {
      const r = await schedule(tok.cityA, slot(teamUnfiled, accountA2, t(2, 10), t(2, 12)));
      expect(r.status).toBe(400);
      expect(issuesOf(r)).toEqual([expect.objectContaining({ path: 'teamId', code: 'anchor.not_filed', message: 'Anchor 李四: 主播备案 pending' })]);
    });

    test('a suspended team is refused', async () => {
      const r = await schedule(tok.cityA, slot(teamSuspended, accountA2, t(2, 10), t(2, 12)));
      expect(r.status).toBe(400);
      expect(issuesOf(r).map((i) => i.code)).toEqual(['team.not_active']);
      expect(issuesOf(r)[0]!.message).toContain('停播整改');
    });

    test('a slot outside the stage, or ending before it starts, is refused', async () => {
      const early = await schedule(tok.cityA, slot(h.fx.teamA1, accountA2, open.startsAt - HOUR, open.startsAt + HOUR));
      expect(early.status).toBe(400);
      expect(issuesOf(early).map((i) => [i.path, i.code])).toEqual([['plannedStart', 'slot.outside_stage']]);
      const backwards = await schedule(tok.cityA, slot(h.fx.teamA1, accountA2, t(2, 12), t(2, 10)));
      expect(issuesOf(backwards).map((i) => i.code)).toEqual(['slot.end_not_after_start']);
    });

    test('another city’s team is 403 for city staff, and teams do not schedule at all', async () => {
      expect((await schedule(tok.cityA, slot(h.fx.teamB1, h.fx.accountB, t(2, 10), t(2, 12)))).status).toBe(403);
      expect((await schedule(tok.teamA1, slot(h.fx.teamA1, accountA2, t(2, 10), t(2, 12)))).status).toBe(403);
    });

    test('an account of another city is refused for the province too', async () => {
      const r = await schedule(tok.province, slot(h.fx.teamA1, h.fx.accountB, t(2, 10), t(2, 12)));
      expect(r.status).toBe(400);
      expect(issuesOf(r).map((i) => i.code)).toEqual(['account.other_city']);
    });

    test('the dry run shows the reasons and writes nothing', async () => {
      const before = await h.db.prisma.liveSession.count();
      const b = slot(h.fx.teamA2, h.fx.accountA, t(1, 11), t(1, 12));
      const q = new URLSearchParams({ ...b, teamId: String(b.teamId), accountId: String(b.accountId), stageId: String(b.stageId) });
      const r = await h.req('GET', `/api/v1/sessions/check?${q}`, { token: tok.cityA });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ ok: false, locked: false, lockAt: iso(open.lockAt) });
      expect(r.body.problems.map((p: Issue) => p.code)).toEqual(['account.double_booked']);
      const clean = await h.req('POST', '/api/v1/sessions/check', { token: tok.cityA, body: slot(h.fx.teamA2, accountA2, t(3, 10), t(3, 12)) });
      expect(clean.body).toEqual({ ok: true, locked: false, lockAt: iso(open.lockAt), problems: [] });
      expect((await h.req('GET', `/api/v1/sessions/check?${q}`, { token: tok.cityB })).status).toBe(403);
      expect(await h.db.prisma.liveSession.count()).toBe(before);
    });

    test('city staff move their session; a move onto a taken slot is refused', async () => {
      const ok = await h.req('PATCH', `/api/v1/sessions/${first}`, { token: tok.cityA, body: { plannedStart: iso(t(1, 9)), plannedEnd: iso(t(1, 11)) } });
      expect(ok.status).toBe(200);
      expect(ok.body.plannedStart).toBe(iso(t(1, 9)));
      const clash = await h.req('PATCH', `/api/v1/sessions/${first}`, { token: tok.cityA, body: { plannedEnd: iso(t(1, 13)) } });
      expect(clash.status).toBe(400);
      expect(issuesOf(clash).map((i) => i.code)).toEqual(['account.double_booked']);
      expect((await h.req('PATCH', `/api/v1/sessions/${first}`, { token: tok.cityB, body: { title: 'x' } })).status).toBe(403);
    });

    test('cancel frees the slot, is audited with its reason, and cannot be repeated', async () => {
      const r = await h.req('POST', `/api/v1/sessions/${first}/cancel`, { token: tok.cityA, body: { reason: '团队考试周调整' } });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('cancelled');
      const row = await h.db.prisma.auditLog.findFirst({ where: { entity: 'LiveSession', entityId: String(first), action: 'session.cancel' } });
      expect(row).toMatchObject({ reason: '团队考试周调整', before: expect.objectContaining({ status: 'scheduled' }), after: expect.objectContaining({ status: 'cancelled' }) });
      expect((await schedule(tok.cityA, slot(h.fx.teamA2, h.fx.accountA, t(1, 10), t(1, 12)))).status).toBe(201);
      const again = await h.req('POST', `/api/v1/sessions/${first}/cancel`, { token: tok.cityA, body: {} });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('CONFLICT');
    });

    test('a filing rejected after scheduling shows up in the session’s problems on read', async () => {
      const r = await schedule(tok.cityA, slot(h.fx.teamA1, accountA2, t(4, 10), t(4, 12)));
      expect(r.status).toBe(201);
      await h.db.prisma.member.update({ where: { id: h.fx.memberA1 }, data: { anchorFiling: 'rejected' } });
      try {
        const read = await h.req('GET', `/api/v1/sessions/${r.body.id}`, { token: tok.cityA });
        expect(read.body.problems).toEqual([expect.objectContaining({ code: 'anchor.not_filed', message: 'Anchor 张三: 主播备案 rejected' })]);
        const list = await h.req('GET', `/api/v1/sessions?stageId=${open.id}&teamId=${h.fx.teamA1}`, { token: tok.teamA1 });
        const item = list.body.items.find((s: { id: number }) => s.id === r.body.id);
        expect(item.problems.map((p: Issue) => p.code)).toEqual(['anchor.not_filed']);
        // The slot can still be moved: the change brings no new problem (and the dry run of it agrees).
        const dry = await h.req('POST', '/api/v1/sessions/check', { token: tok.cityA, body: { ...slot(h.fx.teamA1, accountA2, t(4, 9), t(4, 12)), sessionId: r.body.id } });
        expect(dry.body).toMatchObject({ ok: true, problems: [] });
        const moved = await h.req('PATCH', `/api/v1/sessions/${r.body.id}`, { token: tok.cityA, body: { plannedStart: iso(t(4, 9)) } });
        expect(moved.status).toBe(200);
      } finally {
        await h.db.prisma.member.update({ where: { id: h.fx.memberA1 }, data: { anchorFiling: 'filed' } });
      }
    });
  });

  describe('the lock (24 h before the stage)', () => {
    const lockedSlot = () => ({ ...slot(h.fx.teamA2, accountA2, locked.startsAt + HOUR, locked.startsAt + 3 * HOUR), stageId: locked.id });
    let sid: number;

    test('city staff get 423 LOCKED with the lock time', async () => {
      const r = await schedule(tok.cityA, lockedSlot());
      expect(r.status).toBe(423);
      expect(r.body.error.code).toBe('LOCKED');
      expect(r.body.error.message).toMatch(/locked at \d{4}-\d\d-\d\d \d\d:\d\d \(Asia\/Shanghai\)/);
    });

    test('the province must give a reason, and then its change lands in the audit log with it', async () => {
      const noReason = await schedule(tok.province, lockedSlot());
      expect(noReason.status).toBe(400);
      expect(issuesOf(noReason).map((i) => [i.path, i.code])).toEqual([['reason', 'reason.required']]);
      const r = await schedule(tok.province, { ...lockedSlot(), reason: '南昌赛区补录排期' });
      expect(r.status).toBe(201);
      sid = r.body.id;
      const row = await h.db.prisma.auditLog.findFirst({ where: { entity: 'LiveSession', entityId: String(sid) } });
      expect(row).toMatchObject({ action: 'schedule.change_after_lock', reason: '南昌赛区补录排期', actorRole: 'province' });
      // Within the next day, so the directory ingest reads has it without waiting for its refresh.
      expect(h.hub.live.directory.get(sid)).toMatchObject({ teamId: h.fx.teamA2, status: 'scheduled' });
    });

    test('city staff cannot change or cancel a locked session; the province can, with a reason', async () => {
      const body = { plannedStart: iso(locked.startsAt + 2 * HOUR), plannedEnd: iso(locked.startsAt + 4 * HOUR) };
      expect((await h.req('PATCH', `/api/v1/sessions/${sid}`, { token: tok.cityA, body })).status).toBe(423);
      expect((await h.req('POST', `/api/v1/sessions/${sid}/cancel`, { token: tok.cityA, body: {} })).status).toBe(423);
      expect((await h.req('PATCH', `/api/v1/sessions/${sid}`, { token: tok.province, body })).status).toBe(400);
      const r = await h.req('PATCH', `/api/v1/sessions/${sid}`, { token: tok.province, body: { ...body, reason: '主播临时调课' } });
      expect(r.status).toBe(200);
      const rows = await h.db.prisma.auditLog.findMany({ where: { entity: 'LiveSession', entityId: String(sid) }, orderBy: { id: 'asc' } });
      expect(rows[1]).toMatchObject({
        action: 'schedule.change_after_lock',
        reason: '主播临时调课',
        before: expect.objectContaining({ plannedStart: iso(locked.startsAt + HOUR) }),
        after: expect.objectContaining({ plannedStart: iso(locked.startsAt + 2 * HOUR) }),
      });
      expect(h.hub.live.directory.get(sid)?.plannedStart).toBe(locked.startsAt + 2 * HOUR);
    });

    test('the dry run tells city staff the stage is locked', async () => {
      const r = await h.req('POST', '/api/v1/sessions/check', { token: tok.cityA, body: lockedSlot() });
      expect(r.body).toMatchObject({ ok: false, locked: true });
      expect(r.body.problems[0].code).toBe('stage.locked');
    });
  });

  describe('ending a live session', () => {
    test('staff of its city end it: ended, with the actual end; a second end is 409; another city is 403', async () => {
      await h.db.prisma.liveSession.update({ where: { id: h.fx.sessionA1 }, data: { status: 'live', actualStart: new Date() } });
      expect((await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/end`, { token: tok.cityB })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/end`, { token: tok.teamA1 })).status).toBe(403);
      const r = await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/end`, { token: tok.cityA });
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('ended');
      expect(Date.parse(r.body.actualEnd)).toBeGreaterThan(Date.now() - 60_000);
      expect(h.hub.live.directory.get(h.fx.sessionA1)?.status).toBe('ended');
      expect((await h.req('POST', `/api/v1/sessions/${h.fx.sessionA1}/end`, { token: tok.cityA })).status).toBe(409);
      expect((await h.req('POST', `/api/v1/sessions/${h.fx.sessionA2}/end`, { token: tok.cityA })).status).toBe(409);
    });
  });

  describe('the pre-live checklist', () => {
    let sid: number;
    const items = {
      products: { ok: true, note: '南丰蜜桔 5 斤装，已审核产品' },
      roomSetup: { ok: true, link: 'https://example.org/room.jpg' },
      script: { ok: true },
      anchorImage: { ok: true },
    };

    beforeAll(async () => {
      const r = await schedule(tok.cityA, slot(h.fx.teamA1, accountA2, t(3, 14), t(3, 16)));
      expect(r.status).toBe(201);
      sid = r.body.id;
    });

    test('the team submits its own list; another team and city staff cannot submit it', async () => {
      expect((await h.req('PUT', `/api/v1/sessions/${sid}/checklist`, { token: tok.teamB1, body: { items } })).status).toBe(403);
      expect((await h.req('PUT', `/api/v1/sessions/${sid}/checklist`, { token: tok.cityA, body: { items } })).status).toBe(403);
      const bad = await h.req('PUT', `/api/v1/sessions/${sid}/checklist`, { token: tok.teamA1, body: { items: { ...items, script: { ok: 'yes' } } } });
      expect(bad.status).toBe(400);
      const r = await h.req('PUT', `/api/v1/sessions/${sid}/checklist`, { token: tok.teamA1, body: { items } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'submitted', items, readiness: { state: 'not_ready', code: 'checklist.pending_review' } });
      expect((await h.req('GET', `/api/v1/sessions/${sid}/checklist`, { token: tok.teamB1 })).status).toBe(403);
    });

    test('another city’s staff and the team cannot review; the city returns it with a reason the team then reads', async () => {
      expect((await h.req('POST', `/api/v1/sessions/${sid}/checklist/approve`, { token: tok.cityB })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/sessions/${sid}/checklist/approve`, { token: tok.teamA1 })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/sessions/${sid}/checklist/return`, { token: tok.cityA, body: {} })).status).toBe(400);
      const r = await h.req('POST', `/api/v1/sessions/${sid}/checklist/return`, { token: tok.cityA, body: { reason: '话术含“最便宜”等绝对化用语' } });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'returned', returnReason: '话术含“最便宜”等绝对化用语' });
      const seen = await h.req('GET', `/api/v1/sessions/${sid}`, { token: tok.teamA1 });
      expect(seen.body.checklist).toBe('returned');
      expect(seen.body.readiness).toMatchObject({ state: 'not_ready', code: 'checklist.returned' });
      expect(seen.body.readiness.reason).toContain('绝对化用语');
      expect((await h.req('POST', `/api/v1/sessions/${sid}/checklist/approve`, { token: tok.cityA })).status).toBe(409);
    });

    test('resubmitted and approved, the session is ready; every step is audited', async () => {
      expect((await h.req('PUT', `/api/v1/sessions/${sid}/checklist`, { token: tok.teamA1, body: { items } })).body.status).toBe('submitted');
      const r = await h.req('POST', `/api/v1/sessions/${sid}/checklist/approve`, { token: tok.cityA });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'approved', returnReason: null, readiness: { state: 'ready' } });
      const list = await h.req('GET', `/api/v1/sessions?stageId=${open.id}`, { token: tok.cityA });
      expect(list.body.items.find((s: { id: number }) => s.id === sid)).toMatchObject({ checklist: 'approved', readiness: { state: 'ready' } });
      const log = await h.db.prisma.auditLog.findMany({ where: { entity: 'PreliveChecklist', entityId: String(sid) }, orderBy: { id: 'asc' } });
      expect(log.map((x) => x.action)).toEqual(['checklist.submit', 'checklist.return', 'checklist.submit', 'checklist.approve']);
      expect(log[1]!.reason).toContain('绝对化用语');
    });
  });

  describe('province settings', () => {
    test('only the province reads and writes them; the checklist gate makes an unapproved session blocking', async () => {
      expect((await h.req('GET', '/api/v1/settings/checklist.blocksLive', { token: tok.cityA })).status).toBe(403);
      expect((await h.req('PUT', '/api/v1/settings/checklist.blocksLive', { token: tok.cityA, body: { value: true } })).status).toBe(403);
      const def = await h.req('GET', '/api/v1/settings/checklist.blocksLive', { token: tok.province });
      expect(def.body).toMatchObject({ key: 'checklist.blocksLive', value: false, isDefault: true });
      const bad = await h.req('PUT', '/api/v1/settings/checklist.blocksLive', { token: tok.province, body: { value: 'yes' } });
      expect(bad.status).toBe(400);
      expect(issuesOf(bad).map((i) => i.path)).toEqual(['value']);
      expect((await h.req('GET', '/api/v1/settings/no.such.key', { token: tok.province })).status).toBe(404);
      const on = await h.req('PUT', '/api/v1/settings/checklist.blocksLive', { token: tok.province, body: { value: true } });
      expect(on.body).toMatchObject({ value: true, isDefault: false });
      try {
        const list = await h.req('GET', `/api/v1/sessions?cityCode=${CITY_A}&stageId=${open.id}&status=scheduled`, { token: tok.cityA });
        const unapproved = list.body.items.filter((s: { checklist: string }) => s.checklist !== 'approved');
        expect(unapproved.length).toBeGreaterThan(0);
        for (const s of unapproved) expect(s.readiness).toMatchObject({ state: 'not_ready', blocking: true });
        const log = await h.db.prisma.auditLog.findFirst({ where: { entity: 'Setting', entityId: 'checklist.blocksLive' } });
        expect(log?.after).toEqual({ value: true });
      } finally {
        await h.req('PUT', '/api/v1/settings/checklist.blocksLive', { token: tok.province, body: { value: false } });
      }
    });
  });

  describe('schedule reports', () => {
    test('a city reports before the lock (on time) once; a repeat is a 200 no-op keeping the first time', async () => {
      const r = await h.req('POST', `/api/v1/stages/${open.id}/reports`, { token: tok.cityA });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ cityCode: CITY_A, reported: true, onTime: true, overdue: false });
      expect(r.body.sessions).toBeGreaterThan(0);
      const again = await h.req('POST', `/api/v1/stages/${open.id}/reports`, { token: tok.cityA });
      expect(again.status).toBe(200);
      expect(again.body.reportedAt).toBe(r.body.reportedAt);
      expect((await h.req('POST', `/api/v1/stages/${open.id}/reports`, { token: tok.teamA1 })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/stages/${open.id}/reports`, { token: tok.province })).status).toBe(403);
      const log = await h.db.prisma.auditLog.findFirst({ where: { action: 'schedule.report', cityCode: CITY_A } });
      expect((log?.after as { sessions: unknown[] }).sessions.length).toBe(r.body.sessions);
    });

    test('a report after the lock is late; the province sees all 11 cities, city staff their own', async () => {
      const late = await h.req('POST', `/api/v1/stages/${locked.id}/reports`, { token: tok.cityB });
      expect(late.status).toBe(201);
      expect(late.body).toMatchObject({ cityCode: CITY_B, onTime: false });
      const all = await h.req('GET', `/api/v1/stages/${locked.id}/reports`, { token: tok.province });
      expect(all.body.items).toHaveLength(11);
      const byCity = new Map(all.body.items.map((x: { cityCode: string }) => [x.cityCode, x]));
      expect(byCity.get(CITY_B)).toMatchObject({ reported: true, onTime: false });
      expect(byCity.get(CITY_A)).toMatchObject({ reported: false, onTime: null, overdue: true, sessions: 1 });
      const own = await h.req('GET', `/api/v1/stages/${open.id}/reports`, { token: tok.cityA });
      expect(own.body.items).toEqual([expect.objectContaining({ cityCode: CITY_A, reported: true, onTime: true })]);
      expect((await h.req('GET', `/api/v1/stages/${open.id}/reports`, { token: tok.teamA1 })).status).toBe(403);
    });
  });

  describe('the xlsx export', () => {
    const download = async (token: string, query: string) => {
      const res = await fetch(`${h.url}/api/v1/sessions/export.xlsx?${query}`, { headers: { authorization: `Bearer ${token}` } });
      const wb = new ExcelJS.Workbook();
      if (res.status === 200) await wb.xlsx.load(await res.arrayBuffer());
      const ws = wb.worksheets[0];
      const rows: string[][] = [];
      ws?.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
      return { status: res.status, type: res.headers.get('content-type'), rows };
    };

    test('city staff get their city’s schedule with Chinese headers and Shanghai times, and no other city’s rows', async () => {
      expect((await schedule(tok.cityB, slot(h.fx.teamB1, h.fx.accountB, t(1, 10), t(1, 12)))).status).toBe(201);
      const x = await download(tok.cityA, `stageId=${open.id}`);
      expect(x.status).toBe(200);
      expect(x.type).toContain('spreadsheetml');
      expect(x.rows[0]!.slice(0, 9)).toEqual(['日期', '开始', '结束', '市', '团队', '高校', '直播帐号', '状态', '管控清单']);
      const data = x.rows.slice(1);
      const expected = await h.db.prisma.liveSession.count({ where: { stageId: open.id, cityCode: CITY_A } });
      expect(data).toHaveLength(expected);
      expect(new Set(data.map((r) => r[3]))).toEqual(new Set(['南昌市']));
      expect(data.some((r) => r[4] === '瓷都青年')).toBe(false);
      const shanghai = new Date(t(1, 10) + 8 * HOUR).toISOString();
      const row = data.find((r) => r[4] === '红土地优品' && r[1] === shanghai.slice(11, 16));
      // The stage starts at the next whole hour, so by the hour the suite runs this slot may pass Shanghai's
      // midnight: then its end shows its date too.
      const endSh = new Date(t(1, 12) + 8 * HOUR).toISOString();
      const endCell = endSh.slice(0, 10) === shanghai.slice(0, 10) ? endSh.slice(11, 16) : `${endSh.slice(0, 10)} ${endSh.slice(11, 16)}`;
      expect(row).toEqual([shanghai.slice(0, 10), shanghai.slice(11, 16), endCell, '南昌市', '红土地优品', '南昌大学', '南昌1号 (OMS-A-1)', '已排期', '未提交', expect.any(String)]);
      expect(data.some((r) => r[7] === '已取消')).toBe(true);
      expect(data.some((r) => r[8] === '已通过')).toBe(true);
    });

    test('the province filters by city; city staff asking for another city get 403', async () => {
      const b = await download(tok.province, `stageId=${open.id}&cityCode=${CITY_B}`);
      expect(b.rows.slice(1).map((r) => [r[3], r[4]])).toEqual([['景德镇市', '瓷都青年']]);
      expect((await download(tok.cityA, `cityCode=${CITY_B}`)).status).toBe(403);
    });
  });
});
