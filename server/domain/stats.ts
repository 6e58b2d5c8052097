// Cumulative platform counters → the session's numbers. Pure; the Redis Lua script mirrors it exactly
// and the analysis replays it over the stored events.
import type { SessionNumbers } from '../../contracts/live';

export const COUNTERS = ['views', 'viewers', 'likes', 'comments', 'shares', 'followers'] as const;
export type Counter = (typeof COUNTERS)[number];

/** Where the fold stands: the last raw value seen per counter, and what earlier resets added. */
export interface StatsCursor {
  at: number; // event time of the latest applied stats event
  raw: Record<Counter, number>;
  offset: Record<Counter, number>;
}

export const emptyCursor = (): StatsCursor => ({
  at: -1,
  raw: { views: 0, viewers: 0, likes: 0, comments: 0, shares: 0, followers: 0 },
  offset: { views: 0, viewers: 0, likes: 0, comments: 0, shares: 0, followers: 0 },
});

export interface StatsInput {
  at: number;
  online: number;
  views: number;
  viewers?: number | undefined;
  likes?: number | undefined;
  comments?: number | undefined;
  shares?: number | undefined;
  followers?: number | undefined;
}

/**
 * Applies one stats sample. A sample older than the latest applied one changes nothing (it arrived late;
 * its counters would look like a reset). A counter lower than its last raw value means the platform reset
 * it: what was counted so far is kept as an offset and counting continues from the new raw value, so the
 * session's numbers never go backwards. `online` is a gauge; `peakOnline` its maximum.
 */
export function foldStats<N extends Pick<SessionNumbers, 'online' | 'peakOnline' | Counter>>(
  cursor: StatsCursor,
  numbers: N,
  s: StatsInput,
): { cursor: StatsCursor; numbers: N } {
  if (s.at < cursor.at) return { cursor, numbers };
  const raw = { ...cursor.raw };
  const offset = { ...cursor.offset };
  const out = { ...numbers, online: s.online, peakOnline: Math.max(numbers.peakOnline, s.online) };
  for (const c of COUNTERS) {
    const v = s[c];
    if (v === undefined) continue;
    if (v < raw[c]) offset[c] += raw[c];
    raw[c] = v;
    out[c] = offset[c] + v;
  }
  return { cursor: { at: s.at, raw, offset }, numbers: out };
}
