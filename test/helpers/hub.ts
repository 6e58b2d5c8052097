// A real hub on port 0 over a fresh database, with a tiny HTTP client for tests.
import { createApp, type Hub } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { systemClock, type Clock } from '../../server/clock.ts';
import type { Database, DbKind } from '../../server/db/index.ts';
import { freshDatabase } from './db.ts';
import { openLiveStore } from '../../server/live/open-store.ts';
import { createLive } from '../../server/live/index.ts';
import { PASSWORD, seedFixture, type Fixture } from './fixture.ts';

export interface TestHub {
  url: string;
  hub: Hub;
  db: Database;
  fx: Fixture;
  config: Config;
  /** Signs in and returns the bearer token. */
  login(username: string): Promise<string>;
  // Response bodies are whatever JSON the hub sent; tests assert on their shape.
  req(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface TestHubOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** A Redis URL for the live store; the in-process store otherwise. */
  redisUrl?: string;
  /** Reuse a database (a second hub on the same contest); it is then not closed by this hub. */
  db?: { db: Database; fx: Fixture };
  /** Serve a built client (dist/client) from this hub, for browser tests. */
  clientDir?: string;
}

export async function startTestHub(kind: DbKind, opts: TestHubOptions = {}): Promise<TestHub> {
  const db = opts.db?.db ?? (await freshDatabase(kind));
  const fx = opts.db?.fx ?? (await seedFixture(db));
  const config = loadConfig({ LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', SERVE_CLIENT: 'false', ...opts.env });
  const clock = opts.clock ?? systemClock;
  const log = createLogger(config);
  const store = await openLiveStore(opts.redisUrl);
  const live = createLive({ config, db, clock, log, store });
  const hub = createApp({ config, db, clock, log, live, ...(opts.clientDir ? { clientDir: opts.clientDir } : {}) });
  const port = await hub.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const req: TestHub['req'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, {
      method,
      headers,
      ...(o.raw !== undefined ? { body: o.raw } : o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    url,
    hub,
    db,
    fx,
    config,
    req,
    login: async (username) => {
      const r = await req('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
      if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    close: async () => {
      await hub.close();
      await store.close();
      if (!opts.db) await db.close();
    },
  };
}
