// Alert rules as pure functions of a session's schedule, its live numbers and the clock, plus the plan that
// turns this tick's findings into raise / update / clear against the alerts already open. No I/O here.
import { createHash } from 'node:crypto';
import type { SeriesPoint } from '../../contracts/live';
import type { AlertRule, AlertSeverity, AlertThresholds, TicketSla } from '../../contracts/response';
import { quietAfterMs } from '../../contracts/manual';
import { inWindow, type SessionInfo } from './ingest-rules';
import { MINUTE } from './time';

export type RuleSession = Pick<
  SessionInfo,
  'id' | 'teamId' | 'cityCode' | 'status' | 'teamStatus' | 'plannedStart' | 'plannedEnd' | 'actualStart'
>;

/** What the live store knows of the session now (undefined before its first event). */
export interface LiveFacts {
  lastEventAt: number | null;
  online: number;
  orders: number;
  /** The latest figures were typed (quick entry): they come minutes apart, so silence is judged on that cadence. */
  manual?: boolean;
}

/** Order facts read from the durable log (LiveEvent) for the fraud rules. */
export interface OrderFacts {
  /** Orders in the session so far. */
  orders: number;
  /** Orders stamped in [now − 1 min, now]. */
  lastMinute: number;
  /** Time of the session's first order, null before any. */
  firstOrderAt: number | null;
  /** Orders per buyerRef (orders without a buyerRef are not counted here). */
  buyers: ReadonlyMap<string, number>;
}

export type Details = Record<string, string | number | boolean | null | string[] | number[]>;

export interface Finding {
  key: string;
  rule: AlertRule;
  severity: AlertSeverity;
  sessionId: number;
  teamId: number;
  cityCode: string;
  message: string;
  details: Details;
}

export const SEVERITY: Record<AlertRule, AlertSeverity> = {
  late_start: 'warning',
  stream_silent: 'critical',
  viewer_drop: 'warning',
  order_burst: 'warning',
  buyer_repeat: 'warning',
  member_buyer: 'critical',
  suspended_live: 'critical',
  overrun: 'warning',
};

/** Rules cheap enough to run every second on the live store alone. */
export const FAST_RULES = ['late_start', 'stream_silent', 'viewer_drop', 'suspended_live', 'overrun'] as const;
/** 刷单 signals: need the orders' buyerRefs from PostgreSQL, so they run every few seconds. */
export const FRAUD_RULES = ['order_burst', 'buyer_repeat', 'member_buyer'] as const;

export const alertKey = (rule: AlertRule, sessionId: number) => `${rule}:${sessionId}`;

const SERIES_BUCKET_MS = 10_000;
const iso = (ms: number) => new Date(ms).toISOString();

function finding(s: RuleSession, rule: AlertRule, message: string, details: Details): Finding {
  return { key: alertKey(rule, s.id), rule, severity: SEVERITY[rule], sessionId: s.id, teamId: s.teamId, cityCode: s.cityCode, message, details };
}

/** Sessions the evaluator looks at: in their window, or still marked live. */
export function isWatched(s: Pick<SessionInfo, 'status' | 'plannedStart' | 'plannedEnd'>, now: number): boolean {
  if (s.status === 'cancelled' || s.status === 'ended') return false;
  return s.status === 'live' || inWindow(s, now);
}

const silenceMs = (live: LiveFacts | undefined, t: AlertThresholds) => quietAfterMs(live?.manual, t.silentSeconds * 1000);
const onAir = (live: LiveFacts | undefined, now: number, t: AlertThresholds) =>
  live?.lastEventAt != null && now - live.lastEventAt < silenceMs(live, t);

/** 未按时开播: no event yet, and now ≥ plannedStart + lateStartMinutes, while still in its slot. */
export function lateStart(s: RuleSession, live: LiveFacts | undefined, now: number, t: AlertThresholds): Finding | null {
  if (s.status !== 'scheduled' || s.teamStatus !== 'active') return null;
  if (live?.lastEventAt != null) return null;
  const dueAt = s.plannedStart + t.lateStartMinutes * MINUTE;
  if (now < dueAt || now >= s.plannedEnd) return null;
  return finding(s, 'late_start', `Session ${s.id} is not live ${t.lateStartMinutes} min after its planned start`, {
    plannedStart: iso(s.plannedStart),
    dueAt: iso(dueAt),
  });
}

