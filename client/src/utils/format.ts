// Display formatting: instants in Asia/Shanghai, money from integer fen. Pure functions, no I/O.
import type { AppLocale } from '@/i18n';

export const CONTEST_TIME_ZONE = 'Asia/Shanghai';
const NONE = '—';

export type TimeStyle = 'datetime' | 'datetimeSeconds' | 'date' | 'time' | 'timeSeconds';

const timeFormatters = new Map<TimeStyle, Intl.DateTimeFormat>();

function timeFormatter(style: TimeStyle): Intl.DateTimeFormat {
  let formatter = timeFormatters.get(style);
  if (!formatter) {
    const withDate = style === 'datetime' || style === 'datetimeSeconds' || style === 'date';
    const withTime = style !== 'date';
    const withSeconds = style === 'datetimeSeconds' || style === 'timeSeconds';
    // en-CA/h23 only supplies digit parts; the pattern below is assembled by hand so it reads the
    // same in both UI languages (2024-10-21 19:30) and never depends on the viewer's zone.
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone: CONTEST_TIME_ZONE,
      hourCycle: 'h23',
      ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
      ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
      ...(withSeconds ? { second: '2-digit' } : {}),
    });
    timeFormatters.set(style, formatter);
  }
  return formatter;
}

/** An instant (ISO string, epoch ms or Date) as contest time, e.g. `2024-10-21 19:30`; `—` when absent or invalid. */
export function formatTime(value: string | number | Date | null | undefined, style: TimeStyle = 'datetime'): string {
  if (value === null || value === undefined || value === '') return NONE;
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return NONE;
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of timeFormatter(style).formatToParts(date)) parts[part.type] = part.value;
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const clock = parts.second ? `${parts.hour}:${parts.minute}:${parts.second}` : `${parts.hour}:${parts.minute}`;
  if (style === 'date') return day;
  if (style === 'time' || style === 'timeSeconds') return clock;
  return `${day} ${clock}`;
}

const grouping = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Integer fen as yuan with two decimals: 123456 → `¥1,234.56`. Integer arithmetic, no float rounding. */
export function formatFen(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return NONE;
  const whole = Math.round(fen);
  const sign = whole < 0 ? '-' : '';
  const abs = Math.abs(whole);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}¥${grouping.format(yuan)}.${String(cents).padStart(2, '0')}`;
}

const compactUnits: Record<AppLocale, ReadonlyArray<{ yuan: number; suffix: string }>> = {
  // Chinese counts in 万 (10^4) and 亿 (10^8), not thousands.
  'zh-CN': [
    { yuan: 1e8, suffix: '亿' },
    { yuan: 1e4, suffix: '万' },
  ],
  en: [
    { yuan: 1e9, suffix: 'B' },
    { yuan: 1e6, suffix: 'M' },
    { yuan: 1e3, suffix: 'K' },
  ],
};

const compactNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/**
 * Short money for tiles and chart labels: `¥12.35万` / `¥1.2亿` in Chinese, `¥123.5K` in English.
 * Amounts below the smallest unit fall back to the full `formatFen` form.
 */
export function formatFenCompact(fen: number | null | undefined, locale: AppLocale = 'zh-CN'): string {
  if (fen === null || fen === undefined || !Number.isFinite(fen)) return NONE;
  const yuan = Math.abs(fen) / 100;
  const unit = compactUnits[locale].find((u) => yuan >= u.yuan);
  if (!unit) return formatFen(fen);
  const sign = fen < 0 ? '-' : '';
  // Truncate rather than round so ¥9,999.99万 never shows as ¥10,000万.
  const scaled = Math.floor((yuan / unit.yuan) * 100) / 100;
  return `${sign}¥${compactNumber.format(scaled)}${unit.suffix}`;
}

/** Plain integer with grouping: 12345 → `12,345`. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return grouping.format(value);
}
