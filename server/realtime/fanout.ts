// Coalesces live changes (from every hub, via the store's pub/sub) and pushes them to this hub's own
// dashboards at most LIVE_MAX_HZ times a second per room, however fast events arrive.
import { newestBigOrders, type BigOrder, type SessionLive, type SeriesPoint } from '../../contracts/live';
import type { Live } from '../live/index';
import type { Logger } from '../logger';
import type { Clock } from '../clock';
import { sumNumbers, toRow } from '../live/views';
import type { IoServer } from './socket';
import { rooms } from './rooms';

const WALL_HEARTBEAT_MS = 5000;

export class LiveFanout {
  /** Latest numbers of every session seen changing; totals of online are summed from it. */
  private readonly latest = new Map<number, SessionLive>();
  private dirty = new Map<number, SessionLive>();
  /** Big orders (from every hub) not yet sent to this hub's wall, per stage. */
  private bigOrders = new Map<number, BigOrder[]>();
  /** Per watched session, the newest series bucket already sent. */
  private readonly sentBucket = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeBigOrders: (() => void) | undefined;
  private flushing = false;
  private lastWallEmit = 0;
  readonly stats = { flushes: 0, emits: 0 };

  constructor(
    private readonly io: IoServer,
    private readonly live: Live,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly maxHz: number,
  ) {}

  start(): void {
    this.unsubscribe = this.live.store.onChange((changed) => {
      for (const s of changed) {
        this.latest.set(s.sessionId, s);
        this.dirty.set(s.sessionId, s);
      }
    });
    this.unsubscribeBigOrders = this.live.store.onBigOrders((stageId, orders) => {
      this.bigOrders.set(stageId, [...(this.bigOrders.get(stageId) ?? []), ...orders]);
    });
    this.timer = setInterval(() => void this.flush(), Math.max(20, Math.round(1000 / this.maxHz)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe?.();
    this.unsubscribeBigOrders?.();
  }

  private hasLocal(room: string): boolean {
    return (this.io.of('/').adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  async flush(): Promise<void> {
    // Even without changes the wall gets a beat every few seconds, so sessions that fall silent
    // leave the online and live counts.
    const heartbeat = this.clock.now() - this.lastWallEmit >= WALL_HEARTBEAT_MS;
    if (this.flushing || (this.dirty.size === 0 && this.bigOrders.size === 0 && !heartbeat)) return;
    this.flushing = true;
    const changed = [...this.dirty.values()];
    this.dirty = new Map();
    const bigOrders = this.bigOrders;
    this.bigOrders = new Map();
    try {
      await Promise.all([this.flushWall(changed, bigOrders), this.flushCities(changed), this.flushSessions(changed)]);
      this.stats.flushes++;
    } catch (err) {
      // Numbers are absolute and come again with the next change; big orders are news, so keep them for the retry
      // (the wall drops any it already has).
      for (const [stageId, orders] of bigOrders) this.bigOrders.set(stageId, newestBigOrders([orders, this.bigOrders.get(stageId) ?? []]));
      this.log.warn({ err }, 'live fan-out failed; the next change retries');
    } finally {
      this.flushing = false;
    }
  }

  private async flushWall(changed: SessionLive[], bigOrders: Map<number, BigOrder[]>): Promise<void> {
    if (!this.hasLocal(rooms.wall)) return;
    const stage = this.live.directory.stage;
    if (!stage) return;
    // The wall shows the current stage; a big order of another one (a late event) has no place on it.
    const fresh = newestBigOrders([bigOrders.get(stage.id) ?? []], Infinity);
    const current = this.live.views.currentSessions();
    const rows = current.map((s) => this.latest.get(s.id)).filter((x): x is SessionLive => !!x);
    const [base, leaderboards, curve] = await Promise.all([
      this.live.store.stageTotals(stage.id),
      this.live.views.leaderboards(stage.id),
      this.live.views.gmvCurve(stage.id),
    ]);
    this.lastWallEmit = this.clock.now();
    // Numbers-only updates may be dropped for a slow screen (the next one carries the totals again); one with big
    // orders is news the next would not repeat.
    const room = this.io.local.to(rooms.wall);
    (fresh.length ? room : room.volatile).emit('wall:updated', {
      at: this.clock.now(),
      totals: this.live.views.totalsOf(rows, base),
      sessions: this.withNames(changed),
      leaderboards,
      gmvCurve: curve.slice(-3),
      ...(fresh.length ? { bigOrders: fresh } : {}),
    });
    this.stats.emits++;
  }

  /** Full rows (who the session is, not only its numbers), so a session new to a dashboard needs no snapshot. */
  private withNames(changed: SessionLive[]): SessionLive[] {
    return changed.map((s) => {
      const info = this.live.directory.get(s.sessionId);
      return info ? toRow(info, s) : s;
    });
  }

  private async flushCities(changed: SessionLive[]): Promise<void> {
    const byCity = new Map<string, SessionLive[]>();
    for (const s of changed) {
      const info = this.live.directory.get(s.sessionId);
      if (!info) continue;
      const list = byCity.get(info.cityCode) ?? byCity.set(info.cityCode, []).get(info.cityCode)!;
      list.push(s);
    }
    for (const [cityCode, sessions] of byCity) {
      const room = rooms.cityLive(cityCode);
      if (!this.hasLocal(room)) continue;
      const rows = this.live.views
        .currentSessions((s) => s.cityCode === cityCode)
        .map((s) => this.latest.get(s.id))
        .filter((x): x is SessionLive => !!x);
      this.io.local.to(room).volatile.emit('city:updated', {
        at: this.clock.now(),
        cityCode,
        totals: this.live.views.totalsOf(rows, sumNumbers(rows)),
        sessions: this.withNames(sessions),
      });
      this.stats.emits++;
    }
  }

  private async flushSessions(changed: SessionLive[]): Promise<void> {
    for (const s of changed) {
      const room = rooms.session(s.sessionId);
      if (!this.hasLocal(room)) continue;
      const info = this.live.directory.get(s.sessionId);
      const since = this.sentBucket.get(s.sessionId) ?? 0;
      const series: SeriesPoint[] = await this.live.store.getSeries(s.sessionId, since);
      const last = series.at(-1);
      if (last) this.sentBucket.set(s.sessionId, last.t);
      this.io.local.to(room).volatile.emit('session:updated', {
        at: this.clock.now(),
        session: s,
        series,
        rankInCity: info ? await this.live.views.rankInCity(info) : null,
      });
      this.stats.emits++;
    }
  }
}
