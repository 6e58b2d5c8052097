// Closes sessions whose slot and overrun are over: status ended, actualEnd = their last event.
// Idempotent, so every hub may run it.
import type { Database } from '../db/index';
import type { Clock } from '../clock';
import type { LiveStore } from './store';
import { OVERRUN_MS } from '../domain/ingest-rules';

export async function closeFinishedSessions(db: Database, store: LiveStore, clock: Clock): Promise<number[]> {
  const now = clock.now();
  const due = await db.prisma.liveSession.findMany({
    where: { status: 'live', plannedEnd: { lt: new Date(now - OVERRUN_MS) } },
    select: { id: true, plannedEnd: true },
  });
  if (!due.length) return [];
  const live = await store.getSessions(due.map((s) => s.id));
  const closed: number[] = [];
  for (const s of due) {
    const last = live.get(s.id)?.lastEventAt ?? null;
    const r = await db.prisma.liveSession.updateMany({
      where: { id: s.id, status: 'live' },
      data: { status: 'ended', actualEnd: new Date(last ?? s.plannedEnd.getTime()) },
    });
    if (r.count) closed.push(s.id);
  }
  return closed;
}
