// Opens the database (migrating it first) and starts a hub; shared by `npm start`, the demo and the CLI.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from './config';
import { openDatabase, type Database } from './db/index';
import { migrate } from './db/migrate';
import { createLogger, type Logger } from './logger';
import { createApp, type Hub } from './app';
import { systemClock, type Clock } from './clock';
import { openLiveStore } from './live/open-store';
import { createLive } from './live/index';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function openMigratedDatabase(config: Config, log: Logger): Promise<Database> {
  const db = await openDatabase(
    config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: path.resolve(config.DATA_DIR, 'db') },
  );
  const { applied } = await migrate(db, { log: (m) => log.info(m) });
  if (applied.length) log.info({ applied }, 'migrations applied');
  return db;
}

export interface Running {
  hub: Hub;
  db: Database;
  port: number;
  stop(): Promise<void>;
}

export async function startHub(config: Config, opts: { log?: Logger; clock?: Clock; clientDir?: string } = {}): Promise<Running> {
  const log = opts.log ?? createLogger(config);
  const db = await openMigratedDatabase(config, log);
  const clock = opts.clock ?? systemClock;
  const store = await openLiveStore(config.REDIS_URL);
  const live = createLive({ config, db, clock, log, store });
  const hub = createApp({
    config,
    db,
    clock,
    log,
    live,
    ...(config.REDIS_URL ? { adapterRedisUrl: config.REDIS_URL } : {}),
    ...(config.SERVE_CLIENT ? { clientDir: opts.clientDir ?? path.join(ROOT, 'dist', 'client') } : {}),
  });
  const port = await hub.listen();
  log.info({ port, db: db.describe, live: store.kind }, 'hub listening');
  let stopping: Promise<void> | undefined;
  return {
    hub,
    db,
    port,
    stop: () =>
      (stopping ??= (async () => {
        await hub.close();
        await store.close();
        await db.close();
      })()),
  };
}
