import { describe, expect, test } from 'vitest';
import { ticketSlaOutcome } from '../../server/domain/alerts.ts';

const MIN = 60_000;
const sla = { ackMinutes: 5, resolveMinutes: 30 };
const T0 = Date.UTC(2024, 9, 21, 12, 0);

describe('ticketSlaOutcome() judges a ticket against the resolution SLA for reports', () => {
  test('resolved by the due time is met, exactly at it too; after it is late', () => {
    const t = { status: 'resolved' as const, openedAt: T0, reopenedAt: null };
    expect(ticketSlaOutcome(t, T0 + 10 * MIN, sla, T0 + 99 * MIN)).toBe('met');
    expect(ticketSlaOutcome(t, T0 + 30 * MIN, sla, T0 + 99 * MIN)).toBe('met');
    expect(ticketSlaOutcome(t, T0 + 30 * MIN + 1, sla, T0 + 99 * MIN)).toBe('late');
  });

  test('unresolved is pending until due and late after, whatever its step', () => {
    for (const status of ['open', 'claimed', 'acknowledged'] as const) {
      const t = { status, openedAt: T0, reopenedAt: null };
      expect(ticketSlaOutcome(t, null, sla, T0 + 30 * MIN)).toBe('pending');
      expect(ticketSlaOutcome(t, null, sla, T0 + 31 * MIN)).toBe('late');
    }
  });

  test('a reopening restarts the clock', () => {
    const reopened = { status: 'resolved' as const, openedAt: T0, reopenedAt: T0 + 40 * MIN };
    expect(ticketSlaOutcome(reopened, T0 + 65 * MIN, sla, T0 + 99 * MIN)).toBe('met');
    expect(ticketSlaOutcome({ ...reopened, status: 'claimed' }, null, sla, T0 + 69 * MIN)).toBe('pending');
    expect(ticketSlaOutcome({ ...reopened, status: 'claimed' }, null, sla, T0 + 71 * MIN)).toBe('late');
  });
});
