// What every route and socket handler receives; built once in app.ts, no singletons.
import type { Config } from '../config';
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { Logger } from '../logger';
import type { AuthService, CollectorScope } from '../auth/service';
import type { Actor } from '../domain/permissions';
import type { RateLimiter } from '../auth/rate-limit';

export interface AppContext {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  auth: AuthService;
  loginLimiter: RateLimiter;
  ingestLimiter: RateLimiter;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      id: string;
      actor?: Actor;
      collector?: CollectorScope;
      bearer?: string;
    }
  }
}
