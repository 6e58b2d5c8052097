import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dbKinds } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B, PASSWORD } from '../helpers/fixture.ts';

describe.each(dbKinds)('sign-in and registry over HTTP (%s)', (kind) => {
  let h: TestHub;
  let tok: Record<'province' | 'cityA' | 'cityB' | 'teamA1' | 'teamB1', string>;

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
  });
  afterAll(() => h?.close());

  test('health reports the database and answers 200', async () => {
    const r = await h.req('GET', '/api/health');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', db: kind });
  });

  test('login answers a wrong password and an unknown user with the same 401', async () => {
    const wrong = await h.req('POST', '/api/v1/auth/login', { body: { username: 'cityA', password: 'nope-nope' } });
    const ghost = await h.req('POST', '/api/v1/auth/login', { body: { username: 'ghost', password: 'nope-nope' } });
    expect(wrong.status).toBe(401);
    expect(ghost.status).toBe(401);
    expect(wrong.body).toEqual(ghost.body);
    expect(wrong.body.error.code).toBe('UNAUTHENTICATED');
  });

  test('login returns the user with role and scope as API.md shows it', async () => {
    const r = await h.req('POST', '/api/v1/auth/login', { body: { username: 'teamA1', password: PASSWORD } });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ role: 'team', teamId: h.fx.teamA1, cityCode: CITY_A });
    expect(typeof r.body.token).toBe('string');
  });

  test('a malformed login body is a 400 with field paths', async () => {
    const r = await h.req('POST', '/api/v1/auth/login', { body: { username: 5 } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['username', 'password']));
  });

  test('malformed JSON is a 400 envelope, never a stack', async () => {
    const r = await h.req('POST', '/api/v1/auth/login', { raw: '{"username":' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  test('without a token the registry is 401; after logout the token no longer works', async () => {
    expect((await h.req('GET', '/api/v1/teams')).status).toBe(401);
    const t = await h.login('cityB');
    expect((await h.req('GET', '/api/v1/teams', { token: t })).status).toBe(200);
    expect((await h.req('POST', '/api/v1/auth/logout', { token: t })).status).toBe(204);
    const after = await h.req('GET', '/api/v1/teams', { token: t });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });

  test('a city user lists only its own teams and gets 403 on another city’s team', async () => {
    const list = await h.req('GET', '/api/v1/teams', { token: tok.cityA });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { cityCode: string }) => t.cityCode)).toEqual([CITY_A, CITY_A]);
    const other = await h.req('GET', `/api/v1/teams/${h.fx.teamB1}`, { token: tok.cityA });
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    const filtered = await h.req('GET', `/api/v1/teams?cityCode=${CITY_B}`, { token: tok.cityA });
    expect(filtered.status).toBe(403);
  });

  test('phone numbers are masked for city staff and shown in full to the province and the team itself', async () => {
    const asCity = await h.req('GET', `/api/v1/teams/${h.fx.teamA1}`, { token: tok.cityA });
    const asProv = await h.req('GET', `/api/v1/teams/${h.fx.teamA1}`, { token: tok.province });
    const asTeam = await h.req('GET', `/api/v1/teams/${h.fx.teamA1}`, { token: tok.teamA1 });
    expect(asCity.body.phone).toBe('138****1234');
    expect(asCity.body.contactPhone).toBe('159****1111');
    expect(asProv.body.phone).toBe('13812341234');
    expect(asTeam.body.phone).toBe('13812341234');
    const members = await h.req('GET', `/api/v1/members?teamId=${h.fx.teamA1}`, { token: tok.cityA });
    expect(members.body.items[0].phone).toBe('188****1234');
  });

  test('a team sees only itself; another team and its members are 403', async () => {
    const list = await h.req('GET', '/api/v1/teams', { token: tok.teamA1 });
    expect(list.body.items.map((t: { id: number }) => t.id)).toEqual([h.fx.teamA1]);
    expect((await h.req('GET', `/api/v1/teams/${h.fx.teamA2}`, { token: tok.teamA1 })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/members?teamId=${h.fx.teamB1}`, { token: tok.teamA1 })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/accounts', { token: tok.teamA1 })).status).toBe(403);
  });

  test('the province sees every city’s teams and accounts', async () => {
    const teams = await h.req('GET', '/api/v1/teams', { token: tok.province });
    expect(teams.body.total).toBe(3);
    const accounts = await h.req('GET', '/api/v1/accounts', { token: tok.province });
    expect(accounts.body.items).toHaveLength(2);
    const cityB = await h.req('GET', '/api/v1/accounts', { token: tok.cityB });
    expect(cityB.body.items.map((a: { cityCode: string }) => a.cityCode)).toEqual([CITY_B]);
  });

  test('city staff create a team in their city, get 403 in another, and 409 on a duplicate name', async () => {
    const body = { name: '新队伍', cityCode: CITY_A, universityId: h.fx.uniA, phone: '13700000000' };
    const created = await h.req('POST', '/api/v1/teams', { token: tok.cityA, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '新队伍', cityCode: CITY_A, status: 'active' });
    const dup = await h.req('POST', '/api/v1/teams', { token: tok.cityA, body });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    const elsewhere = await h.req('POST', '/api/v1/teams', { token: tok.cityA, body: { ...body, name: 'x', cityCode: CITY_B, universityId: h.fx.uniB } });
    expect(elsewhere.status).toBe(403);
    const teamTries = await h.req('POST', '/api/v1/teams', { token: tok.teamA1, body: { ...body, name: 'y' } });
    expect(teamTries.status).toBe(403);
  });

  test('a team cannot be tied to a university of another city', async () => {
    const r = await h.req('POST', '/api/v1/teams', { token: tok.province, body: { name: '跨市', cityCode: CITY_A, universityId: h.fx.uniB } });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toBe('universityId');
  });

  test('validation failures name the fields', async () => {
    const r = await h.req('POST', '/api/v1/members', { token: tok.cityA, body: { teamId: h.fx.teamA1, name: '', studentNo: '1', phone: '123' } });
    expect(r.status).toBe(400);
    const paths = r.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'studentNo', 'phone']));
  });

  test('putting a member on camera requires an anchor filing; every change lands in the audit log', async () => {
    const m = await h.req('POST', '/api/v1/members', { token: tok.cityA, body: { teamId: h.fx.teamA1, name: '李四', studentNo: '20210009', role: 'support' } });
    expect(m.status).toBe(201);
    expect(m.body.anchorFiling).toBe('not_required');
    const up = await h.req('PATCH', `/api/v1/members/${m.body.id}`, { token: tok.cityA, body: { onCamera: true } });
    expect(up.body.anchorFiling).toBe('pending');
    const rows = await h.db.prisma.auditLog.findMany({ where: { entity: 'Member', entityId: String(m.body.id) }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.action)).toEqual(['member.create', 'member.update']);
    expect(rows[1]!.before).toMatchObject({ onCamera: false });
    expect(rows[1]!.after).toMatchObject({ onCamera: true, anchorFiling: 'pending' });
  });

  test('an unknown id is 404 and an unknown API path is a 404 envelope', async () => {
    expect((await h.req('GET', '/api/v1/teams/999999', { token: tok.province })).status).toBe(404);
    const r = await h.req('GET', '/api/v1/nothing-here', { token: tok.province });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('NOT_FOUND');
  });

  test('a city reports its contact once, keeping the first report time', async () => {
    const r = await h.req('PUT', `/api/v1/cities/${CITY_A}/contact`, { token: tok.cityA, body: { contactName: '王老师', contactPhone: '13611112222' } });
    expect(r.status).toBe(200);
    expect(r.body.contactReportedAt).not.toBeNull();
    expect(r.body.contactPhone).toBe('136****2222');
    expect((await h.req('PUT', `/api/v1/cities/${CITY_B}/contact`, { token: tok.cityA, body: { contactName: 'x', contactPhone: '13611112222' } })).status).toBe(403);
  });
});

describe('sign-in rate limit', () => {
  let h: TestHub;
  beforeAll(async () => {
    h = await startTestHub('pglite', { env: { LOGIN_MAX_ATTEMPTS: '3' } });
  });
  afterAll(() => h?.close());

  test('after the allowed failures even the right password is refused with RATE_LIMITED and Retry-After', async () => {
    for (let i = 0; i < 3; i++)
      expect((await h.req('POST', '/api/v1/auth/login', { body: { username: 'cityA', password: 'wrong-pass' } })).status).toBe(401);
    const r = await h.req('POST', '/api/v1/auth/login', { body: { username: 'cityA', password: PASSWORD } });
    expect(r.status).toBe(429);
    expect(r.body.error.code).toBe('RATE_LIMITED');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
