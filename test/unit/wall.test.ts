// Pure pieces of the province wall: big-order selection, yesterday's curve on today's axis, the rolling digits,
// the stage's fit, the pages of a rolling board and the area tiles.
import { describe, expect, test } from 'vitest';
import type { IngestEvent } from '../../contracts/ingest.ts';
import { newestBigOrders, type BigOrder } from '../../contracts/live.ts';
import { bigOrdersOfDay, selectBigOrders, yesterdayOnToday, type AcceptedEvent } from '../../server/domain/wall.ts';
import { DAY, MINUTE, shanghaiInstant } from '../../server/domain/time.ts';
import { rollCells, stripOffset } from '../../client/src/utils/rolling.ts';
import { fitStage, pageStarts } from '../../client/src/utils/stage.ts';
import { cityTiles, curveValueAt, todayGmv } from '../../client/src/utils/wallFigures.ts';

const T = shanghaiInstant('2024-10-21', 19, 30);
const who = { sessionId: 5, teamId: 7, teamName: '赣鄱新农人', cityCode: '360100' };
const orderEv = (id: string, amountFen: number, atMs: number, extra: Partial<Extract<IngestEvent, { type: 'order' }>> = {}): AcceptedEvent => ({
  ...who,
  atMs,
  event: { type: 'order', id, sessionId: 5, at: new Date(atMs).toISOString(), orderId: `o-${id}`, quantity: 1, amountFen, ...extra },
});

describe('selectBigOrders()', () => {
  test('keeps orders at or above the threshold, newest first, with what was sold and nothing of the buyer', () => {
    const got = selectBigOrders(
      [
        orderEv('a', 19_999, T),
        orderEv('b', 20_000, T + 1000, { productName: '南丰蜜桔', quantity: 3, buyerRef: 'buyer-1' }),
        orderEv('c', 88_800, T + 2000),
        { ...who, atMs: T, event: { type: 'refund', id: 'r', sessionId: 5, at: new Date(T).toISOString(), orderId: 'o-c', amountFen: 88_800 } },
        { ...who, atMs: T, event: { type: 'stats', id: 's', sessionId: 5, at: new Date(T).toISOString(), online: 10, views: 20 } },
      ],
      20_000,
    );
    expect(got.map((o) => o.id)).toEqual(['5:c', '5:b']);
    expect(got[1]).toEqual({
      id: '5:b', at: T + 1000, sessionId: 5, teamId: 7, teamName: '赣鄱新农人', cityCode: '360100', productName: '南丰蜜桔', quantity: 3, amountFen: 20_000,
    });
    expect(got[0]!.productName).toBeNull();
    expect(JSON.stringify(got)).not.toMatch(/buyer|o-b/);
  });

  test('nothing is big below the threshold', () => {
    expect(selectBigOrders([orderEv('a', 500, T)], 501)).toEqual([]);
  });
});

describe('newestBigOrders() and bigOrdersOfDay()', () => {
  const bo = (id: string, at: number): BigOrder => ({ ...who, id, at, productName: null, quantity: 1, amountFen: 30_000 });
  test('merges lists newest first, each order once, capped', () => {
    const merged = newestBigOrders([[bo('x', T + 2), bo('y', T)], [bo('y', T), bo('z', T + 1)]], 2);
    expect(merged.map((o) => o.id)).toEqual(['x', 'z']);
  });
  test('keeps the orders of the Shanghai day only', () => {
    const day = shanghaiInstant('2024-10-21');
    expect(bigOrdersOfDay([bo('late', day - 1), bo('first', day), bo('last', day + DAY - 1), bo('next', day + DAY)], day).map((o) => o.id)).toEqual(['first', 'last']);
  });
});

describe('yesterdayOnToday()', () => {
  const y = shanghaiInstant('2024-10-20');
  test('cumulates yesterday’s minutes in time order and moves them one day forward', () => {
    const got = yesterdayOnToday(
      [
        { t: y + 20 * 60 * MINUTE, gmvFen: 7_000 },
        { t: y + 19 * 60 * MINUTE, gmvFen: 15_000 },
        { t: y + 21 * 60 * MINUTE, gmvFen: 0 },
      ],
      y,
    );
    expect(got).toEqual([
      { t: y + DAY + 19 * 60 * MINUTE, gmvFen: 15_000 },
      { t: y + DAY + 20 * 60 * MINUTE, gmvFen: 22_000 },
    ]);
  });
  test('ignores minutes outside yesterday', () => {
    expect(yesterdayOnToday([{ t: y - MINUTE, gmvFen: 5 }, { t: y + DAY, gmvFen: 5 }], y)).toEqual([]);
  });
});

