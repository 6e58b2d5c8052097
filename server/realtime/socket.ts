// Socket.IO on the hub's port: WebSocket only, no per-message deflate, auth at the handshake.
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { ZodError } from 'zod';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/live';
import type { Ack } from '../../contracts/errors';
import type { AppContext } from '../http/context';
import type { Actor } from '../domain/permissions';
import type { CollectorScope } from '../auth/service';
import { toActor } from '../auth/service';
import { toAppError } from '../http/errors';
import { rooms } from './rooms';

export interface SocketData {
  actor?: Actor;
  collector?: CollectorScope;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export function createIo(server: HttpServer, ctx: AppContext): IoServer {
  const io: IoServer = new Server(server, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    maxHttpBufferSize: 2e6,
    cors: ctx.config.corsOrigins.length ? { origin: ctx.config.corsOrigins } : { origin: false },
  });

  io.use(async (socket, next) => {
    try {
      const auth: unknown = socket.handshake.auth;
      const token = typeof auth === 'object' && auth !== null && 'token' in auth ? auth.token : undefined;
      if (typeof token !== 'string' || token.length > 256) return next(authError('Sign in first'));
      if (token.startsWith('ck_')) {
        const scope = await ctx.auth.collectorScope(token);
        if (!scope) return next(authError('Unknown or revoked collector key'));
        socket.data.collector = scope;
      } else {
        const user = await ctx.auth.authenticate(token);
        if (!user) return next(authError('Session expired or revoked; sign in again'));
        socket.data.actor = toActor(user);
      }
      next();
    } catch (err) {
      ctx.log.error({ err }, 'socket auth failed');
      // Not the user's fault: UNAVAILABLE lets the client retry instead of signing out.
      next(authError('Sign-in check failed; try again', 'UNAVAILABLE'));
    }
  });

  io.on('connection', (socket) => {
    // Personal rooms for alerts, tickets and notices addressed to this user's scope.
    const a = socket.data.actor;
    if (a?.role === 'province') void socket.join(rooms.province);
    if (a?.role === 'city' && a.cityCode) void socket.join(rooms.cityStaff(a.cityCode));
    if (a?.role === 'team' && a.teamId) void socket.join(rooms.team(a.teamId));
  });
  return io;
}

function authError(message: string, code: 'UNAUTHENTICATED' | 'UNAVAILABLE' = 'UNAUTHENTICATED'): Error {
  const e = new Error(message) as Error & { data: unknown };
  e.data = { code, message };
  return e;
}

/** Wraps a handler so it always answers its ack with `{ ok, data }` or `{ ok: false, error }`. */
export function handle<T>(
  ctx: AppContext,
  fn: (payload: unknown) => Promise<T>,
): (payload: unknown, cb: unknown) => void {
  return (payload, cb) => {
    const ack = typeof cb === 'function' ? (cb as (a: Ack<T>) => void) : () => undefined;
    fn(payload).then(
      (data) => ack({ ok: true, data }),
      (err: unknown) => {
        const e = toAppError(err instanceof ZodError ? err : err);
        if (e.code === 'INTERNAL') ctx.log.error({ err }, 'socket handler failed');
        ack({ ok: false, error: e.toBody() });
      },
    );
  };
}
