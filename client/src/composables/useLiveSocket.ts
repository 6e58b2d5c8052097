// One Socket.IO connection per signed-in token, shared by every live view on the page. Views get the
// connection state, listeners that end with their scope, and a hook re-run after every (re)connect,
// because the server forgets subscriptions when a connection drops.
import { getCurrentScope, onScopeDispose, readonly, shallowRef, type Ref } from 'vue';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@contracts/live';
import type { Ack, ErrorCode } from '@contracts/errors';
import { useAuthStore } from '@/stores/auth';
import { liveHooks } from './liveSocketHooks';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';
/** Client events answered with an empty ack (every one but ingest, which dashboards never send). */
export type SubscriptionEvent = Exclude<keyof ClientToServerEvents, 'ingest:batch'>;

const ACK_TIMEOUT_MS = 10_000;
/** Keeps the connection through a quick page change instead of reconnecting. */
const IDLE_CLOSE_MS = 5_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 15_000;
/**
 * socket.io's own reconnection after a lost connection (a hub restarted, a network drop) backs off 1 s, 2 s, 4 s…
 * up to this: a wall comes back at most this long after its hub does (at 15 s, `npm run soak` saw it take 13 s).
 */
const RECONNECT_MAX_MS = 5_000;

interface Shared {
  token: string;
  socket: LiveSocket;
  users: number;
  idleTimer?: ReturnType<typeof setTimeout>;
  retryTimer?: ReturnType<typeof setTimeout>;
  retries: number;
}

const state = shallowRef<ConnectionState>('disconnected');
let shared: Shared | null = null;

function errorCodeOf(error: Error): string | undefined {
  const data: unknown = 'data' in error ? error.data : undefined;
  if (typeof data === 'object' && data !== null && 'code' in data && typeof data.code === 'string') return data.code;
  return undefined;
}

function close(entry: Shared): void {
  clearTimeout(entry.idleTimer);
  clearTimeout(entry.retryTimer);
  entry.socket.removeAllListeners();
  entry.socket.io.removeAllListeners();
  entry.socket.disconnect();
  if (shared === entry) {
    shared = null;
    state.value = 'disconnected';
  }
}

function open(token: string): Shared {
  // Same origin: the hub serves the client, and Vite's dev server proxies /socket.io to it.
  const socket: LiveSocket = io({ transports: ['websocket'], auth: { token }, reconnectionDelayMax: RECONNECT_MAX_MS });
  const entry: Shared = { token, socket, users: 0, retries: 0 };
  state.value = 'connecting';

  socket.on('connect', () => {
    entry.retries = 0;
    state.value = 'connected';
  });
  socket.on('disconnect', (reason) => {
    state.value = 'disconnected';
    // socket.io reconnects by itself after a network loss, but not when the hub closed the connection.
    if (reason === 'io server disconnect') retryLater(entry);
  });
  socket.io.on('reconnect_attempt', () => {
    state.value = 'connecting';
  });
  socket.on('connect_error', (error) => {
    state.value = 'disconnected';
    if (errorCodeOf(error) === 'UNAUTHENTICATED') {
      close(entry);
      if (useAuthStore().token === token) liveHooks.onUnauthorized(token);
      return;
    }
    // socket.io gives up after a refusal by the server's middleware (socket.active turns false);
    // anything but a bad token is worth another try, later and later.
    if (!socket.active) retryLater(entry);
  });
  return entry;
}

function retryLater(entry: Shared): void {
  const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** entry.retries++);
  clearTimeout(entry.retryTimer);
  entry.retryTimer = setTimeout(() => {
    if (shared === entry && !entry.socket.connected) {
      state.value = 'connecting';
      entry.socket.connect();
    }
  }, delay);
}

function acquire(token: string): Shared {
  if (shared && shared.token !== token) close(shared); // signed in as someone else
  shared ??= open(token);
  clearTimeout(shared.idleTimer);
  shared.users++;
  return shared;
}

function release(entry: Shared): void {
  entry.users--;
  if (entry.users > 0) return;
  clearTimeout(entry.idleTimer);
  entry.idleTimer = setTimeout(() => {
    if (entry.users === 0) close(entry);
  }, IDLE_CLOSE_MS);
}

export interface LiveHandle {
  state: Readonly<Ref<ConnectionState>>;
  /** Listens to a server event until the calling scope ends. */
  on<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]): void;
  /** Runs `fn` now if connected, and after every reconnect, until the calling scope ends. */
  onConnected(fn: () => void): void;
  /** Emits a subscription event and resolves with its ack; a lost or late answer resolves as UNAVAILABLE. */
  request(event: SubscriptionEvent, payload: unknown): Promise<Ack<null>>;
  /** Emits without waiting for the answer (unsubscribing on the way out). */
  send(event: SubscriptionEvent, payload: unknown): void;
}

function unavailable(message: string): Ack<null> {
  const code: ErrorCode = 'UNAVAILABLE';
  return { ok: false, error: { code, message } };
}

/** The shared live connection for the signed-in user; call from a component's setup (or any effect scope). */
export function useLiveSocket(): LiveHandle {
  const token = useAuthStore().token;
  const entry = token ? acquire(token) : null;
  const cleanups: Array<() => void> = [];

  if (getCurrentScope()) {
    onScopeDispose(() => {
      for (const cleanup of cleanups.splice(0)) cleanup();
      if (entry) release(entry);
    });
  }

  return {
    state: readonly(state),
    on(event, handler) {
      if (!entry) return;
      // socket.io cannot match a generic event to its listener type; the signature above does it for callers.
      const listener = handler as never;
      entry.socket.on(event, listener);
      cleanups.push(() => entry.socket.off(event, listener));
    },
    onConnected(fn) {
      if (!entry) return;
      entry.socket.on('connect', fn);
      cleanups.push(() => entry.socket.off('connect', fn));
      if (entry.socket.connected) fn();
    },
    request(event, payload) {
      if (!entry) return Promise.resolve(unavailable('not signed in'));
      return new Promise((resolve) => {
        entry.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (error: Error | null, ack: Ack<null>) => {
          resolve(error ? unavailable('no answer from the hub') : ack);
        });
      });
    },
    send(event, payload) {
      if (entry?.socket.connected) entry.socket.emit(event, payload, () => {});
    },
  };
}
