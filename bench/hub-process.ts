// A hub in its own process, as `npm start` runs it (configuration from the environment, migrations first), but
// serving the built client from the folder given as the first argument: the soak (scripts/soak.ts) and the
// restart test (test/browser/wall-restart.test.ts) kill it with SIGKILL and start it again on the same port and
// data, against a client build of their own.
//   node --import tsx bench/hub-process.ts /tmp/my-client
import { loadConfig } from '../server/config';
import { createLogger } from '../server/logger';
import { startHub } from '../server/boot';

async function main(): Promise<void> {
  const clientDir = process.argv[2];
  if (!clientDir) throw new Error('usage: node --import tsx bench/hub-process.ts <built client folder>');
  const config = loadConfig();
  const log = createLogger(config);
  const running = await startHub(config, { log, clientDir });
  console.log(`hub listening on ${running.port} (db: ${running.db.describe})`);
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error('hub failed to start:', err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
