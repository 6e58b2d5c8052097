// Sessions and stepping helpers shared by the simulator tests.
import type { IngestEvent } from '../../contracts/ingest';
import { jiangxi, yuanToFen } from '../../server/seed/jiangxi';
import { SessionModel, type SimSession } from '../../server/sim/model';

export const MIN = 60_000;
export const T0 = Date.parse('2024-10-21T10:00:00+08:00');

export function cityProducts(index = 0): SimSession['products'] {
  const city = jiangxi().cities[index]!;
  return city.products.map((p, i) => ({ id: `${city.code}-${i + 1}`, name: p.name, priceFen: yuanToFen(p.price) }));
}

export function session(id: number, minutes = 120, over: Partial<SimSession> = {}): SimSession {
  return { id, cityCode: '360100', teamId: 100 + id, plannedStart: T0, plannedEnd: T0 + minutes * MIN, products: cityProducts(), ...over };
}

/** Steps a model from before plannedStart to well past plannedEnd, every stepMs, and returns all its events. */
export function run(model: SessionModel, s: SimSession, stepMs = 1000): IngestEvent[] {
  const out: IngestEvent[] = [];
  for (let t = s.plannedStart - MIN; t <= s.plannedEnd + 15 * MIN; t += stepMs) out.push(...model.step(t));
  return out;
}

/** The first session id, from `from`, whose room opens with this seed (≈3% never do). */
export function openingSession(seed: number, from = 1): number {
  for (let id = from; ; id++) if (new SessionModel(session(id), seed).plan.opensAt !== null) return id;
}

export const ms = (e: IngestEvent) => Date.parse(e.at);
export const gmv = (events: IngestEvent[]) => events.reduce((a, e) => a + (e.type === 'order' ? e.amountFen : 0), 0);
