// The province wall's live state. A snapshot replaces everything; updates are merged into one pending
// patch and applied in an animation frame at most every MIN_FLUSH_GAP_MS, so a burst of orders costs one render,
// not hundreds, and a busy evening's 10 pushes a second cost 4 renders of the whole wall, not 10.
import { computed, ref, shallowRef } from 'vue';
import { defineStore } from 'pinia';
import { newestBigOrders, type BigOrder, type Leaderboards, type SessionLive, type SessionRow, type Totals, type WallSnapshot, type WallUpdate } from '@contracts/live';
import type { ErrorBody } from '@contracts/errors';

export interface CurvePoint {
  t: number;
  gmvFen: number;
}

interface Pending {
  at: number;
  totals: Totals;
  sessions: Map<number, SessionLive>;
  leaderboards?: Leaderboards;
  curve: Map<number, number>;
  bigOrders: BigOrder[];
}

const EMPTY_BOARDS: Leaderboards = { team: [], city: [], university: [] };
/**
 * At least this long between two renders of updates. Every render restyles, lays out and repaints much of the
 * 1920×1080 stage; read from across the room, 4 a second look as live as 10 (the rolling digits take 0.7 s to
 * settle anyway). With it and two paint fixes, `npm run soak` (500 sessions at 1×) measured the renderer at 57 % of
 * a core instead of 65 % (docs/BENCHMARKS.md, "Wall soak").
 */
export const MIN_FLUSH_GAP_MS = 250;

const nextFrame: (fn: () => void) => number =
  typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(fn) : (fn) => window.setTimeout(fn, 16);
const cancelFrame: (id: number) => void =
  typeof cancelAnimationFrame === 'function' ? (id) => cancelAnimationFrame(id) : (id) => window.clearTimeout(id);

/** Merges points into a curve sorted by t; the incoming value wins for a minute already present. */
export function mergeCurve(curve: readonly CurvePoint[], points: ReadonlyMap<number, number>): CurvePoint[] {
  const merged = new Map<number, number>();
  for (const p of curve) merged.set(p.t, p.gmvFen);
  for (const [t, gmvFen] of points) merged.set(t, gmvFen);
  return [...merged].sort((a, b) => a[0] - b[0]).map(([t, gmvFen]) => ({ t, gmvFen }));
}

export const useWallStore = defineStore('wall', () => {
  const loaded = ref(false);
  const stage = shallowRef<WallSnapshot['stage']>(null);
  const totals = shallowRef<Totals | null>(null);
  const sessions = shallowRef<readonly SessionRow[]>([]);
  const leaderboards = shallowRef<Leaderboards>(EMPTY_BOARDS);
  const gmvCurve = shallowRef<readonly CurvePoint[]>([]);
  /** Yesterday's cumulative GMV, already moved onto today's clock times. */
  const gmvYesterday = shallowRef<readonly CurvePoint[]>([]);
  /** Today's big orders, newest first. */
  const bigOrders = shallowRef<readonly BigOrder[]>([]);
  const bigOrderFen = ref<number | null>(null);
  /** Hub time of the newest data shown. */
  const dataAt = ref<number | null>(null);
  /** Hub clock minus this browser's clock, so "on air" is judged by the hub's time. */
  const clockOffset = ref(0);
  const error = shallowRef<ErrorBody | null>(null);
  /** An update named a session the snapshot did not have (it entered its slot since): a new snapshot is due. */
  const needsSnapshot = ref(false);

  const sessionIds = computed(() => new Set(sessions.value.map((s) => s.sessionId)));

  let pending: Pending | null = null;
  let frame: number | null = null;
  let delay: number | null = null;
  let lastFlush = -Infinity;

  function cancelScheduled(): void {
    if (frame !== null) cancelFrame(frame);
    if (delay !== null) window.clearTimeout(delay);
    frame = null;
    delay = null;
  }

  function schedule(): void {
    if (frame !== null || delay !== null) return;
    const wait = lastFlush + MIN_FLUSH_GAP_MS - Date.now();
    if (wait <= 0) {
      frame = nextFrame(flush);
      return;
    }
    delay = window.setTimeout(() => {
      delay = null;
      frame = nextFrame(flush);
    }, wait);
  }

  function markTime(at: number): void {
    dataAt.value = at;
    clockOffset.value = at - Date.now();
  }

  function applySnapshot(s: WallSnapshot): void {
    // Anything queued before the snapshot is older than it.
    pending = null;
    cancelScheduled();
    stage.value = s.stage;
    totals.value = s.totals;
    sessions.value = s.sessions;
    leaderboards.value = s.leaderboards;
    gmvCurve.value = [...s.gmvCurve].sort((a, b) => a.t - b.t);
    gmvYesterday.value = [...s.gmvYesterday].sort((a, b) => a.t - b.t);
    bigOrders.value = newestBigOrders([s.bigOrders]);
    bigOrderFen.value = s.bigOrderFen;
    markTime(s.at);
    error.value = null;
    needsSnapshot.value = false;
    loaded.value = true;
  }

  function enqueue(u: WallUpdate): void {
    if (!loaded.value) return; // the snapshot that follows the subscription carries it all
    const p: Pending = (pending ??= { at: u.at, totals: u.totals, sessions: new Map(), curve: new Map(), bigOrders: [] });
    p.at = u.at;
    p.totals = u.totals;
    for (const s of u.sessions) p.sessions.set(s.sessionId, s);
    if (u.leaderboards) p.leaderboards = u.leaderboards;
    for (const point of u.gmvCurve ?? []) p.curve.set(point.t, point.gmvFen);
    if (u.bigOrders?.length) p.bigOrders.push(...u.bigOrders);
    schedule();
  }

  function flush(): void {
    cancelScheduled();
    const p = pending;
    pending = null;
    if (!p) return;
    lastFlush = Date.now();
    totals.value = p.totals;
    if (p.sessions.size > 0) {
      let unknown = false;
      const known = sessionIds.value;
      for (const id of p.sessions.keys()) if (!known.has(id)) unknown = true;
      // Updates carry numbers only; names come with the snapshot.
      sessions.value = sessions.value.map((row) => {
        const next = p.sessions.get(row.sessionId);
        return next ? { ...row, ...next } : row;
      });
      if (unknown) needsSnapshot.value = true;
    }
    if (p.leaderboards) leaderboards.value = p.leaderboards;
    if (p.curve.size > 0) gmvCurve.value = mergeCurve(gmvCurve.value, p.curve);
    if (p.bigOrders.length > 0) bigOrders.value = newestBigOrders([p.bigOrders, bigOrders.value]);
    markTime(p.at);
  }

  function setError(next: ErrorBody | null): void {
    error.value = next;
  }

  function reset(): void {
    cancelScheduled();
    pending = null;
    loaded.value = false;
    stage.value = null;
    totals.value = null;
    sessions.value = [];
    leaderboards.value = EMPTY_BOARDS;
    gmvCurve.value = [];
    gmvYesterday.value = [];
    bigOrders.value = [];
    bigOrderFen.value = null;
    dataAt.value = null;
    error.value = null;
    needsSnapshot.value = false;
  }

  return {
    loaded, stage, totals, sessions, leaderboards, gmvCurve, gmvYesterday, bigOrders, bigOrderFen, dataAt, clockOffset, error,
    needsSnapshot,
    applySnapshot, enqueue, flush, setError, reset,
  };
});
