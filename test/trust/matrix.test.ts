// The permission matrix (test/helpers/matrix.ts) run against a real hub: every HTTP route × every caller,
// and every socket event × every caller, with each allowed answer scanned for data it must not carry.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { ack, connect, record, type Client } from '../helpers/socket.ts';
import {
  CITY_MARKS, FOREIGN, OWN_PHONES, PHONE, ROLES, USER_ROLES, fillPath, matrix, setupMatrix, socketMatrix,
  type MatrixSetup, type Outcome, type Role, type Row, type UserRole,
} from '../helpers/matrix.ts';
import type { ClientToServerEvents } from '../../contracts/live.ts';

const keyOf = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const isUserRole = (r: Role): r is UserRole => (USER_ROLES as readonly Role[]).includes(r);

/** What the table expects of `role` on a route of this access. */
function expected(row: Row, role: Role): Outcome | undefined {
  if (row.access === 'signed-in' && !isUserRole(role)) return 'unauth';
  if (row.access === 'collector' && role !== 'collectorA') return 'unauth';
  return row.expect[role];
}

function statusFits(outcome: Outcome, status: number): boolean {
  switch (outcome) {
    case 'ok':
      return status >= 200 && status < 300;
    case 'pass':
      return (status >= 200 && status < 300) || [400, 409, 423].includes(status);
    case 'reached':
      return status < 500 && status !== 401 && status !== 403;
    case 'deny':
      return status === 403 || status === 404;
    case 'unauth':
      return status === 401;
  }
}

/** Everything in `text` that `role` must not receive; empty when clean. */
function leaks(text: string, role: Role, shared: boolean): string[] {
  const found: string[] = [];
  if (role !== 'province') {
    const own: string[] = role === 'teamA' || role === 'teamB' ? OWN_PHONES[role] : [];
    for (const m of text.match(PHONE) ?? []) if (!own.includes(m)) found.push(`phone ${m}`);
  }
  const foreign = FOREIGN[role];
  if (foreign && !shared) for (const mark of CITY_MARKS[foreign]) if (text.includes(mark)) found.push(`city ${foreign} data "${mark}"`);
  return found;
}

