// Announcements: addressed by city, pushed to the teams' sockets, read receipts for the sender only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import { connect, record, waitFor, type Client } from '../helpers/socket.ts';

describe('announcements', () => {
  let h: TestHub;
  const tok: Record<string, string> = {};
  const c: Record<string, Client> = {};

  beforeAll(async () => {
    h = await startTestHub('pglite');
    for (const who of ['province', 'cityA', 'cityB', 'teamA1', 'teamB1'] as const) {
      tok[who] = await h.login(h.fx.users[who]);
      c[who] = await connect(h.url, tok[who]!);
    }
  });
  afterAll(async () => {
    for (const s of Object.values(c)) s.close();
    await h?.close();
  });

  const post = (who: string, body: unknown) => h.req('POST', '/api/v1/announcements', { token: tok[who]!, body });

  test('the province posts to one city: that city’s teams get it at once, another city’s never', async () => {
    const leak = record(c.teamB1!, 'announcement:posted');
    const got = waitFor(c.teamA1!, 'announcement:posted', (a) => a.title === '选品更新');
    const staff = waitFor(c.cityA!, 'announcement:posted', (a) => a.title === '选品更新');
    const r = await post('province', { title: '选品更新', body: '新增赣南脐橙', kind: 'products', cityCode: CITY_A });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ cityCode: CITY_A, senderRole: 'province', kind: 'products' });
    expect((await got).id).toBe(r.body.id);
    await staff;
    const probe = waitFor(c.teamB1!, 'announcement:posted', (a) => a.cityCode === CITY_B);
    await post('province', { title: '景德镇排期', body: '…', kind: 'schedule', cityCode: CITY_B });
    await probe;
    expect(leak.map((a) => a.cityCode)).toEqual([CITY_B]);
  });

  test('a city posts to its own teams only; teams post nothing', async () => {
    expect((await post('cityA', { title: 'x', body: 'y', kind: 'rules', cityCode: CITY_B })).status).toBe(403);
    expect((await post('teamA1', { title: 'x', body: 'y', kind: 'rules' })).status).toBe(403);
    expect((await post('cityA', { title: '', body: 'y', kind: 'nope' })).status).toBe(400);
    const r = await post('cityA', { title: '直播规则', body: '不得夸大宣传', kind: 'rules' });
    expect(r.body).toMatchObject({ cityCode: CITY_A, senderRole: 'city' });
  });

  test('a team lists what is addressed to it, marks it read once, and only the sender sees who read', async () => {
    const all = await post('province', { title: '全省通知', body: '决赛安排', kind: 'other' });
    const list = await h.req('GET', '/api/v1/announcements', { token: tok.teamA1! });
    const titles = list.body.items.map((a: { title: string }) => a.title);
    expect(titles).toEqual(expect.arrayContaining(['选品更新', '直播规则', '全省通知']));
    expect(titles).not.toContain('景德镇排期');
    expect(list.body.items.every((a: { readAt: unknown }) => a.readAt === null)).toBe(true);

    const mine = list.body.items.find((a: { title: string }) => a.title === '直播规则');
    const first = await h.req('POST', `/api/v1/announcements/${mine.id}/read`, { token: tok.teamA1! });
    expect(first.body.readAt).toEqual(expect.any(String));
    const again = await h.req('POST', `/api/v1/announcements/${mine.id}/read`, { token: tok.teamA1! });
    expect(again.body.readAt).toBe(first.body.readAt);
    expect((await h.req('POST', `/api/v1/announcements/${mine.id}/read`, { token: tok.teamB1! })).status).toBe(403);
    expect((await h.req('POST', `/api/v1/announcements/${mine.id}/read`, { token: tok.cityA! })).status).toBe(403);
    expect((await h.req('POST', `/api/v1/announcements/${all.body.id}/read`, { token: tok.teamB1! })).status).toBe(200);

    const reads = await h.req('GET', `/api/v1/announcements/${mine.id}/reads`, { token: tok.cityA! });
    expect(reads.body.items).toEqual([expect.objectContaining({ username: h.fx.users.teamA1, teamId: h.fx.teamA1, teamName: '赣鄱新农人' })]);
    expect((await h.req('GET', `/api/v1/announcements/${mine.id}/reads`, { token: tok.province! })).status).toBe(403);
    expect((await h.req('GET', `/api/v1/announcements/${mine.id}/reads`, { token: tok.cityB! })).status).toBe(403);
    const allReads = await h.req('GET', `/api/v1/announcements/${all.body.id}/reads`, { token: tok.province! });
    expect(allReads.body.items.map((r: { teamId: number }) => r.teamId)).toEqual([h.fx.teamB1]);
    expect((await h.req('GET', `/api/v1/announcements/${mine.id}`, { token: tok.teamB1! })).status).toBe(403);
  });
});
