// The post-session analysis as pure functions over stored event rows: headline numbers, per-minute curves,
// product ranking, top moments, comparisons and the completeness rule. No I/O; `now` comes in as an argument.
import {
  HEADLINE_KEYS,
  METRIC_DEFINITIONS,
  type AnalysisMetrics,
  type CohortStat,
  type Comparisons,
  type Completeness,
  type ComputedAnalysis,
  type ConversionBasis,
  type CurvePoint,
  type HeadlineKey,
  type Moments,
  type ProductRank,
} from '../../contracts/analysis';
import { COUNTERS, emptyCursor, foldStats, type StatsInput } from './stats';
import { DAY, MINUTE } from './time';

/** A LiveEvent row as Prisma reads it (the columns the analysis uses). */
export interface EventRow {
  eventId: string;
  type: 'stats' | 'order' | 'refund';
  at: Date;
  receivedAt: Date;
  online: number | null;
  views: number | null;
  viewers: number | null;
  likes: number | null;
  comments: number | null;
  shares: number | null;
  followers: number | null;
  orderId: string | null;
  quantity: number | null;
  amountFen: number | null;
  productId: string | null;
  productName: string | null;
  buyerRef: string | null;
}

export interface SessionTimes {
  status: 'scheduled' | 'live' | 'ended' | 'cancelled' | 'suspended';
  actualStart: Date | null;
  actualEnd: Date | null;
}

const TOP_MOMENTS = 5;
/** A curve never spans more than a day of minutes, whatever stray timestamps say. */
const MAX_CURVE_MINUTES = DAY / MINUTE;

