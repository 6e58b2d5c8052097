import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { createCollectorKey } from '../../server/auth/service.ts';

let seq = 0;
const uid = (p: string) => `${p}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

describe.each(dbKinds)('operations over HTTP (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;
  let keyA: string;
  let productA: number;
  let productB: number;

  const order = (sessionId: number) => ({
    type: 'order', id: uid('o'), sessionId, at: new Date().toISOString(), orderId: uid('ord'), quantity: 1, amountFen: 990,
  });
  const ingest = (sessionId: number) => h.req('POST', '/api/v1/ingest', { token: keyA, body: { events: [order(sessionId)] } });
  const newMember = async (teamId: number, over: Record<string, unknown> = {}) =>
    h.db.prisma.member.create({ data: { teamId, name: uid('成员'), studentNo: uid('S').slice(0, 20), ...over } });

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
    keyA = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
    productA = (await h.db.prisma.product.create({ data: { cityCode: CITY_A, name: '南丰蜜桔', unit: '箱', priceFen: 5990 } })).id;
    productB = (await h.db.prisma.product.create({ data: { cityCode: CITY_B, name: '浮梁红茶', unit: '盒', priceFen: 12800 } })).id;
  });
  afterAll(() => h?.close());

  describe('verification', () => {
    test('city staff verify an identity and file an anchor, stamped with who and when, audited', async () => {
      const m = await newMember(h.fx.teamA1, { onCamera: true, anchorFiling: 'pending' });
      const early = await h.req('PATCH', `/api/v1/members/${m.id}/filing`, { token: tok.cityA, body: { status: 'filed' } });
      expect(early.status).toBe(409); // identity first
      const id = await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.cityA, body: { status: 'verified', note: '学生证已核' } });
      expect(id.status).toBe(200);
      expect(id.body).toMatchObject({ identityStatus: 'verified', identityNote: '学生证已核', identityCheckedAt: expect.any(String) });
      const filed = await h.req('PATCH', `/api/v1/members/${m.id}/filing`, { token: tok.cityA, body: { status: 'filed' } });
      expect(filed.body).toMatchObject({ anchorFiling: 'filed', anchorFiledAt: expect.any(String) });
      const row = await h.db.prisma.member.findUniqueOrThrow({ where: { id: m.id } });
      const cityUser = await h.db.prisma.user.findUniqueOrThrow({ where: { username: h.fx.users.cityA } });
      expect(row).toMatchObject({ identityCheckedBy: cityUser.id, anchorFiledBy: cityUser.id });
      const actions = (await h.db.prisma.auditLog.findMany({ where: { entity: 'Member', entityId: String(m.id) }, orderBy: { id: 'asc' } })).map((x) => x.action);
      expect(actions).toEqual(['member.identity', 'member.filing']);
    });

    test('filing is refused for a member who is not on camera; other cities and teams are refused', async () => {
      const m = await newMember(h.fx.teamA1);
      expect((await h.req('PATCH', `/api/v1/members/${m.id}/filing`, { token: tok.cityA, body: { status: 'filed' } })).status).toBe(409);
      expect((await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.cityB, body: { status: 'verified' } })).status).toBe(403);
      expect((await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.teamA1, body: { status: 'verified' } })).status).toBe(403);
      expect((await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.province, body: { status: 'rejected', note: '非在校生' } })).status).toBe(200);
      expect((await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.cityA, body: { status: 'maybe' } })).status).toBe(400);
      const noReason = await h.req('PATCH', `/api/v1/members/${m.id}/identity`, { token: tok.cityA, body: { status: 'rejected' } });
      expect(noReason.body.error.issues).toEqual([expect.objectContaining({ path: 'note' })]);
    });

    test('eligibility lists why a team may not go live', async () => {
      const team = await h.db.prisma.team.create({ data: { name: uid('资格队'), cityCode: CITY_A, universityId: h.fx.uniA } });
      const empty = await h.req('GET', `/api/v1/teams/${team.id}/eligibility`, { token: tok.cityA });
      expect(empty.body).toMatchObject({ ok: false, reasons: [{ code: 'no_members' }] });
      const anchor = await newMember(team.id, { onCamera: true, anchorFiling: 'pending', identityStatus: 'verified' });
      const r = await h.req('GET', `/api/v1/teams/${team.id}/eligibility`, { token: tok.cityA });
      expect(r.body.reasons).toEqual([expect.objectContaining({ code: 'filing_missing', memberId: anchor.id })]);
      await h.req('PATCH', `/api/v1/members/${anchor.id}/filing`, { token: tok.cityA, body: { status: 'filed' } });
      expect((await h.req('GET', `/api/v1/teams/${team.id}/eligibility`, { token: tok.cityA })).body).toMatchObject({ ok: true, reasons: [] });
      expect((await h.req('GET', `/api/v1/teams/${team.id}/eligibility`, { token: tok.cityB })).status).toBe(403);
      await h.db.prisma.team.update({ where: { id: team.id }, data: { status: 'suspended' } });
      expect((await h.req('GET', `/api/v1/teams/${team.id}/eligibility`, { token: tok.cityA })).body).toMatchObject({ ok: false, reasons: [{ code: 'team_not_active' }] });
    });
  });

  describe('training', () => {
    test('a city records a training and attendance; coverage shows trained and untrained teams by the 10-20 deadline', async () => {
      const t = await h.req('POST', '/api/v1/trainings', {
        token: tok.cityA,
        body: { title: '邮乐直播平台基础', topic: 'platform_basics', mode: 'offline', heldAt: '2024-10-15T02:00:00Z', location: '南昌邮政' },
      });
      expect(t.status).toBe(201);
      expect(t.body).toMatchObject({ cityCode: CITY_A, topic: 'platform_basics' });
      const att = await h.req('POST', `/api/v1/trainings/${t.body.id}/attendance`, { token: tok.cityA, body: { teamId: h.fx.teamA1, memberIds: [h.fx.memberA1] } });
      expect(att.status).toBe(201);
      expect(att.body.items).toEqual([expect.objectContaining({ teamId: h.fx.teamA1, memberId: h.fx.memberA1 })]);
      // Recording the same again adds nothing.
      const again = await h.req('POST', `/api/v1/trainings/${t.body.id}/attendance`, { token: tok.cityA, body: { teamId: h.fx.teamA1, memberIds: [h.fx.memberA1] } });
      expect(again.body.total).toBe(0);

      const cov = await h.req('GET', '/api/v1/trainings/coverage', { token: tok.cityA });
      expect(cov.status).toBe(200);
      expect(cov.body.deadline).toBe('2024-10-20T15:59:59.999Z');
      const a1 = cov.body.items.find((i: { teamId: number }) => i.teamId === h.fx.teamA1);
      expect(a1).toMatchObject({ trained: true, lastTrainingAt: '2024-10-15T02:00:00.000Z', topics: ['platform_basics'], coreTopicsMissing: ['live_rules'] });
      expect(cov.body.untrained.map((i: { teamId: number }) => i.teamId)).toContain(h.fx.teamA2);
      expect(cov.body.items.every((i: { cityCode: string }) => i.cityCode === CITY_A)).toBe(true);

      const earlier = await h.req('GET', '/api/v1/trainings/coverage?deadline=2024-10-14', { token: tok.cityA });
      expect(earlier.body.items.find((i: { teamId: number }) => i.teamId === h.fx.teamA1).trained).toBe(false);

      expect((await h.req('GET', '/api/v1/trainings/coverage?deadline=2024-02-30', { token: tok.cityA })).status).toBe(400);

      const prov = await h.req('GET', '/api/v1/trainings/coverage', { token: tok.province });
      expect(prov.body.untrained.map((i: { teamId: number }) => i.teamId)).toEqual(expect.arrayContaining([h.fx.teamA2, h.fx.teamB1]));
      expect(prov.body.byCity).toEqual(expect.arrayContaining([expect.objectContaining({ cityCode: CITY_A, trained: expect.any(Number) })]));
    });

    test('a training cannot be recorded for another city nor attended by its teams; a team-wide record needs no members', async () => {
      const asB = await h.req('POST', '/api/v1/trainings', { token: tok.cityB, body: { title: 'x', topic: 'skills', mode: 'online', heldAt: '2024-10-16T02:00:00Z', cityCode: CITY_A } });
      expect(asB.status).toBe(403);
      const provWide = await h.req('POST', '/api/v1/trainings', { token: tok.province, body: { title: '直播业务管理办法', topic: 'live_rules', mode: 'online', heldAt: '2024-10-16T02:00:00Z' } });
      expect(provWide.body.cityCode).toBeNull();
      // City staff record their teams at the province's training; not another city's team, nor a stranger member.
      const mine = await h.req('POST', `/api/v1/trainings/${provWide.body.id}/attendance`, { token: tok.cityB, body: { teamId: h.fx.teamB1 } });
      expect(mine.status).toBe(201);
      expect(mine.body.items[0].memberId).toBeNull();
      expect((await h.req('POST', `/api/v1/trainings/${provWide.body.id}/attendance`, { token: tok.cityB, body: { teamId: h.fx.teamB1 } })).body.total).toBe(0);
      expect((await h.req('POST', `/api/v1/trainings/${provWide.body.id}/attendance`, { token: tok.cityB, body: { teamId: h.fx.teamA1 } })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/trainings/${provWide.body.id}/attendance`, { token: tok.cityA, body: { teamId: h.fx.teamA2, memberIds: [h.fx.memberA1] } })).status).toBe(400);
      // City A sees only its own teams among the province-wide training's attendees.
      const seen = await h.req('GET', `/api/v1/trainings/${provWide.body.id}`, { token: tok.cityA });
      expect(seen.body.attendance).toEqual([]);
      const list = await h.req('GET', '/api/v1/trainings', { token: tok.cityB });
      expect(list.body.items.map((t: { cityCode: string | null }) => t.cityCode)).not.toContain(CITY_A);
    });
  });

  describe('OMS account requests', () => {
    test('a city requests, the province approves and the account appears in the city unchecked', async () => {
      const req = await h.req('POST', '/api/v1/account-requests', {
        token: tok.cityA,
        body: { applicant: '王老师', phone: '13600001111', details: { 店铺名称: '南昌邮政直播间', 身份证后四位: '1234' }, reason: '新增场次' },
      });
      expect(req.status).toBe(201);
      expect(req.body).toMatchObject({ cityCode: CITY_A, status: 'submitted', phone: '136****1111' });
      expect((await h.req('POST', '/api/v1/account-requests', { token: tok.province, body: { applicant: 'x', details: {} } })).status).toBe(403);
      expect((await h.req('GET', `/api/v1/account-requests/${req.body.id}`, { token: tok.cityB })).status).toBe(403);
      expect((await h.req('POST', `/api/v1/account-requests/${req.body.id}/approve`, { token: tok.cityA, body: { accountNo: 'OMS-A-9', label: '南昌9号' } })).status).toBe(403);

      const ok = await h.req('POST', `/api/v1/account-requests/${req.body.id}/approve`, { token: tok.province, body: { accountNo: 'OMS-A-9', label: '南昌9号' } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: 'approved', phone: '13600001111', account: { accountNo: 'OMS-A-9', cityCode: CITY_A, status: 'unchecked' } });
      const accounts = await h.req('GET', '/api/v1/accounts', { token: tok.cityA });
      expect(accounts.body.items.map((x: { accountNo: string }) => x.accountNo)).toContain('OMS-A-9');
      expect((await h.req('POST', `/api/v1/account-requests/${req.body.id}/approve`, { token: tok.province, body: { accountNo: 'OMS-A-10', label: 'x' } })).status).toBe(409);
      expect((await h.req('POST', `/api/v1/account-requests/${req.body.id}/reject`, { token: tok.province, body: { note: 'late' } })).status).toBe(409);

      const other = await h.req('POST', '/api/v1/account-requests', { token: tok.cityB, body: { applicant: '李老师', details: {} } });
      const no = await h.req('POST', `/api/v1/account-requests/${other.body.id}/reject`, { token: tok.province, body: { note: '现有帐号足够' } });
      expect(no.body).toMatchObject({ status: 'rejected', decisionNote: '现有帐号足够' });
      const listA = await h.req('GET', '/api/v1/account-requests', { token: tok.cityA });
      expect(listA.body.items.map((x: { cityCode: string }) => x.cityCode)).toEqual([CITY_A]);
      expect((await h.req('GET', '/api/v1/account-requests', { token: tok.teamA1 })).status).toBe(403);
    });
  });

  describe('samples', () => {
    test('issues and returns give what each team still holds; returning more than that is refused', async () => {
      const issue = await h.req('POST', '/api/v1/samples', { token: tok.cityA, body: { teamId: h.fx.teamA1, productId: productA, kind: 'issue', quantity: 5 } });
      expect(issue.status).toBe(201);
      expect((await h.req('POST', '/api/v1/samples', { token: tok.cityA, body: { teamId: h.fx.teamA1, productId: productA, kind: 'return', quantity: 2 } })).status).toBe(201);
      const over = await h.req('POST', '/api/v1/samples', { token: tok.cityA, body: { teamId: h.fx.teamA1, productId: productA, kind: 'return', quantity: 4 } });
      expect(over.status).toBe(409);
      const out = await h.req('GET', '/api/v1/samples/outstanding', { token: tok.cityA });
      expect(out.body.items).toEqual([
        expect.objectContaining({ teamId: h.fx.teamA1, productId: productA, issued: 5, returned: 2, outstanding: 3, outstandingValueFen: 3 * 5990 }),
      ]);
      const mine = await h.req('GET', '/api/v1/samples/outstanding', { token: tok.teamA1 });
      expect(mine.body.items).toHaveLength(1);
      expect((await h.req('GET', '/api/v1/samples/outstanding', { token: tok.teamB1 })).body.items).toEqual([]);
    });

    test('products are per city; another city’s product, another city’s team and team users are refused', async () => {
      const prods = await h.req('GET', '/api/v1/products', { token: tok.cityA });
      expect(prods.body.items.map((p: { id: number }) => p.id)).toEqual([productA]);
      expect((await h.req('POST', '/api/v1/samples', { token: tok.cityA, body: { teamId: h.fx.teamA1, productId: productB, kind: 'issue', quantity: 1 } })).status).toBe(400);
      expect((await h.req('POST', '/api/v1/samples', { token: tok.cityB, body: { teamId: h.fx.teamA1, productId: productA, kind: 'issue', quantity: 1 } })).status).toBe(403);
      expect((await h.req('POST', '/api/v1/samples', { token: tok.teamA1, body: { teamId: h.fx.teamA1, productId: productA, kind: 'issue', quantity: 1 } })).status).toBe(403);
      expect((await h.req('POST', '/api/v1/samples', { token: tok.cityA, body: { teamId: h.fx.teamA1, productId: productA, kind: 'issue', quantity: 0 } })).status).toBe(400);
    });
  });

  describe('violations', () => {
    test('a suspension makes ingest refuse the team’s events at once; lifting it lets them in again', async () => {
      expect((await ingest(h.fx.sessionA1)).body.accepted).toBe(1);
      const v = await h.req('POST', '/api/v1/violations', {
        token: tok.cityA,
        body: { teamId: h.fx.teamA1, sessionId: h.fx.sessionA1, kind: 'product', evidence: '展示未报备商品', links: ['https://example.com/clip/1'], decision: 'suspension', reason: '违规商品' },
      });
      expect(v.status).toBe(201);
      expect(v.body).toMatchObject({ decision: 'suspension', teamStatus: 'suspended', liftedAt: null });
      const refused = await ingest(h.fx.sessionA1);
      expect(refused.body.rejected).toEqual([expect.objectContaining({ code: 'SUSPENDED' })]);
      expect((await h.req('GET', `/api/v1/teams/${h.fx.teamA1}`, { token: tok.cityA })).body.status).toBe('suspended');

      // The team sees its own violations only.
      const own = await h.req('GET', '/api/v1/violations', { token: tok.teamA1 });
      expect(own.body.items.map((x: { teamId: number }) => x.teamId)).toEqual([h.fx.teamA1]);
      expect((await h.req('GET', '/api/v1/violations', { token: tok.teamB1 })).body.items).toEqual([]);
      expect((await h.req('GET', `/api/v1/violations/${v.body.id}`, { token: tok.teamB1 })).status).toBe(403);
      const active = await h.req('GET', '/api/v1/violations?active=true', { token: tok.cityA });
      expect(active.body.items.map((x: { id: number }) => x.id)).toEqual([v.body.id]);

      expect((await h.req('POST', `/api/v1/violations/${v.body.id}/lift`, { token: tok.cityB, body: { reason: 'x' } })).status).toBe(403);
      const lifted = await h.req('POST', `/api/v1/violations/${v.body.id}/lift`, { token: tok.cityA, body: { reason: '已整改' } });
      expect(lifted.body).toMatchObject({ teamStatus: 'active', liftReason: '已整改', liftedAt: expect.any(String) });
      expect((await ingest(h.fx.sessionA1)).body.accepted).toBe(1);
      expect((await h.req('POST', `/api/v1/violations/${v.body.id}/lift`, { token: tok.cityA, body: { reason: 'again' } })).status).toBe(409);
      const audits = (await h.db.prisma.auditLog.findMany({ where: { entity: 'Team', entityId: String(h.fx.teamA1), action: 'team.status' }, orderBy: { id: 'asc' } })).map((x) => x.after);
      expect(audits).toEqual([{ status: 'suspended' }, { status: 'active' }]);
    });

    test('two suspensions: lifting one keeps the team suspended until the other is lifted', async () => {
      const body = { teamId: h.fx.teamA1, kind: 'script', evidence: '夸大宣传', decision: 'suspension', reason: '话术' };
      const v1 = await h.req('POST', '/api/v1/violations', { token: tok.cityA, body });
      const v2 = await h.req('POST', '/api/v1/violations', { token: tok.province, body: { ...body, kind: 'anchor_image' } });
      expect((await h.req('POST', `/api/v1/violations/${v1.body.id}/lift`, { token: tok.cityA, body: { reason: 'ok' } })).body.teamStatus).toBe('suspended');
      expect((await h.req('POST', `/api/v1/violations/${v2.body.id}/lift`, { token: tok.province, body: { reason: 'ok' } })).body.teamStatus).toBe('active');
    });

    test('only the province disqualifies; a disqualified team’s events are refused and it cannot be lifted', async () => {
      const body = { teamId: h.fx.teamA2, kind: 'other', evidence: '刷单', decision: 'disqualification', reason: '严重违规' };
      const byCity = await h.req('POST', '/api/v1/violations', { token: tok.cityA, body });
      expect(byCity.status).toBe(403);
      expect((await h.req('POST', '/api/v1/violations', { token: tok.cityB, body: { ...body, decision: 'warning' } })).status).toBe(403);
      expect((await h.req('POST', '/api/v1/violations', { token: tok.cityA, body: { ...body, sessionId: h.fx.sessionB1, decision: 'warning' } })).status).toBe(400);
      const warn = await h.req('POST', '/api/v1/violations', { token: tok.cityA, body: { ...body, decision: 'warning' } });
      expect(warn.body.teamStatus).toBe('active');
      const dq = await h.req('POST', '/api/v1/violations', { token: tok.province, body });
      expect(dq.status).toBe(201);
      expect(dq.body.teamStatus).toBe('disqualified');
      expect((await ingest(h.fx.sessionA2)).body.rejected).toEqual([expect.objectContaining({ code: 'DISQUALIFIED' })]);
      expect((await h.req('POST', `/api/v1/violations/${dq.body.id}/lift`, { token: tok.province, body: { reason: 'x' } })).status).toBe(409);
      expect((await h.req('POST', `/api/v1/violations/${warn.body.id}/lift`, { token: tok.province, body: { reason: 'x' } })).status).toBe(409);
    });
  });

  describe('incentives', () => {
    test('recompute pays 1,000 per organising university and 800 per final placement, once', async () => {
      await h.req('PATCH', `/api/v1/universities/${h.fx.uniA}`, { token: tok.province, body: { role: 'organiser' } });
      const final = await h.db.prisma.stage.create({
        data: { name: '决赛', kind: 'final', startsAt: new Date('2024-12-10T00:00:00Z'), endsAt: new Date('2024-12-15T00:00:00Z'), lockAt: new Date('2024-12-09T00:00:00Z') },
      });
      expect((await h.req('POST', `/api/v1/stages/${final.id}/placements`, { token: tok.cityB, body: [{ teamId: h.fx.teamB1, rank: 1 }] })).status).toBe(403);
      const set = await h.req('POST', `/api/v1/stages/${final.id}/placements`, { token: tok.province, body: [{ teamId: h.fx.teamB1, rank: 1 }, { teamId: h.fx.teamA1, rank: 11 }] });
      expect(set.status).toBe(200);
      expect(set.body.items.map((p: { teamId: number; rank: number }) => [p.teamId, p.rank])).toEqual([[h.fx.teamB1, 1], [h.fx.teamA1, 11]]);
      // A disqualified team places nowhere.
      expect((await h.req('POST', `/api/v1/stages/${final.id}/placements`, { token: tok.province, body: [{ teamId: h.fx.teamA2, rank: 2 }] })).status).toBe(400);

      const first = await h.req('POST', '/api/v1/incentives/recompute', { token: tok.province });
      expect(first.status).toBe(200);
      expect(first.body.items.map((e: { dedupeKey: string; cityCode: string; points: number }) => [e.dedupeKey, e.cityCode, e.points])).toEqual([
        [`uni:${h.fx.uniA}`, CITY_A, 1000],
        [`final:${final.id}:${h.fx.teamB1}`, CITY_B, 800],
      ]);
      const again = await h.req('POST', '/api/v1/incentives/recompute', { token: tok.province });
      expect(again.body.items).toEqual([]);
      expect((await h.req('POST', '/api/v1/incentives/recompute', { token: tok.cityA })).status).toBe(403);

      // Widening "places in the final" to the top 11 pays team A1's rank as well.
      expect((await h.req('PUT', '/api/v1/incentives/settings', { token: tok.province, body: { finalTopN: 11 } })).status).toBe(200);
      const wider = await h.req('POST', '/api/v1/incentives/recompute', { token: tok.province });
      expect(wider.body.items.map((e: { dedupeKey: string }) => e.dedupeKey)).toEqual([`final:${final.id}:${h.fx.teamA1}`]);

      const adj = await h.req('POST', '/api/v1/incentives/adjustments', { token: tok.province, body: { cityCode: CITY_A, points: -300, note: '更正' } });
      expect(adj.status).toBe(201);
      const mine = await h.req('GET', '/api/v1/incentives', { token: tok.cityA });
      expect(mine.body.items.every((e: { cityCode: string }) => e.cityCode === CITY_A)).toBe(true);
      expect(mine.body.totals).toEqual([{ cityCode: CITY_A, points: 1000 + 800 - 300 }]);
      const all = await h.req('GET', '/api/v1/incentives', { token: tok.province });
      expect(all.body.totals).toEqual([{ cityCode: CITY_A, points: 1500 }, { cityCode: CITY_B, points: 800 }]);
      expect((await h.req('GET', `/api/v1/incentives?cityCode=${CITY_A}`, { token: tok.cityB })).status).toBe(403);
      expect((await h.req('GET', '/api/v1/incentives', { token: tok.teamA1 })).status).toBe(403);

      const res = await fetch(`${h.url}/api/v1/incentives/export.xlsx`, { headers: { authorization: `Bearer ${tok.cityA}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
    });
  });

  describe('audit and deadlines', () => {
    test('the audit log is the province’s to read, newest first, filterable; there is no way to write it', async () => {
      const r = await h.req('GET', '/api/v1/audit?entity=Violation&limit=2', { token: tok.province });
      expect(r.status).toBe(200);
      expect(r.body.items).toHaveLength(2);
      expect(Number(r.body.items[0].id)).toBeGreaterThan(Number(r.body.items[1].id));
      expect(r.body.items.every((x: { entity: string }) => x.entity === 'Violation')).toBe(true);
      const page2 = await h.req('GET', `/api/v1/audit?entity=Violation&limit=2&before=${r.body.next}`, { token: tok.province });
      expect(Number(page2.body.items[0].id)).toBeLessThan(Number(r.body.items[1].id));
      const byCity = await h.req('GET', `/api/v1/audit?cityCode=${CITY_B}`, { token: tok.province });
      expect(byCity.body.items.every((x: { cityCode: string }) => x.cityCode === CITY_B)).toBe(true);
      expect((await h.req('GET', '/api/v1/audit', { token: tok.cityA })).status).toBe(403);
      expect((await h.req('GET', '/api/v1/audit', { token: tok.teamA1 })).status).toBe(403);
      for (const m of ['POST', 'PATCH', 'DELETE']) expect((await h.req(m, '/api/v1/audit', { token: tok.province, body: {} })).status).toBe(404);
    });

    test('deadlines: each city’s items with due times, what is done and what is missing', async () => {
      const mine = await h.req('GET', '/api/v1/deadlines', { token: tok.cityA });
      expect(mine.status).toBe(200);
      expect(mine.body.items).toHaveLength(1);
      const items = new Map<string, { due: string; done: boolean; missing: unknown[]; detail: Record<string, unknown> }>(
        mine.body.items[0].items.map((i: { key: string }) => [i.key, i]),
      );
      expect(items.get('contact')).toMatchObject({ due: '2024-10-08T15:59:59.999Z', done: false });
      expect(items.get('registration')!.detail).toMatchObject({ teams: expect.any(Number), verifiedPct: expect.any(Number) });
      expect(items.get('accounts')!.missing).toEqual(expect.arrayContaining([expect.objectContaining({ label: expect.stringContaining('OMS-A-9') })]));
      const stage = await h.db.prisma.stage.findUniqueOrThrow({ where: { id: h.fx.stageId } });
      expect(items.get(`schedule:${h.fx.stageId}`)).toMatchObject({ due: stage.lockAt.toISOString(), done: false });

      const prov = await h.req('GET', '/api/v1/deadlines', { token: tok.province });
      expect(prov.body.items).toHaveLength(11);
      expect((await h.req('GET', `/api/v1/deadlines?cityCode=${CITY_A}`, { token: tok.cityB })).status).toBe(403);
      expect((await h.req('GET', '/api/v1/deadlines', { token: tok.teamA1 })).status).toBe(403);
    });
  });

  test('city B cannot read or change anything of city A', async () => {
    const training = await h.db.prisma.training.create({ data: { cityCode: CITY_A, title: 'A 内训', topic: 'skills', mode: 'offline', heldAt: new Date('2024-10-10T02:00:00Z'), createdBy: 1 } });
    const request = await h.db.prisma.accountRequest.create({ data: { cityCode: CITY_A, applicant: 'a', details: {}, requestedBy: 1 } });
    const violation = await h.db.prisma.violation.findFirstOrThrow({ where: { cityCode: CITY_A } });
    const attempts: [string, string, unknown?][] = [
      ['PATCH', `/api/v1/members/${h.fx.memberA1}/identity`, { status: 'rejected', note: 'x' }],
      ['PATCH', `/api/v1/members/${h.fx.memberA1}/filing`, { status: 'rejected', note: 'x' }],
      ['GET', `/api/v1/teams/${h.fx.teamA1}/eligibility`],
      ['GET', `/api/v1/trainings/${training.id}`],
      ['POST', `/api/v1/trainings/${training.id}/attendance`, { teamId: h.fx.teamA1 }],
      ['GET', `/api/v1/trainings/coverage?cityCode=${CITY_A}`],
      ['GET', `/api/v1/account-requests/${request.id}`],
      ['GET', `/api/v1/account-requests?cityCode=${CITY_A}`],
      ['GET', `/api/v1/products?cityCode=${CITY_A}`],
      ['POST', '/api/v1/samples', { teamId: h.fx.teamA1, productId: productA, kind: 'return', quantity: 1 }],
      ['GET', `/api/v1/samples?cityCode=${CITY_A}`],
      ['GET', `/api/v1/samples/outstanding?teamId=${h.fx.teamA1}&cityCode=${CITY_A}`],
      ['GET', `/api/v1/violations?cityCode=${CITY_A}`],
      ['GET', `/api/v1/violations/${violation.id}`],
      ['POST', `/api/v1/violations/${violation.id}/lift`, { reason: 'x' }],
      ['POST', '/api/v1/violations', { teamId: h.fx.teamA1, kind: 'other', evidence: 'x', decision: 'warning', reason: 'x' }],
      ['GET', `/api/v1/incentives?cityCode=${CITY_A}`],
      ['GET', `/api/v1/deadlines?cityCode=${CITY_A}`],
      ['GET', `/api/v1/exports/registration.xlsx?cityCode=${CITY_A}`],
      ['GET', `/api/v1/exports/shops.xlsx?cityCode=${CITY_A}`],
    ];
    for (const [method, path, body] of attempts) {
      const r = await h.req(method, path, { token: tok.cityB, ...(body !== undefined ? { body } : {}) });
      expect([method, path, r.status]).toEqual([method, path, 403]);
    }
    const m = await h.db.prisma.member.findUniqueOrThrow({ where: { id: h.fx.memberA1 } });
    expect(m).toMatchObject({ identityStatus: 'verified', anchorFiling: 'filed' });
  });
});
