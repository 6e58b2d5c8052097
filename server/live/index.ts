// The live spine of one hub: store, directory, ingest, views and the persister, started and stopped together.
import type { Config } from '../config';
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { LiveStore } from './store';
import { SessionDirectory } from './directory';
import { IngestService } from './ingest';
import { LiveViews } from './views';
import { Persister } from './persister';
import { closeFinishedSessions } from './lifecycle';

export interface Live {
  store: LiveStore;
  directory: SessionDirectory;
  ingest: IngestService;
  views: LiveViews;
  persister: Persister | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createLive(deps: { config: Config; db: Database; clock: Clock; log: Logger; store: LiveStore }): Live {
  const { config, db, clock, log, store } = deps;
  const directory = new SessionDirectory(db, clock, log);
  let timer: NodeJS.Timeout | undefined;
  const persister = config.PERSISTER ? new Persister(store, db, log.child({ part: 'persister' }), config.HUB_ID) : null;
  return {
    store,
    directory,
    ingest: new IngestService(store, directory, clock),
    views: new LiveViews(store, directory, clock),
    persister,
    async start() {
      await directory.start();
      persister?.start();
      timer = setInterval(() => {
        closeFinishedSessions(db, store, clock).then(
          (ids) => ids.length && log.info({ sessions: ids }, 'sessions ended'),
          (err: unknown) => log.warn({ err }, 'closing finished sessions failed'),
        );
      }, 30_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      directory.stop();
      await persister?.stop();
    },
  };
}
