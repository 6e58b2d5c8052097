// How a live session reads on screen, from its numbers and the hub's time. Pure functions.
import type { SessionRow } from '@contracts/live';
import { quietAfterMs } from '@contracts/manual';

/** A session is on air while its collector keeps reporting (the hub counts online viewers the same way). */
export const ON_AIR_MS = 2 * 60_000;

export type AirState = 'onAir' | 'waiting' | 'quiet' | 'suspended';

/** Typed figures (quick entry) come minutes apart: such a room stays on air longer after its last entry. */
export function airState(row: Pick<SessionRow, 'lastEventAt' | 'status'> & { manual?: boolean }, now: number): AirState {
  if (row.status === 'suspended') return 'suspended';
  if (row.lastEventAt === null) return 'waiting';
  return now - row.lastEventAt <= quietAfterMs(row.manual, ON_AIR_MS) ? 'onAir' : 'quiet';
}

const HOUR = 3_600_000;
const SHANGHAI_OFFSET = 8 * HOUR; // no daylight saving in China

/** Midnight in Asia/Shanghai of the day containing `at`, as epoch ms. */
export function shanghaiDayStart(at: number): number {
  return Math.floor((at + SHANGHAI_OFFSET) / (24 * HOUR)) * 24 * HOUR - SHANGHAI_OFFSET;
}

/** Highest GMV first; ties keep the sessions on air above the rest, then a fixed order so rows do not swap. */
export function byGmv<T extends Pick<SessionRow, 'sessionId' | 'gmvFen' | 'online'>>(a: T & { air: AirState }, b: T & { air: AirState }): number {
  return (
    b.gmvFen - a.gmvFen ||
    Number(b.air === 'onAir') - Number(a.air === 'onAir') ||
    b.online - a.online ||
    a.sessionId - b.sessionId
  );
}

/**
 * Viewers and sessions on air now, from the rows. The hub sends totals only when something changes, so
 * a session falling silent would never lower its figures; counting here keeps them in step with the rows.
 */
export function onAirTotals(rows: ReadonlyArray<Pick<SessionRow, 'lastEventAt' | 'status' | 'online'>>, now: number): { online: number; liveSessions: number } {
  let online = 0;
  let liveSessions = 0;
  for (const row of rows) {
    if (airState(row, now) !== 'onAir') continue;
    online += row.online;
    liveSessions++;
  }
  return { online, liveSessions };
}