describe('the permission matrix (pglite, one hub)', () => {
  let h: TestHub;
  let m: MatrixSetup;

  beforeAll(async () => {
    h = await startTestHub('pglite');
    m = await setupMatrix(h);
  });
  afterAll(() => h?.close());

  test('every route the hub serves has a row, every row names a served route, with the same access', () => {
    const served = new Map(h.hub.routes.map((r) => [keyOf(r), r.access]));
    const missing = [...served.keys()].filter((k) => !(k in matrix));
    const stale = Object.keys(matrix).filter((k) => !served.has(k));
    expect({ missing, stale }).toEqual({ missing: [], stale: [] });
    const accessDiffers = Object.entries(matrix).filter(([k, row]) => served.get(k) !== row.access).map(([k]) => k);
    expect(accessDiffers).toEqual([]);
  });

  test('every socket event refuses callers outside its scope in the ack, and sends them no snapshot', async () => {
    const failures: string[] = [];
    // Anonymous, a revoked key and an expired token are refused at the handshake.
    const noToken = await connect(h.url, '').then(
      (s) => (s.close(), 'connected'),
      (e: { data?: { code?: string } }) => e.data?.code,
    );
    if (noToken !== 'UNAUTHENTICATED') failures.push(`anonymous handshake: ${String(noToken)}`);
    for (const role of ['revokedKey', 'expiredToken'] as const) {
      const got = await connect(h.url, m.tokens[role]).then(
        (s) => (s.close(), 'connected'),
        (e: { data?: { code?: string } }) => e.data?.code,
      );
      if (got !== 'UNAUTHENTICATED') failures.push(`${role} handshake: ${String(got)}`);
    }

    const roles = [...USER_ROLES, 'collectorA'] as const;
    const sockets = new Map<(typeof roles)[number], Client>();
    for (const role of roles) sockets.set(role, await connect(h.url, m.tokens[role]));
    const snapshots = new Map<(typeof roles)[number], { wall: unknown[]; city: unknown[]; session: unknown[] }>();
    for (const [role, s] of sockets)
      snapshots.set(role, { wall: record(s, 'wall:snapshot'), city: record(s, 'city:snapshot'), session: record(s, 'session:snapshot') });
    try {
      for (const [event, row] of Object.entries(socketMatrix) as Array<[keyof ClientToServerEvents, (typeof socketMatrix)[keyof ClientToServerEvents]]>) {
        for (const role of roles) {
          const s = sockets.get(role)!;
          const seen = snapshots.get(role)!;
          const before = { wall: seen.wall.length, city: seen.city.length, session: seen.session.length };
          const a = await ack<unknown>(s, event, row.payload(m.ids));
          const want = row.expect[role];
          const got = a.ok ? 'ok' : a.error.code;
          if (got !== want) failures.push(`${event} as ${role}: ack ${got}, expected ${want}`);
          const arrived = {
            wall: seen.wall.slice(before.wall),
            city: seen.city.slice(before.city),
            session: seen.session.slice(before.session),
          };
          const count = arrived.wall.length + arrived.city.length + arrived.session.length;
          const expectedCount = want === 'ok' && row.snapshot ? 1 : 0;
          if (count !== expectedCount) failures.push(`${event} as ${role}: ${count} snapshot(s), expected ${expectedCount}`);
          const text = JSON.stringify([a, arrived]);
          for (const l of leaks(text, role, false)) failures.push(`${event} as ${role} leaks ${l}`);
        }
      }
    } finally {
      for (const s of sockets.values()) s.close();
    }
    expect(failures).toEqual([]);
  });

  // Several hundred requests: generous under a loaded machine (the requests themselves are checked, not the time).
  test('every route answers every caller as the table says, with nothing it must not see', { timeout: 120_000 }, async () => {
    const order = (row: Row, key: string) => (row.phase === 'last' ? 2 : key.startsWith('GET ') ? 0 : 1);
    const rows = Object.entries(matrix)
      .map(([key, row], i) => ({ key, row, i }))
      .sort((a, b) => order(a.row, a.key) - order(b.row, b.key) || a.i - b.i);
    const failures: string[] = [];
    let calls = 0;
    for (const { key, row } of rows) {
      const [method, path] = key.split(' ') as [string, string];
      for (const role of ROLES) {
        const outcome = expected(row, role);
        if (!outcome) {
          failures.push(`${key}: no expectation for ${role}`);
          continue;
        }
        const token = role === 'anonymous' ? undefined : m.tokens[role];
        const q = row.query ? `?${new URLSearchParams(row.query(m.ids)).toString()}` : '';
        const url = h.url + fillPath(path, row.params?.(m.ids, role) ?? {}) + q;
        const body = row.body?.(m.ids, role);
        const headers: Record<string, string> = {};
        if (token) headers['authorization'] = `Bearer ${token}`;
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        calls++;
        const isJson = (res.headers.get('content-type') ?? '').includes('application/json');
        const text = row.binary && res.status < 400 ? '' : await res.text();
        const what = `${key} as ${role}`;
        if (!statusFits(outcome, res.status)) failures.push(`${what}: ${res.status}, expected ${outcome} (${text.slice(0, 160)})`);
        if (res.status >= 400) {
          // Refusals carry the envelope and nothing else: no data of the refused resource.
          const parsed: unknown = isJson && text ? JSON.parse(text) : undefined;
          const env = parsed as { error?: { code?: unknown; message?: unknown } } | undefined;
          const onlyError = typeof parsed === 'object' && parsed !== null && Object.keys(parsed).join() === 'error';
          if (!onlyError || typeof env?.error?.code !== 'string' || typeof env.error.message !== 'string')
            failures.push(`${what}: ${res.status} without the bare error envelope: ${text.slice(0, 160)}`);
          if (res.status === 401 && env?.error?.code !== 'UNAUTHENTICATED') failures.push(`${what}: 401 with code ${String(env?.error?.code)}`);
          if (res.status === 403 && env?.error?.code !== 'FORBIDDEN') failures.push(`${what}: 403 with code ${String(env?.error?.code)}`);
        } else if (!row.binary && text && !isJson) failures.push(`${what}: ${res.status} is not JSON`);
        for (const l of leaks(text, role, row.shared !== undefined)) failures.push(`${what} leaks ${l}`);
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBe(Object.keys(matrix).length * ROLES.length);
  });
});
