// One live room, simulated second by second. Pure: time comes in through step(now), randomness from the seed.
import type { IngestEvent, OrderEvent, RefundEvent, StatsEvent } from '../../contracts/ingest';
import { int, pick, rng } from '../seed/random';
import { binomial, hex, mix, normal, poisson, type Rand } from './dist';
import { drawPlan, MIN, SEC, type SessionPlan } from './plan';

export type { SessionPlan } from './plan';

export interface SimSession {
  id: number;
  cityCode: string;
  teamId: number;
  plannedStart: number; // epoch ms
  plannedEnd: number; // epoch ms
  products: Array<{ id: string; name: string; priceFen: number }>;
}
type Product = SimSession['products'][number];

export interface Pitch {
  from: number;
  to: number;
  productId: string | null;
}

/** Older stats than this, when one step catches up on a long stretch, are thinned to one a minute. */
const BACKFILL_MS = 2 * MIN;
const DEFAULT_PRICE_FEN = 4990; // a session fed without its product list
const MAX_BUYERS = 500;

interface Pending {
  ms: number;
  ev: IngestEvent;
  keep: boolean;
}

export class SessionModel {
  readonly plan: SessionPlan;
  private readonly r: Rand;
  /** The last simulated second processed; the room runs in whole seconds from opensAt. */
  private t: number;
  private seq = 0;
  private orderNo = 0;
  // Room state.
  private wander = 0;
  private online = 0;
  private views = 0;
  private viewers = 0;
  private likes = 0;
  private comments = 0;
  private shares = 0;
  private followers = 0;
  private nextStats: number;
  private lastStatsMinute = -1;
  private resumed = false;
  // Pitches and buyers.
  private readonly pitchLog: Pitch[] = [];
  private current: (Pitch & { product: Product | undefined; peak: number; link: number }) | null = null;
  private lastProduct: Product | undefined;
  private nextPitchAt: number;
  private readonly firstProduct: number;
  private readonly buyers: string[] = [];
  private refunds: Array<{ due: number; orderId: string; amountFen: number }> = [];

  constructor(
    private readonly s: SimSession,
    seed: number,
    /** Prefixed to event and order ids; empty keeps them stable across runs (see SimulatorOptions.runTag). */
    private readonly tag = '',
  ) {
    this.plan = drawPlan(s, seed);
    this.r = rng(mix(seed, s.id, 2));
    const open = this.plan.opensAt ?? this.plan.endsAt;
    this.t = open;
    this.nextStats = open + SEC;
    this.nextPitchAt = open + int(this.r, 3, 8) * MIN;
    this.firstProduct = int(this.r, 0, Math.max(0, s.products.length - 1));
  }

  /** True once the room has closed (or never opened) and nothing more will come. */
  get done(): boolean {
    return this.plan.opensAt === null || this.t + SEC > this.plan.endsAt;
  }

  /** Pitches so far (a copy). */
  get pitches(): Pitch[] {
    return this.pitchLog.map(({ from, to, productId }) => ({ from, to, productId }));
  }

  /** The events that happened since the previous step, up to `now` (simulated epoch ms). */
  step(now: number): IngestEvent[] {
    const out: IngestEvent[] = [];
    if (this.plan.opensAt === null) return out;
    const last = Math.min(now, this.plan.endsAt);
    // Whole seconds whatever the caller's step, so a coarse or a fine caller sees the same room.
    while (this.t + SEC <= last) {
      this.t += SEC;
      this.tick(this.t, now, out);
    }
    return out;
  }

  private tick(t: number, now: number, out: IngestEvent[]): void {
    const { stall, endsAt } = this.plan;
    if (stall && t > stall.from && t <= stall.to) return;
    if (stall && t > stall.to && !this.resumed) {
      this.resumed = true;
      this.wander -= 0.5; // many viewers left while the stream was down
    }
    const r = this.r;
    const batch: Pending[] = [];
    const phase = this.pitchAt(t);

    // Online: warm-up over ~15 min, a mean-reverting wander, a bump during pitches, a fade before the end.
    const elapsed = t - (this.plan.opensAt ?? t);
    this.wander += -0.01 * this.wander + 0.025 * normal(r);
    const ramp = 1 - Math.exp(-elapsed / (5 * MIN));
    const toEnd = endsAt - t;
    const fade = toEnd < 8 * MIN ? 0.35 + (0.65 * toEnd) / (8 * MIN) : 1;
    const online = Math.round(this.plan.audience * ramp * fade * Math.exp(this.wander) * phase.boost);
    const arrivals = poisson(r, online / this.plan.staySec + Math.max(0, online - this.online));
    this.online = online;
    this.views += arrivals;
    this.viewers += binomial(r, arrivals, 0.45 + 0.45 * Math.exp(-elapsed / (40 * MIN)));
    this.likes += poisson(r, online * 0.04 * phase.boost);
    this.comments += poisson(r, online * 0.0015 * phase.boost);
    this.shares += poisson(r, online * 0.0002 * phase.boost);
    this.followers += poisson(r, arrivals * 0.015);

    const orders = poisson(r, online * this.plan.conversion * phase.orders);
    for (let i = 0; i < orders; i++) {
      const ms = t - int(r, 0, SEC - 1);
      batch.push({ ms, ev: this.order(ms, phase.product), keep: true });
    }
    while (this.refunds[0] && this.refunds[0].due <= t) {
      const due = this.refunds.shift()!;
      const ms = due.due > t - SEC ? due.due : t; // one that fell due during a stall goes out now
      batch.push({ ms, ev: this.refund(ms, due.orderId, due.amountFen), keep: true });
    }

    if (t >= this.nextStats || t + SEC > endsAt) {
      this.nextStats = t + SEC * (r() < 0.85 ? 2 : r() < 0.7 ? 3 : 1);
      const minute = Math.floor(elapsed / MIN);
      const firstOfMinute = minute !== this.lastStatsMinute;
      this.lastStatsMinute = minute;
      // A long catch-up would send thousands of stale stats; cumulative counters lose nothing by thinning.
      const keep = now - t <= BACKFILL_MS || firstOfMinute || t + SEC > endsAt;
      batch.push({ ms: t, ev: this.stats(t), keep });
    }

    batch.sort((a, b) => a.ms - b.ms);
    // Every event takes its id whether sent or thinned, so ids don't depend on how the caller steps.
    for (const p of batch) {
      p.ev.id = `${this.tag}${this.s.id}-${++this.seq}`;
      if (p.keep) out.push(p.ev);
    }
  }

