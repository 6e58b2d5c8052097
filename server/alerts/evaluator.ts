// Runs the alert rules continuously on the leader hub: the fast rules every second from the live store, the
// 刷单 rules every ten from the durable log in PostgreSQL. Opens, updates and clears Alert rows and pushes
// each change to whoever may see it (and to the city's webhooks).
import type { AlertDto, AlertThresholds } from '../../contracts/response';
import type { AlertChanges, SeriesPoint } from '../../contracts/live';
import type { Prisma } from '../db/generated/client.ts';
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Live } from '../live/index';
import type { SessionInfo } from '../domain/ingest-rules';
import {
  fastFindings, fraudFindings, isWatched, phoneBuyerRef, planAlerts,
  type Finding, type LiveFacts, type OpenAlert, type OrderFacts,
} from '../domain/alerts';
import { MINUTE } from '../domain/time';
import type { Lease } from './lease';
import { DEFAULT_THRESHOLDS, readThresholds } from './settings';
import { alertDto } from './dto';
import { changesByRoom, type AlertChange } from './routing';
import type { WebhookNotifier } from './webhooks';

/** Sends one round's changes in a room's scope to that room (io.to(room).emit in the hub; a recorder in tests). */
export type EmitTo = (room: string, changes: AlertChanges) => void;

export interface EvaluatorOptions {
  fastMs?: number;
  /** The fraud rules (and the thresholds) are refreshed every this many fast ticks. */
  fraudEvery?: number;
}

const SERIES_BUCKET_MS = 10_000;

export class AlertEvaluator {
  private open = new Map<string, OpenAlert & { id: number }>();
  /** The last fraud findings per session, kept between fraud ticks. */
  private fraud = new Map<number, Finding[]>();
  private thresholds: AlertThresholds = DEFAULT_THRESHOLDS;
  private leading = false;
  private ticks = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private readonly fastMs: number;
  private readonly fraudEvery: number;

  constructor(
    private readonly db: Database,
    private readonly live: Live,
    private readonly emitTo: EmitTo,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly lease: Lease,
    private readonly notifier: WebhookNotifier,
    opts: EvaluatorOptions = {},
  ) {
    this.fastMs = opts.fastMs ?? 1000;
    this.fraudEvery = opts.fraudEvery ?? 10;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.fastMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (this.leading) await this.lease.release().catch(() => undefined);
    this.leading = false;
  }