/** 断流: a session that had events has none for silentSeconds, before its planned end (after it, silence is the end). */
export function streamSilent(s: RuleSession, live: LiveFacts | undefined, now: number, t: AlertThresholds): Finding | null {
  if (s.status !== 'live' && s.status !== 'scheduled') return null;
  // A suspended team's events are refused, so its silence is expected (suspended_live covers it).
  if (s.teamStatus !== 'active') return null;
  const last = live?.lastEventAt;
  if (last == null || now >= s.plannedEnd) return null;
  if (now - last < silenceMs(live, t)) return null;
  return finding(s, 'stream_silent', `Session ${s.id} has sent no data for ${Math.floor((now - last) / 1000)} s`, {
    lastEventAt: iso(last),
  });
}

/**
 * Online viewers fell by viewerDropRatio within viewerDropWindowSeconds: the newest 10-s point against the
 * peak of the points starting in the window before it. A stale series (no point for a window) says nothing.
 */
export function viewerDrop(s: RuleSession, series: readonly SeriesPoint[], now: number, t: AlertThresholds): Finding | null {
  if (s.status === 'ended' || s.status === 'cancelled') return null;
  const latest = series.at(-1);
  const windowMs = t.viewerDropWindowSeconds * 1000;
  if (!latest || latest.t + SERIES_BUCKET_MS < now - windowMs) return null;
  let peak = 0;
  for (const p of series) if (p.t >= latest.t - windowMs && p.online > peak) peak = p.online;
  if (peak < t.viewerDropMinPeak) return null;
  if (latest.online > peak * (1 - t.viewerDropRatio)) return null;
  const dropPct = Math.round(((peak - latest.online) / peak) * 100);
  return finding(s, 'viewer_drop', `Online viewers of session ${s.id} fell ${dropPct}% within ${t.viewerDropWindowSeconds} s`, {
    peak,
    online: latest.online,
  });
}

/** A team suspended (停播整改) or disqualified whose session is still marked live. */
export function suspendedLive(s: RuleSession, now: number): Finding | null {
  if (s.status !== 'live') return null;
  if (s.teamStatus !== 'suspended' && s.teamStatus !== 'disqualified') return null;
  if (!inWindow(s, now)) return null;
  return finding(s, 'suspended_live', `Session ${s.id} is live while its team is ${s.teamStatus}`, { teamStatus: s.teamStatus });
}

/** Still on air (events within silentSeconds) more than overrunMinutes after the planned end. */
export function overrun(s: RuleSession, live: LiveFacts | undefined, now: number, t: AlertThresholds): Finding | null {
  if (s.status !== 'live' && s.status !== 'scheduled') return null;
  if (now <= s.plannedEnd + t.overrunMinutes * MINUTE || !onAir(live, now, t)) return null;
  return finding(s, 'overrun', `Session ${s.id} runs past its planned end`, { plannedEnd: iso(s.plannedEnd) });
}

/**
 * Orders in the last minute above max(burstMinOrders, burstFactor × the session's own average per minute
 * before that minute). The average counts from the session's start (or first order) and is 0 until a full
 * minute of history exists, so only the floor applies at the start.
 */
export function orderBurst(s: RuleSession, o: OrderFacts, now: number, t: AlertThresholds): Finding | null {
  const windowStart = now - MINUTE;
  const since = s.actualStart ?? o.firstOrderAt;
  const priorMinutes = since === null ? 0 : (windowStart - since) / MINUTE;
  const prior = Math.max(0, o.orders - o.lastMinute);
  const average = priorMinutes >= 1 ? prior / priorMinutes : 0;
  const limit = Math.max(t.burstMinOrders, t.burstFactor * average);
  if (o.lastMinute <= limit) return null;
  return finding(s, 'order_burst', `Session ${s.id} took ${o.lastMinute} orders in the last minute (usual ${average.toFixed(1)}/min)`, {
    lastMinute: o.lastMinute,
    averagePerMinute: Math.round(average * 10) / 10,
    limit: Math.round(limit * 10) / 10,
  });
}

/** Refs are shown shortened: enough to tell buyers apart, nothing to look them up by. */
const shortRef = (ref: string) => ref.slice(0, 12);

/** One buyerRef with repeatBuyerOrders or more orders in the session. */
export function buyerRepeat(s: RuleSession, o: OrderFacts, t: AlertThresholds): Finding | null {
  const heavy = [...o.buyers].filter(([, n]) => n >= t.repeatBuyerOrders).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (!heavy.length) return null;
  const top = heavy.slice(0, 5);
  return finding(s, 'buyer_repeat', `${heavy.length} buyer(s) placed ${t.repeatBuyerOrders}+ orders in session ${s.id}`, {
    buyers: top.map(([ref]) => shortRef(ref)),
    orders: top.map(([, n]) => n),
  });
}

/**
 * How a team member's buyerRef is known: the lower-case hex sha256 of their 11-digit mobile number as
 * registered (digits only). Collectors hash the buyer's phone the same way, so equal refs mean the same phone.
 */
