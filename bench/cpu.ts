// Who used the two cores during a window: the hub, Redis, the PostgreSQL backends serving the bench's database
// (the persister's writes), the bench itself, and everything else on this shared machine.
import pg from 'pg';
import { cpuSeconds, machineBusySeconds } from './procs';

export interface CpuShare {
  hub: number;
  redis: number;
  postgres: number;
  /** The bench process: load generator and probes. */
  loadgen: number;
  /** The rest of the machine: other people's work (and the dashboards process, unless taken out). */
  other: number;
  /** Wall-clock length of the window. */
  seconds: number;
}

export class CpuMeter {
  private client: pg.Client | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly pids: () => { hub: number; redis: number },
  ) {}

  private async postgresPids(): Promise<number[]> {
    if (!this.client) {
      this.client = new pg.Client({ connectionString: this.databaseUrl });
      await this.client.connect();
    }
    const r = await this.client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return r.rows.map((row) => row.pid);
  }

  /** Starts a window; the returned function ends it, in cores (CPU seconds per wall second). */
  async start(): Promise<() => CpuShare> {
    const { hub, redis } = this.pids();
    const pgStart = new Map((await this.postgresPids()).map((p) => [p, cpuSeconds(p)]));
    // A backend that went away during the window drops out rather than counting negative.
    const pgUsed = () => [...pgStart].reduce((a, [p, c0]) => a + (Number.isFinite(cpuSeconds(p) - c0) ? cpuSeconds(p) - c0 : 0), 0);
    const t = performance.now();
    const h = cpuSeconds(hub);
    const r = cpuSeconds(redis);
    const self = process.cpuUsage();
    const m = machineBusySeconds();
    return () => {
      const s = (performance.now() - t) / 1000;
      const u = process.cpuUsage(self);
      const share = {
        hub: (cpuSeconds(hub) - h) / s,
        redis: (cpuSeconds(redis) - r) / s,
        postgres: pgUsed() / s,
        loadgen: (u.user + u.system) / 1e6 / s,
        other: 0,
        seconds: s,
      };
      share.other = Math.max(0, (machineBusySeconds() - m) / s - share.hub - share.redis - share.postgres - share.loadgen);
      return share;
    };
  }

  async close(): Promise<void> {
    await this.client?.end();
  }
}

export const cpuText = (c: CpuShare, dashboards?: number): string =>
  `hub ${c.hub.toFixed(2)}, redis ${c.redis.toFixed(2)}, postgres ${c.postgres.toFixed(2)}, ` +
  `${dashboards !== undefined ? `dashboards ${dashboards.toFixed(2)}, ` : ''}bench ${c.loadgen.toFixed(2)}, rest of machine ${c.other.toFixed(2)}`;
