// Realistic collector traffic: cumulative room stats that only grow, orders of the city's own products by a
// pool of returning buyers, every event id and order id unique so none is counted as a duplicate.
import type { IngestEvent, OrderEvent, StatsEvent } from '../contracts/ingest';
import type { BenchCity } from './seed';

/** Deterministic PRNG (mulberry32): the same run sends the same mix. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Room {
  online: number;
  views: number;
  viewers: number;
  likes: number;
  comments: number;
  shares: number;
  followers: number;
  /** Orders this generator has sent for the session (plus the count it started from). */
  orders: number;
}

export class Traffic {
  private readonly rand: () => number;
  private readonly rooms = new Map<number, Room>();
  private readonly cursor = new Map<string, number>();
  private seq = 0;

  /** `tag` makes ids unique across runs against the same Redis. */
  constructor(private readonly tag: string, seed = 20240601) {
    this.rand = rng(seed);
  }

  room(sid: number): Room {
    let r = this.rooms.get(sid);
    if (!r) {
      r = { online: 20 + Math.floor(this.rand() * 300), views: 0, viewers: 0, likes: 0, comments: 0, shares: 0, followers: 0, orders: 0 };
      this.rooms.set(sid, r);
    }
    return r;
  }

  /** The wall's order count of each session when a phase starts (orders sent earlier were all accepted). */
  setOrders(counts: Map<number, number>): void {
    for (const [sid, n] of counts) this.room(sid).orders = n;
  }

  stats(sid: number, at: string): StatsEvent {
    const r = this.room(sid);
    const x = this.rand();
    // A random walk of viewers, with the cumulative counters growing as a platform's panel shows them.
    r.online = Math.max(0, Math.min(5000, r.online + Math.round((x - 0.48) * 30)));
    r.views += Math.round(r.online * 0.05) + 1;
    r.viewers += Math.round(r.online * 0.02);
    r.likes += Math.floor(x * 40);
    r.comments += Math.floor(x * 6);
    if (x > 0.8) r.shares++;
    if (x > 0.9) r.followers++;
    return {
      type: 'stats', id: `${this.tag}s${(this.seq++).toString(36)}`, sessionId: sid, at,
      online: r.online, views: r.views, viewers: r.viewers, likes: r.likes, comments: r.comments, shares: r.shares, followers: r.followers,
    };
  }

  order(city: BenchCity, sid: number, at: string): OrderEvent {
    const r = this.room(sid);
    r.orders++;
    const p = city.products[Math.floor(this.rand() * city.products.length)] ?? { id: 'P0', name: '家乡好物', priceFen: 4990 };
    const x = this.rand();
    const quantity = x < 0.75 ? 1 : x < 0.93 ? 2 : 3;
    const n = this.seq++;
    return {
      type: 'order', id: `${this.tag}o${n.toString(36)}`, sessionId: sid, at,
      orderId: `YL${this.tag}${n.toString(36)}`, quantity, amountFen: p.priceFen * quantity,
      productId: p.id, productName: p.name,
      // Opaque buyer hashes from a pool per session, so some buyers come back.
      buyerRef: `b${((sid * 7919 + Math.floor(this.rand() * 400)) >>> 0).toString(16).padStart(8, '0')}`,
    };
  }

  /** `size` events over the city's sessions in turn, `orderShare` of them orders; stamped now. */
  batch(city: BenchCity, size: number, orderShare: number): IngestEvent[] {
    const at = new Date().toISOString();
    let i = this.cursor.get(city.code) ?? 0;
    const out: IngestEvent[] = [];
    for (let k = 0; k < size; k++, i++) {
      const sid = city.sessionIds[i % city.sessionIds.length]!;
      out.push(this.rand() < orderShare ? this.order(city, sid, at) : this.stats(sid, at));
    }
    this.cursor.set(city.code, i % city.sessionIds.length);
    return out;
  }

  /**
   * One second of a city's collector at 1 event/s per session: a stats event for every session and an order
   * for about one session in five. Returns the order counts the wall will show once each order is in.
   */
  tick(city: BenchCity, second: number): { events: IngestEvent[]; orders: Array<{ sid: number; count: number }> } {
    const at = new Date().toISOString();
    const events: IngestEvent[] = [];
    const orders: Array<{ sid: number; count: number }> = [];
    for (const [i, sid] of city.sessionIds.entries()) {
      events.push(this.stats(sid, at));
      if ((second + i) % 5 === 0) {
        const o = this.order(city, sid, at);
        events.push(o);
        orders.push({ sid, count: this.room(sid).orders });
      }
    }
    return { events, orders };
  }
}
