// Figures the wall derives from its live state. Pure and free of aliased imports, so the server-side test
// project can test them too.

const MINUTE = 60_000;

/**
 * The value of a cumulative per-minute curve at `at`: each point holds its figure from the end of its minute
 * (as the chart draws it); 0 before the first. Points sorted by time.
 */
export function curveValueAt(curve: ReadonlyArray<{ t: number; gmvFen: number }>, at: number): number {
  let value = 0;
  for (const p of curve) {
    if (p.t + MINUTE > at) break;
    value = p.gmvFen;
  }
  return value;
}

/** Today's GMV so far: the last point of today's cumulative curve, 0 when it has none from today. */
export function todayGmv(curve: ReadonlyArray<{ t: number; gmvFen: number }>, dayStart: number): number {
  const last = curve[curve.length - 1];
  return last && last.t >= dayStart ? last.gmvFen : 0;
}

export interface CityTile {
  code: string;
  /** Stage net GMV (the city leaderboard's figure), 0 before the city's first sale. */
  gmvFen: number;
  /** Place on the city leaderboard, null before the first sale. */
  rank: number | null;
  liveSessions: number;
  online: number;
}

/**
 * One tile per city, in the order given (every city, with or without sales or sessions), from the city
 * leaderboard and the sessions in their slot; `onAir` judges a session as the headline does.
 */
export function cityTiles<S extends { cityCode: string; online: number }>(
  codes: readonly string[],
  board: ReadonlyArray<{ id: string; gmvFen: number; rank: number }>,
  sessions: readonly S[],
  onAir: (session: S) => boolean,
): CityTile[] {
  const tiles = new Map<string, CityTile>();
  for (const code of codes) tiles.set(code, { code, gmvFen: 0, rank: null, liveSessions: 0, online: 0 });
  for (const entry of board) {
    const tile = tiles.get(entry.id);
    if (tile) Object.assign(tile, { gmvFen: entry.gmvFen, rank: entry.rank });
  }
  for (const s of sessions) {
    const tile = tiles.get(s.cityCode);
    if (!tile || !onAir(s)) continue;
    tile.liveSessions++;
    tile.online += s.online;
  }
  return [...tiles.values()];
}
