// `npm start`: the hub alone, migrations applied first.
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { startHub } from './boot';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config);
  const running = await startHub(config, { log });
  console.log(`赣邮杯 hub: http://localhost:${running.port}/  (db: ${running.db.describe})`);
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error('hub failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
