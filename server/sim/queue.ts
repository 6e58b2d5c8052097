// FIFO of events for one collector key: appends at the tail, takes batches from the head without O(n) shifts.
import type { IngestEvent } from '../../contracts/ingest';

export class EventQueue {
  private items: IngestEvent[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(events: readonly IngestEvent[]): void {
    for (const e of events) this.items.push(e);
  }

  take(max: number): IngestEvent[] {
    const out = this.items.slice(this.head, this.head + max);
    this.head += out.length;
    // Compact once the consumed prefix dominates, keeping memory bounded by what is pending.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
