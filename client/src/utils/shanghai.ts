// Date pickers work in wall-clock text ('2024-10-21 19:30'); the contest's wall clock is Asia/Shanghai
// whatever the viewer's machine says, so the text is read and written as +08:00. Pure functions.
import { formatTime } from './format';

export const PICKER_FORMAT = 'YYYY-MM-DD HH:mm';
const WALL = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;

/** '2024-10-21 19:30' (Shanghai) → ISO instant; null when the text is not such a time. */
export function wallToIso(text: string | null | undefined): string | null {
  const m = text ? WALL.exec(text.trim()) : null;
  if (!m) return null;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00+08:00`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** ISO instant (or epoch ms) → '2024-10-21 19:30' in Shanghai; '' when absent. */
export function isoToWall(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const text = formatTime(value, 'datetime');
  return text === '—' ? '' : text;
}

/** 'yyyy-mm-dd' of the instant in Shanghai. */
export function shanghaiDay(value: string | number): string {
  return formatTime(value, 'date');
}

/** Minutes since Shanghai midnight of the instant. */
export function shanghaiMinuteOfDay(value: string | number): number {
  const [h, m] = formatTime(value, 'time').split(':');
  return Number(h) * 60 + Number(m);
}

/** The instant of Shanghai midnight starting 'yyyy-mm-dd'. */
export function dayStartIso(day: string): string {
  return new Date(`${day}T00:00:00+08:00`).toISOString();
}
