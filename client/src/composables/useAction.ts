// One button's request: busy while it runs, the hub's refusal kept for the form to show, a short
// confirmation when it worked. Returns the result, or undefined when it was refused.
import { ref } from 'vue';
import { ElMessage } from 'element-plus';
import 'element-plus/es/components/message/style/css';
import { useServerErrors } from './useServerErrors';

export function useAction(fields: readonly string[] = []) {
  const busy = ref(false);
  const errors = useServerErrors(fields);

  async function run<T>(work: () => Promise<T>, success?: string): Promise<T | undefined> {
    if (busy.value) return undefined;
    busy.value = true;
    errors.clear();
    try {
      const out = await work();
      if (success) ElMessage({ type: 'success', message: success, grouping: true });
      return out;
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === 'AbortError') return undefined;
      errors.set(cause);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  return { busy, run, ...errors };
}
