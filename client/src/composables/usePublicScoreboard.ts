// The public scoreboard for a page anyone may open: the cached HTTP read paints first, then the shared room of the
// /public namespace (no sign-in) pushes the same board to every viewer when it changes.
import { onScopeDispose, ref, shallowRef } from 'vue';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@contracts/live';
import type { PublicScoreboard } from '@contracts/scoreboard';
import { scoreboardApi } from '@/api/scoreboard';
import { isApiError } from '@/api/http';

export type BoardState = 'loading' | 'open' | 'closed' | 'error';

export function usePublicScoreboard() {
  const state = ref<BoardState>('loading');
  const board = shallowRef<PublicScoreboard | null>(null);
  const connected = ref(false);
  let pushed = false;

  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io('/public', { transports: ['websocket'] });
  socket.on('connect', () => (connected.value = true));
  socket.on('disconnect', () => (connected.value = false));
  socket.on('scoreboard:updated', (m) => {
    pushed = true;
    board.value = m.open ? m.board : null;
    state.value = m.open ? 'open' : 'closed';
  });

  async function load(): Promise<void> {
    if (!board.value) state.value = 'loading';
    try {
      const b = await scoreboardApi.publicBoard();
      // A push that arrived meanwhile is at least as new.
      if (pushed) return;
      board.value = b;
      state.value = 'open';
    } catch (cause) {
      if (pushed) return;
      state.value = isApiError(cause) && cause.code === 'NOT_FOUND' ? 'closed' : 'error';
    }
  }

  void load();
  onScopeDispose(() => socket.close());
  return { state, board, connected, load };
}
