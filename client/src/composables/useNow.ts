import { onScopeDispose, ref, type Ref } from 'vue';

/** The current time in epoch ms, refreshed every `intervalMs`. */
export function useNow(intervalMs = 1000): Ref<number> {
  const now = ref(Date.now());
  const timer = window.setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  onScopeDispose(() => window.clearInterval(timer));
  return now;
}
