// The real-time response of one hub (issue #5): alert evaluator behind a lease, tickets, webhook notifier.
// Built once in app.ts; started and stopped with the live fan-out.
import { Redis } from 'ioredis';
import type { AppContext } from '../http/context';
import type { Live } from '../live/index';
import type { IoServer } from '../realtime/socket';
import { AlertEvaluator } from './evaluator';
import { MemoryLease, RedisLease, type Lease } from './lease';
import { TicketService } from './tickets';
import { WebhookNotifier } from './webhooks';

/** Long enough to ride out a slow tick or two; short enough that a dead leader is replaced within seconds. */
export const LEASE_TTL_MS = 5000;

export interface ResponseHub {
  evaluator: AlertEvaluator;
  notifier: WebhookNotifier;
  tickets: TicketService;
  lease: Lease;
  start(): void;
  stop(): Promise<void>;
}

/** With `redisUrl` (several hubs on one Redis) the lease lives in Redis; otherwise this process always leads. */
export function createResponse(ctx: AppContext, live: Live, io: IoServer, redisUrl?: string): ResponseHub {
  const log = ctx.log.child({ part: 'alerts' });
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on('error', (err: unknown) => log.warn({ err }, 'alert lease Redis error'));
  const lease: Lease = redis
    ? new RedisLease(redis, ctx.config.HUB_ID, LEASE_TTL_MS)
    : new MemoryLease(ctx.config.HUB_ID, LEASE_TTL_MS, () => Date.now());
  const names = {
    team: (id: number | null) => (id === null ? undefined : live.directory.names.teams.get(id)?.name),
    city: (code: string) => live.directory.names.cities.get(code)?.short,
  };
  const notifier = new WebhookNotifier(ctx.db, log, names);
  const evaluator = new AlertEvaluator(ctx.db, live, (room, changes) => io.to(room).emit('alert:changes', changes), ctx.clock, log, lease, notifier);
  let started = false;
  return {
    evaluator,
    notifier,
    lease,
    tickets: new TicketService(ctx, io, notifier),
    start() {
      // ALERTS=false keeps this hub out of the evaluation (it still serves tickets and alerts).
      if (!ctx.config.ALERTS) return;
      started = true;
      evaluator.start();
    },
    async stop() {
      if (started) await evaluator.stop();
      await notifier.close();
      redis?.disconnect();
    },
  };
}
