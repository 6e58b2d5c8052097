// The wall is laid out once, at 1920×1080, and scaled to whatever screen shows it. Pure; no imports.

export const STAGE = { width: 1920, height: 1080 } as const;

export interface StageFit {
  scale: number;
  /** Offsets of the scaled stage's top-left corner, centring it (letterboxed) in the viewport. */
  left: number;
  top: number;
}

/** The largest scale at which the whole stage fits the viewport, centred; never below a sliver. */
export function fitStage(viewWidth: number, viewHeight: number, stage: { width: number; height: number } = STAGE): StageFit {
  const scale = Math.max(0.05, Math.min(viewWidth / stage.width, viewHeight / stage.height));
  return {
    scale,
    left: Math.max(0, (viewWidth - stage.width * scale) / 2),
    top: Math.max(0, (viewHeight - stage.height * scale) / 2),
  };
}

/**
 * Where a list too tall for its box pauses as it pages: offsets (px from the list's top) of the first entry of
 * each page, so a page never starts halfway through an entry. `tops` are the entries' top offsets, `bottoms` their
 * bottom offsets, ascending. One page (offset 0) when everything fits.
 */
export function pageStarts(tops: readonly number[], bottoms: readonly number[], viewHeight: number): number[] {
  const starts = [0];
  if (!tops.length || viewHeight <= 0) return starts;
  const end = bottoms[bottoms.length - 1] ?? 0;
  let start = 0;
  while (end - start > viewHeight + 0.5) {
    // The first entry that does not fit wholly on this page starts the next one.
    const next = tops.findIndex((top, i) => top > start && (bottoms[i] ?? top) > start + viewHeight + 0.5);
    if (next === -1) break;
    start = tops[next]!;
    starts.push(start);
  }
  return starts;
}
