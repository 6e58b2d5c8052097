// A session's fate, drawn once from the seed: when the room opens and closes, whether it stalls, how big it is.
import { int, rng } from '../seed/random';
import { mix, normal } from './dist';

export const SEC = 1000;
export const MIN = 60 * SEC;

export interface SessionPlan {
  /** Simulated epoch ms the room opens; null when the team never goes live. */
  opensAt: number | null;
  /** The room's last second (≤ plannedEnd + 10 min). */
  endsAt: number;
  /** Opened 6–15 min after plannedStart. */
  late: boolean;
  /** A 3–4 min stretch with no events at all (stream or network dropped). */
  stall: { from: number; to: number } | null;
  /** Typical online audience once the room has warmed up. */
  audience: number;
  /** Orders per online viewer per second outside a pitch. */
  conversion: number;
  refundRate: number;
  /** Mean seconds a viewer stays, which sets how fast 观看人次 grows. */
  staySec: number;
}

const NEVER = 0.03;
const LATE = 0.08;
const STALL = 0.05;
const OVERRUN = 0.25;

export function drawPlan(s: { id: number; plannedStart: number; plannedEnd: number }, seed: number): SessionPlan {
  // Its own stream, so the fate doesn't shift when the in-session dynamics change.
  const f = rng(mix(seed, s.id, 1));
  const roll = f();
  const late = roll >= NEVER && roll < NEVER + LATE;
  const delay = late ? int(f, 6 * 60, 15 * 60) * SEC : int(f, -30, 180) * SEC;
  const overrun = f() < OVERRUN;
  const endsAt = overrun ? s.plannedEnd + int(f, 60, 600) * SEC : s.plannedEnd - int(f, 0, 90) * SEC;
  let opensAt: number | null = roll < NEVER ? null : s.plannedStart + delay;
  if (opensAt !== null && endsAt - opensAt < MIN) opensAt = null; // too short a slot to bother going live

  const stalls = f() < STALL;
  const at = f();
  const len = int(f, 180, 240) * SEC;
  let stall: SessionPlan['stall'] = null;
  if (stalls && opensAt !== null && endsAt - opensAt > 20 * MIN) {
    const from = opensAt + Math.floor(((endsAt - opensAt) * (0.25 + 0.45 * at)) / SEC) * SEC;
    stall = { from, to: from + len };
  }

  // Student rooms: a median of ~200 online, a long tail of a few popular teams.
  const audience = Math.min(3000, Math.max(20, Math.round(Math.exp(Math.log(200) + 0.7 * normal(f)))));
  // ~1.5 orders a minute at 200 online outside a pitch; a pitch multiplies it.
  const conversion = (1.5 / 60 / 200) * Math.exp(0.35 * normal(f));
  const refundRate = 0.02 + 0.02 * f();
  const staySec = int(f, 60, 120);
  return { opensAt, endsAt, late: late && opensAt !== null, stall, audience, conversion, refundRate, staySec };
}
