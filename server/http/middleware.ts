import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { AppContext } from './context';
import { toActor } from '../auth/service';

const REQ_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const given = req.get('x-request-id');
    req.id = given && REQ_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', req.id);
    next();
  };
}

export function accessLog(ctx: AppContext): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      // Collectors post every second or two; their successes would drown everything else at info.
      // So would a crowd on the public scoreboard.
      const quiet = req.path.startsWith('/api/v1/ingest') || req.path === '/api/v1/public/scoreboard';
      const level = res.statusCode >= 500 ? 'error' : res.statusCode < 400 && quiet ? 'debug' : 'info';
      ctx.log[level](
        { reqId: req.id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10, user: req.actor?.id },
        'request',
      );
    });
    next();
  };
}

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S{1,256})$/i.exec(header);
  return m?.[1];
}

/** Resolves a user token to req.actor when present; routes decide whether it is required. */
export function authenticate(ctx: AppContext): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerOf(req.get('authorization'));
    if (!token) return next();
    req.bearer = token;
    if (token.startsWith('ck_')) return next(); // collector keys are resolved by the ingest route
    const user = await ctx.auth.authenticate(token);
    if (user) req.actor = toActor(user);
    next();
  };
}