describe('curveValueAt() and todayGmv()', () => {
  const day = shanghaiInstant('2024-10-21');
  const curve = [{ t: day + 60 * MINUTE, gmvFen: 100 }, { t: day + 61 * MINUTE, gmvFen: 250 }];
  test('a cumulative minute counts from the end of its minute', () => {
    expect(curveValueAt(curve, day + 60 * MINUTE)).toBe(0);
    expect(curveValueAt(curve, day + 61 * MINUTE)).toBe(100);
    expect(curveValueAt(curve, day + 62 * MINUTE)).toBe(250);
  });
  test('today’s GMV is the curve’s last figure from today', () => {
    expect(todayGmv(curve, day)).toBe(250);
    expect(todayGmv(curve, day + DAY)).toBe(0);
    expect(todayGmv([], day)).toBe(0);
  });
});

describe('rolling digits', () => {
  test('cells are keyed from the right, so a growing number keeps its places', () => {
    const before = rollCells('¥987.65');
    const after = rollCells('¥1,234.56');
    expect(after.map((c) => (c.kind === 'digit' ? c.digit : c.char)).join('')).toBe('¥1,234.56');
    const units = (cells: typeof before) => cells.find((c) => c.key === 'd0');
    expect(units(before)).toEqual({ key: 'd0', kind: 'digit', digit: 5 });
    expect(units(after)).toEqual({ key: 'd0', kind: 'digit', digit: 6 });
    expect(new Set(after.map((c) => c.key)).size).toBe(after.length);
    expect(rollCells('—')).toEqual([{ key: 'c0:—', kind: 'char', char: '—' }]);
  });
  test('a strip moves up a tenth of its height per digit', () => {
    expect(stripOffset(0)).toBe('0%');
    expect(stripOffset(7)).toBe('-70%');
    expect(stripOffset(12)).toBe('-90%');
  });
});

describe('fitStage()', () => {
  test('16:9 screens scale the 1920×1080 stage exactly, with no margin', () => {
    expect(fitStage(1280, 720)).toEqual({ scale: 1280 / 1920, left: 0, top: 0 });
    expect(fitStage(3840, 2160)).toEqual({ scale: 2, left: 0, top: 0 });
  });
  test('other shapes are letterboxed, centred', () => {
    expect(fitStage(1440, 900)).toEqual({ scale: 0.75, left: 0, top: 45 });
    expect(fitStage(2560, 1080)).toEqual({ scale: 1, left: 320, top: 0 });
  });
});

describe('pageStarts()', () => {
  const rows = (n: number, h = 40) => ({ tops: Array.from({ length: n }, (_, i) => i * h), bottoms: Array.from({ length: n }, (_, i) => i * h + h - 2) });
  test('a list that fits is one page', () => {
    const { tops, bottoms } = rows(5);
    expect(pageStarts(tops, bottoms, 200)).toEqual([0]);
    expect(pageStarts([], [], 200)).toEqual([0]);
  });
  test('a long list pages at whole entries', () => {
    const { tops, bottoms } = rows(11);
    // 5 whole entries (the 5th ends at 198) per 200 px.
    expect(pageStarts(tops, bottoms, 200)).toEqual([0, 200, 400]);
    expect(pageStarts(tops, bottoms, 130)).toEqual([0, 120, 240, 360]);
  });
});

describe('cityTiles()', () => {
  test('every city has a tile, in the given order, with its board figures and sessions on air', () => {
    const tiles = cityTiles(
      ['360100', '360200', '360300'],
      [{ id: '360200', gmvFen: 500, rank: 1 }, { id: '369999', gmvFen: 1, rank: 2 }],
      [
        { cityCode: '360200', online: 30, air: true },
        { cityCode: '360200', online: 12, air: false },
        { cityCode: '360100', online: 5, air: true },
      ],
      (s) => s.air,
    );
    expect(tiles).toEqual([
      { code: '360100', gmvFen: 0, rank: null, liveSessions: 1, online: 5 },
      { code: '360200', gmvFen: 500, rank: 1, liveSessions: 1, online: 30 },
      { code: '360300', gmvFen: 0, rank: null, liveSessions: 0, online: 0 },
    ]);
  });
});
