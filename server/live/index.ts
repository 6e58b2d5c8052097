// The live spine of one hub: store, directory, ingest, views and the persister, started and stopped together.
import type { Config } from '../config';
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { LiveStore } from './store';
import { SessionDirectory } from './directory';
import { IngestService } from './ingest';
import { LiveViews } from './views';
import { YesterdayCurve } from './yesterday';
import { Persister } from './persister';
import { closeFinishedSessions } from './lifecycle';
import { startAnalysisJob } from '../analysis/job';
import { LiveGuard, rebuildFromDatabase } from './rebuild';
import { MemoryLiveStore } from './memory-store';

export interface Live {
  store: LiveStore;
  directory: SessionDirectory;
  ingest: IngestService;
  views: LiveViews;
  persister: Persister | null;
  /** Notices a Redis that lost its data and rebuilds live state from PostgreSQL (Redis store with REDIS_URL only). */
  guard?: LiveGuard | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createLive(deps: { config: Config; db: Database; clock: Clock; log: Logger; store: LiveStore }): Live {
  const { config, db, clock, log, store: raw } = deps;
  const guard =
    config.REDIS_URL && raw.kind === 'redis'
      ? new LiveGuard({ redisUrl: config.REDIS_URL, store: raw, db, log: log.child({ part: 'live-guard' }), hubId: config.HUB_ID })
      : null;
  // Ingest and the health probe go through the guard: refused (503) while live state is rebuilt.
  const store = guard ? guard.wrap(raw) : raw;
  const directory = new SessionDirectory(db, clock, log);
  let timer: NodeJS.Timeout | undefined;
  let analysisJob: { stop(): unknown } | undefined;
  const persister = config.PERSISTER ? new Persister(raw, db, log.child({ part: 'persister' }), config.HUB_ID, { staleMs: config.PERSISTER_STALE_MS }) : null;
  return {
    store,
    directory,
    ingest: new IngestService(store, directory, clock),
    views: new LiveViews(store, directory, clock, new YesterdayCurve(db, clock)),
    persister,
    guard,
    async start() {
      await directory.start();
      // The in-process store starts empty: a restarted hub replays PostgreSQL's event log before it listens, so
      // the wall shows the same numbers as before the restart, not zeros. (Events acked but not yet persisted when
      // the process died are gone with its memory: the embedded default trades that for needing no servers.)
      if (raw instanceof MemoryLiveStore) {
        const report = await rebuildFromDatabase(db, raw, {
          now: clock.now(),
          apply: (batch) => raw.applyBatch(batch, { durable: false }),
          bigOrderFen: directory.bigOrderFen,
        });
        if (report.events) log.info({ ...report }, 'live state replayed from the database');
      }
      guard?.start();
      persister?.start();
      timer = setInterval(() => {
        closeFinishedSessions(db, store, clock).then(
          (ids) => ids.length && log.info({ sessions: ids }, 'sessions ended'),
          (err: unknown) => log.warn({ err }, 'closing finished sessions failed'),
        );
      }, 30_000);
      timer.unref();
      // Analysis records of ended sessions, recomputed when late events arrive.
      analysisJob = startAnalysisJob({ db, clock, log: log.child({ part: 'analysis' }) });
    },
    async stop() {
      clearInterval(timer);
      await analysisJob?.stop();
      directory.stop();
      await persister?.stop();
      await guard?.stop();
    },
  };
}
