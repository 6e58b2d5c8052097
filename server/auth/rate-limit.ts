/** Fixed-window counter per key, in this process (a hub behind a sticky load balancer sees its own share). */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one hit; returns seconds to wait when over the limit, else 0. */
  hit(key: string): number {
    const t = this.now();
    let w = this.hits.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + this.windowMs };
      this.hits.set(key, w);
      if (this.hits.size > 50_000) this.sweep(t);
    }
    w.count += 1;
    return w.count > this.max ? Math.ceil((w.resetAt - t) / 1000) : 0;
  }

  /** Seconds to wait if the key is already over the limit, without counting. */
  blocked(key: string): number {
    const w = this.hits.get(key);
    const t = this.now();
    if (!w || w.resetAt <= t || w.count < this.max) return 0;
    return Math.ceil((w.resetAt - t) / 1000);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(t: number): void {
    for (const [k, w] of this.hits) if (w.resetAt <= t) this.hits.delete(k);
  }
}
