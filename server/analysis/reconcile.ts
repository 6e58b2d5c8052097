// Provisional vs verified sales: the Youle order export (rows of text, a remembered column mapping) matched
// by order id against the live order events. Pure; the route reads the file and writes the outcome.
import {
  DEFAULT_CANCELLED_STATUSES,
  DEFAULT_REFUNDED_STATUSES,
  type ColumnMapping,
  type ReconciliationResult,
  type SessionReconciliation,
} from '../../contracts/analysis';

export interface ExportOrder {
  row: number; // sheet row number (header = 1)
  orderId: string;
  amountFen: number;
  status: string;
  sessionRef: string | null;
  refundFen: number;
}

/** '¥1,234.5', '1234.50元' → 123450 fen, by string arithmetic (no float rounding); null when not money. */
export function yuanTextToFen(text: string): number | null {
  const s = text.replace(/[¥￥,，\s元]/g, '');
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** The export's rows as orders; the header row must carry every mapped column. */
export function parseExport(rows: string[][], mapping: ColumnMapping): { orders: ExportOrder[]; errors: Array<{ row: number; message: string }>; missing: string[] } {
  const header = rows[0] ?? [];
  const col = (name: string | undefined) => (name === undefined ? -1 : header.findIndex((h) => h === name));
  const idx = {
    orderId: col(mapping.orderId),
    amount: col(mapping.amount),
    status: col(mapping.status),
    sessionRef: col(mapping.sessionRef),
    refundAmount: col(mapping.refundAmount),
  };
  const missing = (['orderId', 'amount', 'status', 'sessionRef', 'refundAmount'] as const)
    .filter((k) => mapping[k] !== undefined && idx[k] < 0)
    .map((k) => mapping[k]!);
  if (missing.length) return { orders: [], errors: [], missing };
  const orders: ExportOrder[] = [];
  const errors: Array<{ row: number; message: string }> = [];
  const seen = new Set<string>();
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2;
    if (cells.every((c) => c === '')) return;
    const get = (k: number) => (k < 0 ? '' : (cells[k] ?? ''));
    const orderId = get(idx.orderId);
    if (!orderId) return void errors.push({ row, message: 'no order id' });
    if (seen.has(orderId)) return void errors.push({ row, message: `order ${orderId} appears twice; the first row counts` });
    const amountFen = yuanTextToFen(get(idx.amount));
    if (amountFen === null) return void errors.push({ row, message: `amount "${get(idx.amount)}" is not an amount in yuan` });
    const refundText = get(idx.refundAmount);
    const refundFen = refundText === '' ? 0 : yuanTextToFen(refundText);
    if (refundFen === null) return void errors.push({ row, message: `refund "${refundText}" is not an amount in yuan` });
    seen.add(orderId);
    orders.push({ row, orderId, amountFen, status: get(idx.status), sessionRef: get(idx.sessionRef) || null, refundFen: Math.min(refundFen, amountFen) });
  });
  return { orders, errors, missing };
}

export interface LiveOrder {
  sessionId: number;
  orderId: string;
  amountFen: number;
  refundedFen: number;
}

export interface ReconcileScope {
  /** The sessions the file covers (one for a session's file; the city's sessions of the day for a day's). */
  sessions: Array<{ id: number; teamId: number }>;
  /** A session's file: export orders missing from the log belong to it. */
  target: number | null;
}

/**
 * Verified GMV per session = the export's paid amounts of the orders attributed to it, with cancelled and
 * refunded orders at 0 and partial refunds deducted. An order is attributed by its live order event (same
 * order id), else by the sessionRef column, else to the file's session. Orders on one side only are listed.
 */
export function reconcile(orders: ExportOrder[], live: LiveOrder[], scope: ReconcileScope, mapping: ColumnMapping, parseErrors: ReconciliationResult['errors'] = []): ReconciliationResult {
  const refunded = new Set(mapping.refundedStatuses ?? DEFAULT_REFUNDED_STATUSES);
  const cancelled = new Set(mapping.cancelledStatuses ?? DEFAULT_CANCELLED_STATUSES);
  const inScope = new Set(scope.sessions.map((s) => s.id));
  const liveById = new Map<string, LiveOrder>();
  for (const o of live) if (inScope.has(o.sessionId) && !liveById.has(o.orderId)) liveById.set(o.orderId, o);
  const per = new Map<number, SessionReconciliation>(
    scope.sessions.map((s) => [s.id, { sessionId: s.id, teamId: s.teamId, provisionalNetFen: 0, verifiedGmvFen: 0, matched: 0, exportOnly: 0, liveOnly: 0, cancelled: 0, refunded: 0 }]),
  );
  for (const o of live) {
    const p = per.get(o.sessionId);
    if (p) p.provisionalNetFen += o.amountFen - o.refundedFen;
  }
  const out: ReconciliationResult = { rows: orders.length + parseErrors.length, sessions: [], exportOnly: [], liveOnly: [], mismatches: [], errors: parseErrors };
  const matchedIds = new Set<string>();
  for (const o of orders) {
    const hit = liveById.get(o.orderId);
    const ref = o.sessionRef !== null && /^\d+$/.test(o.sessionRef) ? Number(o.sessionRef) : null;
    const sessionId = hit?.sessionId ?? (ref !== null && inScope.has(ref) ? ref : scope.target);
    const p = sessionId === null ? undefined : per.get(sessionId);
    if (hit) {
      matchedIds.add(o.orderId);
      if (p) p.matched++;
      if (hit.amountFen !== o.amountFen) out.mismatches.push({ orderId: o.orderId, sessionId: hit.sessionId, liveFen: hit.amountFen, exportFen: o.amountFen });
    } else {
      out.exportOnly.push({ row: o.row, orderId: o.orderId, amountFen: o.amountFen, status: o.status, sessionId: p ? sessionId : null, reason: p ? 'not_in_live_log' : 'no_session' });
      if (p) p.exportOnly++;
    }
    if (!p) continue;
    if (cancelled.has(o.status)) p.cancelled++;
    else if (refunded.has(o.status)) p.refunded++;
    else p.verifiedGmvFen += o.amountFen - o.refundFen;
  }
  for (const o of liveById.values()) {
    if (matchedIds.has(o.orderId)) continue;
    out.liveOnly.push({ sessionId: o.sessionId, orderId: o.orderId, amountFen: o.amountFen });
    const p = per.get(o.sessionId);
    if (p) p.liveOnly++;
  }
  out.sessions = [...per.values()];
  return out;
}
