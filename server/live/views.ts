// Snapshots for the dashboards, built from the live store and the session directory.
import type {
  CitySnapshot, Leaderboards, RankEntry, SessionLive, SessionRow, SessionSnapshot, Totals, WallSnapshot,
} from '../../contracts/live';
import { emptyNumbers } from '../../contracts/live';
import { quietAfterMs } from '../../contracts/manual';
import type { Clock } from '../clock';
import { inWindow, type SessionInfo } from '../domain/ingest-rules';
import { MINUTE, shanghaiDayStart } from '../domain/time';
import type { SessionDirectory } from './directory';
import { bigOrdersOfDay } from '../domain/wall';
import type { LiveStore, RankDimension } from './store';

/** A session counts as on air while its events keep coming. */
export const ON_AIR_MS = 2 * MINUTE;
export const isOnAir = (n: Pick<SessionLive, 'lastEventAt'> & { manual?: boolean }, now: number) =>
  n.lastEventAt !== null && now - n.lastEventAt <= quietAfterMs(n.manual, ON_AIR_MS);

export const BOARD_SIZE = { team: 30, city: 11, university: 30 } as const;

/** Where yesterday's curve comes from (PostgreSQL, cached: see yesterday.ts). */
export interface YesterdaySource {
  get(): Promise<Array<{ t: number; gmvFen: number }>>;
}

export class LiveViews {
  constructor(
    private readonly store: LiveStore,
    private readonly dir: SessionDirectory,
    private readonly clock: Clock,
    private readonly yesterday?: YesterdaySource,
  ) {}

  /** Sessions the wall shows now: in their window, or live. */
  currentSessions(filter?: (s: SessionInfo) => boolean): SessionInfo[] {
    const now = this.clock.now();
    const out: SessionInfo[] = [];
    for (const s of this.dir.all()) {
      if (s.status === 'cancelled') continue;
      if (!(s.status === 'live' || inWindow(s, now))) continue;
      if (filter && !filter(s)) continue;
      out.push(s);
    }
    return out.sort((a, b) => a.plannedStart - b.plannedStart || a.id - b.id);
  }

  async rows(infos: SessionInfo[]): Promise<SessionRow[]> {
    const live = await this.store.getSessions(infos.map((s) => s.id));
    return infos.map((s) => toRow(s, live.get(s.id)));
  }

  totalsOf(rows: SessionLive[], base: Omit<Totals, 'online' | 'liveSessions'>): Totals {
    const now = this.clock.now();
    let online = 0;
    let liveSessions = 0;
    for (const r of rows)
      if (isOnAir(r, now)) {
        online += r.online;
        liveSessions++;
      }
    return { ...base, online, liveSessions };
  }

  async leaderboards(stageId: number): Promise<Leaderboards> {
    const [team, city, university] = await Promise.all(
      (['team', 'city', 'university'] as const).map((d) => this.board(stageId, d, BOARD_SIZE[d])),
    );
    return { team: team!, city: city!, university: university! };
  }

  async board(stageId: number, dim: RankDimension, limit: number): Promise<RankEntry[]> {
    const rows = await this.store.leaderboard(stageId, dim, limit);
    const n = this.dir.names;
    return rows.map((r, i) => {
      const base = { id: r.id, gmvFen: r.netFen, rank: i + 1 };
      if (dim === 'team') {
        const t = n.teams.get(Number(r.id));
        return { ...base, name: t?.name ?? `#${r.id}`, ...(t ? { cityCode: t.cityCode } : {}) };
      }
      if (dim === 'university') {
        const u = n.universities.get(Number(r.id));
        return { ...base, name: u?.name ?? `#${r.id}`, ...(u ? { cityCode: u.cityCode } : {}) };
      }
      return { ...base, name: n.cities.get(r.id)?.short ?? r.id, cityCode: r.id };
    });
  }

  async gmvCurve(stageId: number): Promise<Array<{ t: number; gmvFen: number }>> {
    const now = this.clock.now();
    const from = shanghaiDayStart(now);
    const minutes = await this.store.gmvByMinute(stageId, from, now + MINUTE);
    let sum = 0;
    return minutes.map((m) => ({ t: m.t, gmvFen: (sum += m.gmvFen) }));
  }

  async wall(): Promise<WallSnapshot> {
    const stage = this.dir.stage;
    const sessions = await this.rows(this.currentSessions());
    const base = stage ? await this.store.stageTotals(stage.id) : { gmvFen: 0, orders: 0, units: 0, buyers: 0, refundFen: 0 };
    const [leaderboards, gmvCurve, gmvYesterday, bigOrders] = await Promise.all([
      stage ? this.leaderboards(stage.id) : { team: [], city: [], university: [] },
      stage ? this.gmvCurve(stage.id) : [],
      // A comparison line: without the database the wall still shows today.
      this.yesterday ? this.yesterday.get().catch(() => []) : [],
      stage ? this.store.bigOrders(stage.id) : [],
    ]);
    const now = this.clock.now();
    return {
      at: now,
      stage: stage ? { id: stage.id, name: stage.name } : null,
      totals: this.totalsOf(sessions, base),
      sessions,
      leaderboards,
      gmvCurve,
      gmvYesterday,
      bigOrders: bigOrdersOfDay(bigOrders, shanghaiDayStart(now)),
      bigOrderFen: this.dir.bigOrderFen,
    };
  }

  async city(cityCode: string): Promise<CitySnapshot> {
    const stage = this.dir.stage;
    const sessions = await this.rows(this.currentSessions((s) => s.cityCode === cityCode));
    const cityBoard = stage ? await this.board(stage.id, 'city', 11) : [];
    return {
      at: this.clock.now(),
      cityCode,
      totals: this.totalsOf(sessions, sumNumbers(sessions)),
      sessions,
      rankInProvince: cityBoard.find((c) => c.id === cityCode)?.rank ?? null,
    };
  }

  async session(info: SessionInfo): Promise<SessionSnapshot> {
    const [row] = await this.rows([info]);
    return {
      at: this.clock.now(),
      session: row!,
      series: await this.store.getSeries(info.id),
      rankInCity: await this.rankInCity(info),
    };
  }

  /** The team's rank among its city's teams in the session's stage (1 = best), null before any sale. */
  async rankInCity(info: Pick<SessionInfo, 'stageId' | 'teamId' | 'cityCode'>): Promise<number | null> {
    const rows = await this.store.leaderboard(info.stageId, 'team', 5000);
    let rank = 0;
    for (const r of rows) {
      if (this.dir.names.teams.get(Number(r.id))?.cityCode !== info.cityCode) continue;
      rank++;
      if (Number(r.id) === info.teamId) return rank;
    }
    return null;
  }
}

export function toRow(s: SessionInfo, live: SessionLive | undefined): SessionRow {
  return {
    ...emptyNumbers(),
    ...live,
    sessionId: s.id,
    teamId: s.teamId,
    teamName: s.teamName,
    cityCode: s.cityCode,
    universityName: s.universityName,
    status: s.status,
    plannedStart: new Date(s.plannedStart).toISOString(),
    plannedEnd: new Date(s.plannedEnd).toISOString(),
  };
}

export function sumNumbers(rows: SessionLive[]): Omit<Totals, 'online' | 'liveSessions'> {
  const t = { gmvFen: 0, orders: 0, units: 0, buyers: 0, refundFen: 0 };
  for (const r of rows) {
    t.gmvFen += r.gmvFen;
    t.orders += r.orders;
    t.units += r.units;
    t.buyers += r.buyers;
    t.refundFen += r.refundFen;
  }
  return t;
}
