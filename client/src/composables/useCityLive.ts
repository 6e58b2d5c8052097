// A city's sessions live now: `city:subscribe` on every (re)connect, its snapshot, and updates merged
// into one pending patch applied per animation frame. Numbers stay on screen when cut off, marked stale.
import { computed, onScopeDispose, ref, shallowRef, type Ref } from 'vue';
import type { CitySnapshot, CityUpdate, SessionLive, SessionRow, Totals } from '@contracts/live';
import type { ErrorBody } from '@contracts/errors';
import { useLiveSocket } from './useLiveSocket';
import { frameScheduler } from './frame';

/** Updates naming a session the snapshot lacks (it entered its slot since) ask for a new one, this often at most. */
const RESNAPSHOT_MIN_GAP_MS = 10_000;

export function useCityLive(cityCode: Ref<string | null | undefined>) {
  const live = useLiveSocket();
  const loaded = ref(false);
  const totals = shallowRef<Totals | null>(null);
  const sessions = shallowRef<readonly SessionRow[]>([]);
  const rankInProvince = ref<number | null>(null);
  const dataAt = ref<number | null>(null);
  /** Hub clock minus this browser's, so lateness is judged on the hub's time. */
  const clockOffset = ref(0);
  const error = shallowRef<ErrorBody | null>(null);

  let pending: { at: number; totals: Totals; sessions: Map<number, SessionLive> } | null = null;
  let lastRequest = 0;
  let stopped = false;

  function mark(at: number): void {
    dataAt.value = at;
    clockOffset.value = at - Date.now();
  }

  const frame = frameScheduler(() => {
    const p = pending;
    pending = null;
    if (!p) return;
    totals.value = p.totals;
    let unknown = false;
    if (p.sessions.size > 0) {
      const known = new Set(sessions.value.map((s) => s.sessionId));
      for (const id of p.sessions.keys()) if (!known.has(id)) unknown = true;
      sessions.value = sessions.value.map((row) => {
        const next = p.sessions.get(row.sessionId);
        return next ? { ...row, ...next } : row;
      });
    }
    mark(p.at);
    if (unknown && Date.now() - lastRequest > RESNAPSHOT_MIN_GAP_MS) void subscribe();
  });

  function applySnapshot(s: CitySnapshot): void {
    if (s.cityCode !== cityCode.value) return;
    pending = null;
    frame.cancel();
    totals.value = s.totals;
    sessions.value = s.sessions;
    rankInProvince.value = s.rankInProvince;
    mark(s.at);
    error.value = null;
    loaded.value = true;
  }

  function enqueue(u: CityUpdate): void {
    if (!loaded.value || u.cityCode !== cityCode.value) return;
    const p = (pending ??= { at: u.at, totals: u.totals, sessions: new Map() });
    p.at = u.at;
    p.totals = u.totals;
    for (const s of u.sessions) p.sessions.set(s.sessionId, { ...p.sessions.get(s.sessionId), ...s });
    frame.request();
  }

  async function subscribe(): Promise<void> {
    const code = cityCode.value;
    if (!code) return;
    lastRequest = Date.now();
    const ack = await live.request('city:subscribe', { cityCode: code });
    if (stopped) return;
    if (!ack.ok && live.state.value === 'connected') error.value = ack.error;
    else if (ack.ok) error.value = null;
  }

  live.on('city:snapshot', applySnapshot);
  live.on('city:updated', enqueue);
  live.onConnected(() => void subscribe());

  onScopeDispose(() => {
    stopped = true;
    frame.cancel();
    if (cityCode.value) live.send('city:unsubscribe', { cityCode: cityCode.value });
  });

  const stale = computed(() => loaded.value && live.state.value !== 'connected');
  return { connection: live.state, loaded, totals, sessions, rankInProvince, dataAt, clockOffset, error, stale };
}
