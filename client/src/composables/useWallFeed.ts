// Connects the wall store to the hub: subscribe on every (re)connect, feed snapshots and updates in,
// and ask for a fresh snapshot when the one held has gone out of date.
import { onScopeDispose, watch } from 'vue';
import { useLiveSocket } from '@/composables/useLiveSocket';
import { useWallStore } from '@/stores/wall';

/** Sessions enter and leave their slots; a periodic snapshot brings in the names and drops the finished. */
const RESNAPSHOT_MS = 5 * 60_000;
/** At most one extra snapshot this often, however many unknown sessions the updates name. */
const RESNAPSHOT_MIN_GAP_MS = 10_000;

export function useWallFeed() {
  const live = useLiveSocket();
  const wall = useWallStore();
  let lastRequest = 0;
  let stopped = false;

  live.on('wall:snapshot', (snapshot) => wall.applySnapshot(snapshot));
  live.on('wall:updated', (update) => wall.enqueue(update));

  async function subscribe(): Promise<void> {
    lastRequest = Date.now();
    const ack = await live.request('wall:subscribe', null);
    if (stopped) return;
    // A lost ack after a dropped connection is not an error to show: the reconnect subscribes again.
    if (!ack.ok && live.state.value === 'connected') wall.setError(ack.error);
    else if (ack.ok) wall.setError(null);
  }

  live.onConnected(() => void subscribe());

  watch(
    () => wall.needsSnapshot,
    (needed) => {
      if (!needed || live.state.value !== 'connected') return;
      const wait = Math.max(0, lastRequest + RESNAPSHOT_MIN_GAP_MS - Date.now());
      window.setTimeout(() => {
        if (!stopped && wall.needsSnapshot && live.state.value === 'connected') void subscribe();
      }, wait);
    },
  );
  const refresher = window.setInterval(() => {
    if (live.state.value === 'connected') void subscribe();
  }, RESNAPSHOT_MS);

  onScopeDispose(() => {
    stopped = true;
    window.clearInterval(refresher);
    live.send('wall:unsubscribe', null);
    wall.reset();
  });

  return { connection: live.state };
}
