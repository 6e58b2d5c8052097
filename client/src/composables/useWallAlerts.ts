// Open alerts for the province wall: live from each evaluation round's alert:changes, re-synced with `alert:sync`
// on every (re)connect (events may be missed while the socket is cut off).
import { computed, onScopeDispose, shallowRef } from 'vue';
import type { AlertDto, AlertSeverity } from '@contracts/response';
import { applyAlertChanges } from '@contracts/live';
import { useLiveSocket } from '@/composables/useLiveSocket';

const SEVERITY_ORDER: Record<AlertSeverity, number> = { critical: 0, warning: 1, info: 2 };

function isAlertList(value: unknown): value is AlertDto[] {
  return (
    Array.isArray(value) &&
    value.every((x: unknown) => typeof x === 'object' && x !== null && 'id' in x && typeof x.id === 'number' && 'severity' in x && 'openedAt' in x)
  );
}

/** Most severe first, then newest. */
export function sortAlerts(list: readonly AlertDto[]): AlertDto[] {
  return [...list].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || Date.parse(b.openedAt) - Date.parse(a.openedAt) || b.id - a.id,
  );
}

export function useWallAlerts() {
  const live = useLiveSocket();
  const alerts = shallowRef<readonly AlertDto[]>([]);
  let stopped = false;

  live.on('alert:changes', (changes) => {
    alerts.value = applyAlertChanges(alerts.value, changes);
  });

  async function sync(): Promise<void> {
    const ack = await live.request('alert:sync', {});
    if (stopped) return;
    const data: unknown = ack.ok ? ack.data : null;
    if (ack.ok && isAlertList(data)) alerts.value = data.filter((a) => !a.clearedAt);
  }
  live.onConnected(() => void sync());
  onScopeDispose(() => {
    stopped = true;
  });

  return { alerts: computed(() => sortAlerts(alerts.value)) };
}
