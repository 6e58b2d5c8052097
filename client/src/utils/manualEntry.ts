// Quick entry's typing rules, pure so they are tested without a browser: what a phone keyboard gives (digits, a
// decimal point or comma, stray spaces and thousands separators) → integers, yuan with at most two decimals → fen.

const clean = (text: string) => text.replace(/[\s,，]/g, '');

/** A whole count (在线人数, 观看人次, 订单数), or null when the text is not one. */
export function parseCount(text: string): number | null {
  const t = clean(text);
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n <= 2_000_000_000 ? n : null;
}

/** 成交额 in yuan with up to two decimals → fen, or null. `1234.5` → 123450. */
export function parseYuan(text: string): number | null {
  const t = text.trim().replace(/[\s,，]/g, '').replace(/^[¥￥]/, '').replace('。', '.');
  const m = /^(\d{1,8})(?:\.(\d{0,2}))?$/.exec(t);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** Fen as the input shows it: 123450 → `1234.50`. */
export const fenToYuanText = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** A fresh key for one submission (no crypto.randomUUID: the hub may be served over plain http on a LAN). */
export function newEntryKey(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