  /** One evaluation; overlapping calls share the one under way. */
  tick(): Promise<void> {
    this.running ??= this.evaluate()
      .catch((err: unknown) => this.log.warn({ err }, 'alert evaluation failed; the next tick retries'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async evaluate(): Promise<void> {
    const leads = await this.lease.acquire().catch((err: unknown) => {
      this.log.warn({ err }, 'alert lease check failed');
      return false;
    });
    if (!leads) {
      // Another hub leads: forget our view, it will be reloaded if we lead again.
      if (this.leading) this.log.info('alert evaluator lost the lease');
      this.leading = false;
      this.open.clear();
      this.fraud.clear();
      return;
    }
    const becameLeader = !this.leading;
    if (becameLeader) {
      this.leading = true;
      await this.loadOpen();
      this.ticks = 0;
    }
    const now = this.clock.now();
    const sessions = [...this.live.directory.all()].filter((s) => isWatched(s, now));
    if (this.ticks++ % this.fraudEvery === 0) {
      this.thresholds = (await readThresholds(this.db.prisma)).value;
      await this.evaluateFraud(sessions, now);
    }
    const findings = await this.fastFindings(sessions, now);
    const watched = new Set(sessions.map((s) => s.id));
    for (const [sid, fs] of this.fraud) if (watched.has(sid)) findings.push(...fs);
    await this.apply(findings, now);
  }

  private async loadOpen(): Promise<void> {
    const rows = await this.db.prisma.alert.findMany({ where: { clearedAt: null } });
    this.open = new Map(rows.map((r) => [r.key, { id: r.id, key: r.key, severity: r.severity, detailsJson: JSON.stringify(r.details), writtenAt: r.updatedAt.getTime() }]));
  }

  private async fastFindings(sessions: SessionInfo[], now: number): Promise<Finding[]> {
    const t = this.thresholds;
    const numbers = await this.live.store.getSessions(sessions.map((s) => s.id));
    const since = now - t.viewerDropWindowSeconds * 1000 - 2 * SERIES_BUCKET_MS;
    const out: Finding[] = [];
    await Promise.all(
      sessions.map(async (s) => {
        const n = numbers.get(s.id);
        const live: LiveFacts | undefined = n ? { lastEventAt: n.lastEventAt, online: n.online, orders: n.orders, manual: n.manual } : undefined;
        // The series matters only while data comes in; silent sessions skip the read.
        const series: SeriesPoint[] = n?.lastEventAt != null && now - n.lastEventAt < t.silentSeconds * 1000 ? await this.live.store.getSeries(s.id, since) : [];
        out.push(...fastFindings(s, live, series, now, t));
      }),
    );
    return out;
  }

  /** Reads the sessions' orders per buyerRef from LiveEvent (written by the persister within a second or so). */
  private async evaluateFraud(sessions: SessionInfo[], now: number): Promise<void> {
    const started = sessions.filter((s) => s.status === 'live' || s.actualStart !== null);
    const ids = started.map((s) => s.id);
    const next = new Map<number, Finding[]>();
    if (ids.length) {
      const { prisma } = this.db;
      const orders = { sessionId: { in: ids }, type: 'order' as const };
      const [all, recent, buyers, members, teams] = await Promise.all([
        prisma.liveEvent.groupBy({ by: ['sessionId'], where: orders, _count: { _all: true }, _min: { at: true } }),
        prisma.liveEvent.groupBy({ by: ['sessionId'], where: { ...orders, at: { gte: new Date(now - MINUTE), lte: new Date(now) } }, _count: { _all: true } }),
        prisma.liveEvent.groupBy({ by: ['sessionId', 'buyerRef'], where: { ...orders, buyerRef: { not: null } }, _count: { _all: true } }),
        prisma.member.findMany({ where: { teamId: { in: started.map((s) => s.teamId) }, phone: { not: null } }, select: { teamId: true, phone: true } }),
        prisma.team.findMany({ where: { id: { in: started.map((s) => s.teamId) } }, select: { id: true, phone: true, contactPhone: true } }),
      ]);
      const refs = new Map<number, Set<string>>();
      const addRef = (teamId: number, phone: string | null) => {
        if (!phone) return;
        const set = refs.get(teamId) ?? new Set<string>();
        set.add(phoneBuyerRef(phone));
        refs.set(teamId, set);
      };
      for (const m of members) addRef(m.teamId, m.phone);
      for (const t of teams) {
        addRef(t.id, t.phone);
        addRef(t.id, t.contactPhone);
      }
      const facts = new Map<number, OrderFacts>();
      const factsOf = (sid: number) => {
        let f = facts.get(sid);
        if (!f) facts.set(sid, (f = { orders: 0, lastMinute: 0, firstOrderAt: null, buyers: new Map<string, number>() }));
        return f;
      };
      for (const r of all) Object.assign(factsOf(r.sessionId), { orders: r._count._all, firstOrderAt: r._min.at?.getTime() ?? null });
      for (const r of recent) factsOf(r.sessionId).lastMinute = r._count._all;
      for (const r of buyers) if (r.buyerRef) (factsOf(r.sessionId).buyers as Map<string, number>).set(r.buyerRef, r._count._all);
      for (const s of started) {
        const f = facts.get(s.id);
        if (!f) continue;
        const fs = fraudFindings(s, f, refs.get(s.teamId) ?? new Set(), now, this.thresholds);
        if (fs.length) next.set(s.id, fs);
      }
    }
    this.fraud = next;
  }

  private async apply(findings: Finding[], now: number): Promise<void> {
    const plan = planAlerts(this.open, findings, now);
    // The round's changes go out together, also when a write fails midway: what was written is news.
    const changes: AlertChange[] = [];
    try {
      await this.write(plan, now, changes);
    } finally {
      for (const [room, c] of changesByRoom(changes)) this.emitTo(room, c);
    }
  }

  private async write(plan: ReturnType<typeof planAlerts>, now: number, changes: AlertChange[]): Promise<void> {
    const at = new Date(now);
    const { prisma } = this.db;
    for (const f of plan.raise) {
      const details = f.details as Prisma.InputJsonValue;
      // A lease handed over mid-tick could race us: adopt an open row of the same key instead of a second one.
      const existing = await prisma.alert.findFirst({ where: { key: f.key, clearedAt: null } });
      const row = existing ?? (await prisma.alert.create({
        data: { key: f.key, rule: f.rule, severity: f.severity, sessionId: f.sessionId, teamId: f.teamId, cityCode: f.cityCode, message: f.message, details, openedAt: at, updatedAt: at },
      }));
      this.open.set(f.key, { id: row.id, key: f.key, severity: row.severity, detailsJson: JSON.stringify(row.details), writtenAt: row.updatedAt.getTime() });
      if (!existing) this.changed(changes, 'raised', alertDto(row, this.teamName(f.teamId)));
    }
    for (const f of plan.update) {
      const o = this.open.get(f.key);
      if (!o) continue;
      const row = await prisma.alert.update({
        where: { id: o.id },
        data: { severity: f.severity, message: f.message, details: f.details as Prisma.InputJsonValue, updatedAt: at },
      });
      this.open.set(f.key, { ...o, severity: row.severity, detailsJson: JSON.stringify(row.details), writtenAt: now });
      this.changed(changes, 'updated', alertDto(row, this.teamName(f.teamId)));
    }
    for (const key of plan.clear) {
      const o = this.open.get(key);
      if (!o) continue;
      const n = await prisma.alert.updateMany({ where: { id: o.id, clearedAt: null }, data: { clearedAt: at, updatedAt: at } });
      this.open.delete(key);
      if (n.count === 0) continue;
      const row = await prisma.alert.findUniqueOrThrow({ where: { id: o.id } });
      this.changed(changes, 'cleared', alertDto(row, this.teamName(row.teamId)));
    }
  }

  private teamName(id: number | null): string | undefined {
    return id === null ? undefined : this.live.directory.names.teams.get(id)?.name;
  }

  private changed(changes: AlertChange[], kind: AlertChange['kind'], alert: AlertDto): void {
    changes.push({ kind, alert });
    // Webhooks hear of openings and clearings only; an update every few seconds would flood a group chat.
    if (kind !== 'updated') this.notifier.notify({ event: kind === 'raised' ? 'alert:raised' : 'alert:cleared', alert });
  }
}
