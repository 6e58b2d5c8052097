// The 11 competition areas as reference data: names for codes in the top bar and tables.
// Fetched once; a role the server does not show cities to simply sees codes.
import { computed, shallowRef } from 'vue';
import { defineStore } from 'pinia';
import type { CityDto } from '@contracts/registry';
import { registryApi } from '@/api/registry';
import { currentLocale } from '@/i18n';

export const useCitiesStore = defineStore('cities', () => {
  const items = shallowRef<readonly CityDto[]>([]);
  let pending: Promise<void> | null = null;

  const byCode = computed(() => new Map(items.value.map((city) => [city.code, city])));

  function set(next: readonly CityDto[]): void {
    items.value = next;
  }

  function ensureLoaded(): Promise<void> {
    if (items.value.length > 0) return Promise.resolve();
    pending ??= registryApi
      .cities()
      .then((list) => set(list.items))
      .catch(() => {
        pending = null; // names fall back to codes; a later call may try again
      });
    return pending;
  }

  /** Display name in the current UI language; the code itself when unknown. */
  function nameOf(code: string | null | undefined): string {
    if (!code) return '';
    const city = byCode.value.get(code);
    if (!city) return code;
    return currentLocale() === 'en' ? city.nameEn || city.name : city.name;
  }

  /** Short form for headings: 南昌 rather than 南昌市 (English has one form). */
  function shortNameOf(code: string | null | undefined): string {
    if (!code) return '';
    const city = byCode.value.get(code);
    if (!city) return code;
    return currentLocale() === 'en' ? city.nameEn || city.name : city.short || city.name;
  }

  function reset(): void {
    items.value = [];
    pending = null;
  }

  return { items, byCode, set, ensureLoaded, nameOf, shortNameOf, reset };
});
