// Drives many SessionModels on simulated time and delivers their events per collector key, exactly once and in order.
import type { IngestEvent } from '../../contracts/ingest';
import { MAX_BATCH } from '../../contracts/ingest';
import { rng } from '../seed/random';
import type { Rand } from './dist';
import { SessionModel, type SimSession } from './model';
import { MIN } from './plan';
import { EventQueue } from './queue';
import type { Sender, SendResult } from './sender';

export { httpSender, type Sender, type SendResult } from './sender';

export interface SimulatorOptions {
  sessions: SimSession[];
  keyFor: (s: SimSession) => string | undefined;
  sender: Sender;
  /** Simulated seconds per wall second. */
  speed?: number;
  tickMs?: number;
  /** Simulated epoch ms at start. */
  startAt?: number;
  maxBatch?: number;
  seed?: number;
  /** Pending events per key past which its sessions pause (they catch up later; nothing is dropped). */
  maxQueue?: number;
  /**
   * Prefixed to every event and order id. Without one, ids depend only on the session and the sequence, so a
   * restarted demo re-sends the same events and the hub counts them once; a second run meant as new traffic on
   * the same sessions (a benchmark phase) sets a tag such as "r2-".
   */
  runTag?: string;
  log?: (msg: string, data?: object) => void;
}

export interface SimulatorStats {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  retries: number;
  pendingEvents: number;
}

const BACKOFF_START_MS = 200;
const BACKOFF_CAP_MS = 5000;

/** One collector key's ordered stream: a queue and at most one batch out at a time. */
interface Lane {
  key: string;
  label: string; // keys are secrets; logs name the lane instead
  queue: EventQueue;
  batch: IngestEvent[] | null;
  inFlight: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  attempt: number;
  paused: boolean;
}

