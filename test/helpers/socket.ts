// Real Socket.IO clients for tests, and waits with deadlines (never fixed sleeps).
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../contracts/live';
import type { Ack } from '../../contracts/errors';
import type { AlertDto } from '../../contracts/response';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connect(url: string, token: string): Promise<Client> {
  const s: Client = io(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('socket connect timed out')), 5000);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('connect_error', (e) => {
      clearTimeout(t);
      s.close();
      reject(e);
    });
  });
}

export function ack<T>(s: Client, event: keyof ClientToServerEvents, payload: unknown): Promise<Ack<T>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ack for ${event}`)), 5000);
    (s.emit as (e: string, p: unknown, cb: (a: Ack<T>) => void) => void)(event, payload, (a) => {
      clearTimeout(t);
      resolve(a);
    });
  });
}

/** Resolves with the first `event` whose payload satisfies `pred`, or rejects after `ms`. */
export function waitFor<E extends keyof ServerToClientEvents>(
  s: Client,
  event: E,
  pred: (p: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
  ms = 5000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const on = (p: Parameters<ServerToClientEvents[E]>[0]) => {
      if (!pred(p)) return;
      clearTimeout(t);
      s.off(event, on as never);
      resolve(p);
    };
    const t = setTimeout(() => {
      s.off(event, on as never);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    s.on(event, on as never);
  });
}

/** Collects every `event` received, for asserting that nothing arrived. */
export function record<E extends keyof ServerToClientEvents>(s: Client, event: E): Array<Parameters<ServerToClientEvents[E]>[0]> {
  const got: Array<Parameters<ServerToClientEvents[E]>[0]> = [];
  s.on(event, ((p: Parameters<ServerToClientEvents[E]>[0]) => got.push(p)) as never);
  return got;
}

type AlertKind = 'raised' | 'updated' | 'cleared';

/** Resolves with the first alert of that kind satisfying `pred` in the `alert:changes` rounds received, or rejects after `ms`. */
export function waitForAlert(s: Client, kind: AlertKind, pred: (a: AlertDto) => boolean = () => true, ms = 5000): Promise<AlertDto> {
  return waitFor(s, 'alert:changes', (c) => c[kind].some(pred), ms).then((c) => c[kind].find(pred)!);
}

/** Collects every alert of that kind received in `alert:changes` rounds, for asserting that nothing arrived. */
export function recordAlerts(s: Client, kind: AlertKind): AlertDto[] {
  const got: AlertDto[] = [];
  s.on('alert:changes', (c) => got.push(...c[kind]));
  return got;
}
