// Hostile input: fast-check (fixed seed) throws malformed and hostile payloads at ingest, sign-in, the import
// preview and every write route, as every caller. Each must be a 4xx with the error envelope (or a 2xx when
// the payload happens to be valid), never a 5xx, a stack trace or SQL; nothing rejected may be stored.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { setupMatrix, type MatrixSetup } from '../helpers/matrix.ts';
import { IngestEvent, MAX_BATCH } from '../../contracts/ingest.ts';
import { CSV_TYPE, XLSX_TYPE } from '../../contracts/imports.ts';

const SEED = 20241021;
const LEAK = [/\n\s+at\s/, /\.(ts|js):\d+:\d+/, /PrismaClient|Invalid `prisma|prisma\.\w+\.\w+\(/, /SQLSTATE|syntax error at or near|violates (unique|foreign key)|relation "\w+" does not exist/i];

interface Answer {
  status: number;
  text: string;
  body: unknown;
}

describe('hostile input (pglite, one hub)', () => {
  let h: TestHub;
  let m: MatrixSetup;
  let requests = 0;
  const problems: string[] = [];

  /** Sends a request and checks what every answer must satisfy; returns it for the caller's own checks. */
  async function send(what: string, method: string, path: string, opts: { token?: string; raw?: string | Uint8Array; type?: string } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.raw !== undefined) headers['content-type'] = opts.type ?? 'application/json';
    const res = await fetch(h.url + path, { method, headers, ...(opts.raw !== undefined ? { body: opts.raw } : {}) });
    requests++;
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const short = `${what}: ${res.status} ${text.slice(0, 200)}`;
    if (res.status >= 500) problems.push(`5xx ${short}`);
    if (res.status >= 400) {
      const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      if (typeof e?.code !== 'string' || typeof e.message !== 'string') problems.push(`no error envelope ${short}`);
    }
    for (const re of LEAK) if (re.test(text)) problems.push(`internals (${re.source}) in ${short}`);
    return { status: res.status, text, body };
  }
  const json = (v: unknown) => JSON.stringify(v);

  beforeAll(async () => {
    // Sign-in limits would answer 429 (still a fine 4xx) and slow nothing; ingest is limited per key per second.
    h = await startTestHub('pglite', { env: { INGEST_MAX_RPS: '100000' } });
    m = await setupMatrix(h);
  });
  afterAll(() => h?.close());

  // ───────── generators

  // NUL ('\u0000') is left out here: it is a known bug with its own tests (test/trust/bugs.test.ts), and an
  // accepted event carrying one stalls the persister, which would hang this suite rather than fail it.
  const unicodeTricks = fc.constantFrom('\u202Eevil', 'a\u200Bb', '\uD800', '\uDFFF', 'x\u0001y', '\u0007\u001b[31m', '\uFEFF', '𠜎'.repeat(40), '\u0301\u0301\u0301', 'Ａ', '\u2028');
  const hostileString = fc.oneof(
    unicodeTricks,
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.constantFrom('NaN', 'Infinity', '-1', '1e309', '0x10', '', ' ', '__proto__', 'constructor', "'; DROP TABLE \"LiveEvent\"; --", '$where', '%00', '../../etc/passwd'),
    fc.nat({ max: 5 }).map((k) => 'x'.repeat(10 ** k)),
  );
  const hostileNumber = fc.oneof(
    fc.constantFrom(-1, -0.5, 0.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER, 100_000_001, 2_000_000_001),
    fc.integer(),
    fc.double(),
  );
  const hostileTime = fc.constantFrom(
    '9999-12-31T23:59:59Z', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '+275760-09-13T00:00:00.000Z', '2024-13-45T25:61:61Z',
    new Date(Date.now() + 3600_000).toISOString(), new Date(Date.now() - 400 * 86_400_000).toISOString(), 'yesterday', '',
  );
  const deep = fc.nat({ max: 3 }).map((k) => {
    let v: unknown = 1;
    for (let i = 0; i < 10 ** k; i++) v = [v];
    return v;
  });
  const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
    hostileString, hostileNumber, hostileTime, deep, fc.constant(null), fc.boolean(),
    fc.array(fc.nat(), { maxLength: 5000 }), fc.jsonValue({ maxDepth: 4 }),
  );

  // ───────── ingest

  test('ingest: 500 hostile batches are refused or rejected by index, and nothing rejected is stored', async () => {
    const fx = m.ids;
    const at = () => new Date(Date.now() - 30_000).toISOString();
    const base = (i: number, sid: number) => ({ type: 'order', id: `fz-${i}`, sessionId: sid, at: at(), orderId: `fz-o-${i}`, quantity: 1, amountFen: 100 });
    const fields = ['type', 'id', 'sessionId', 'at', 'orderId', 'quantity', 'amountFen', 'productName', 'buyerRef', 'online', 'views', 'extra'];
    let n = 0;
    // One event, broken in one or more ways; sessionB1 through city A's key is out of scope.
    const hostileEvent = fc.oneof(
      fc.record({ field: fc.constantFrom(...fields), value: hostileValue, sid: fc.constantFrom(fx.sessionA1, fx.sessionA2, fx.sessionB1) }).map(({ field, value, sid }) => ({
        ...base(++n, sid), [field]: value,
      })),
      fc.constantFrom(fx.sessionB1).map((sid) => base(++n, sid)),
      fc.record({ amountFen: fc.integer({ max: -1 }) }).map(({ amountFen }) => ({ ...base(++n, fx.sessionA1), amountFen })),
      fc.record({ type: fc.constant('refund'), amountFen: hostileNumber }).map((r) => ({ ...base(++n, fx.sessionA1), ...r, orderId: 'never-ordered' })),
      fc.record({ at: hostileTime }).map(({ at }) => ({ ...base(++n, fx.sessionA1), at })),
      hostileValue,
    );
    const rawEvent = fc.constantFrom(
      // Prototype pollution and duplicate keys only exist in the raw text.
      (i: number) => `{"__proto__":{"polluted":"yes"},"type":"order","id":"fz-p-${i}","sessionId":${fx.sessionA1},"at":"${at()}","orderId":"fz-p-${i}","quantity":1,"amountFen":1}`,
      (i: number) => `{"constructor":{"prototype":{"polluted":"yes"}},"type":"stats","id":"fz-c-${i}","sessionId":${fx.sessionA1},"at":"${at()}","online":1,"views":1}`,
      (i: number) => `{"type":"order","id":"fz-d-${i}","sessionId":${fx.sessionA1},"at":"${at()}","orderId":"fz-d-${i}","quantity":1,"amountFen":100,"amountFen":-100}`,
      (i: number) => `{"type":"refund","id":"fz-r-${i}","sessionId":${fx.sessionA1},"sessionId":${fx.sessionB1},"at":"${at()}","orderId":"x","amountFen":5}`,
    );
    const batch = fc.oneof(
      { weight: 6, arbitrary: fc.array(fc.oneof(hostileEvent.map(json), rawEvent.map((f) => f(++n))), { minLength: 1, maxLength: 20 }).map((evs) => `{"events":[${evs.join(',')}]}`) },
      { weight: 1, arbitrary: hostileValue.map((v) => json({ events: v })) },
      { weight: 1, arbitrary: hostileValue.map((v) => json(v) ?? 'null') },
      { weight: 1, arbitrary: fc.constantFrom('{"events":[', '{"events":[]}', '[]', '{"events":[{}],"extra":1}', '{"__proto__":{"events":[]}}', `{"events":${'['.repeat(5000)}${']'.repeat(5000)}}`) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    );
    const store = h.hub.live.store;
    const sids = [fx.sessionA1, fx.sessionA2, fx.sessionB1];
    const snapshot = async () => json([...(await store.getSessions(sids))].sort(([a], [b]) => a - b));
    let accepted = 0;
    const stored = async () => Number((await h.db.query<{ n: string }>('SELECT count(*) AS n FROM "LiveEvent"'))[0]!.n);
    await h.hub.live.persister!.drain();
    const storedBefore = await stored();

    await fc.assert(
      // Without NUL (see above): JSON.stringify writes it as \u0000, raw binary strings as the byte.
      fc.asyncProperty(batch.map((t) => t.replace(/\\u0000|\u0000/g, '')), async (raw) => {
        const before = await snapshot();
        const r = await send('ingest', 'POST', '/api/v1/ingest', { token: m.tokens.collectorA, raw });
        expect([200, 400]).toContain(r.status);
        const res = r.body as { accepted?: number; rejected?: Array<{ index: number; code: string }> } | undefined;
        if (r.status === 200 && res?.accepted) {
          // Only events that are valid by the contract may be accepted.
          const events = (JSON.parse(raw) as { events: unknown[] }).events;
          const rejected = new Set(res.rejected?.map((x) => x.index));
          events.forEach((e, i) => {
            if (!rejected.has(i) && !IngestEvent.safeParse(e).success) problems.push(`ingest accepted an invalid event: ${json(e).slice(0, 200)}`);
            if (!rejected.has(i) && (e as { sessionId?: unknown }).sessionId === fx.sessionB1) problems.push('ingest accepted another city’s session');
          });
          accepted += res.accepted;
        } else {
          expect(await snapshot()).toBe(before);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 500, seed: SEED, endOnFailure: true },
    );

    // The durable log gained exactly the accepted events, none out of bounds, none of city B's session.
    await h.hub.live.persister!.drain();
    expect((await stored()) - storedBefore).toBe(accepted);
    const bad = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM "LiveEvent" WHERE "amountFen" < 0 OR "amountFen" > 100000000 OR "quantity" < 1 OR "sessionId" = ${fx.sessionB1}`,
    );
    expect(Number(bad[0]!.n)).toBe(0);
    expect(problems).toEqual([]);
  });

  test('ingest: a body over 1 MB is 413, a batch of 1001 events is 400, and the server has a request timeout', async () => {
    const big = json({ events: [{ type: 'stats', id: 'x'.repeat(1_100_000) }] });
    const r = await send('too large', 'POST', '/api/v1/ingest', { token: m.tokens.collectorA, raw: big });
    expect(r.status).toBe(413);
    expect((r.body as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const events = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({
      type: 'stats', id: `fz-big-${i}`, sessionId: m.ids.sessionA1, at: new Date().toISOString(), online: 1, views: 1,
    }));
    const many = await send('1001 events', 'POST', '/api/v1/ingest', { token: m.tokens.collectorA, raw: json({ events }) });
    expect(many.status).toBe(400);
    expect(h.hub.server.requestTimeout).toBeGreaterThan(0);
    expect(h.hub.server.requestTimeout).toBe(h.config.REQUEST_TIMEOUT_SECONDS * 1000);
    expect(problems).toEqual([]);
  });

  test('sign-in: 150 hostile bodies are 400, 401 or 429, never more', async () => {
    const body = fc.oneof(
      fc.record({ username: hostileValue, password: hostileValue }).map(json),
      hostileValue.map((v) => json(v) ?? 'null'),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom('{"username":"prov","password":"x","__proto__":{"role":"province"}}', '{"username":"prov","username":"cityA","password":"password123"}'),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const r = await send('login', 'POST', '/api/v1/auth/login', { raw });
        if (r.status === 200) {
          // Only a real pair signs in (the duplicate-key body is cityA's, the last key winning).
          expect((r.body as { user: { username: string } }).user.username).toBe('cityA');
        } else expect([400, 401, 429]).toContain(r.status);
      }),
      { numRuns: 150, seed: SEED, endOnFailure: true },
    );
    expect(problems).toEqual([]);
  });

  test('import preview: 100 random files as xlsx or csv are answered, never with a 5xx', async () => {
    const file = fc.record({
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 20_000 }),
        fc.uint8Array({ maxLength: 5000 }).map((b) => new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...b])),
        fc.string({ unit: 'binary', maxLength: 3000 }).map((s) => new TextEncoder().encode(s)),
      ),
      type: fc.constantFrom(XLSX_TYPE, CSV_TYPE, 'application/csv'),
      kind: fc.constantFrom('registration', 'shops'),
      role: fc.constantFrom('cityA', 'province', 'cityB'),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ bytes, type, kind, role }) => {
        const r = await send(`preview ${kind} ${type}`, 'POST', `/api/v1/imports/${kind}/preview`, { token: m.tokens[role], raw: bytes, type });
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 100, seed: SEED, endOnFailure: true },
    );
    expect(problems).toEqual([]);
  });

  test('every write route: 400 random bodies and params as every caller are never a 5xx', async () => {
    // Sign-out revokes the caller's token; it takes no body, and the matrix covers it.
    const writes = h.hub.routes.filter((r) => r.method !== 'get' && r.path !== '/api/v1/auth/logout');
    const fx = m.ids;
    const param = fc.oneof(
      fc.constantFrom(fx.teamA1, fx.teamB1, fx.sessionA1, fx.sessionB1, fx.memberA1, fx.stageId, fx.ticketA, fx.accountA, fx.trainingA).map(String),
      fc.constantFrom('0', '-1', '99999999999', '1e3', '1.5', 'NaN', '%00', '%E2%80%AE', 'null', '__proto__', '360100', '360200', 'registration', 'checklist.blocksLive', 'youle', 'x'.repeat(300)),
    );
    const call = fc.record({
      route: fc.constantFrom(...writes),
      role: fc.constantFrom('anonymous', 'teamA', 'teamB', 'cityA', 'cityB', 'province', 'collectorA'),
      params: fc.array(param, { minLength: 4, maxLength: 4 }),
      body: fc.oneof(
        { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => json(v)) },
        { weight: 2, arbitrary: fc.dictionary(fc.constantFrom('teamId', 'sessionId', 'cityCode', 'name', 'kind', 'text', 'status', 'value', 'items', 'reason', 'events', '__proto__'), hostileValue).map(json) },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      ),
    });
    await fc.assert(
      fc.asyncProperty(call, async ({ route, role, params, body }) => {
        let i = 0;
        const path = route.path.replace(/:([A-Za-z]+)/g, () => params[i++ % params.length]!);
        const token = role === 'anonymous' ? undefined : m.tokens[role];
        const r = await send(`${route.method.toUpperCase()} ${route.path} as ${role}`, route.method.toUpperCase(), path, { ...(token ? { token } : {}), raw: body });
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 400, seed: SEED, endOnFailure: true },
    );
    expect(problems).toEqual([]);
  });

  test('after all of it the hub is still up, having answered at least 1,000 hostile requests', async () => {
    const r = await send('health', 'GET', '/api/health');
    expect(r.status).toBe(200);
    expect(requests).toBeGreaterThanOrEqual(1000);
    expect(problems).toEqual([]);
  });
});
