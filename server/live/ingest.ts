// Ingest: validate the envelope (400 on failure, nothing stored), then each event on its own (rejected by
// index with a reason), check scope and the session's standing, and hand the rest to the live store.
import { IngestEnvelope, IngestEvent, MAX_FUTURE_SKEW_MS, type IngestResult, type Rejection } from '../../contracts/ingest';
import { acceptsEvent, type KeyScope } from '../domain/ingest-rules';
import { blocksIngest } from '../domain/checklist';
import type { Clock } from '../clock';
import type { LiveStore, StoreEvent } from './store';
import { announcesBigOrder, selectBigOrders, type AcceptedEvent } from '../domain/wall';
import type { SessionDirectory } from './directory';

export interface IngestMetrics {
  accepted: number;
  duplicates: number;
  rejected: Map<string, number>;
  batches: number;
  /** Big orders announced to the walls, and announcements that failed (the orders themselves were stored). */
  bigOrders: number;
  bigOrderFailures: number;
}

export class IngestService {
  readonly metrics: IngestMetrics = { accepted: 0, duplicates: 0, rejected: new Map(), batches: 0, bigOrders: 0, bigOrderFailures: 0 };

  constructor(
    private readonly store: LiveStore,
    private readonly directory: SessionDirectory,
    private readonly clock: Clock,
  ) {}

  /** Throws a ZodError for a malformed envelope (mapped to 400 by the caller). */
  async ingest(body: unknown, scope: KeyScope, source: StoreEvent['source'] = 'collector'): Promise<IngestResult> {
    const { events: raw } = IngestEnvelope.parse(body);
    const now = this.clock.now();
    const rejected: Rejection[] = [];
    const parsed: Array<{ index: number; event: IngestEvent; atMs: number }> = [];

    for (const [index, item] of raw.entries()) {
      const r = IngestEvent.safeParse(item);
      if (!r.success) {
        const issue = r.error.issues[0];
        const path = issue?.path.map(String).join('.') || 'event';
        rejected.push({ index, code: 'VALIDATION_FAILED', message: `${path}: ${issue?.message ?? 'invalid'}` });
        continue;
      }
      const atMs = Date.parse(r.data.at);
      if (atMs > now + MAX_FUTURE_SKEW_MS) {
        rejected.push({ index, code: 'VALIDATION_FAILED', message: 'at: more than 2 minutes in the future' });
        continue;
      }
      parsed.push({ index, event: r.data, atMs });
    }

    const sessions = await this.directory.resolve(parsed.map((p) => p.event.sessionId));
    const toStore: StoreEvent[] = [];
    const indexOf: number[] = [];
    for (const p of parsed) {
      const s = sessions.get(p.event.sessionId);
      if (!s) {
        rejected.push({ index: p.index, code: 'NOT_FOUND', message: `no session ${p.event.sessionId}` });
        continue;
      }
      let v = acceptsEvent(s, p.atMs, scope);
      // The province may require an approved pre-live checklist before a session goes live.
      if (v.ok) v = blocksIngest(s, this.directory.gate);
      if (!v.ok) {
        rejected.push({ index: p.index, code: v.code, message: v.message });
        continue;
      }
      toStore.push({
        event: p.event,
        atMs: p.atMs,
        receivedAt: now,
        source,
        meta: { sessionId: s.id, stageId: s.stageId, teamId: s.teamId, cityCode: s.cityCode, universityId: s.universityId },
      });
      indexOf.push(p.index);
    }

    let accepted = 0;
    let duplicates = 0;
    if (toStore.length) {
      const outcome = await this.store.applyBatch(toStore);
      const firstAt = new Map<number, number>();
      const acceptedByStage = new Map<number, AcceptedEvent[]>();
      const bigFen = this.directory.bigOrderFen;
      outcome.results.forEach((res, i) => {
        const ev = toStore[i]!;
        if (res.status === 'accepted') {
          accepted++;
          const sid = ev.meta.sessionId;
          firstAt.set(sid, Math.min(firstAt.get(sid) ?? Infinity, ev.atMs));
          // Only orders over the wall's threshold are gathered: most orders are not, and this runs per event.
          if (announcesBigOrder(ev.event, source, bigFen)) {
            const list = acceptedByStage.get(ev.meta.stageId) ?? acceptedByStage.set(ev.meta.stageId, []).get(ev.meta.stageId)!;
            list.push({ ...ev.meta, event: ev.event, atMs: ev.atMs, teamName: sessions.get(sid)?.teamName ?? `#${ev.meta.teamId}` });
          }
        } else if (res.status === 'duplicate') duplicates++;
        else rejected.push({ index: indexOf[i]!, code: res.code, message: res.message });
      });
      if (firstAt.size) this.directory.markLive(firstAt.keys(), firstAt);
      await this.announceBigOrders(acceptedByStage);
    }
    rejected.sort((a, b) => a.index - b.index);
    this.count(accepted, duplicates, rejected);
    return { accepted, duplicates, rejected };
  }

  /** The orders are stored whatever happens here: a failed announcement only misses the walls' feed. */
  private async announceBigOrders(acceptedByStage: Map<number, AcceptedEvent[]>): Promise<void> {
    for (const [stageId, accepted] of acceptedByStage) {
      const orders = selectBigOrders(accepted, this.directory.bigOrderFen);
      if (!orders.length) continue;
      try {
        await this.store.pushBigOrders(stageId, orders);
        this.metrics.bigOrders += orders.length;
      } catch {
        this.metrics.bigOrderFailures++;
      }
    }
  }

  private count(accepted: number, duplicates: number, rejected: Rejection[]): void {
    const m = this.metrics;
    m.batches++;
    m.accepted += accepted;
    m.duplicates += duplicates;
    for (const r of rejected) m.rejected.set(r.code, (m.rejected.get(r.code) ?? 0) + 1);
  }
}
