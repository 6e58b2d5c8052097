// The persister keeps per-minute aggregates incrementally (only rows PostgreSQL did not have are added). The
// oracle is the aggregate recomputed from the whole event log, as the persister used to do it: after batches with
// duplicates, late events for earlier minutes, refunds and several sessions, the table equals the oracle exactly.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dbKinds } from '../helpers/db.ts';
import { CITY_A } from '../helpers/fixture.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { createCollectorKey } from '../../server/auth/service.ts';
import { joinLogJson } from '../../server/live/persister.ts';
import { MINUTE_AGGREGATES } from '../helpers/aggregates.ts';
import { logEntry, type StoreEvent } from '../../server/live/store.ts';
import type { IngestEvent } from '../../contracts/ingest.ts';

const { ORACLE, TABLE } = MINUTE_AGGREGATES;

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
    const replay = logEntry('replay', rows.map((r) => ({
        event: r.type === 'order'
          ? { type: 'order' as const, id: r.eventId, sessionId: sessionA1, at: r.at.toISOString(), orderId: r.orderId!, quantity: r.quantity!, amountFen: r.amountFen! }
          : { type: 'stats' as const, id: r.eventId, sessionId: sessionA1, at: r.at.toISOString(), online: r.online ?? 0, views: r.views ?? 0 },
        atMs: r.at.getTime(), receivedAt: r.receivedAt.getTime(), source: r.source,
        meta: { sessionId: sessionA1, stageId: h.fx.stageId, teamId: h.fx.teamA1, cityCode: CITY_A, universityId: h.fx.uniA },
      })),
    );
    await h.hub.live.persister!.write([replay]);
    expect(await h.db.query(TABLE)).toEqual(oracle);
  });

  test('sums orders and refunds, keeps counter maxima and the latest stats event\'s online, viewers null when none had them', async () => {
    const sid = h.fx.sessionB1;
    const meta = { sessionId: sid, stageId: h.fx.stageId, teamId: 1, cityCode: CITY_A, universityId: 1 };
    const at = Math.floor((Date.now() - 10 * 60_000) / 60_000) * 60_000 + 30_000;
    const ev = (event: IngestEvent, atMs = at): StoreEvent => ({ event, atMs, receivedAt: atMs, source: 'collector', meta });
    const events = [
      ev({ type: 'stats', id: 'a', sessionId: sid, at: '', online: 40, views: 100, likes: 5 }),
      ev({ type: 'stats', id: 'b', sessionId: sid, at: '', online: 25, views: 130 }, at + 1),
      ev({ type: 'order', id: 'c', sessionId: sid, at: '', orderId: 'O1', quantity: 2, amountFen: 3000, productName: '南丰蜜桔 "礼盒" \\ 5斤' }),
      ev({ type: 'refund', id: 'd', sessionId: sid, at: '', orderId: 'O1', amountFen: 1000 }),
      ev({ type: 'order', id: 'e', sessionId: sid, at: '', orderId: 'O2', quantity: 1, amountFen: 990 }, at + 60_000),
    ];
    // Split over two entries, the second written twice.
    await h.hub.live.persister!.write([logEntry('x1', events.slice(0, 3)), logEntry('x2', events.slice(3))]);
    await h.hub.live.persister!.write([logEntry('x2', events.slice(3))]);
    // Late: an earlier stats event (it raises the maximum, not the last figure), and one at the last instant with a
    // higher id (it becomes the last figure).
    await h.hub.live.persister!.write([logEntry('x3', [
      ev({ type: 'stats', id: 'a2', sessionId: sid, at: '', online: 99, views: 1 }, at - 1),
      ev({ type: 'stats', id: 'bb', sessionId: sid, at: '', online: 31, views: 1 }, at + 1),
    ])]);
    const rows = await h.db.query(`${TABLE.replace('ORDER BY', 'WHERE "sessionId" = $1 ORDER BY')}`, [sid]);
    expect(rows).toEqual([
      { sessionId: sid, minute: new Date(at - 30_000), onlineMax: 99, onlineLast: 31, onlineLastAt: new Date(at + 1), onlineLastId: 'bb', views: 130, viewers: null, likes: 5, orders: 1, units: 2, gmvFen: 3000, refunds: 1, refundFen: 1000 },
      { sessionId: sid, minute: new Date(at + 30_000), onlineMax: 0, onlineLast: 0, onlineLastAt: null, onlineLastId: null, views: 0, viewers: null, likes: 0, orders: 1, units: 1, gmvFen: 990, refunds: 0, refundFen: 0 },
    ]);
    const order = await h.db.prisma.liveEvent.findUnique({ where: { sessionId_eventId: { sessionId: sid, eventId: 'c' } } });
    expect(order).toMatchObject({ type: 'order', source: 'collector', at: new Date(at), receivedAt: new Date(at), orderId: 'O1', quantity: 2, amountFen: 3000, productName: '南丰蜜桔 "礼盒" \\ 5斤', buyerRef: null, online: null });
    expect(h.hub.live.persister!.stats.events).toBeGreaterThanOrEqual(9);
  });
});

describe('joinLogJson', () => {
  test('joins log entries\' arrays into one without parsing them, skipping empty ones', () => {
    expect(joinLogJson(['[{"a":1}]', '[]', ' [ {"b":"[]"},{"c":[2]} ] ', '[{"d":"\u00e9"}]'])).toBe('[{"a":1},{"b":"[]"},{"c":[2]},{"d":"\u00e9"}]');
    expect(joinLogJson([])).toBe('[]');
    expect(joinLogJson(['[]', '[ ]'])).toBe('[]');
  });
});