  /** The pitch running at t (starting the next one when due) and how it lifts the room. */
  private pitchAt(t: number): { boost: number; orders: number; product: Product | undefined } {
    const r = this.r;
    if (this.current && t >= this.current.to) this.current = null;
    if (!this.current && t >= this.nextPitchAt) {
      const products = this.s.products;
      const product = products.length ? products[(this.firstProduct + this.pitchLog.length) % products.length] : undefined;
      const to = t + int(r, 3, 6) * MIN;
      this.current = { from: t, to, productId: product?.id ?? null, product, peak: 1.2 + 0.3 * r(), link: 3 + 1.5 * r() };
      this.pitchLog.push({ from: t, to, productId: product?.id ?? null });
      this.lastProduct = product;
      this.nextPitchAt = t + int(r, 8, 15) * MIN;
    }
    const p = this.current;
    if (!p) {
      // Between pitches most orders are for the product just shown, some for anything in the shop.
      const product = this.lastProduct && r() < 0.7 ? this.lastProduct : this.s.products.length ? pick(r, this.s.products) : undefined;
      return { boost: 1, orders: 1, product };
    }
    const frac = (t - p.from) / (p.to - p.from);
    // Intro, then the link goes up (上链接) and orders burst, then a tail.
    const orders = frac < 0.3 ? 1.5 : frac < 0.85 ? p.link : 2;
    return { boost: 1 + (p.peak - 1) * Math.sin(Math.PI * frac), orders, product: p.product };
  }

  private order(ms: number, product: Product | undefined): OrderEvent {
    const r = this.r;
    const q = r();
    const quantity = q < 0.65 ? 1 : q < 0.87 ? 2 : q < 0.96 ? 3 : int(r, 4, 6);
    const full = (product?.priceFen ?? DEFAULT_PRICE_FEN) * quantity;
    let amountFen = full;
    if (r() < 0.1) {
      // A shop coupon or a small percentage off, never below 70% of the price.
      const coupon = pick(r, [500, 1000, 2000]);
      amountFen = full > coupon * 3 ? full - coupon : Math.round(full * (r() < 0.5 ? 0.95 : 0.9));
    }
    const orderId = `YL${this.tag}${this.s.id}-${String(++this.orderNo).padStart(6, '0')}`;
    const buyerRef = this.buyers.length > 0 && r() < 0.15 ? pick(r, this.buyers) : this.newBuyer();
    if (amountFen >= 1 && r() < this.plan.refundRate) this.planRefund(ms, orderId, amountFen, quantity);
    return {
      type: 'order',
      id: '',
      sessionId: this.s.id,
      at: new Date(ms).toISOString(),
      orderId,
      quantity,
      amountFen,
      ...(product ? { productId: product.id, productName: product.name } : {}),
      buyerRef,
    };
  }

  private newBuyer(): string {
    const ref = hex(this.r, 16);
    if (this.buyers.length < MAX_BUYERS) this.buyers.push(ref);
    else this.buyers[int(this.r, 0, MAX_BUYERS - 1)] = ref;
    return ref;
  }

  /** Refunded 2–10 min later: in full, some of the units, or part of the price. */
  private planRefund(ms: number, orderId: string, amountFen: number, quantity: number): void {
    const r = this.r;
    const due = ms + int(r, 120, 600) * SEC;
    const k = r();
    const amount =
      k < 0.65 ? amountFen : quantity > 1 ? Math.round((amountFen * int(r, 1, quantity - 1)) / quantity) : Math.round(amountFen * (0.3 + 0.4 * r()));
    if (due > this.plan.endsAt) return; // the room has closed; after-sales is out of the live feed
    this.refunds.push({ due, orderId, amountFen: Math.min(amountFen, Math.max(1, amount)) });
    this.refunds.sort((a, b) => a.due - b.due);
  }

  private refund(ms: number, orderId: string, amountFen: number): RefundEvent {
    return { type: 'refund', id: '', sessionId: this.s.id, at: new Date(ms).toISOString(), orderId, amountFen };
  }

  private stats(t: number): StatsEvent {
    return {
      type: 'stats',
      id: '',
      sessionId: this.s.id,
      at: new Date(t).toISOString(),
      online: this.online,
      views: this.views,
      viewers: this.viewers,
      likes: this.likes,
      comments: this.comments,
      shares: this.shares,
      followers: this.followers,
    };
  }
}
