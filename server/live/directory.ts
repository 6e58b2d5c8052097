// The hub's cached view of the schedule: who each session belongs to and whether it may take events.
// Refreshed every few seconds (schedule, suspensions and disqualifications change in PostgreSQL).
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { SessionInfo } from '../domain/ingest-rules';
import { DAY } from '../domain/time';
import type { ChecklistGate } from '../domain/checklist';
import { checklistGate, getSetting, SETTING_DEFAULTS } from '../services/settings';

const include = {
  team: { select: { name: true, status: true, universityId: true, university: { select: { name: true } } } },
} as const;

type Row = {
  id: number; stageId: number; teamId: number; cityCode: string; status: SessionInfo['status']; checklist: SessionInfo['checklist'];
  plannedStart: Date; plannedEnd: Date; actualStart: Date | null; actualEnd: Date | null;
  team: { name: string; status: SessionInfo['teamStatus']; universityId: number; university: { name: string } };
};

function toInfo(r: Row): SessionInfo {
  return {
    id: r.id,
    stageId: r.stageId,
    teamId: r.teamId,
    teamName: r.team.name,
    cityCode: r.cityCode,
    universityId: r.team.universityId,
    universityName: r.team.university.name,
    status: r.status,
    checklist: r.checklist,
    teamStatus: r.team.status,
    plannedStart: r.plannedStart.getTime(),
    plannedEnd: r.plannedEnd.getTime(),
    actualStart: r.actualStart?.getTime() ?? null,
    actualEnd: r.actualEnd?.getTime() ?? null,
  };
}

export interface Names {
  teams: Map<number, { name: string; cityCode: string; status: SessionInfo['teamStatus'] }>;
  universities: Map<number, { name: string; cityCode: string }>;
  cities: Map<string, { name: string; short: string }>;
}

export interface StageInfo {
  id: number;
  name: string;
  startsAt: number;
  endsAt: number;
}

export class SessionDirectory {
  private byId = new Map<number, SessionInfo>();
  names: Names = { teams: new Map(), universities: new Map(), cities: new Map() };
  /** The stage running now, else the one that started last, else null. */
  stage: StageInfo | null = null;
  /** Whether the province requires an approved pre-live checklist before a session may go live. */
  gate: ChecklistGate = { blocksLive: false };
  /** The province's big-order threshold in fen (Setting 'wall.bigOrderFen'), read with the schedule. */
  bigOrderFen: number = SETTING_DEFAULTS['wall.bigOrderFen'];
  private timer: NodeJS.Timeout | undefined;
  private markingLive = new Set<number>();

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly refreshMs = 5000,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.log.warn({ err }, 'session directory refresh failed'));
    }, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sessions of the last and next day: everything the wall and ingest can need without a query. */
  async refresh(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.db.prisma.liveSession.findMany({
      where: { plannedEnd: { gte: new Date(now - DAY) }, plannedStart: { lte: new Date(now + DAY) } },
      include,
    });
    const next = new Map<number, SessionInfo>();
    for (const r of rows) next.set(r.id, toInfo(r));
    this.byId = next;
    const [teams, unis, cities, stage, gate, bigOrderFen] = await Promise.all([
      this.db.prisma.team.findMany({ select: { id: true, name: true, cityCode: true, status: true } }),
      this.db.prisma.university.findMany({ select: { id: true, name: true, cityCode: true } }),
      this.db.prisma.city.findMany({ select: { code: true, name: true, short: true } }),
      this.db.prisma.stage.findFirst({ where: { startsAt: { lte: new Date(now) } }, orderBy: { startsAt: 'desc' } }),
      checklistGate(this.db.prisma),
      getSetting(this.db.prisma, 'wall.bigOrderFen'),
    ]);
    this.gate = gate;
    this.bigOrderFen = bigOrderFen;
    this.names = {
      teams: new Map(teams.map((t) => [t.id, { name: t.name, cityCode: t.cityCode, status: t.status }])),
      universities: new Map(unis.map((u) => [u.id, { name: u.name, cityCode: u.cityCode }])),
      cities: new Map(cities.map((c) => [c.code, { name: c.name, short: c.short }])),
    };
    this.stage = stage ? { id: stage.id, name: stage.name, startsAt: stage.startsAt.getTime(), endsAt: stage.endsAt.getTime() } : null;
  }

  get(id: number): SessionInfo | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<SessionInfo> {
    return this.byId.values();
  }

  /** Looks up sessions missing from the cache (older or later ones) in one query. */
  async resolve(ids: Iterable<number>): Promise<Map<number, SessionInfo>> {
    const out = new Map<number, SessionInfo>();
    const missing: number[] = [];
    for (const id of new Set(ids)) {
      const s = this.byId.get(id);
      if (s) out.set(id, s);
      else missing.push(id);
    }
    if (missing.length) {
      const rows = await this.db.prisma.liveSession.findMany({ where: { id: { in: missing } }, include });
      for (const r of rows) out.set(r.id, toInfo(r));
    }
    return out;
  }

  /** The first accepted event makes a scheduled session live (recorded once, off the hot path). */
  markLive(ids: Iterable<number>, firstEventAt: Map<number, number>): void {
    for (const id of ids) {
      const s = this.byId.get(id);
      if (!s || s.status !== 'scheduled' || this.markingLive.has(id)) continue;
      this.markingLive.add(id);
      const at = new Date(firstEventAt.get(id) ?? this.clock.now());
      s.status = 'live';
      s.actualStart = at.getTime();
      this.db.prisma.liveSession
        .updateMany({ where: { id, status: 'scheduled' }, data: { status: 'live', actualStart: at } })
        .catch((err: unknown) => this.log.warn({ err, sessionId: id }, 'could not mark session live'))
        .finally(() => this.markingLive.delete(id));
    }
  }
}
