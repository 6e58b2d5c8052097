// Builds the hub from its dependencies: HTTP API, sockets and the built client, no singletons.
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Config } from './config';
import type { Database } from './db/index';
import type { Clock } from './clock';
import type { Logger } from './logger';
import { AuthService } from './auth/service';
import { RateLimiter } from './auth/rate-limit';
import type { AppContext } from './http/context';
import { accessLog, authenticate, requestId } from './http/middleware';
import { clientRouter } from './http/static';
import { errorHandler, notFound } from './http/errors';
import type { ApiRouter, RouteInfo } from './http/router';
import { healthRoutes, type HealthProbe } from './http/routes/health';
import { authRoutes } from './http/routes/auth';
import { cityRoutes } from './http/routes/cities';
import { universityRoutes } from './http/routes/universities';
import { teamRoutes } from './http/routes/teams';
import { memberRoutes } from './http/routes/members';
import { accountRoutes } from './http/routes/accounts';
import { ingestRoutes } from './http/routes/ingest';
import { sessionRoutes } from './http/routes/sessions';
import { checklistRoutes } from './http/routes/checklists';
import { stageRoutes } from './http/routes/stages';
import { settingsRoutes } from './http/routes/settings';
import { metricsRoutes } from './http/routes/metrics';
import { importRoutes } from './http/routes/imports';
import { verificationRoutes } from './http/routes/verification';
import { trainingRoutes } from './http/routes/trainings';
import { accountRequestRoutes } from './http/routes/account-requests';
import { sampleRoutes } from './http/routes/samples';
import { violationRoutes } from './http/routes/violations';
import { incentiveRoutes } from './http/routes/incentives';
import { auditRoutes } from './http/routes/audit';
import { deadlineRoutes } from './http/routes/deadlines';
import type { Live } from './live/index';
import { createIo, type IoServer } from './realtime/socket';
import { registerLiveHandlers } from './realtime/live-handlers';
import { LiveFanout } from './realtime/fanout';
import { createResponse } from './alerts/index';
import { registerResponseHandlers } from './realtime/response-handlers';
import { alertRoutes } from './http/routes/alerts';
import { ticketRoutes } from './http/routes/tickets';
import { announcementRoutes } from './http/routes/announcements';
import { webhookRoutes } from './http/routes/webhooks';
import { analysisRoutes } from './http/routes/analysis';
import { reconciliationRoutes } from './http/routes/reconciliation';
import { reportRoutes } from './http/routes/reports';
import { verifyRoutes } from './http/routes/verify';
import { manualStatsRoutes } from './http/routes/manual-stats';
import { scoreboardRoutes } from './http/routes/scoreboard';
import { PublicBoard } from './realtime/public-board';

export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  log: Logger;
  live: Live;
  /** With several hubs: Redis for the Socket.IO streams adapter, so room broadcasts reach every hub. */
  adapterRedisUrl?: string;
  /** Root of the built client (dist/client); omitted in API-only tests. */
  clientDir?: string;
  extraProbes?: HealthProbe[];
}