export class Simulator {
  private readonly models = new Map<number, { session: SimSession; model: SessionModel }>();
  /** Sessions whose room has closed: a later list refresh must not replay them. */
  private readonly finished = new Set<number>();
  private readonly lanes = new Map<string, Lane>();
  private readonly speed: number;
  private readonly tickMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly seed: number;
  private readonly log: (msg: string, data?: object) => void;
  private readonly jitter: Rand;
  private state: 'idle' | 'running' | 'draining' | 'stopped' = 'idle';
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  private wallStart = 0;
  private simStart: number;
  private lastStep: number;
  private readonly counts = { sent: 0, accepted: 0, duplicates: 0, rejected: 0, retries: 0 };
  private readonly said = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly opts: SimulatorOptions) {
    this.speed = opts.speed ?? 1;
    this.tickMs = opts.tickMs ?? 1000;
    this.maxBatch = opts.maxBatch ?? 500;
    this.maxQueue = opts.maxQueue ?? 100_000;
    if (!(this.speed > 0)) throw new RangeError('speed must be > 0');
    if (!(this.tickMs > 0)) throw new RangeError('tickMs must be > 0');
    if (!(this.maxBatch >= 1 && this.maxBatch <= MAX_BATCH)) throw new RangeError(`maxBatch must be 1..${MAX_BATCH}`);
    this.seed = opts.seed ?? 1;
    this.log = opts.log ?? (() => {});
    this.jitter = rng(this.seed ^ 0x5eed);
    this.simStart = this.lastStep = opts.startAt ?? Date.now();
    this.addSessions(opts.sessions);
  }

  /** Simulated time the models were last stepped to. */
  get simTime(): number {
    return this.lastStep;
  }

  /** Sessions still being simulated. */
  get sessionCount(): number {
    return this.models.size;
  }

  /** Adds sessions not seen before; one already over at the current simulated time is skipped. */
  addSessions(sessions: SimSession[]): void {
    for (const s of sessions) {
      if (this.models.has(s.id) || this.finished.has(s.id)) continue;
      if (s.plannedEnd + 10 * MIN < this.lastStep) {
        this.once(`over:${s.id}`, 'session already over; not simulated', { sessionId: s.id });
        continue;
      }
      this.models.set(s.id, { session: s, model: new SessionModel(s, this.seed, this.opts.runTag ?? '') });
    }
  }

  start(): void {
    if (this.state === 'running') return;
    // Resuming after stop() continues from where simulated time stood.
    this.simStart = this.lastStep;
    this.wallStart = Date.now();
    this.state = 'running';
    this.tick();
  }

  /** Stops ticking; with flushMs, first keeps delivering what is queued for up to that long. */
  async stop(opts: { flushMs?: number } = {}): Promise<void> {
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    if (this.state === 'running' && (opts.flushMs ?? 0) > 0) {
      this.state = 'draining';
      await this.idle(opts.flushMs ?? 0);
    }
    this.state = 'stopped';
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = null;
    }
    await Promise.allSettled([...this.inFlight]);
    this.wakeIdle();
  }

  stats(): SimulatorStats {
    let pendingEvents = 0;
    for (const lane of this.lanes.values()) pendingEvents += lane.queue.size + (lane.batch?.length ?? 0);
    return { ...this.counts, pendingEvents };
  }

  private tick = (): void => {
    this.tickTimer = null;
    if (this.state !== 'running') return;
    const now = this.simStart + (Date.now() - this.wallStart) * this.speed;
    this.lastStep = Math.max(this.lastStep, now);
    for (const [id, { session, model }] of this.models) {
      const key = this.opts.keyFor(session);
      if (!key) {
        this.once(`nokey:${id}`, 'no collector key for session; skipped', { sessionId: id });
        continue;
      }
      const lane = this.lane(key);
      // Backpressure: a paused model isn't stepped, and catches up on the same events once the lane drains.
      if (lane.paused) continue;
      lane.queue.push(model.step(this.lastStep));
      if (model.done) {
        this.models.delete(id);
        this.finished.add(id);
      }
    }
    for (const lane of this.lanes.values()) {
      const pending = lane.queue.size;
      if (!lane.paused && pending >= this.maxQueue) {
        lane.paused = true;
        this.log('sim: queue past limit; pausing its sessions until it drains', { lane: lane.label, pending });
      } else if (lane.paused && pending < this.maxQueue / 2) {
        lane.paused = false;
        this.log('sim: queue drained; resuming its sessions', { lane: lane.label, pending });
      }
      this.pump(lane);
    }
    this.tickTimer = setTimeout(this.tick, this.tickMs);
  };

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      const label = `key#${this.lanes.size + 1}`;
      lane = { key, label, queue: new EventQueue(), batch: null, inFlight: false, timer: null, attempt: 0, paused: false };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Sends the lane's head batch; a failed batch is resent unchanged before anything behind it. */
  private pump(lane: Lane): void {
    if (lane.inFlight || lane.timer || this.state === 'stopped') return;
    if (!lane.batch && lane.queue.size > 0) lane.batch = lane.queue.take(this.maxBatch);
    const batch = lane.batch;
    if (!batch) return this.wakeIdle();
    lane.inFlight = true;
    const p: Promise<void> = Promise.resolve()
      .then(() => this.opts.sender.send(batch, lane.key))
      .then(
        (res) => this.delivered(lane, batch, res),
        (err: unknown) => this.failed(lane, err),
      )
      .finally(() => {
        this.inFlight.delete(p);
        this.wakeIdle();
      });
    this.inFlight.add(p);
  }

  private delivered(lane: Lane, batch: IngestEvent[], res: SendResult): void {
    lane.inFlight = false;
    lane.batch = null;
    if (lane.attempt > 0) this.log('sim: delivered after retries', { lane: lane.label, attempts: lane.attempt + 1 });
    lane.attempt = 0;
    this.counts.sent += batch.length;
    this.counts.accepted += res.accepted;
    this.counts.duplicates += res.duplicates;
    this.counts.rejected += res.rejected.length;
    for (const r of res.rejected) {
      const ev = batch[r.index];
      this.once(`code:${r.code}`, 'sim: hub rejected events (logged once per code)', {
        code: r.code,
        message: r.message,
        eventId: ev?.id,
        sessionId: ev?.sessionId,
      });
    }
    this.pump(lane);
  }

  private failed(lane: Lane, err: unknown): void {
    lane.inFlight = false;
    lane.attempt++;
    this.counts.retries++;
    const base = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** (lane.attempt - 1));
    // Jitter downwards only, so many lanes don't hammer a recovering hub in step and the cap holds.
    const delay = Math.round(base * (0.8 + 0.2 * this.jitter()));
    if (lane.attempt === 1 || lane.attempt % 10 === 0) {
      this.log('sim: send failed; retrying the same batch', {
        lane: lane.label,
        attempt: lane.attempt,
        delayMs: delay,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (this.state === 'stopped') return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.pump(lane);
    }, delay);
  }

  /** Resolves once nothing is pending or in flight, or after ms. */
  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.idleWaiters.push(done);
      this.wakeIdle();
    });
  }

  private wakeIdle(): void {
    if (this.idleWaiters.length === 0) return;
    if (this.state !== 'stopped' && (this.stats().pendingEvents > 0 || this.inFlight.size > 0)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private once(tag: string, msg: string, data?: object): void {
    if (this.said.has(tag)) return;
    this.said.add(tag);
    this.log(msg, data);
  }
}
