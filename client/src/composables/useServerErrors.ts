// What the hub said when it refused a form: a 400's issues by field (shown under each input), the
// rest (409 conflict, 423 locked, 403…) as one message with the hub's own reason.
import { computed, shallowRef } from 'vue';
import { ApiError, isApiError } from '@/api/http';
import type { ErrorIssue } from '@contracts/errors';
import { currentLocale } from '@/i18n';
import { localizeServerText } from '@/utils/serverText';

export function useServerErrors(fields: readonly string[] = []) {
  const error = shallowRef<ApiError | null>(null);

  /** The issue's field: `items.3.note` belongs to `items` when only `items` is a known field. */
  function fieldOf(issue: ErrorIssue): string | null {
    const path = issue.path;
    for (const field of fields) if (path === field || path.startsWith(`${field}.`)) return field;
    return null;
  }

  const byField = computed(() => {
    const map = new Map<string, string[]>();
    for (const issue of error.value?.issues ?? []) {
      const field = fieldOf(issue);
      if (!field) continue;
      map.set(field, [...(map.get(field) ?? []), issue.message]);
    }
    return map;
  });

  /** Issues no input on the form owns, listed in the alert instead. */
  const otherIssues = computed(() => (error.value?.issues ?? []).filter((issue) => fieldOf(issue) === null));

  function fieldError(field: string): string {
    return (byField.value.get(field) ?? []).map((message) => localizeServerText(message, currentLocale())).join('；');
  }

  function set(cause: unknown): void {
    error.value = isApiError(cause) ? cause : new ApiError('BAD_RESPONSE', String(cause), 0);
  }

  function clear(): void {
    error.value = null;
  }

  return { error, fieldError, otherIssues, set, clear };
}
