// Rolling digits for the wall's headline numbers: a formatted number split into cells, keyed from the right so
// the units stay the same cell as the number grows (and roll rather than appear). Pure; no imports, so the
// server-side test project can test it too.

export type RollCell = { key: string; kind: 'digit'; digit: number } | { key: string; kind: 'char'; char: string };

/**
 * `¥1,234.56` → cells for `¥ 1 , 2 3 4 . 5 6`. Keys count from the right end (`d0` is the last digit,
 * `c0` the last separator), so the same place keeps its key when digits are added on the left.
 */
export function rollCells(text: string): RollCell[] {
  const cells: RollCell[] = [];
  let digits = 0;
  let chars = 0;
  const list = [...text];
  for (let i = list.length - 1; i >= 0; i--) {
    const ch = list[i]!;
    if (ch >= '0' && ch <= '9') cells.push({ key: `d${digits++}`, kind: 'digit', digit: ch.charCodeAt(0) - 48 });
    else cells.push({ key: `c${chars++}:${ch}`, kind: 'char', char: ch });
  }
  return cells.reverse();
}

/** How far a digit's strip (0 to 9 stacked, top to bottom) moves up to show `digit`, in % of the strip's height. */
export function stripOffset(digit: number): string {
  return `${-Math.max(0, Math.min(9, Math.trunc(digit))) * 10}%`;
}
