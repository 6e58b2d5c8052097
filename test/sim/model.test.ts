import { describe, expect, it } from 'vitest';
import { IngestEvent, type OrderEvent, type StatsEvent } from '../../contracts/ingest';
import { SessionModel } from '../../server/sim/model';
import { gmv, MIN, ms, openingSession, run, session, T0 } from './helpers';

const SEED = 20241021;
const stats = (es: IngestEvent[]) => es.filter((e): e is StatsEvent => e.type === 'stats');
const orders = (es: IngestEvent[]) => es.filter((e): e is OrderEvent => e.type === 'order');

describe('SessionModel', () => {
  it('generates only events that validate against the ingest contract', () => {
    for (const s of [session(openingSession(SEED)), session(openingSession(SEED, 50), 60, { products: [] })]) {
      const events = run(new SessionModel(s, SEED), s);
      expect(events.length).toBeGreaterThan(1000);
      for (const e of events) expect(IngestEvent.safeParse(e).success, JSON.stringify(e)).toBe(true);
    }
  });

  it('gives unique ids, identical events for the same seed and different ones for another seed', () => {
    const s = session(openingSession(SEED));
    const a = run(new SessionModel(s, SEED), s);
    const b = run(new SessionModel(s, SEED), s);
    expect(b).toEqual(a);
    expect(new Set(a.map((e) => e.id)).size).toBe(a.length);
    expect(a.every((e) => e.id.startsWith(`${s.id}-`))).toBe(true);
    expect(new Set(orders(a).map((o) => o.orderId)).size).toBe(orders(a).length);
    const other = run(new SessionModel(s, SEED + 1), s);
    expect(other).not.toEqual(a);
  });

  it('keeps ids stable without a run tag and disjoint from an untagged run with one', () => {
    const s = session(openingSession(SEED));
    const plain = run(new SessionModel(s, SEED), s);
    const tagged = run(new SessionModel(s, SEED, 'x5-'), s);
    expect(tagged.length).toBe(plain.length);
    expect(tagged.every((e) => e.id.startsWith(`x5-${s.id}-`))).toBe(true);
    expect(orders(tagged).every((o) => o.orderId.startsWith(`YLx5-${s.id}-`))).toBe(true);
    const plainIds = new Set([...plain.map((e) => e.id), ...orders(plain).map((o) => o.orderId)]);
    expect(tagged.some((e) => plainIds.has(e.id) || (e.type !== 'stats' && plainIds.has(e.orderId)))).toBe(false);
    for (const e of tagged) expect(IngestEvent.safeParse(e).success, JSON.stringify(e)).toBe(true);
  });

  it('gives the same events and GMV whether stepped every second or every 5 seconds', () => {
    const s = session(openingSession(SEED, 7));
    const fine = run(new SessionModel(s, SEED), s, 1000);
    const coarse = run(new SessionModel(s, SEED), s, 5000);
    expect(gmv(fine)).toBeGreaterThan(0);
    expect(gmv(coarse) / gmv(fine)).toBeGreaterThan(0.5);
    expect(gmv(coarse) / gmv(fine)).toBeLessThan(2);
    expect(coarse).toEqual(fine); // the room runs in whole seconds whatever the caller's step
  });

  it('keeps ids stable when one late step catches up (a restarted collector resends the same ids)', () => {
    const s = session(openingSession(SEED));
    const live = run(new SessionModel(s, SEED), s);
    const caughtUp = new SessionModel(s, SEED).step(s.plannedEnd + 15 * MIN);
    const byId = new Map(live.map((e) => [e.id, e]));
    // Old stats are thinned to one a minute; every order and refund is there, under the same id.
    expect(caughtUp.filter((e) => e.type !== 'stats')).toEqual(live.filter((e) => e.type !== 'stats'));
    for (const e of caughtUp) expect(byId.get(e.id)).toEqual(e);
    expect(stats(caughtUp).length).toBeLessThan(stats(live).length / 10);
  });

  it('never decreases a cumulative counter, and viewers never exceed views', () => {
    for (const id of [openingSession(SEED), openingSession(SEED, 20)]) {
      const s = session(id);
      const st = stats(run(new SessionModel(s, SEED), s));
      for (const [prev, next] of st.slice(1).map((n, i) => [st[i]!, n] as const)) {
        for (const k of ['views', 'viewers', 'likes', 'comments', 'shares', 'followers'] as const) {
          expect(next[k]!).toBeGreaterThanOrEqual(prev[k]!);
        }
      }
      for (const x of st) expect(x.viewers!).toBeLessThanOrEqual(x.views);
    }
  });

  it('sends one stats event about every 2 s while the room is up', () => {
    const s = session(openingSession(SEED), 60);
    const m = new SessionModel(s, SEED);
    const st = stats(run(m, s));
    const roomMs = m.plan.endsAt - m.plan.opensAt! - (m.plan.stall ? m.plan.stall.to - m.plan.stall.from : 0);
    expect(st.length * 2000).toBeGreaterThan(roomMs * 0.8);
    expect(st.length * 2000).toBeLessThan(roomMs * 1.2);
  });

  it('fills the room over the first 15 minutes and empties it near the end', () => {
    let rising = 0;
    const ids = [1, 2, 3, 4, 5, 6].map((i) => openingSession(SEED, i * 10));
    for (const id of ids) {
      const s = session(id);
      const m = new SessionModel(s, SEED);
      const st = stats(run(m, s));
      const open = m.plan.opensAt!;
      const mean = (from: number, to: number) => {
        const xs = st.filter((x) => ms(x) >= open + from && ms(x) < open + to).map((x) => x.online);
        return xs.reduce((a, b) => a + b, 0) / xs.length;
      };
      if (mean(0, 2 * MIN) < mean(15 * MIN, 30 * MIN)) rising++;
      const last = st.at(-1)!;
      expect(last.online).toBeLessThan(mean(15 * MIN, m.plan.endsAt - open - 15 * MIN));
    }
    expect(rising).toBe(ids.length);
  });

  it('refunds only earlier orders of the same session, never beyond their amount, for a few percent of orders', () => {
    let orderCount = 0;
    let refundCount = 0;
    for (let id = 1; id <= 12; id++) {
      const s = session(id);
      const events = run(new SessionModel(s, SEED), s);
      const amounts = new Map<string, { amount: number; at: number }>();
      const refunded = new Map<string, number>();
      for (const e of events) {
        expect(e.sessionId).toBe(s.id);
        if (e.type === 'order') amounts.set(e.orderId, { amount: e.amountFen, at: ms(e) });
        if (e.type !== 'refund') continue;
        const o = amounts.get(e.orderId);
        expect(o, `refund of unknown order ${e.orderId}`).toBeDefined();
        expect(ms(e)).toBeGreaterThan(o!.at);
        const total = (refunded.get(e.orderId) ?? 0) + e.amountFen;
        expect(total).toBeLessThanOrEqual(o!.amount);
        refunded.set(e.orderId, total);
        refundCount++;
      }
      orderCount += amounts.size;
    }
    expect(refundCount / orderCount).toBeGreaterThan(0.01);
    expect(refundCount / orderCount).toBeLessThan(0.06);
  });

  it('prices orders as price × quantity, sometimes a little less, mostly 1–3 items, with some repeat buyers', () => {
    const s = session(openingSession(SEED));
    const os = orders(run(new SessionModel(s, SEED), s));
    const price = new Map(s.products.map((p) => [p.id, p.priceFen]));
    let full = 0;
    for (const o of os) {
      const list = price.get(o.productId!)! * o.quantity;
      expect(o.amountFen).toBeLessThanOrEqual(list);
      expect(o.amountFen).toBeGreaterThanOrEqual(Math.floor(list * 0.7));
      if (o.amountFen === list) full++;
      expect(o.buyerRef).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(full / os.length).toBeGreaterThan(0.8);
    expect(os.filter((o) => o.quantity <= 3).length / os.length).toBeGreaterThan(0.9);
    expect(new Set(os.map((o) => o.buyerRef)).size).toBeLessThan(os.length);
  });

  it('clusters orders in pitches, which cycle through the city products', () => {
    let inPitch = { n: 0, ms: 0 };
    let outside = { n: 0, ms: 0 };
    for (const id of [1, 2, 3, 4].map((i) => openingSession(SEED, i * 30))) {
      const s = session(id, 180);
      const m = new SessionModel(s, SEED);
      const os = orders(run(m, s));
      const pitches = m.pitches;
      expect(pitches.length).toBeGreaterThanOrEqual(10);
      expect(new Set(pitches.slice(0, s.products.length).map((p) => p.productId)).size).toBe(s.products.length);
      const pitchMs = pitches.reduce((a, p) => a + Math.min(p.to, m.plan.endsAt) - p.from, 0);
      const inside = os.filter((o) => pitches.some((p) => ms(o) >= p.from && ms(o) < p.to)).length;
      inPitch = { n: inPitch.n + inside, ms: inPitch.ms + pitchMs };
      outside = { n: outside.n + os.length - inside, ms: outside.ms + (m.plan.endsAt - m.plan.opensAt!) - pitchMs };
    }
    const perMinute = (x: { n: number; ms: number }) => x.n / (x.ms / MIN);
    expect(perMinute(inPitch)).toBeGreaterThan(1.5 * perMinute(outside));
  });

  it('opens near plannedStart, late for ≈8%, never for ≈3%, stalls ≈5% for 3–4 minutes, and ends by plannedEnd + 10 min', () => {
    const N = 400;
    let late = 0;
    let never = 0;
    let stalled = 0;
    for (let id = 1; id <= N; id++) {
      const s = session(id, 40);
      const m = new SessionModel(s, SEED);
      const events = run(m, s, 5000);
      if (m.plan.opensAt === null) {
        never++;
        expect(events).toEqual([]);
        continue;
      }
      const first = ms(events[0]!);
      const last = ms(events.at(-1)!);
      expect(last).toBeLessThanOrEqual(s.plannedEnd + 10 * MIN);
      expect(last).toBeGreaterThanOrEqual(s.plannedEnd - 2 * MIN);
      if (m.plan.late) {
        late++;
        expect(first - s.plannedStart).toBeGreaterThanOrEqual(6 * MIN);
        expect(first - s.plannedStart).toBeLessThanOrEqual(15 * MIN + 2000);
      } else {
        expect(Math.abs(first - s.plannedStart)).toBeLessThanOrEqual(4 * MIN);
      }
      const gaps = events.slice(1).map((e, i) => ms(e) - ms(events[i]!));
      const longest = Math.max(...gaps);
      if (m.plan.stall) {
        stalled++;
        expect(longest).toBeGreaterThanOrEqual(3 * MIN);
        expect(longest).toBeLessThanOrEqual(4 * MIN + 5000);
      } else {
        expect(longest).toBeLessThanOrEqual(3000); // stats every ~2 s
      }
    }
    expect(late / N).toBeGreaterThan(0.04);
    expect(late / N).toBeLessThan(0.14);
    expect(never / N).toBeGreaterThan(0.005);
    expect(never / N).toBeLessThan(0.07);
    expect(stalled / N).toBeGreaterThan(0.015);
    expect(stalled / N).toBeLessThan(0.1);
  });

  it('reports nothing before the room opens and is done after it closes', () => {
    const s = session(openingSession(SEED));
    const m = new SessionModel(s, SEED);
    expect(m.step(T0 - 5 * MIN)).toEqual([]);
    expect(m.done).toBe(false);
    m.step(s.plannedEnd + 11 * MIN);
    expect(m.done).toBe(true);
    expect(m.step(s.plannedEnd + 60 * MIN)).toEqual([]);
  });
});