const ms = (d: Date) => d.getTime();
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const round = (x: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * Replays the stats samples in the order the live store folded them (arrival: receivedAt; within one batch,
 * event time then id), through the same foldStats, so totals match the live numbers including counter resets
 * and ignored stale samples.
 */
function replayStats(stats: EventRow[]) {
  const arrival = [...stats].sort(
    (a, b) => ms(a.receivedAt) - ms(b.receivedAt) || ms(a.at) - ms(b.at) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  let cursor = emptyCursor();
  let numbers = { online: 0, peakOnline: 0, views: 0, viewers: 0, likes: 0, comments: 0, shares: 0, followers: 0 };
  let peakAt: number | null = null;
  for (const s of arrival) {
    const input: StatsInput = { at: ms(s.at), online: s.online ?? 0, views: s.views ?? 0 };
    for (const c of COUNTERS) if (c !== 'views' && s[c] !== null) input[c] = s[c];
    const before = numbers.peakOnline;
    const f = foldStats(cursor, numbers, input);
    const applied = f.cursor !== cursor;
    cursor = f.cursor;
    numbers = f.numbers;
    if (applied && numbers.peakOnline > before) peakAt = input.at;
  }
  return { numbers, peakAt };
}

/** Time-weighted mean of the online gauge: each sample (in event-time order) holds until the next. */
function averageOnline(byTime: EventRow[]): number {
  if (!byTime.length) return 0;
  const first = ms(byTime[0]!.at);
  const last = ms(byTime[byTime.length - 1]!.at);
  if (last === first) return round(byTime.reduce((a, s) => a + (s.online ?? 0), 0) / byTime.length, 1);
  let area = 0;
  for (let i = 0; i + 1 < byTime.length; i++) area += (byTime[i]!.online ?? 0) * (ms(byTime[i + 1]!.at) - ms(byTime[i]!.at));
  return round(area / (last - first), 1);
}

const byTimeThenId = (a: EventRow, b: EventRow) => ms(a.at) - ms(b.at) || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);

export function computeAnalysis(events: readonly EventRow[], session: SessionTimes, now: number): ComputedAnalysis {
  const sorted = [...events].sort(byTimeThenId);
  const stats = sorted.filter((e) => e.type === 'stats');
  const orders = sorted.filter((e) => e.type === 'order');
  const refunds = sorted.filter((e) => e.type === 'refund');

  const { numbers, peakAt } = replayStats(stats);
  const viewersKnown = stats.some((s) => s.viewers !== null);

  let gmvFen = 0;
  let units = 0;
  const buyerSet = new Set<string>();
  const productOf = new Map<string, string>();
  const products = new Map<string, ProductRank>();
  const productKey = (e: EventRow) => e.productId ?? (e.productName ? `name:${e.productName}` : '');
  for (const o of orders) {
    const amount = o.amountFen ?? 0;
    const q = o.quantity ?? 0;
    gmvFen += amount;
    units += q;
    if (o.buyerRef !== null) buyerSet.add(o.buyerRef);
    const key = productKey(o);
    if (o.orderId !== null) productOf.set(o.orderId, key);
    const p = products.get(key) ?? { rank: 0, productId: o.productId, name: o.productName ?? o.productId ?? '未标明商品', gmvFen: 0, units: 0, orders: 0, refundFen: 0, netGmvFen: 0 };
    p.gmvFen += amount;
    p.units += q;
    p.orders += 1;
    products.set(key, p);
  }
  let refundFen = 0;
  for (const r of refunds) {
    const amount = r.amountFen ?? 0;
    refundFen += amount;
    const p = products.get(productOf.get(r.orderId ?? '') ?? '\u0000');
    if (p) p.refundFen += amount;
  }
  const productRanking = [...products.values()]
    .map((p) => ({ ...p, netGmvFen: p.gmvFen - p.refundFen }))
    .sort((a, b) => b.gmvFen - a.gmvFen || b.units - a.units || b.orders - a.orders || a.name.localeCompare(b.name))
    .map((p, i) => ({ ...p, rank: i + 1 }));

  // Start and end: the session's actual times when set, else the event log's; a live session runs to now.
  const firstAt = sorted.length ? ms(sorted[0]!.at) : null;
  const lastAt = sorted.length ? ms(sorted[sorted.length - 1]!.at) : null;
  const startAt = session.actualStart ? ms(session.actualStart) : firstAt;
  const endAt = session.actualEnd ? ms(session.actualEnd) : session.status === 'live' ? now : lastAt;
  const durationMs = startAt !== null && endAt !== null ? Math.max(0, endAt - startAt) : 0;

  const orderCount = orders.length;
  const buyers = orderCount === 0 ? 0 : buyerSet.size > 0 ? buyerSet.size : null;
  const viewers = viewersKnown ? numbers.viewers : null;
  const audience = viewers ?? numbers.views;
  const conversionBasis: ConversionBasis = `${buyers === null ? 'orders' : 'buyers'}/${viewers === null ? 'views' : 'viewers'}`;
  const metrics: AnalysisMetrics = {
    startAt: iso(startAt),
    endAt: iso(endAt),
    durationMs,
    peakOnline: numbers.peakOnline,
    peakAt: iso(peakAt),
    avgOnline: averageOnline(stats),
    views: numbers.views,
    viewers,
    likes: numbers.likes,
    comments: numbers.comments,
    shares: numbers.shares,
    followers: numbers.followers,
    gmvFen,
    orders: orderCount,
    buyers,
    units,
    aovFen: orderCount ? Math.round(gmvFen / orderCount) : null,
    conversion: audience > 0 ? round((buyers ?? orderCount) / audience, 6) : null,
    conversionBasis,
    gpmFen: numbers.views > 0 ? Math.round((gmvFen * 1000) / numbers.views) : null,
    valuePerViewerFen: audience > 0 ? Math.round(gmvFen / audience) : null,
    valuePerViewerBasis: viewers === null ? 'views' : 'viewers',
    refunds: refunds.length,
    refundFen,
    netGmvFen: gmvFen - refundFen,
    eventCount: events.length,
    lastEventAt: iso(lastAt),
  };

  const curve = minuteCurve(sorted, startAt, endAt);
  return { metrics, curve, products: productRanking, moments: topMoments(curve) };
}

function minuteCurve(sorted: EventRow[], startAt: number | null, endAt: number | null): CurvePoint[] {
  if (!sorted.length) return [];
  const first = Math.min(ms(sorted[0]!.at), startAt ?? Infinity);
  const last = Math.max(ms(sorted[sorted.length - 1]!.at), endAt ?? -Infinity);
  const from = Math.floor(first / MINUTE) * MINUTE;
  const to = Math.min(Math.floor(last / MINUTE) * MINUTE, from + (MAX_CURVE_MINUTES - 1) * MINUTE);
  const points: CurvePoint[] = [];
  const idx = new Map<number, CurvePoint>();
  for (let t = from; t <= to; t += MINUTE) {
    const p: CurvePoint = { t: new Date(t).toISOString(), online: null, onlineMax: null, orders: 0, units: 0, gmvFen: 0, refundFen: 0, cumOrders: 0, cumGmvFen: 0 };
    points.push(p);
    idx.set(t, p);
  }
  for (const e of sorted) {
    const p = idx.get(Math.floor(ms(e.at) / MINUTE) * MINUTE);
    if (!p) continue;
    if (e.type === 'stats') {
      const v = e.online ?? 0;
      p.online = v; // sorted by time, so the minute's last sample wins
      p.onlineMax = Math.max(p.onlineMax ?? 0, v);
    } else if (e.type === 'order') {
      p.orders += 1;
      p.units += e.quantity ?? 0;
      p.gmvFen += e.amountFen ?? 0;
    } else p.refundFen += e.amountFen ?? 0;
  }
  let cumOrders = 0;
  let cumGmv = 0;
  for (const p of points) {
    cumOrders += p.orders;
    cumGmv += p.gmvFen;
    p.cumOrders = cumOrders;
    p.cumGmvFen = cumGmv;
  }
  return points;
}

/** The minutes with the most sales, and the biggest rises in online against the previous sampled minute. */
function topMoments(curve: CurvePoint[]): Moments {
  const topSales = curve
    .filter((p) => p.gmvFen > 0)
    .sort((a, b) => b.gmvFen - a.gmvFen || b.orders - a.orders || a.t.localeCompare(b.t))
    .slice(0, TOP_MOMENTS)
    .map((p) => ({ t: p.t, gmvFen: p.gmvFen, orders: p.orders }));
  const gains: Moments['viewerGains'] = [];
  let prev: number | null = null;
  for (const p of curve) {
    if (p.online === null) continue;
    if (prev !== null && p.online > prev) gains.push({ t: p.t, gain: p.online - prev, online: p.online });
    prev = p.online;
  }
  gains.sort((a, b) => b.gain - a.gain || a.t.localeCompare(b.t));
  return { topSales, viewerGains: gains.slice(0, TOP_MOMENTS) };
}

// ───────────── completeness ─────────────

export interface RecordParts {
  computed: boolean;
  wentWell: string | null;
  wentWrong: string | null;
  toChange: string | null;
  keepProducts: string | null;
  dropProducts: string | null;
  cityComment: string | null;
}

const filled = (s: string | null) => s !== null && s.trim() !== '';

/** contracts/analysis.ts Completeness: computed + all five reflection fields + a city comment. */
export function completenessOf(r: RecordParts | null): Completeness {
  const computed = r?.computed ?? false;
  const reflected = !!r && [r.wentWell, r.wentWrong, r.toChange, r.keepProducts, r.dropProducts].every(filled);
  const commented = !!r && filled(r.cityComment);
  return { computed, reflected, commented, complete: computed && reflected && commented };
}

// ───────────── comparisons ─────────────

export interface CohortEntry {
  sessionId: number;
  teamId: number;
  cityCode: string;
  startMs: number;
  metrics: AnalysisMetrics;
}

export const metricValue = (m: AnalysisMetrics, k: HeadlineKey): number | null => m[k];

/** Linear-interpolated percentile (0–100) of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function cohort(entries: CohortEntry[], k: HeadlineKey): CohortStat {
  const values = entries.map((e) => metricValue(e.metrics, k)).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const lower = METRIC_DEFINITIONS[k].better === 'lower';
  const fix = (v: number | null) => (v === null ? null : METRIC_DEFINITIONS[k].unit === 'ratio' ? round(v, 6) : round(v, 1));
  return { n: values.length, median: fix(percentile(values, 50)), top25: fix(percentile(values, lower ? 25 : 75)) };
}

/**
 * Each headline number against the team's previous session (the latest that started before this one), the
 * team's best other session, and the stage's sessions (all, and those of the same city), this one included.
 */
export function compareMetrics(current: CohortEntry, stage: readonly CohortEntry[]): Comparisons {
  const others = stage.filter((e) => e.sessionId !== current.sessionId);
  const all = [current, ...others];
  const team = others.filter((e) => e.teamId === current.teamId);
  const previous = team.filter((e) => e.startMs < current.startMs).sort((a, b) => b.startMs - a.startMs)[0] ?? null;
  const city = all.filter((e) => e.cityCode === current.cityCode);
  const out: Comparisons = {};
  for (const k of HEADLINE_KEYS) {
    const lower = METRIC_DEFINITIONS[k].better === 'lower';
    const teamValues = team.map((e) => metricValue(e.metrics, k)).filter((v): v is number => v !== null);
    out[k] = {
      value: metricValue(current.metrics, k),
      previous: previous ? metricValue(previous.metrics, k) : null,
      teamBest: teamValues.length ? (lower ? Math.min(...teamValues) : Math.max(...teamValues)) : null,
      stage: cohort(all, k),
      city: cohort(city, k),
    };
  }
  return out;
}
