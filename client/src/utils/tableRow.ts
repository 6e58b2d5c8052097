import type { DefaultRow } from 'element-plus/es/components/table/src/table/defaults';

/**
 * el-table-column's slots type every row as `Record<PropertyKey, any>` whatever `:data` holds.
 * This restores the row type in one audited place: the table's `:data` is what decides it.
 */
export function rowAs<T>(): (row: DefaultRow) => T {
  return (row) => row as T;
}
