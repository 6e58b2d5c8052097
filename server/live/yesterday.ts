// Yesterday's province GMV curve for the wall, read from PostgreSQL's minute aggregates (what the persister and the
// demo's history write) and cached: the wall asks at every subscribe and yesterday hardly changes.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import { DAY, MINUTE, shanghaiDayStart } from '../domain/time';
import { yesterdayOnToday } from '../domain/wall';

type Curve = Array<{ t: number; gmvFen: number }>;

/** Late events can still land in yesterday's minutes for a while; refresh the cached curve this often. */
export const YESTERDAY_TTL_MS = 5 * MINUTE;

export class YesterdayCurve {
  private cached: { dayStart: number; at: number; curve: Curve } | null = null;
  private loading: Promise<Curve> | null = null;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly ttlMs = YESTERDAY_TTL_MS,
  ) {}

  /** Yesterday's cumulative GMV per minute, moved onto today's axis (see yesterdayOnToday). */
  async get(): Promise<Curve> {
    const now = this.clock.now();
    const dayStart = shanghaiDayStart(now);
    const c = this.cached;
    if (c && c.dayStart === dayStart && now - c.at < this.ttlMs) return c.curve;
    this.loading ??= this.load(dayStart, now).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(dayStart: number, now: number): Promise<Curve> {
    const from = dayStart - DAY;
    const rows = await this.db.prisma.minuteAggregate.groupBy({
      by: ['minute'],
      where: { minute: { gte: new Date(from), lt: new Date(dayStart) } },
      _sum: { gmvFen: true },
    });
    const curve = yesterdayOnToday(
      rows.map((r) => ({ t: r.minute.getTime(), gmvFen: r._sum.gmvFen ?? 0 })),
      from,
    );
    this.cached = { dayStart, at: now, curve };
    return curve;
  }
}