export interface Hub {
  ctx: AppContext;
  app: express.Express;
  server: Server;
  io: IoServer;
  live: Live;
  fanout: LiveFanout;
  /** The public scoreboard's cache and broadcast (one timer per hub). */
  scoreboard: PublicBoard;
  routes: RouteInfo[];
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createApp(deps: AppDeps): Hub {
  const { config, db, clock, log, live } = deps;
  const ctx: AppContext = {
    config,
    db,
    clock,
    log,
    auth: new AuthService(db, clock, config.TOKEN_TTL_HOURS * 3600_000),
    loginLimiter: new RateLimiter(config.LOGIN_MAX_ATTEMPTS, config.LOGIN_WINDOW_SECONDS * 1000, () => clock.now()),
    ingestLimiter: new RateLimiter(config.INGEST_MAX_RPS, 1000, () => clock.now()),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestId());
  app.use(securityHeaders);
  app.use(cors(config.corsOrigins));
  app.use(accessLog(ctx));
  app.use(express.json({ limit: '1mb', strict: true }));
  app.use('/api', authenticate(ctx));

  const server = createServer({ requestTimeout: config.REQUEST_TIMEOUT_SECONDS * 1000 }, app);
  const io = createIo(server, ctx);
  const adapterRedis = deps.adapterRedisUrl ? new Redis(deps.adapterRedisUrl, { maxRetriesPerRequest: null }) : undefined;
  if (adapterRedis) {
    // Pub/sub channels ignore the database number; name it so hubs on different databases stay apart.
    const prefix = `gy:socket.io:db${adapterRedis.options.db ?? 0}`;
    io.adapter(createAdapter(adapterRedis, { streamName: 'gy:socket.io', channelPrefix: prefix }));
  }
  io.on('connection', (socket) => registerLiveHandlers(ctx, live, socket));
  const response = createResponse(ctx, live, io, deps.adapterRedisUrl);
  io.on('connection', (socket) => registerResponseHandlers(ctx, response, socket));
  const fanout = new LiveFanout(io, live, clock, log, config.LIVE_MAX_HZ);
  const scoreboard = new PublicBoard(io, live, db, clock, log.child({ part: 'scoreboard' }));
  const probes: HealthProbe[] = [
    { name: 'db', check: async () => (await db.query('select 1 as ok'), db.kind) },
    { name: 'live', check: () => live.store.ping() },
    ...(deps.extraProbes ?? []),
  ];
  const routers: ApiRouter[] = [
    healthRoutes(ctx, probes),
    authRoutes(ctx),
    cityRoutes(ctx),
    universityRoutes(ctx),
    teamRoutes(ctx),
    memberRoutes(ctx),
    accountRoutes(ctx),
    sessionRoutes(ctx, live),
    checklistRoutes(ctx, live),
    stageRoutes(ctx, live),
    settingsRoutes(ctx),
    ingestRoutes(ctx, live.ingest),
    metricsRoutes(ctx, live, io, fanout),
    importRoutes(ctx),
    verificationRoutes(ctx),
    trainingRoutes(ctx),
    accountRequestRoutes(ctx),
    sampleRoutes(ctx),
    violationRoutes(ctx, live),
    incentiveRoutes(ctx),
    auditRoutes(ctx),
    deadlineRoutes(ctx),
    alertRoutes(ctx),
    ticketRoutes(ctx, response.tickets),
    announcementRoutes(ctx, io),
    webhookRoutes(ctx),
    analysisRoutes(ctx),
    reconciliationRoutes(ctx),
    reportRoutes(ctx),
    verifyRoutes(ctx, live),
    manualStatsRoutes(ctx, live),
    scoreboardRoutes(ctx, scoreboard),
  ];
  for (const r of routers) app.use(r.prefix || '/', r.router);
  app.use('/api', (_req, _res, next) => next(notFound('Route')));

  if (deps.clientDir && existsSync(path.join(deps.clientDir, 'index.html'))) {
    app.use(clientRouter(deps.clientDir));
  }
  app.use(errorHandler(log));

  return {
    ctx,
    app,
    server,
    io,
    live,
    fanout,
    scoreboard,
    routes: routers.flatMap((r) => r.routes),
    listen: async (port = config.PORT, host = config.HOST) => {
      await live.start();
      fanout.start();
      scoreboard.start();
      response.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    close: async () => {
      fanout.stop();
      scoreboard.stop();
      await response.stop();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        server.closeAllConnections();
      });
      await live.stop();
      adapterRedis?.disconnect();
    },
  };
}

/** CORS only for configured origins; same-origin requests need none. */
function cors(origins: string[]): express.RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin || !allowed.has(origin)) return next();
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, x-request-id');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next();
  };
}

const securityHeaders: express.RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  );
  next();
};

