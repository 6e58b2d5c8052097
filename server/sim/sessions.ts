// The sessions a collector key may feed, from the hub's GET /api/v1/ingest/sessions.
import { z } from 'zod';
import type { SimSession } from './model';

const Instant = z.iso.datetime({ offset: true });
// Lenient about extra fields (the hub may add some); strict about what the simulator relies on.
const Item = z.object({
  id: z.number().int().positive(),
  teamId: z.number().int().positive(),
  cityCode: z.string().min(1),
  plannedStart: Instant,
  plannedEnd: Instant,
  products: z
    .array(
      z.object({
        id: z.union([z.string().min(1), z.number().int()]).transform(String),
        name: z.string().min(1),
        priceFen: z.number().int().min(0),
      }),
    )
    .default([]),
});
export const IngestSessionsAnswer = z.object({ items: z.array(Item) });

export function toSimSessions(body: unknown): SimSession[] {
  return IngestSessionsAnswer.parse(body).items.map((i) => ({
    id: i.id,
    teamId: i.teamId,
    cityCode: i.cityCode,
    plannedStart: Date.parse(i.plannedStart),
    plannedEnd: Date.parse(i.plannedEnd),
    products: i.products,
  }));
}

export async function fetchSessions(baseUrl: string, key: string, timeoutMs = 10_000): Promise<SimSession[]> {
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/v1/ingest/sessions`, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`GET /api/v1/ingest/sessions: HTTP ${res.status}`);
  return toSimSessions(await res.json());
}
