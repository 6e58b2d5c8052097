// The persister keeps per-minute aggregates incrementally (only rows PostgreSQL did not have are added). The
// oracle is the aggregate recomputed from the whole event log, as the persister used to do it: after batches with
// duplicates, late events for earlier minutes, refunds and several sessions, the table equals the oracle exactly.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dbKinds } from '../helpers/db.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { minuteIncrements } from '../../server/live/persister.ts';
import type { IngestEvent } from '../../contracts/ingest.ts';

const ORACLE = `
SELECT e."sessionId", date_trunc('minute', e."at") AS minute,
  COALESCE(MAX(e."online"), 0)::int AS "onlineMax",
  COALESCE((array_agg(e."online" ORDER BY e."at" DESC, e."eventId" DESC) FILTER (WHERE e."type" = 'stats'))[1], 0)::int AS "onlineLast",
  COALESCE(MAX(e."views"), 0)::int AS views, MAX(e."viewers")::int AS viewers, COALESCE(MAX(e."likes"), 0)::int AS likes,
  (COUNT(*) FILTER (WHERE e."type" = 'order'))::int AS orders,
  COALESCE(SUM(e."quantity") FILTER (WHERE e."type" = 'order'), 0)::int AS units,
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'order'), 0)::int AS "gmvFen",
  (COUNT(*) FILTER (WHERE e."type" = 'refund'))::int AS refunds,
  COALESCE(SUM(e."amountFen") FILTER (WHERE e."type" = 'refund'), 0)::int AS "refundFen"
FROM "LiveEvent" e GROUP BY e."sessionId", minute ORDER BY 1, 2`;
const TABLE = `
SELECT "sessionId", "minute", "onlineMax", "onlineLast", views, viewers, likes, orders, units, "gmvFen", refunds, "refundFen"
FROM "MinuteAggregate" ORDER BY 1, 2`;

describe.each(dbKinds)('minute aggregates kept incrementally (%s)', (kind) => {
  let h: TestHub;
  let key: string;
  beforeAll(async () => {
    h = await startTestHub(kind);
    key = (await createCollectorKey(h.db, { cityCode: CITY_A })).key;
  });
  afterAll(() => h?.close());

  test('equal the aggregates recomputed from the whole log, after duplicates, late events and refunds', async () => {
    const { sessionA1, sessionA2 } = h.fx;
    const t0 = Math.floor((Date.now() - 6 * 60_000) / 60_000) * 60_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const batch = (b: number): IngestEvent[] => {
      const out: IngestEvent[] = [];
      for (const sid of [sessionA1, sessionA2]) {
        for (let i = 0; i < 12; i++) {
          const k = b * 12 + i;
          // Each batch reaches back into earlier minutes too (late events), and two stats share one instant.
          const at = t0 + ((k * 13_000) % (5 * 60_000)) + (i % 4 === 0 ? 0 : 1);
          out.push({ type: 'stats', id: `s${sid}-${k}`, sessionId: sid, at: iso(at), online: 30 + ((k * 17) % 50), views: 100 + k * 9, ...(k % 3 ? { viewers: 20 + k } : {}), ...(k % 2 ? { likes: k * 2 } : {}) });
          if (i % 3 === 0) out.push({ type: 'order', id: `o${sid}-${k}`, sessionId: sid, at: iso(at + 100), orderId: `O${sid}-${k}`, quantity: 1 + (k % 4), amountFen: 1500 + k * 37 });
        }
        if (b > 0) out.push({ type: 'refund', id: `r${sid}-${b}`, sessionId: sid, at: iso(t0 + 5 * 60_000 - 1000), orderId: `O${sid}-${(b - 1) * 12}`, amountFen: 400 });
      }
      return out;
    };
    for (let b = 0; b < 5; b++) {
      const events = batch(b);
      const r = await h.req('POST', '/api/v1/ingest', { token: key, body: { events } });
      expect(r.status).toBe(200);
      expect(r.body.rejected).toEqual([]);
      // The previous batch again: every event a duplicate, nothing added twice.
      if (b > 0) {
        const again = await h.req('POST', '/api/v1/ingest', { token: key, body: { events: batch(b - 1) } });
        expect(again.body).toMatchObject({ accepted: 0, rejected: [] });
      }
    }
    await h.hub.live.persister!.drain(15_000);
    const table = await h.db.query(TABLE);
    const oracle = await h.db.query(ORACLE);
    expect(table.length).toBeGreaterThanOrEqual(10);
    expect(table).toEqual(oracle);

    // Writing the same entries again (a crash between write and ack) changes nothing.
    const rows = await h.db.prisma.liveEvent.findMany({ where: { sessionId: sessionA1 }, take: 30 });
    const replay = {
      id: 'replay',
      events: rows.map((r) => ({
        event: r.type === 'order'
          ? { type: 'order' as const, id: r.eventId, sessionId: sessionA1, at: r.at.toISOString(), orderId: r.orderId!, quantity: r.quantity!, amountFen: r.amountFen! }
          : { type: 'stats' as const, id: r.eventId, sessionId: sessionA1, at: r.at.toISOString(), online: r.online ?? 0, views: r.views ?? 0 },
        atMs: r.at.getTime(), receivedAt: r.receivedAt.getTime(), source: r.source,
        meta: { sessionId: sessionA1, stageId: h.fx.stageId, teamId: h.fx.teamA1, cityCode: CITY_A, universityId: h.fx.uniA },
      })),
    };
    await h.hub.live.persister!.write([replay]);
    expect(await h.db.query(TABLE)).toEqual(oracle);
  });
});

describe('minuteIncrements', () => {
  test('sums orders and refunds, keeps counter maxima, and leaves viewers null when no event had them', () => {
    const meta = { sessionId: 7, stageId: 1, teamId: 1, cityCode: CITY_A, universityId: 1 };
    const at = Date.UTC(2026, 10, 26, 12, 0, 30);
    const ev = (event: IngestEvent, atMs = at) => ({ event, atMs, receivedAt: atMs, source: 'collector' as const, meta });
    const inc = minuteIncrements([
      ev({ type: 'stats', id: 'a', sessionId: 7, at: '', online: 40, views: 100, likes: 5 }),
      ev({ type: 'stats', id: 'b', sessionId: 7, at: '', online: 25, views: 130 }),
      ev({ type: 'order', id: 'c', sessionId: 7, at: '', orderId: 'O1', quantity: 2, amountFen: 3000 }),
      ev({ type: 'refund', id: 'd', sessionId: 7, at: '', orderId: 'O1', amountFen: 1000 }),
      ev({ type: 'order', id: 'e', sessionId: 7, at: '', orderId: 'O2', quantity: 1, amountFen: 990 }, at + 60_000),
    ]);
    expect(inc).toEqual([
      { sessionId: 7, minute: Date.UTC(2026, 10, 26, 12, 0), onlineMax: 40, views: 130, viewers: null, likes: 5, orders: 1, units: 2, gmvFen: 3000, refunds: 1, refundFen: 1000, hasStats: true },
      { sessionId: 7, minute: Date.UTC(2026, 10, 26, 12, 1), onlineMax: 0, views: 0, viewers: null, likes: 0, orders: 1, units: 1, gmvFen: 990, refunds: 0, refundFen: 0, hasStats: false },
    ]);
  });
});
