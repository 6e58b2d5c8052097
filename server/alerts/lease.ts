// Leadership for the alert evaluator: with several hubs only the holder of the lease evaluates, so each alert
// is raised once. The holder renews it every tick; if it dies, the lease lapses and another hub takes over.
import type { Redis } from 'ioredis';

export interface Lease {
  /** Takes the lease or renews it when already held; true while this holder leads. */
  acquire(): Promise<boolean>;
  /** Gives it up at once (on shutdown), only if still held by this holder. */
  release(): Promise<void>;
}

/** The Redis key of the lease. Kept here, not in live/keys.ts, as it belongs to this feature alone. */
export const ALERT_LEASE_KEY = 'alerts:evaluator:lease';

/** One process, one evaluator: always the leader. Several in one process (tests) share a `group`. */
export class MemoryLease implements Lease {
  constructor(
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly group: Map<string, { holder: string; until: number }> = new Map(),
  ) {}

  async acquire(): Promise<boolean> {
    const cur = this.group.get(ALERT_LEASE_KEY);
    const t = this.now();
    if (cur && cur.holder !== this.holder && cur.until > t) return false;
    this.group.set(ALERT_LEASE_KEY, { holder: this.holder, until: t + this.ttlMs });
    return true;
  }

  async release(): Promise<void> {
    if (this.group.get(ALERT_LEASE_KEY)?.holder === this.holder) this.group.delete(ALERT_LEASE_KEY);
  }
}

// Renew only our own lease, else take it only if free: one atomic step, so two hubs never both lead.
const ACQUIRE_LUA = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE_LUA = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** SET NX PX with renewal; Redis time decides expiry, so hub clocks need not agree. */
export class RedisLease implements Lease {
  constructor(
    private readonly redis: Redis,
    private readonly holder: string,
    private readonly ttlMs: number,
    private readonly key = ALERT_LEASE_KEY,
  ) {}

  async acquire(): Promise<boolean> {
    const r = await this.redis.eval(ACQUIRE_LUA, 1, this.key, this.holder, String(this.ttlMs));
    return r === 1;
  }

  async release(): Promise<void> {
    await this.redis.eval(RELEASE_LUA, 1, this.key, this.holder);
  }
}