export function phoneBuyerRef(phone: string): string {
  return createHash('sha256').update(phone.replace(/\D/g, '')).digest('hex');
}

/** Orders whose buyerRef is one of the team's own members' (or its registered phones'). */
export function memberBuyer(s: RuleSession, o: OrderFacts, memberRefs: ReadonlySet<string>, t: AlertThresholds): Finding | null {
  let orders = 0;
  let buyers = 0;
  for (const [ref, n] of o.buyers)
    if (memberRefs.has(ref)) {
      orders += n;
      buyers++;
    }
  if (buyers === 0 || orders < t.memberBuyerOrders) return null;
  return finding(s, 'member_buyer', `${orders} order(s) in session ${s.id} came from the team's own members`, { orders, buyers });
}

/** Every fast rule for one session. */
export function fastFindings(
  s: RuleSession,
  live: LiveFacts | undefined,
  series: readonly SeriesPoint[],
  now: number,
  t: AlertThresholds,
): Finding[] {
  const out = [lateStart(s, live, now, t), streamSilent(s, live, now, t), viewerDrop(s, series, now, t), suspendedLive(s, now), overrun(s, live, now, t)];
  return out.filter((f): f is Finding => f !== null);
}

/** Every fraud rule for one session. */
export function fraudFindings(s: RuleSession, o: OrderFacts, memberRefs: ReadonlySet<string>, now: number, t: AlertThresholds): Finding[] {
  const out = [orderBurst(s, o, now, t), buyerRepeat(s, o, t), memberBuyer(s, o, memberRefs, t)];
  return out.filter((f): f is Finding => f !== null);
}

// ───────────── open / update / clear ─────────────

export interface OpenAlert {
  key: string;
  severity: AlertSeverity;
  /** JSON of the details last stored. */
  detailsJson: string;
  /** When the row was last written (epoch ms). */
  writtenAt: number;
}

export interface AlertPlan {
  raise: Finding[];
  update: Finding[];
  clear: string[];
}

/**
 * Compares this tick's findings with the open alerts: a new key opens, a missing key clears, a changed one
 * updates — at once when its severity changed, else at most every `minUpdateMs` so a moving number does
 * not write every second.
 */
export function planAlerts(open: ReadonlyMap<string, OpenAlert>, findings: readonly Finding[], now: number, minUpdateMs = 5000): AlertPlan {
  const plan: AlertPlan = { raise: [], update: [], clear: [] };
  const seen = new Set<string>();
  for (const f of findings) {
    if (seen.has(f.key)) continue;
    seen.add(f.key);
    const o = open.get(f.key);
    if (!o) plan.raise.push(f);
    else if (o.severity !== f.severity) plan.update.push(f);
    else if (o.detailsJson !== JSON.stringify(f.details) && now - o.writtenAt >= minUpdateMs) plan.update.push(f);
  }
  for (const key of open.keys()) if (!seen.has(key)) plan.clear.push(key);
  return plan;
}

// ───────────── ticket SLA ─────────────

export interface SlaTicket {
  status: 'open' | 'claimed' | 'acknowledged' | 'resolved';
  openedAt: number;
  /** The last reopening restarts both clocks. */
  reopenedAt: number | null;
}

export function ticketDue(t: SlaTicket, sla: TicketSla): { ackDueAt: number; resolveDueAt: number } {
  const from = t.reopenedAt ?? t.openedAt;
  return { ackDueAt: from + sla.ackMinutes * MINUTE, resolveDueAt: from + sla.resolveMinutes * MINUTE };
}

/** Late to resolve outranks late to acknowledge; a resolved ticket is never late. Due exactly now is not late. */
export function ticketLate(t: SlaTicket, sla: TicketSla, now: number): 'ack' | 'resolve' | null {
  if (t.status === 'resolved') return null;
  const due = ticketDue(t, sla);
  if (now > due.resolveDueAt) return 'resolve';
  if ((t.status === 'open' || t.status === 'claimed') && now > due.ackDueAt) return 'ack';
  return null;
}

/**
 * A ticket against the resolution SLA, for reports: 'met' when resolved by the due time, 'late' when resolved
 * after it or still unresolved past it, 'pending' while unresolved and not yet due. Due exactly then is in time.
 */
export function ticketSlaOutcome(t: SlaTicket, resolvedAt: number | null, sla: TicketSla, now: number): 'met' | 'late' | 'pending' {
  const due = ticketDue(t, sla).resolveDueAt;
  if (t.status === 'resolved') return resolvedAt !== null && resolvedAt > due ? 'late' : 'met';
  return now > due ? 'late' : 'pending';
}

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}
