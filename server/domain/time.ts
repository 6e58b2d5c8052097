// Contest time is Asia/Shanghai (UTC+8 all year, no daylight saving).
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const OFFSET = 8 * HOUR;

/** The UTC instant of local midnight starting the Shanghai day containing `ms`. */
export function shanghaiDayStart(ms: number): number {
  return Math.floor((ms + OFFSET) / DAY) * DAY - OFFSET;
}

/** yyyy-mm-dd of the Shanghai day containing `ms`. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + OFFSET).toISOString().slice(0, 10);
}

/** The UTC instant of a Shanghai wall-clock date ('2024-10-20') at hh:mm. */
export function shanghaiInstant(date: string, hh = 0, mm = 0): number {
  return Date.parse(`${date}T00:00:00Z`) - OFFSET + hh * HOUR + mm * MINUTE;
}
