// GET /metrics in Prometheus' text format: ingest, rejections, sockets, the store, the persister, the fan-out,
// and the event loop's delay.
import { createHistogram } from 'node:perf_hooks';
import type { Request } from 'express';
import type { AppContext } from '../context';
import type { Live } from '../../live/index';
import type { IoServer } from '../../realtime/socket';
import type { LiveFanout } from '../../realtime/fanout';
import { ApiRouter } from '../router';
import { forbidden } from '../errors';
import { bearerOf } from '../middleware';

const LOOP_RESOLUTION_MS = 10;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function allowed(ctx: AppContext, req: Request): boolean {
  const token = ctx.config.METRICS_TOKEN;
  if (token) return bearerOf(req.get('authorization')) === token;
  return LOOPBACK.has(req.socket.remoteAddress ?? '');
}

export function metricsRoutes(ctx: AppContext, live: Live, io: IoServer, fanout: LiveFanout): ApiRouter {
  const r = new ApiRouter('');
  // Event-loop delay: a 10 ms interval records how late each of its runs comes (ms); each scrape reads and resets
  // the histogram (as prom-client does), so the figures cover the time since the previous scrape. Our own timer
  // rather than monitorEventLoopDelay, whose first tick after a reset records nothing and so could miss a block.
  const loop = createHistogram();
  let expected = Date.now() + LOOP_RESOLUTION_MS;
  const sampler = setInterval(() => {
    const now = Date.now();
    loop.record(Math.max(1, now - expected));
    expected = now + LOOP_RESOLUTION_MS;
  }, LOOP_RESOLUTION_MS);
  sampler.unref();
  io.httpServer.once('close', () => clearInterval(sampler));
  r.get('/metrics', 'public', async (req, res) => {
    if (!allowed(ctx, req)) throw forbidden('Metrics are for the operators (METRICS_TOKEN or loopback)');
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
    };
    const m = live.ingest.metrics;
    metric('gy_ingest_events_total', 'counter', 'Ingested events by outcome', [
      ['{result="accepted"}', m.accepted],
      ['{result="duplicate"}', m.duplicates],
      ...[...m.rejected].map(([code, n]): [string, number] => [`{result="rejected",code="${code}"}`, n]),
    ]);
    metric('gy_ingest_batches_total', 'counter', 'Ingest requests and socket batches', [['', m.batches]]);
    metric('gy_socket_connections', 'gauge', 'Socket.IO connections on this hub', [['', io.engine.clientsCount]]);
    metric('gy_live_store_commands_total', 'counter', 'Commands sent to the live store backend', [['', live.store.commandsSent?.() ?? 0]]);
    const t0 = process.hrtime.bigint();
    let pingOk = 1;
    await live.store.ping().catch(() => (pingOk = 0));
    metric('gy_live_store_ping_seconds', 'gauge', 'Round trip of a ping to the live store', [['', Number(process.hrtime.bigint() - t0) / 1e9]]);
    metric('gy_live_store_up', 'gauge', 'Whether the live store answered', [['', pingOk]]);
    const log = await live.store.logInfo().catch(() => ({ length: -1, pending: -1 }));
    metric('gy_persister_backlog_entries', 'gauge', 'Durable log entries not yet written to PostgreSQL', [['{state="unread"}', log.length], ['{state="pending"}', log.pending]]);
    if (live.persister) {
      const p = live.persister.stats;
      metric('gy_persister_events_total', 'counter', 'Events written to PostgreSQL by this hub', [['', p.events]]);
      metric('gy_persister_errors_total', 'counter', 'Persister write failures', [['', p.errors]]);
      metric('gy_persister_last_write_age_seconds', 'gauge', 'Seconds since the last write', [['', p.lastWriteAt ? (Date.now() - p.lastWriteAt) / 1000 : -1]]);
    }
    metric('gy_fanout_flushes_total', 'counter', 'Coalesced dashboard flushes', [['', fanout.stats.flushes]]);
    metric('gy_fanout_emits_total', 'counter', 'Room emits by the fan-out', [['', fanout.stats.emits]]);
    // Lateness in ms (recorded as at least 1, the histogram's floor): 1 ms or less reads as no delay.
    const lag = (ms: number) => (loop.count > 0 && Number.isFinite(ms) ? Math.max(0, ms - 1) / 1000 : 0);
    metric('nodejs_eventloop_lag_p50_seconds', 'gauge', 'Event-loop delay since the previous scrape, median', [['', lag(loop.percentile(50))]]);
    metric('nodejs_eventloop_lag_p99_seconds', 'gauge', 'Event-loop delay since the previous scrape, 99th percentile', [['', lag(loop.percentile(99))]]);
    metric('nodejs_eventloop_lag_max_seconds', 'gauge', 'Event-loop delay since the previous scrape, longest', [['', lag(loop.max)]]);
    loop.reset();
    const mem = process.memoryUsage();
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory', [['', mem.rss]]);
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap used', [['', mem.heapUsed]]);
    res.type('text/plain; version=0.0.4').send(lines.join('\n') + '\n');
    return undefined;
  });
  return r;
}
