// Loads one resource with an explicit state, so every screen can show loading, error+retry and
// empty the same way. A newer load cancels an older one; leaving the page cancels the last.
import { onScopeDispose, ref, shallowRef, type Ref, type ShallowRef } from 'vue';
import { ApiError, isApiError } from '@/api/http';

export type LoadState = 'idle' | 'loading' | 'done' | 'error';

export interface AsyncData<T> {
  state: Ref<LoadState>;
  data: ShallowRef<T | null>;
  error: ShallowRef<ApiError | null>;
  load: () => Promise<void>;
}

export function useAsyncData<T>(fetcher: (signal: AbortSignal) => Promise<T>, options: { immediate?: boolean } = {}): AsyncData<T> {
  const state = ref<LoadState>('idle');
  const data = shallowRef<T | null>(null);
  const error = shallowRef<ApiError | null>(null);
  let controller: AbortController | null = null;

  async function load(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    state.value = 'loading';
    error.value = null;
    try {
      const result = await fetcher(current.signal);
      if (current.signal.aborted) return;
      data.value = result;
      state.value = 'done';
    } catch (cause) {
      if (current.signal.aborted) return;
      error.value = isApiError(cause) ? cause : new ApiError('BAD_RESPONSE', String(cause), 0);
      state.value = 'error';
    }
  }

  onScopeDispose(() => controller?.abort());
  if (options.immediate !== false) void load();
  return { state, data, error, load };
}
