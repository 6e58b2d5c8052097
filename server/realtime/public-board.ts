// The public scoreboard of one hub: one timer reads the standings at most once a tick, serializes them once, and
// (when they changed) broadcasts that one message to every viewer in the room; the HTTP route serves the same
// cached body with an ETag. Viewers never cause a read of the store or the database.
//
// Why a socket room rather than polling the cached route: a viewer on the room costs the hub nothing between
// changes and one frame write per change (socket.io encodes a room broadcast once for all its sockets), and sees
// a change within a tick. A poller costs a full HTTP request through Express every interval whether or not
// anything changed (parsing, middleware, headers, a 304 at best), and sees a change only at its next poll; at
// 2,000 viewers polling every 2 s that is 1,000 requests a second on a 2-core hub (bench/scoreboard.ts measures
// both). The cached route stays for the first paint, for CDNs and for browsers without WebSocket.
import { createHash } from 'node:crypto';
import type { ScoreboardConfig, ScoreboardMessage, Standings } from '../../contracts/scoreboard';
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { Live } from '../live/index';
import { buildStandings, publicBoard, type Registry } from '../domain/scoreboard';
import { getSetting } from '../services/settings';
import { boardStage, getFreeze, loadRegistry, verifiedTeamNets, type BoardStage } from '../services/scoreboard';
import type { IoServer } from './socket';
import { rooms } from './rooms';

/** Standings are read at most this often (one timer per hub, whatever the number of viewers). */
export const BOARD_TICK_MS = 1000;
/** Team, university and city names change rarely: read again this often. */
const REGISTRY_MS = 10_000;
/** Verified GMV changes only when an order export is reconciled: a database sum this often is plenty. */
const VERIFIED_MS = 5000;
/** More teams than any stage has: the whole team board is read, so totals can leave out the disqualified. */
const ALL_TEAMS = 100_000;

export interface CachedBoard {
  message: ScoreboardMessage;
  /** The message's board (or the closed notice) as sent over HTTP, serialized once. */
  body: string;
  etag: string;
  /** The board without its read time: equal keys, nothing to send. */
  key: string;
}

export class PublicBoard {
  private cached: CachedBoard | null = null;
  private registry: { at: number; value: Registry } | null = null;
  private verified: { stageId: number; at: number; value: Array<{ teamId: number; netFen: number }> } | null = null;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | null = null;
  readonly stats = { ticks: 0, broadcasts: 0 };

  constructor(
    private readonly io: IoServer,
    private readonly live: Live,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly tickMs = BOARD_TICK_MS,
  ) {
    // No auth middleware on this namespace (io.use guards only '/'), and no handlers: a viewer can only listen.
    io.of(rooms.publicNamespace).on('connection', (socket) => {
      void socket.join(rooms.publicScoreboard);
      if (this.cached) socket.emit('scoreboard:updated', this.cached.message);
    });
  }

  start(): void {
    this.timer = setInterval(() => void this.refresh(), this.tickMs);
    this.timer.unref();
    void this.refresh();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The cached board, computing it first if this hub has not yet (a request right after start-up). */
  async current(): Promise<CachedBoard> {
    if (!this.cached) await this.refresh();
    if (!this.cached) throw new Error('public scoreboard unavailable');
    return this.cached;
  }

  /** One tick: read, and broadcast if the board changed. Concurrent callers share the tick in progress. */
  refresh(): Promise<void> {
    this.ticking ??= this.tick()
      .catch((err: unknown) => this.log.warn({ err }, 'public scoreboard refresh failed; the next tick retries'))
      .finally(() => (this.ticking = null));
    return this.ticking;
  }

  /** A tick that starts after this call: what a change just committed (封榜) is seen by. */
  async refreshAfterChange(): Promise<void> {
    await this.ticking;
    await this.refresh();
  }

  private async tick(): Promise<void> {
    const message = await this.read();
    this.stats.ticks++;
    // asOf moves with every read: compare without it, so an unchanged board is neither re-sent nor re-tagged.
    const key = JSON.stringify(message.open ? { ...message.board, asOf: null } : message);
    if (this.cached?.key === key) return;
    const body = JSON.stringify(message.open ? message.board : message);
    this.cached = { message, body, key, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
    this.io.of(rooms.publicNamespace).local.to(rooms.publicScoreboard).emit('scoreboard:updated', message);
    this.stats.broadcasts++;
  }

  private async read(): Promise<ScoreboardMessage> {
    const { prisma } = this.db;
    const config = await getSetting(prisma, 'scoreboard.public');
    if (!config.enabled) return { open: false };
    const stage = await boardStage(prisma, config, this.clock.now());
    if (!stage) return { open: false };
    const freeze = await getFreeze(prisma, stage.id);
    const standings = freeze ? freeze.standings : await this.standings(stage, config.basis);
    return { open: true, board: publicBoard(standings, config.gmv, freeze?.frozenAt ?? null) };
  }

  /** The stage's standings now; `fresh` reads names and verified sums again (for 封榜, which must be exact). */
  async standings(stage: BoardStage, basis: ScoreboardConfig['basis'], fresh = false): Promise<Standings> {
    const now = this.clock.now();
    if (fresh || !this.registry || now - this.registry.at >= REGISTRY_MS) this.registry = { at: now, value: await loadRegistry(this.db.prisma) };
    let teams: Array<{ teamId: number; netFen: number }>;
    if (basis === 'verified') {
      let v = this.verified;
      if (fresh || !v || v.stageId !== stage.id || now - v.at >= VERIFIED_MS)
        v = this.verified = { stageId: stage.id, at: now, value: await verifiedTeamNets(this.db.prisma, stage.id) };
      teams = v.value;
    } else {
      // Provisional: the live leaderboard (net of refunds), the same numbers the wall shows, without the database.
      const rows = await this.live.store.leaderboard(stage.id, 'team', ALL_TEAMS);
      teams = rows.map((r) => ({ teamId: Number(r.id), netFen: r.netFen }));
    }
    return buildStandings({ stageName: stage.name, basis, asOf: now, teams, registry: this.registry.value });
  }
}
