import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestEvent } from '../../contracts/ingest';
import { httpSender } from '../../server/sim/runner';
import { fetchSessions, toSimSessions } from '../../server/sim/sessions';

/** A stand-in hub on port 0; each test sets how it answers. */
let answer: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => {};
let server: Server;
let url = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => answer(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const events: IngestEvent[] = [
  { type: 'stats', id: '9-1', sessionId: 9, at: '2024-10-21T02:00:01.000Z', online: 3, views: 3 },
  { type: 'order', id: '9-2', sessionId: 9, at: '2024-10-21T02:00:02.000Z', orderId: 'YL9-000001', quantity: 1, amountFen: 3990 },
];

describe('httpSender', () => {
  it('posts the events with the collector key and returns the hub answer', async () => {
    let seen: { method?: string; path?: string; auth?: string; body?: unknown } = {};
    answer = (req, body, res) => {
      seen = { method: req.method, path: req.url, auth: req.headers.authorization, body: JSON.parse(body) };
      json(res, 200, { accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'NOT_LIVE', message: 'ended' }] });
    };
    const res = await httpSender(url).send(events, 'ck_test');
    expect(seen).toEqual({ method: 'POST', path: '/api/v1/ingest', auth: 'Bearer ck_test', body: { events } });
    expect(res).toEqual({ accepted: 1, duplicates: 0, rejected: [{ index: 1, code: 'NOT_LIVE', message: 'ended' }] });
  });

  it('throws on 5xx and 429 so the batch is resent', async () => {
    answer = (_req, _body, res) => json(res, 503, { error: { code: 'UNAVAILABLE', message: 'db down' } });
    await expect(httpSender(url).send(events, 'ck_test')).rejects.toThrow(/503/);
    answer = (_req, _body, res) => json(res, 429, { error: { code: 'RATE_LIMITED', message: 'slow down' } });
    await expect(httpSender(url).send(events, 'ck_test')).rejects.toThrow(/429/);
  });

  it('throws when the hub does not answer in time', async () => {
    answer = () => {}; // never answers
    await expect(httpSender(url, { timeoutMs: 100 }).send(events, 'ck_test')).rejects.toThrow(/ingest/);
  });

  it('throws when nothing listens', async () => {
    await expect(httpSender('http://127.0.0.1:1').send(events, 'ck_test')).rejects.toThrow(/ingest/);
  });

  it('rejects every event with the hub code on a refused key, rather than resending forever', async () => {
    answer = (_req, _body, res) => json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'bad key' } });
    const res = await httpSender(url).send(events, 'ck_bad');
    expect(res.accepted).toBe(0);
    expect(res.rejected).toEqual(events.map((_, index) => ({ index, code: 'UNAUTHENTICATED', message: 'bad key' })));
  });
});

describe('the ingest sessions list', () => {
  const item = {
    id: 12,
    teamId: 34,
    cityCode: '360100',
    status: 'live',
    plannedStart: '2024-10-21T10:00:00+08:00',
    plannedEnd: '2024-10-21T12:00:00+08:00',
    products: [{ id: 5, name: '南昌米粉', priceFen: 3990 }],
  };

  it('is fetched with the collector key and read into SimSessions', async () => {
    let auth: string | undefined;
    answer = (req, _body, res) => {
      auth = req.headers.authorization;
      if (req.url === '/api/v1/ingest/sessions') json(res, 200, { items: [item] });
      else json(res, 404, { error: { code: 'NOT_FOUND', message: 'no' } });
    };
    const list = await fetchSessions(`${url}/`, 'ck_city');
    expect(auth).toBe('Bearer ck_city');
    expect(list).toEqual([
      {
        id: 12,
        teamId: 34,
        cityCode: '360100',
        plannedStart: Date.parse('2024-10-21T02:00:00Z'),
        plannedEnd: Date.parse('2024-10-21T04:00:00Z'),
        products: [{ id: '5', name: '南昌米粉', priceFen: 3990 }],
      },
    ]);
  });

  it('is refused when malformed', () => {
    expect(() => toSimSessions({ items: [{ ...item, plannedStart: 'tomorrow' }] })).toThrow();
    expect(() => toSimSessions({ items: [{ ...item, products: [{ id: 'p', name: 'x', priceFen: 12.5 }] }] })).toThrow();
    expect(() => toSimSessions([item])).toThrow();
  });
});
