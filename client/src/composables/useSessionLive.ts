// One session's live numbers for its team: `session:subscribe` on every (re)connect and whenever the
// session changes, its snapshot, then updates applied once per animation frame.
import { computed, onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import type { SessionLive, SessionRow, SessionSnapshot, SessionUpdate } from '@contracts/live';
import type { ErrorBody } from '@contracts/errors';
import { useLiveSocket } from './useLiveSocket';
import { frameScheduler } from './frame';

export function useSessionLive(sessionId: Ref<number | null>) {
  const live = useLiveSocket();
  const session = shallowRef<SessionRow | null>(null);
  const rankInCity = ref<number | null>(null);
  const dataAt = ref<number | null>(null);
  const clockOffset = ref(0);
  const error = shallowRef<ErrorBody | null>(null);
  let subscribed: number | null = null;
  let pending: { at: number; session: SessionLive; rankInCity: number | null } | null = null;

  const frame = frameScheduler(() => {
    const p = pending;
    pending = null;
    if (!p || !session.value) return;
    session.value = { ...session.value, ...p.session };
    rankInCity.value = p.rankInCity;
    dataAt.value = p.at;
    clockOffset.value = p.at - Date.now();
  });

  function applySnapshot(s: SessionSnapshot): void {
    if (s.session.sessionId !== sessionId.value) return;
    pending = null;
    frame.cancel();
    session.value = s.session;
    rankInCity.value = s.rankInCity;
    dataAt.value = s.at;
    clockOffset.value = s.at - Date.now();
    error.value = null;
  }

  function enqueue(u: SessionUpdate): void {
    if (u.session.sessionId !== sessionId.value || !session.value) return;
    pending = { at: u.at, session: { ...pending?.session, ...u.session }, rankInCity: u.rankInCity };
    frame.request();
  }

  async function subscribe(): Promise<void> {
    const id = sessionId.value;
    if (subscribed !== null && subscribed !== id) live.send('session:unsubscribe', { sessionId: subscribed });
    subscribed = id;
    if (id === null) return;
    const ack = await live.request('session:subscribe', { sessionId: id });
    if (!ack.ok && live.state.value === 'connected' && sessionId.value === id) error.value = ack.error;
  }

  live.on('session:snapshot', applySnapshot);
  live.on('session:updated', enqueue);
  live.onConnected(() => void subscribe());
  watch(sessionId, (id, was) => {
    if (id === was) return;
    session.value = null;
    rankInCity.value = null;
    if (live.state.value === 'connected') void subscribe();
  });

  onScopeDispose(() => {
    frame.cancel();
    if (subscribed !== null) live.send('session:unsubscribe', { sessionId: subscribed });
  });

  const stale = computed(() => session.value !== null && live.state.value !== 'connected');
  return { connection: live.state, session, rankInCity, dataAt, clockOffset, error, stale };
}
