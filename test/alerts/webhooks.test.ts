// Webhooks against a local node:http receiver on 127.0.0.1: robot formats, retries with backoff, the delivery
// log, and the endpoints' routes with their scope.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshDatabase } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { CITY_A, CITY_B } from '../helpers/fixture.ts';
import type { Database } from '../../server/db/index.ts';
import { createLogger } from '../../server/logger.ts';
import { loadConfig } from '../../server/config.ts';
import { WebhookNotifier, formatBody, type Notice } from '../../server/alerts/webhooks.ts';
import type { AlertDto } from '../../contracts/response.ts';

/** A receiver that answers from a script (then 200 {"errcode":0}) and records every body it got. */
async function receiver(): Promise<{ url: string; bodies: unknown[]; script: Array<{ status: number; body?: string }>; received(n: number): Promise<void>; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const script: Array<{ status: number; body?: string }> = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let s = '';
    req.on('data', (c: Buffer) => (s += c.toString()));
    req.on('end', () => resolve(s));
  });
  const server: Server = createServer((req, res) => {
    void read(req).then((text) => {
      bodies.push(JSON.parse(text));
      const next = script.shift() ?? { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body ?? '{}');
      for (const w of waiters.filter((x) => bodies.length >= x.n)) w.resolve();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook?key=secret-robot-key`,
    bodies,
    script,
    received: (n) =>
      new Promise((resolve, reject) => {
        if (bodies.length >= n) return resolve();
        const t = setTimeout(() => reject(new Error(`receiver got ${bodies.length} of ${n} requests`)), 10_000);
        waiters.push({ n, resolve: () => (clearTimeout(t), resolve()) });
      }),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const alert: AlertDto = {
  id: 1, key: 'stream_silent:9', rule: 'stream_silent', severity: 'critical', sessionId: 9, teamId: 4, teamName: '赣鄱新农人', cityCode: CITY_A,
  message: 'Session 9 has sent no data for 130 s', details: {}, openedAt: '2024-10-21T11:05:00.000Z', updatedAt: '2024-10-21T11:05:00.000Z', clearedAt: null,
};
const names = { team: () => undefined, city: (c: string) => (c === CITY_A ? '南昌' : undefined) };
const raised: Notice = { event: 'alert:raised', alert };

describe('formats', () => {
  test('WeCom gets markdown.content, DingTalk markdown.title and text, in Chinese and Shanghai time', () => {
    const wecom = formatBody('wecom', raised, names) as { msgtype: string; markdown: { content: string } };
    expect(wecom.msgtype).toBe('markdown');
    expect(wecom.markdown.content).toContain('**[严重] 告警·断流**');
    expect(wecom.markdown.content).toContain('南昌 · 赣鄱新农人 · 场次 #9');
    expect(wecom.markdown.content).toContain('时间: 2024-10-21 19:05');
    const ding = formatBody('dingtalk', raised, names) as { msgtype: string; markdown: { title: string; text: string } };
    expect(ding).toMatchObject({ msgtype: 'markdown', markdown: { title: '告警·断流', text: expect.stringContaining('断流') } });
    expect(formatBody('json', raised, names)).toEqual({ event: 'alert:raised', alert });
  });
});

describe('delivery with retries and a log', () => {
  let db: Database;
  let rx: Awaited<ReturnType<typeof receiver>>;
  let notifier: WebhookNotifier;
  const log = createLogger(loadConfig({ LOG_LEVEL: 'silent' }));

  beforeAll(async () => {
    db = await freshDatabase('pglite');
    rx = await receiver();
    notifier = new WebhookNotifier(db, log, names, { tries: 3, backoffMs: 20, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await notifier?.close();
    await rx?.close();
    await db?.close();
  });

  const endpoint = (kind: 'wecom' | 'dingtalk' | 'json', url = rx.url, cityCode: string | null = CITY_A, events = ['alerts']) =>
    db.prisma.webhookEndpoint.create({ data: { kind, url, cityCode, events, createdBy: 1 } });

  test('two failures then a success: three attempts, logged once as delivered', async () => {
    const e = await endpoint('wecom');
    rx.script.push({ status: 500 }, { status: 502 });
    const before = rx.bodies.length;
    const r = await notifier.deliver(e, raised);
    expect(r).toMatchObject({ ok: true, statusCode: 200, attempts: 3, error: null });
    expect(rx.bodies.length - before).toBe(3);
    const logged = await db.prisma.webhookDelivery.findMany({ where: { endpointId: e.id } });
    expect(logged).toEqual([expect.objectContaining({ event: 'alert:raised', ok: true, statusCode: 200, attempts: 3, error: null })]);
  });

  test('a robot that keeps refusing (errcode ≠ 0) fails after three attempts, with the reason logged', async () => {
    const e = await endpoint('dingtalk');
    const refuse = { status: 200, body: '{"errcode":310000,"errmsg":"keywords not in content"}' };
    rx.script.push(refuse, refuse, refuse);
    expect(await notifier.deliver(e, raised)).toMatchObject({ ok: false, attempts: 3, error: 'errcode 310000' });
    expect(await db.prisma.webhookDelivery.findFirst({ where: { endpointId: e.id } })).toMatchObject({ ok: false, attempts: 3, statusCode: 200 });
  });

  test('a receiver that is down is logged with the connection error', async () => {
    const down = await receiver();
    const url = down.url;
    await down.close();
    const e = await endpoint('json', url);
    expect(await notifier.deliver(e, raised)).toMatchObject({ ok: false, attempts: 3, statusCode: null, error: 'ECONNREFUSED' });
  });

  test('notify() reaches the city’s and the all-city endpoints for that topic only', async () => {
    await db.prisma.webhookDelivery.deleteMany({});
    await db.prisma.webhookEndpoint.deleteMany({});
    const mine = await endpoint('json', rx.url, CITY_A);
    const all = await endpoint('json', rx.url, null);
    const other = await endpoint('json', rx.url, CITY_B);
    const ticketsOnly = await endpoint('json', rx.url, CITY_A, ['tickets']);
    notifier.notify(raised);
    await notifier.drain();
    const got = await db.prisma.webhookDelivery.findMany({ select: { endpointId: true, ok: true } });
    expect(got.map((d) => d.endpointId).sort()).toEqual([mine.id, all.id].sort());
    expect(got.every((d) => d.ok)).toBe(true);
    expect([other.id, ticketsOnly.id].some((id) => got.some((d) => d.endpointId === id))).toBe(false);
  });
});

describe('webhook routes', () => {
  let h: TestHub;
  let rx: Awaited<ReturnType<typeof receiver>>;
  const tok: Record<string, string> = {};

  beforeAll(async () => {
    h = await startTestHub('pglite');
    rx = await receiver();
    for (const who of ['province', 'cityA', 'cityB', 'teamA1'] as const) tok[who] = await h.login(h.fx.users[who]);
  });
  afterAll(async () => {
    await h?.close();
    await rx?.close();
  });

  test('city staff add an endpoint for their city; other schemes, other cities and teams are refused', async () => {
    const r = await h.req('POST', '/api/v1/webhooks', { token: tok.cityA, body: { kind: 'wecom', url: rx.url, events: ['tickets', 'tickets'], label: '南昌运营群' } });
    expect(r.status).toBe(201);
    // The robot key in the query string never comes back.
    expect(r.body).toMatchObject({ cityCode: CITY_A, kind: 'wecom', url: expect.not.stringContaining('secret'), events: ['tickets'] });
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'javascript:alert(1)', 'not a url']) {
      const bad = await h.req('POST', '/api/v1/webhooks', { token: tok.cityA, body: { kind: 'json', url, events: ['alerts'] } });
      expect(bad.status, url).toBe(400);
      expect(bad.body.error.issues[0].path).toBe('url');
    }
    expect((await h.req('POST', '/api/v1/webhooks', { token: tok.cityB, body: { kind: 'json', url: rx.url, events: ['alerts'], cityCode: CITY_A } })).status).toBe(403);
    expect((await h.req('POST', '/api/v1/webhooks', { token: tok.teamA1, body: { kind: 'json', url: rx.url, events: ['alerts'] } })).status).toBe(403);
    expect((await h.req('GET', '/api/v1/webhooks', { token: tok.cityB })).body.items).toEqual([]);
    expect((await h.req('GET', '/api/v1/webhooks', { token: tok.province })).body.items).toHaveLength(1);
  });

  test('a ticket opened in the city reaches its WeCom robot, and the delivery shows in the log', async () => {
    const list = await h.req('GET', '/api/v1/webhooks', { token: tok.cityA });
    const id: number = list.body.items[0].id;
    const before = rx.bodies.length;
    const t = await h.req('POST', '/api/v1/tickets', { token: tok.teamA1, body: { kind: 'network', text: '推流失败', sessionId: h.fx.sessionA1 } });
    expect(t.status).toBe(201);
    await rx.received(before + 1);
    const body = rx.bodies.at(-1) as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain(`工单 #${t.body.id}·新工单`);
    expect(body.markdown.content).toContain('推流失败');
    let items: Array<{ event: string; ok: boolean; attempts: number; statusCode: number }> = [];
    // The log row is written right after the answer; poll briefly with a deadline.
    const deadline = Date.now() + 5000;
    while (!items.length && Date.now() < deadline) items = (await h.req('GET', `/api/v1/webhooks/${id}/deliveries`, { token: tok.cityA })).body.items;
    expect(items[0]).toMatchObject({ event: 'ticket:opened', ok: true, attempts: 1, statusCode: 200 });
    expect((await h.req('GET', `/api/v1/webhooks/${id}/deliveries`, { token: tok.cityB })).status).toBe(403);
  });

  test('an endpoint is deleted by its city or the province, not by another city', async () => {
    const id: number = (await h.req('GET', '/api/v1/webhooks', { token: tok.cityA })).body.items[0].id;
    expect((await h.req('DELETE', `/api/v1/webhooks/${id}`, { token: tok.cityB })).status).toBe(403);
    expect((await h.req('DELETE', `/api/v1/webhooks/${id}`, { token: tok.cityA })).status).toBe(204);
    expect((await h.req('GET', '/api/v1/webhooks', { token: tok.cityA })).body.items).toEqual([]);
    expect((await h.req('DELETE', `/api/v1/webhooks/${id}`, { token: tok.province })).status).toBe(404);
  });
});
