// Client-side search, sort and paging over a list the server returned whole (hundreds of rows at
// most per scope). Sorting happens before paging, so a sort orders every row, not just one page.
import { computed, ref, watch, type Ref } from 'vue';

export type SortOrder = 'ascending' | 'descending' | null;
export interface SortState {
  prop: string | null;
  order: SortOrder;
}

export interface TableViewOptions<T> {
  /** Text a row is searched by; lower-cased once per row. */
  searchText: (row: T) => string;
  /** Extra predicate for select filters (status, city); refs it reads are tracked like any computed's. */
  filter?: (row: T) => boolean;
  /** Value to sort by for a column prop; default reads the property. */
  sortValue?: (row: T, prop: string) => unknown;
  defaultSort?: SortState;
  pageSize?: number;
}

const collator = new Intl.Collator(['zh-CN', 'en'], { numeric: true, sensitivity: 'base' });

function compare(a: unknown, b: unknown): number {
  // Missing values sort last in either direction's natural reading.
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return collator.compare(String(a), String(b));
}

export function useTableView<T extends object>(rows: Ref<readonly T[]>, options: TableViewOptions<T>) {
  const search = ref('');
  const sort = ref<SortState>(options.defaultSort ?? { prop: null, order: null });
  const page = ref(1);
  const pageSize = ref(options.pageSize ?? 20);

  const indexed = computed(() => rows.value.map((row) => ({ row, text: options.searchText(row).toLowerCase() })));

  const filtered = computed(() => {
    const needle = search.value.trim().toLowerCase();
    return indexed.value
      .filter(({ row, text }) => (!needle || text.includes(needle)) && (!options.filter || options.filter(row)))
      .map(({ row }) => row);
  });

  const sorted = computed(() => {
    const { prop, order } = sort.value;
    if (!prop || !order) return filtered.value;
    const read = options.sortValue ?? ((row: T, key: string): unknown => Reflect.get(row, key));
    const direction = order === 'ascending' ? 1 : -1;
    return [...filtered.value].sort((a, b) => {
      const av = read(a, prop);
      const bv = read(b, prop);
      if (av === null || av === undefined || bv === null || bv === undefined) return compare(av, bv);
      return direction * compare(av, bv);
    });
  });

  const pageRows = computed(() => {
    const start = (page.value - 1) * pageSize.value;
    return sorted.value.slice(start, start + pageSize.value);
  });

  // Any change in what is shown starts from the first page again.
  watch([filtered, sort, pageSize], () => {
    page.value = 1;
  });

  function onSortChange(next: { prop: string | null; order: SortOrder }): void {
    sort.value = { prop: next.prop, order: next.order };
  }

  return { search, sort, page, pageSize, filtered, pageRows, total: computed(() => filtered.value.length), onSortChange };
}
