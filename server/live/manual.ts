// Quick entry through the ordinary ingest path: read what the hub counts, plan the events (domain/manual-entry.ts),
// ingest them with source 'manual' under the session's own scope, so every ingest rule (window, suspension,
// checklist gate, dedupe) applies as it does to a collector.
import type { ManualNumbers, ManualProblemCode, ManualStatsInput } from '../../contracts/manual';
import { emptyNumbers } from '../../contracts/live';
import type { Clock } from '../clock';
import type { SessionInfo } from '../domain/ingest-rules';
import { manualEvents, type ManualProblem } from '../domain/manual-entry';
import type { IngestService } from './ingest';
import type { LiveStore } from './store';

export type ManualOutcome =
  | { ok: true; accepted: number; duplicates: number; before: ManualNumbers; numbers: ManualNumbers; at: number }
  /** Refused by the session's standing (ingest's verdict), or by the figures themselves (`problems`). */
  | { ok: false; refusal: { code: ManualProblemCode; message: string } | null; problems: ManualProblem[] };

const STANDING: ReadonlySet<string> = new Set(['NOT_LIVE', 'SUSPENDED', 'DISQUALIFIED']);

export class ManualEntryService {
  /** Entries of one session wait for each other on this hub, so each plans against the previous one's totals. */
  private readonly tails = new Map<number, Promise<unknown>>();

  constructor(
    private readonly ingest: IngestService,
    private readonly store: LiveStore,
    private readonly clock: Clock,
  ) {}

  async numbers(sessionId: number): Promise<ManualNumbers> {
    const n = (await this.store.getSessions([sessionId])).get(sessionId) ?? emptyNumbers();
    return { online: n.online, views: n.views, gmvFen: n.gmvFen, orders: n.orders, manual: n.manual, lastEventAt: n.lastEventAt };
  }

  /** `record` runs after an accepted entry, still in the session's turn (the audit row, written once per key). */
  enter(session: SessionInfo, input: ManualStatsInput, record?: (done: ManualOutcome & { ok: true }) => Promise<void>): Promise<ManualOutcome> {
    const go = async () => {
      const out = await this.enterNow(session, input);
      if (out.ok && record) await record(out);
      return out;
    };
    const prev = this.tails.get(session.id) ?? Promise.resolve();
    const run = prev.then(go, go);
    const tail = run.catch(() => undefined);
    this.tails.set(session.id, tail);
    void tail.then(() => {
      if (this.tails.get(session.id) === tail) this.tails.delete(session.id);
    });
    return run;
  }

  private async enterNow(session: SessionInfo, input: ManualStatsInput): Promise<ManualOutcome> {
    const base = await this.numbers(session.id);
    const now = this.clock.now();
    const plan = manualEvents(session.id, input, base, now);
    if (!plan.ok) {
      // A retry of an entry already counted finds its own figures as the baseline and passes; one refused for
      // lower totals is a different entry, so the problems stand.
      return { ok: false, refusal: null, problems: plan.problems };
    }
    const result = await this.ingest.ingest({ events: plan.events }, { teamId: session.teamId }, 'manual');
    const first = result.rejected[0];
    if (first) {
      if (STANDING.has(first.code)) return { ok: false, refusal: { code: first.code as ManualProblemCode, message: first.message }, problems: [] };
      throw new Error(`quick entry for session ${session.id} rejected: ${first.code} ${first.message}`);
    }
    return { ok: true, accepted: result.accepted, duplicates: result.duplicates, before: base, numbers: await this.numbers(session.id), at: now };
  }
}
